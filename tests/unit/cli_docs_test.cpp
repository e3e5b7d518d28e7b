// Every subcommand has a man page and completion entries; usage errors exit 2 with a hint.
#include <doctest/doctest.h>

#include <regex>
#include <sstream>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::test;

namespace {

std::vector<std::string> subcommands_from_help(const std::string& help) {
  std::vector<std::string> names;
  auto pos = help.find("SUBCOMMANDS:");
  if (pos == std::string::npos) pos = help.find("Subcommands:");
  REQUIRE(pos != std::string::npos);
  std::istringstream in(help.substr(pos));
  std::string line;
  std::getline(in, line);
  std::regex entry(R"(^\s+([a-z][a-z-]*)\s)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (line.empty() || line[0] != ' ') break;
    if (std::regex_search(line, m, entry)) names.push_back(m[1]);
  }
  return names;
}

}  // namespace

TEST_CASE("every subcommand has a man page, completion entries and --help") {
  TempDir home;
  auto help = run_sonoria({"--help"}, {{"HOME", home.path().string()}});
  CHECK(help.exit_code == 0);
  auto names = subcommands_from_help(help.out);
  CHECK(names.size() >= 5);
  auto completions = source_dir() / "completions";
  auto bash = read_file(completions / "sonoria.bash");
  auto zsh = read_file(completions / "_sonoria");
  auto fish = read_file(completions / "sonoria.fish");
  auto main_page = read_file(source_dir() / "man" / "sonoria.1");
  for (const auto& name : names) {
    CAPTURE(name);
    CHECK_MESSAGE(std::filesystem::exists(source_dir() / "man" / ("sonoria-" + name + ".1")), "man/sonoria-" << name << ".1 is missing");
    CHECK_MESSAGE(main_page.find(".B " + name) != std::string::npos, "man/sonoria.1 does not list " << name);
    CHECK_MESSAGE(std::regex_search(bash, std::regex("local commands=\"[^\"]*\\b" + name + "\\b")),
                  "bash completion lacks " << name);
    CHECK_MESSAGE(zsh.find("'" + name + ":") != std::string::npos, "zsh completion lacks " << name);
    CHECK_MESSAGE(fish.find("-a " + name + " ") != std::string::npos, "fish completion lacks " << name);
    auto sub_help = run_sonoria({name, "--help"}, {{"HOME", home.path().string()}});
    CHECK(sub_help.exit_code == 0);
  }
}

TEST_CASE("a misspelled subcommand exits 2 and suggests the nearest one") {
  TempDir home;
  auto r = run_sonoria({"promtp"}, {{"HOME", home.path().string()}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("did you mean \"prompt\"?") != std::string::npos);
  CHECK(r.out.empty());
}

TEST_CASE("an unknown option exits 2") {
  TempDir home;
  auto r = run_sonoria({"migrate", "--frobnicate"}, {{"HOME", home.path().string()}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("sonoria: error:") == 0);
}

TEST_CASE("--version prints the version") {
  TempDir home;
  auto r = run_sonoria({"--version"}, {{"HOME", home.path().string()}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("sonoria ", 0) == 0);
  CHECK(r.out.find("OpenSSL") == std::string::npos);
  // With --verbose (before or after), every linked library that can say its version does.
  for (const auto& args : {std::vector<std::string>{"--version", "--verbose"}, std::vector<std::string>{"--verbose", "--version"}}) {
    auto verbose = run_sonoria(args, {{"HOME", home.path().string()}});
    CHECK(verbose.exit_code == 0);
    CHECK(verbose.out.rfind("sonoria ", 0) == 0);
    for (const char* library : {"GPL-3.0-or-later", "Boost 1.", "OpenSSL 3.", "SQLite 3.", "Expat 2.", "libphonenumber 8", "Protocol Buffers 3.",
                                "espeak-ng 1.", "PocketSphinx",
                                "nlohmann/json 3.", "toml++ 3.", "CLI11 2."})
      CHECK_MESSAGE(verbose.out.find(library) != std::string::npos, library);
  }
}
