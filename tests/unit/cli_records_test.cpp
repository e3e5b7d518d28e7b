// Call records through the real binary: export, analytics, calls, backup, cleanup.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::test;

namespace {

// An operator whose sonoria keeps its records in `Db` (SQLite at --db, or PostgreSQL at
// SONORIA_DATABASE_URL with --db for the local files).
template <class Db>
struct Operator {
  Db database_kind;
  TempDir& home = database_kind.dir;
  std::string db = (home / "calls.db").string();
  std::map<std::string, std::string> env{{"HOME", home.path().string()}};
  std::vector<SeededCall> calls;
  Operator() {
    config::DatabaseSettings s = database_kind.settings();
    s.path = db;
    if (!s.url.empty()) env["SONORIA_DATABASE_URL"] = s.url;
    db::Database database(s, db::SchemaCheck::none);
    database.migrate();
    SeedOptions o;
    o.calls = 120;
    calls = seed_calls(database.calls(), o);
  }
  CommandResult run(std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db});
    return run_sonoria(args, env);
  }
};

}  // namespace

TEST_CASE_TEMPLATE("export-transcripts streams jsonl to stdout and an incremental run exports only new calls", Db, SONORIA_TEST_DATABASES) {
  Operator<Db> op;
  auto all = op.run({"export-transcripts"});
  REQUIRE_MESSAGE(all.exit_code == 0, all.err);
  CHECK(std::count(all.out.begin(), all.out.end(), '\n') == 108);
  auto out = (op.home / "a.jsonl").string();
  auto state = (op.home / "state").string();
  auto first = op.run({"export-transcripts", "--incremental", state, "--out", out});
  CHECK_MESSAGE(first.exit_code == 0, first.err);
  CHECK(first.err.find("exported 108 calls") != std::string::npos);
  auto second = op.run({"export-transcripts", "--incremental", state, "--out", out});
  CHECK(second.err.find("exported 0 calls") != std::string::npos);
  CHECK(read_file(out).empty());
  auto no_out = op.run({"export-transcripts", "--incremental", state});
  CHECK(no_out.exit_code == 2);
  CHECK(no_out.err.find("--incremental needs --out") != std::string::npos);
  auto bad_time = op.run({"export-transcripts", "--since", "yesterday"});
  CHECK(bad_time.exit_code == 2);
  CHECK(bad_time.err.find("--since \"yesterday\" is not a time") != std::string::npos);
  auto csv = op.run({"export-transcripts", "--format", "csv", "--call", op.calls[3].sid});
  CHECK(csv.out.rfind("call_sid,organization,direction", 0) == 0);
  CHECK(csv.out.find("\"Hi, \"\"quick\"\" question, call 3, please\"") != std::string::npos);
}

TEST_CASE_TEMPLATE("analytics prints a table and stable JSON; a bad price is a config error", Db, SONORIA_TEST_DATABASES) {
  Operator<Db> op;
  auto table = op.run({"analytics"});
  REQUIRE_MESSAGE(table.exit_code == 0, table.err);
  CHECK(table.out.find("total                       120") != std::string::npos);
  auto json = op.run({"analytics", "--json"});
  auto j = nlohmann::json::parse(json.out);
  CHECK(j["calls"]["total"] == 120);
  CHECK(j["calls"]["completed"] == 96);
  CHECK(j["by_status"]["failed"] == 12);
  auto config = op.home.write("bad.toml", "[pricing]\naudio_input = \"lots\"\n");
  auto bad = op.run({"--config", config.string(), "analytics"});
  CHECK(bad.exit_code == 3);
  CHECK(bad.err.find("bad.toml:2: pricing.audio_input: \"lots\" is not a price") != std::string::npos);
}

TEST_CASE_TEMPLATE("calls list pages with its cursor and calls show prints the conversation", Db, SONORIA_TEST_DATABASES) {
  Operator<Db> op;
  auto page = op.run({"calls", "list", "--limit", "100", "--json"});
  REQUIRE_MESSAGE(page.exit_code == 0, page.err);
  auto j = nlohmann::json::parse(page.out);
  CHECK(j["calls"].size() == 100);
  auto rest = op.run({"calls", "list", "--limit", "100", "--json", "--before-cursor", j["next_cursor"]});
  auto k = nlohmann::json::parse(rest.out);
  CHECK(k["calls"].size() == 20);
  CHECK(k["next_cursor"].is_null());
  CHECK(k["calls"].back()["call_sid"] == op.calls[0].sid);
  auto table = op.run({"calls", "list", "--status", "transferred"});
  CHECK(table.out.find(op.calls[8].sid) != std::string::npos);
  auto show = op.run({"calls", "show", op.calls[5].sid});
  CHECK(show.out.find("Caller: Hi, \"quick\" question, call 5, please") != std::string::npos);
  CHECK(show.out.find("Events:") != std::string::npos);
  auto missing = op.run({"calls", "show", "CAnope"});
  CHECK(missing.exit_code == 3);
}

