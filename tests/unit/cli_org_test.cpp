// Looking after organizations from the command line: edit in $EDITOR, delete, move a number.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

namespace cli_org_test {

using namespace sonoria::test;

struct Owner {
  TempDir home;
  std::map<std::string, std::string> env{{"HOME", home.path().string()}, {"TMPDIR", home.path().string()}};
  Owner() { REQUIRE(run({"init"}).exit_code == 0); }
  CommandResult run(const std::vector<std::string>& args) { return run_sonoria(args, env); }
  // An "editor" that runs `script` on the file it is given ($1).
  void editor(const std::string& script) {
    const auto path = home / "editor.sh";
    std::ofstream(path) << "#!/bin/sh\n" << script << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    env["EDITOR"] = path.string();
  }
  std::string exported() { return run({"org", "export", "lotus-yoga"}).out; }
};

TEST_CASE("org edit saves what was changed in the editor, checked, and shows the change") {
  Owner o;
  o.editor("sed -i 's/^name = \"Lotus Yoga Studio\"/name = \"Lotus Yoga\"/' \"$1\"");
  const auto r = o.run({"org", "edit", "lotus-yoga"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("- name = \"Lotus Yoga Studio\"\n+ name = \"Lotus Yoga\"\n") != std::string::npos);
  CHECK(r.out.find("saved organization 1 (lotus-yoga)") != std::string::npos);
  CHECK(o.exported().find("name = \"Lotus Yoga\"\n") != std::string::npos);
  // The edit's file is gone once saved.
  for (const auto& entry : std::filesystem::directory_iterator(o.home.path()))
    CHECK(entry.path().filename().string().rfind("sonoria-lotus-yoga-", 0) != 0);

  o.editor("true");
  const auto unchanged = o.run({"org", "edit", "1"});
  CHECK(unchanged.exit_code == 0);
  CHECK(unchanged.out == "no changes; nothing saved\n");
}

TEST_CASE("org edit refuses a broken profile with the importer's message, keeps the edit and changes nothing") {
  Owner o;
  const std::string before = o.exported();
  o.editor("sed -i 's/^timezone = .*/timezone = \"Mars\\/Olympus\"/' \"$1\"");
  const auto r = o.run({"org", "edit", "lotus-yoga"});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("organization.timezone: \"Mars/Olympus\" is not a known IANA time zone") != std::string::npos);
  const auto kept = r.err.find("nothing was saved; your edit is in ");
  REQUIRE(kept != std::string::npos);
  std::string path = r.err.substr(kept + 35);
  path = path.substr(0, path.find('\n'));
  CHECK(std::filesystem::exists(path));
  CHECK((std::filesystem::status(path).permissions() & std::filesystem::perms::all) ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK(o.exported() == before);

  o.editor("sed -i 's/^slug = .*/slug = \"lotus-two\"/' \"$1\"");
  const auto renamed = o.run({"org", "edit", "lotus-yoga"});
  CHECK(renamed.exit_code == 3);
  CHECK(renamed.err.find("the slug is the organization's key") != std::string::npos);
}

TEST_CASE("org delete asks, or takes --yes, and keeps the call records unless --purge") {
  Owner o;
  const auto unasked = o.run({"org", "delete", "lotus-yoga"});
  CHECK(unasked.exit_code == 2);
  CHECK(unasked.err.find("nothing deleted: confirm with --yes") != std::string::npos);
  CHECK(o.run({"org", "list", "--json"}).out.find("lotus-yoga") != std::string::npos);

  const auto r = o.run({"org", "delete", "lotus-yoga", "--yes"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("deleted organization 1 (lotus-yoga, Lotus Yoga Studio); its 0 calls are kept") == 0);
  CHECK(o.run({"org", "list", "--json"}).out.find("lotus-yoga") == std::string::npos);
  CHECK(o.run({"org", "delete", "lotus-yoga", "--yes"}).exit_code == 3);
}

TEST_CASE("org move-number moves a number as written to another organization, both profiles saved") {
  Owner o;
  std::string second = o.exported();
  second.replace(second.find("slug = \"lotus-yoga\""), 19, "slug = \"lotus-east\"");
  second.replace(second.find("phone_numbers = [\"+15550001000\"]"), 32, "phone_numbers = [\"+15550002000\", \"+15550002001\"]");
  const auto file = o.home / "east.toml";
  std::ofstream(file) << second;
  REQUIRE(o.run({"org", "import", file.string()}).exit_code == 0);

  const auto r = o.run({"org", "move-number", "(555) 000-2001", "--to", "lotus-yoga"});
  CHECK_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("moved +15550002001 from lotus-east to lotus-yoga") == 0);
  CHECK(o.exported().find("phone_numbers = [\"+15550001000\", \"+15550002001\"]") != std::string::npos);

  const auto last = o.run({"org", "move-number", "+15550002000", "--to", "lotus-yoga"});
  CHECK(last.exit_code == 3);
  CHECK(last.err.find("is the only number of organization \"lotus-east\"") != std::string::npos);
  const auto local = o.run({"org", "move-number", "555-2000", "--to", "lotus-yoga"});
  CHECK(local.exit_code == 2);
  CHECK(local.err.find("is a local number without its area code") != std::string::npos);
}

}  // namespace cli_org_test
