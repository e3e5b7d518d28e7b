#include <doctest/doctest.h>

#include "core/db/database_copy.hpp"
#include "core/db/knowledge_import.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "core/db/sqlite.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::db;

namespace {

// An installation with something in every table: two organizations (numbers, secrets, versions,
// FAQs), a knowledge base, users with a session and audit rows, 60 calls with their turns,
// events, texts and webhooks, and an appointment.
void fill(Connection& c) {
  migrate(c);
  SqlOrgStore orgs(c);
  auto yoga = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
  yoga.webhooks.call_end_url = "https://hooks.example.com/end";
  const int64_t studio = orgs.upsert(yoga);
  const int64_t clinic = orgs.upsert(org::load_profile_file(test::source_dir() / "examples" / "dental-clinic.toml"));
  orgs.signing_secret(studio, true);
  SqlKnowledgeStore kb(c);
  import_document(kb, clinic, "policies.md", test::read_file(test::source_dir() / "tests" / "data" / "kb" / "policies.md"));
  SqlUserStore users(c);
  UserRow ana;
  ana.username = "ana";
  ana.role = "owner";
  ana.organization_id = studio;
  ana.password_hash = "$scrypt$x";
  users.add(ana);
  users.create_session({"digest", ana.id, "csrf", 1000, 1000, 4102444800, "127.0.0.1", "test"});
  AuditEntry saved{0, "", ana.id, "ana", studio, "profile.save", "lotus-yoga", "a note with \"quotes\"", "127.0.0.1"};
  users.audit(saved);
  SqlCallStore calls(c);
  test::SeedOptions options;
  options.calls = 60;
  options.organization_id = studio;
  test::seed_calls(calls, options);
  SqlAppointmentStore book(c);
  Appointment a;
  a.organization_id = studio;
  a.service = "Private lesson";
  a.resource = "location:";
  a.starts_at = 1'900'000'000;
  a.ends_at = a.starts_at + 3600;
  a.busy_until = a.ends_at;
  a.customer_name = "Zoë";
  a.customer_phone = "+15551112222";
  a.status = "booked";
  book.exclusively([&] { book.insert(a); });
}

int64_t rows_in(Connection& c, const std::string& table) {
  Statement s(c, "SELECT COUNT(*) FROM " + table);
  s.step();
  return s.int64(0);
}

}  // namespace

TEST_CASE("an installation moves from SQLite to PostgreSQL and back with every record intact") {
  test::SqliteDatabase sqlite;
  test::PostgresqlDatabase postgresql;
  auto from = sqlite.open();
  fill(*from);
  auto to = postgresql.open();
  std::vector<std::string> told;
  auto report = copy_database(*from, *to, [&](const TableCopy& t) { told.push_back(t.table); });
  CHECK(report.verified());
  CHECK(told == copied_tables());
  for (const auto& t : report.tables) {
    CHECK_MESSAGE(t.rows == rows_in(*from, t.table), t.table);
    // Checked again here, independently of the copy's own verification.
    CHECK_MESSAGE(table_digest(*from, t.table).sha256 == table_digest(*to, t.table).sha256, t.table);
  }
  CHECK(rows_in(*to, "calls") == 60);
  CHECK(rows_in(*to, "appointments") == 1);
  CHECK(rows_in(*to, "organizations") == 2);

  // The copy works as a database, not only as rows: the stores read it, its search index is
  // PostgreSQL's own, and new rows do not collide with the copied ids.
  SqlCallQueries queries(*to);
  auto listed = queries.list({}, std::nullopt, 1000);
  CHECK(listed.calls.size() == 60);
  SqlKnowledgeStore kb(*to);
  auto hits = kb.search(2, "How much notice do you need to cancel?", 1);
  REQUIRE_FALSE(hits.empty());
  CHECK(hits[0].source == "policies.md");
  CHECK(hits[0].heading == SqlKnowledgeStore(*from).search(2, "How much notice do you need to cancel?", 1).at(0).heading);
  SqlOrgStore orgs(*to);
  auto third = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
  third.organization.slug = "second-studio";
  third.organization.phone_numbers = {"+15550009999"};
  CHECK(orgs.upsert(third) == 3);
  SqlCallStore calls(*to);
  calls.write_batch({CallOpened{"CAnew", std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing",
                                now_ms(), {}, std::nullopt}});
  CHECK(queries.find("CAnew")->id == 61);

  // And back into a new SQLite file: the same again.
  test::SqliteDatabase back;
  auto again = back.open();
  auto second = copy_database(*to, *again);
  CHECK(second.verified());
  CHECK(rows_in(*again, "calls") == 61);
  CHECK(table_digest(*again, "transcript_entries").sha256 == table_digest(*from, "transcript_entries").sha256);
  SqlKnowledgeStore sqlite_kb(*again);
  CHECK_FALSE(sqlite_kb.search(2, "Do you take Medicaid?", 1).empty());
}

TEST_CASE("a copy goes only into an empty database, from a current one, and a failed copy leaves nothing") {
  test::SqliteDatabase sqlite;
  test::PostgresqlDatabase postgresql;
  auto from = sqlite.open();
  fill(*from);
  auto to = postgresql.open();
  REQUIRE(copy_database(*from, *to).verified());
  // Again into the same target: refused before anything is written.
  auto message = test::error_of([&] { copy_database(*from, *to); });
  CHECK(message.find("already holds records (2 in organizations); copy into a new, empty database") != std::string::npos);
  CHECK(rows_in(*to, "calls") == 60);

  // A source behind the current schema is not guessed at.
  test::SqliteDatabase old;
  auto behind = old.open();
  behind->exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  behind->exec("INSERT INTO schema_migrations VALUES (1, 'first', 'x')");
  test::PostgresqlDatabase fresh;
  auto empty = fresh.open();
  CHECK(test::error_of([&] { copy_database(*behind, *empty); }).find("run `sonoria migrate` first") != std::string::npos);

  // A text PostgreSQL cannot hold as it is (invalid UTF-8, which SQLite kept): the copy would not
  // be the source, so it is refused whole.
  test::SqliteDatabase odd;
  auto source = odd.open();
  fill(*source);
  source->exec("UPDATE transcript_entries SET text = CAST(X'636166E9' AS TEXT) WHERE id = 3");
  test::PostgresqlDatabase target;
  auto into = target.open();
  auto refused = test::error_of([&] { copy_database(*source, *into); });
  CHECK(refused.find("transcript_entries differs from the source after the copy") != std::string::npos);
  CHECK(rows_in(*into, "calls") == 0);
  CHECK(rows_in(*into, "organizations") == 0);
}

TEST_CASE("copy endpoints are named as a user types them") {
  test::TempDir dir;
  const auto path = (dir / "a.db").string();
  CHECK(test::error_of([&] { open_copy_endpoint("sqlite:" + path, false); }).find("no database here") != std::string::npos);
  auto created = open_copy_endpoint("sqlite:" + path, true);
  CHECK(created->dialect() == Dialect::sqlite);
  CHECK(created->path() == path);
  CHECK(open_copy_endpoint(path, false)->path() == path);
  CHECK(open_copy_endpoint("sqlite://" + path, false)->path() == path);
  CHECK(test::error_of([&] { open_copy_endpoint("sqlite:", true); }).find("names no database") != std::string::npos);
  CHECK(open_copy_endpoint(test::postgresql_cluster_url(), false)->dialect() == Dialect::postgresql);
}