TEST_CASE("calls list, calls show and exports give the organization's local time with its offset; --utc gives UTC") {
  TempDir home;
  const std::string db_path = (home / "calls.db").string();
  const std::map<std::string, std::string> env{{"HOME", home.path().string()}};
  auto run = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"--db", db_path});
    return run_sonoria(args, env);
  };
  config::DatabaseSettings s;
  s.path = db_path;
  {
    db::Database database(s, db::SchemaCheck::none);
    database.migrate();
  }
  // The studio keeps New York time; its calls start on 2026-05-27 at midnight UTC, 20:00 EDT the day before.
  const auto imported = run({"org", "import", (source_dir() / "examples" / "yoga-studio.toml").string()});
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  std::vector<SeededCall> calls;
  {
    db::Database database(s, db::SchemaCheck::none);
    SeedOptions o;
    o.calls = 3;
    o.organization_id = database.orgs().list().at(0).id;
    calls = seed_calls(database.calls(), o);
  }
  const std::string sid = calls[0].sid;

  auto show = run({"calls", "show", sid});
  REQUIRE_MESSAGE(show.exit_code == 0, show.err);
  CHECK(show.out.find("2026-05-26T20:00:00.000-04:00") != std::string::npos);
  CHECK(show.out.find("2026-05-27T00:00:00.000Z") == std::string::npos);
  auto show_utc = run({"calls", "show", sid, "--utc"});
  CHECK(show_utc.out.find("2026-05-27T00:00:00.000Z") != std::string::npos);
  CHECK(show_utc.out.find("-04:00") == std::string::npos);

  auto list = run({"calls", "list", "--json"});
  REQUIRE_MESSAGE(list.exit_code == 0, list.err);
  CHECK(list.out.find("\"2026-05-26T20:00:00.000-04:00\"") != std::string::npos);
  auto list_utc = run({"calls", "list", "--json", "--utc"});
  CHECK(list_utc.out.find("\"2026-05-27T00:00:00.000Z\"") != std::string::npos);

  auto exported = run({"export-transcripts", "--since", "3650d", "--format", "jsonl"});
  REQUIRE_MESSAGE(exported.exit_code == 0, exported.err);
  CHECK(exported.out.find("2026-05-26T20:00:00.000-04:00") != std::string::npos);
  auto exported_utc = run({"export-transcripts", "--since", "3650d", "--format", "jsonl", "--utc"});
  CHECK(exported_utc.out.find("2026-05-27T00:00:00.000Z") != std::string::npos);
}

TEST_CASE_TEMPLATE("shell completion offers the organizations' slugs and the latest call SIDs, and nothing without a database", Db, SONORIA_TEST_DATABASES) {
  Operator<Db> op;
  const auto imported = op.run({"org", "import", (source_dir() / "examples" / "yoga-studio.toml").string()});
  REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  const auto orgs = op.run({"complete", "orgs"});
  CHECK(orgs.exit_code == 0);
  CHECK(orgs.out == "lotus-yoga\n");
  const auto sids = op.run({"complete", "calls"});
  CHECK(sids.exit_code == 0);
  CHECK(sids.out.find(op.calls.back().sid + "\n") == 0);  // the newest first
  CHECK(std::count(sids.out.begin(), sids.out.end(), '\n') == 120);
  // No database to read (no SQLite file; a PostgreSQL server that is not there): quietly nothing.
  auto env = op.env;
  if (env.count("SONORIA_DATABASE_URL")) env["SONORIA_DATABASE_URL"] = "postgresql://sonoria@/none?host=/nonexistent&connect_timeout=1";
  const auto none = run_sonoria({"--db", (op.home / "missing" / "none.db").string(), "complete", "orgs"}, env);
  CHECK(none.exit_code == 0);
  CHECK(none.out.empty());
  CHECK(none.err.empty());
}

TEST_CASE("backup writes a verified copy and cleanup reports before it deletes") {
  Operator<SqliteDatabase> op;
  auto copy = (op.home / "copy.db").string();
  auto b = op.run({"backup", copy});
  REQUIRE_MESSAGE(b.exit_code == 0, b.err);
  CHECK(b.out.find("integrity_check ok") != std::string::npos);
  auto listed = run_sonoria({"--db", copy, "calls", "list", "--limit", "1000", "--json"}, op.env);
  CHECK(nlohmann::json::parse(listed.out)["calls"].size() == 120);

  auto dry = op.run({"cleanup", "--older-than", "1d", "--dry-run"});
  REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
  CHECK(dry.out.find("would delete from 108 calls") != std::string::npos);
  CHECK(dry.out.find("432 transcript entries") != std::string::npos);
  auto done = op.run({"cleanup", "--older-than", "1d"});
  CHECK(done.out.find("deleted from 108 calls") != std::string::npos);
  CHECK(op.run({"cleanup", "--older-than", "1d", "--dry-run"}).out.find("would delete from 0 calls") !=
        std::string::npos);
  CHECK(op.run({"cleanup", "--older-than", "soon"}).exit_code == 2);
}

