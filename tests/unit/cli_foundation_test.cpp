// A new user's first steps, run through the real binary: init, migrate, org, prompt, config.
#include <doctest/doctest.h>

#include <fstream>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::test;

namespace {

struct User {
  TempDir home;
  std::map<std::string, std::string> env{{"HOME", home.path().string()}};
  CommandResult run(const std::vector<std::string>& args) { return run_sonoria(args, env); }
};

}  // namespace

TEST_CASE("init writes a config, migrates and imports the yoga studio; a second run changes nothing") {
  User u;
  auto r = u.run({"init"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(std::filesystem::exists(u.home / ".config/sonoria/sonoria.toml"));
  CHECK(std::filesystem::exists(u.home / ".local/share/sonoria/sonoria.db"));
  CHECK(r.out.find("imported organization 1 (lotus-yoga)") != std::string::npos);
  // Settings and call data are the user's alone: files 0600, the folders sonoria made 0700.
  const auto mode = [](const std::filesystem::path& p) {
    return std::filesystem::status(p).permissions() & std::filesystem::perms::all;
  };
  using std::filesystem::perms;
  CHECK(mode(u.home / ".config/sonoria/sonoria.toml") == (perms::owner_read | perms::owner_write));
  CHECK(mode(u.home / ".local/share/sonoria/sonoria.db") == (perms::owner_read | perms::owner_write));
  CHECK(mode(u.home / ".config/sonoria") == perms::owner_all);
  CHECK(mode(u.home / ".local/share/sonoria") == perms::owner_all);
  CHECK(mode(u.home / ".local/share") == perms::owner_all);
  const auto backup = u.run({"backup", (u.home / "copy.db").string()});
  CHECK_MESSAGE(backup.exit_code == 0, backup.err);
  CHECK(mode(u.home / "copy.db") == (perms::owner_read | perms::owner_write));
  const auto exported = u.run({"export-transcripts", "--out", (u.home / "calls.jsonl").string()});
  CHECK_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK(mode(u.home / "calls.jsonl") == (perms::owner_read | perms::owner_write));

  auto again = u.run({"init"});
  CHECK(again.exit_code == 0);
  CHECK(again.out.find("exists; left unchanged") != std::string::npos);
  CHECK(again.out.find("already current") != std::string::npos);

  auto list = u.run({"org", "list"});
  CHECK(list.exit_code == 0);
  CHECK(list.out.find("lotus-yoga") != std::string::npos);
  CHECK(list.out.find("+15550001000") != std::string::npos);

  auto status = u.run({"migrate", "--status"});
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("applied") != std::string::npos);
  CHECK(status.out.find("pending") == std::string::npos);
}

TEST_CASE("commands refuse a database with pending migrations and say what to run") {
  User u;
  auto r = u.run({"org", "list"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("run `sonoria init` first") != std::string::npos);
  // A database that exists but is not migrated is refused the same way, and left alone.
  auto empty = u.home / "empty.db";
  { std::ofstream touch(empty); }
  auto pending = u.run({"--db", empty.string(), "org", "list"});
  CHECK(pending.exit_code == 3);
  CHECK(pending.err.find("run `sonoria migrate` first") != std::string::npos);
  CHECK(u.run({"migrate"}).exit_code == 0);
  CHECK(u.run({"org", "list"}).exit_code == 0);
}

TEST_CASE("import, export, import is exact for every example") {
  User u;
  REQUIRE(u.run({"migrate"}).exit_code == 0);
  for (const char* name : {"yoga-studio.toml", "dental-clinic.toml", "hair-salon.toml", "insurance-agency.toml"}) {
    CAPTURE(name);
    auto example = (source_dir() / "examples" / name).string();
    auto imported = u.run({"org", "import", example});
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
    const std::string slug = std::string(name) == "yoga-studio.toml"     ? "lotus-yoga"
                             : std::string(name) == "dental-clinic.toml" ? "bright-smile-dental"
                                                                         : "maple-hair-studio";
    auto first = u.run({"org", "export", slug});
    REQUIRE(first.exit_code == 0);
    auto file = u.home.write("exported.toml", first.out);
    auto reimport = u.run({"org", "import", file.string()});
    CHECK(reimport.out.find("updated organization") != std::string::npos);
    auto second = u.run({"org", "export", slug});
    CHECK(second.out == first.out);
    auto out_file = u.home / "out.toml";
    CHECK(u.run({"org", "export", slug, "--out", out_file.string()}).exit_code == 0);
    CHECK(read_file(out_file) == first.out);
  }
}

TEST_CASE("an invalid profile is refused with file, line and field, and nothing is written") {
  User u;
  REQUIRE(u.run({"migrate"}).exit_code == 0);
  auto good = read_file(source_dir() / "examples" / "yoga-studio.toml");
  auto pos = good.find("\"+15550001000\"");
  REQUIRE(pos != std::string::npos);
  std::string bad = good;
  bad.replace(pos, 14, "\"555-0100\"");
  auto file = u.home.write("bad.toml", bad);
  auto r = u.run({"org", "import", file.string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find(file.string() + ":") != std::string::npos);
  CHECK(r.err.find("555-0100") != std::string::npos);
  CHECK(u.run({"org", "list"}).out.find("no organizations yet") != std::string::npos);
}

TEST_CASE("a phone number can route to one organization only") {
  User u;
  REQUIRE(u.run({"migrate"}).exit_code == 0);
  auto good = read_file(source_dir() / "examples" / "yoga-studio.toml");
  REQUIRE(u.run({"org", "import", (source_dir() / "examples" / "yoga-studio.toml").string()}).exit_code == 0);
  std::string copy = good;
  auto pos = copy.find("lotus-yoga");
  copy.replace(pos, 10, "other-yoga");
  auto file = u.home.write("copy.toml", copy);
  auto r = u.run({"org", "import", file.string()});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("already belongs to organization \"lotus-yoga\"") != std::string::npos);
  CHECK(u.run({"org", "list"}).out.find("other-yoga") == std::string::npos);
}

TEST_CASE("prompt output is pinned by golden files") {
  User u;
  REQUIRE(u.run({"migrate"}).exit_code == 0);
  for (const char* name : {"yoga-studio.toml", "dental-clinic.toml", "physio-clinic.toml"})
    REQUIRE(u.run({"org", "import", (source_dir() / "examples" / name).string()}).exit_code == 0);
  struct Case {
    std::vector<std::string> args;
    std::string golden;
  };
  std::vector<Case> cases = {
      {{"prompt", "--org", "lotus-yoga", "--at", "2026-12-22T15:00:00Z"}, "lotus-yoga_open.txt"},
      {{"prompt", "--org", "lotus-yoga", "--at", "2026-12-24T10:00"}, "lotus-yoga_holiday.txt"},
      {{"prompt", "--org", "2", "--at", "2026-11-28T23:30:00-06:00"}, "bright-smile_saturday_night.txt"},
      // An appointment book: the booking rules and the book's tools instead of the links.
      {{"prompt", "--org", "harbor-physio", "--at", "2026-12-07T15:00:00Z"}, "harbor-physio_book.txt"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.golden);
    auto r = u.run(c.args);
    REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    auto golden = source_dir() / "tests" / "data" / "prompt" / c.golden;
    if (std::getenv("SONORIA_UPDATE_GOLDEN")) {
      std::filesystem::create_directories(golden.parent_path());
      std::ofstream(golden) << r.out;
    }
    CHECK(r.out == read_file(golden));
  }
  auto bad = u.run({"prompt", "--org", "lotus-yoga", "--at", "tomorrow"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--at: \"tomorrow\" is not a time") != std::string::npos);
  auto unknown = u.run({"prompt", "--org", "nope"});
  CHECK(unknown.exit_code == 3);
  CHECK(unknown.err.find("no organization with id or slug \"nope\"") != std::string::npos);
}

TEST_CASE("config show redacts secrets and a bad config file exits 3 naming file and line") {
  User u;
  u.env["OPENAI_API_KEY"] = "sk-live-abcdefghijklmnop";
  u.env["TWILIO_AUTH_TOKEN"] = "0123456789abcdef0123456789abcdef";
  auto r = u.run({"config", "show"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("abcdefghijklmnop") == std::string::npos);
  CHECK(r.out.find("0123456789abcdef") == std::string::npos);
  CHECK(r.out.find("# environment OPENAI_API_KEY") != std::string::npos);
  auto config = u.home.write("bad.toml", "[calls]\nmax_concurent = 3\n");
  auto bad = u.run({"--config", config.string(), "config", "show"});
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.find("bad.toml:2: unknown key \"calls.max_concurent\" (did you mean \"calls.max_concurrent\"?)") !=
        std::string::npos);
}