TEST_CASE("on PostgreSQL: migrate reports its state, cleanup deletes in batches, and backup writes a verified SQLite copy") {
  Operator<PostgresqlDatabase> op;
  auto status = op.run({"migrate", "--status"});
  REQUIRE_MESSAGE(status.exit_code == 0, status.err);
  CHECK(status.out.find("database: postgresql://sonoria@") == 0);
  CHECK(status.out.find("applied") != std::string::npos);
  CHECK(status.out.find("pending") == std::string::npos);
  auto up_to_date = op.run({"migrate"});
  CHECK(up_to_date.out.find(": up to date (schema version ") != std::string::npos);

  auto dry = op.run({"cleanup", "--older-than", "1d", "--dry-run"});
  REQUIRE_MESSAGE(dry.exit_code == 0, dry.err);
  CHECK(dry.out.find("would delete from 108 calls") != std::string::npos);
  CHECK(dry.out.find("432 transcript entries") != std::string::npos);
  auto done = op.run({"cleanup", "--older-than", "1d", "--batch", "50"});
  CHECK(done.out.find("deleted from 108 calls") != std::string::npos);
  CHECK(op.run({"cleanup", "--older-than", "1d", "--dry-run"}).out.find("would delete from 0 calls") !=
        std::string::npos);

  // A backup of PostgreSQL is a verified SQLite copy, readable as any sonoria database.
  const auto copy = (op.home / "copy.db").string();
  auto backup = op.run({"backup", copy});
  REQUIRE_MESSAGE(backup.exit_code == 0, backup.err);
  CHECK(backup.out.find("records copied and verified") != std::string::npos);
  CHECK(backup.out.find("integrity_check ok") != std::string::npos);
  auto plain_env = op.env;
  plain_env.erase("SONORIA_DATABASE_URL");
  auto listed = run_sonoria({"--db", copy, "calls", "list", "--limit", "1000", "--json"}, plain_env);
  REQUIRE_MESSAGE(listed.exit_code == 0, listed.err);
  CHECK(nlohmann::json::parse(listed.out)["calls"].size() == 120);
  // Nothing was written to a SQLite file at --db.
  CHECK_FALSE(std::filesystem::exists(op.db));
}

TEST_CASE("db copy moves an installation from SQLite to PostgreSQL; the same commands then read the same records") {
  Operator<SqliteDatabase> op;
  PostgresqlSchema schema;
  const auto before = op.run({"analytics", "--json"});
  REQUIRE_MESSAGE(before.exit_code == 0, before.err);

  auto copied = op.run({"db", "copy", "--to", schema.url()});
  REQUIRE_MESSAGE(copied.exit_code == 0, copied.err);
  CHECK(copied.out.find("copying " + op.db + " to postgresql://sonoria@") == 0);
  CHECK(copied.out.find("\n  calls                        120 rows  verified\n") != std::string::npos);
  CHECK(copied.out.find("every table matches the source, row for row") != std::string::npos);
  CHECK(copied.out.find("next: set database.url = ") != std::string::npos);

  auto on_postgresql = op.env;
  on_postgresql["SONORIA_DATABASE_URL"] = schema.url();
  auto after = run_sonoria({"--db", op.db, "analytics", "--json"}, on_postgresql);
  REQUIRE_MESSAGE(after.exit_code == 0, after.err);
  CHECK(nlohmann::json::parse(after.out) == nlohmann::json::parse(before.out));
  auto show = run_sonoria({"--db", op.db, "calls", "show", op.calls[5].sid}, on_postgresql);
  CHECK(show.out.find("Caller: Hi, \"quick\" question, call 5, please") != std::string::npos);

  // Twice into the same database: refused, with what to do.
  auto again = op.run({"db", "copy", "--to", schema.url()});
  CHECK(again.exit_code != 0);
  CHECK(again.err.find("already holds records") != std::string::npos);
  // A password in the URL is never printed.
  auto bad = op.run({"db", "copy", "--to", "postgresql://ana:s3cret@/none?host=/nonexistent&connect_timeout=1"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("cannot connect to PostgreSQL") != std::string::npos);
  CHECK(bad.err.find("s3cret") == std::string::npos);
}
