// Organizations as stored: each saved change of a profile is a version that can be read back.
#include <doctest/doctest.h>

#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::db;

namespace {

template <class Db>
struct OrgFixture {
  Db db;
  std::unique_ptr<Connection> owned = db.open();
  Connection& c = *owned;
  test::TempDir& dir = db.dir;
  SqlOrgStore orgs{c};
  org::Profile studio = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
  OrgFixture() { migrate(c); }
};

}  // namespace

TEST_CASE_TEMPLATE("the first save of a profile is its version 1, with who saved it and why", Db, SONORIA_TEST_DATABASES) {
  OrgFixture<Db> f;
  const int64_t id = f.orgs.upsert(f.studio, {"maya", "first import"});
  const auto versions = f.orgs.versions(id);
  REQUIRE(versions.size() == 1);
  CHECK(versions[0].version == 1);
  CHECK(versions[0].saved_by == "maya");
  CHECK(versions[0].note == "first import");
  CHECK(versions[0].profile_toml.empty());  // the list leaves the text out
  const auto one = f.orgs.version(id, 1);
  REQUIRE(one);
  CHECK(org::parse_profile_toml(one->profile_toml, "v1") == f.studio);
}

TEST_CASE_TEMPLATE("saving an unchanged profile adds no version; a change adds the next", Db, SONORIA_TEST_DATABASES) {
  OrgFixture<Db> f;
  const int64_t id = f.orgs.upsert(f.studio);
  f.orgs.upsert(f.studio, {"maya", "nothing changed"});
  CHECK(f.orgs.versions(id).size() == 1);
  auto changed = f.studio;
  changed.services[0].price_cents = 3000;
  f.orgs.upsert(changed, {"maya", "drop-in now $30"});
  const auto versions = f.orgs.versions(id);
  REQUIRE(versions.size() == 2);
  CHECK(versions[0].version == 2);  // newest first
  CHECK(versions[0].note == "drop-in now $30");
  CHECK(versions[1].saved_by == "cli");
  CHECK(org::parse_profile_toml(f.orgs.version(id, 2)->profile_toml, "v2").services[0].price_cents == 3000);
  CHECK(org::parse_profile_toml(f.orgs.version(id, 1)->profile_toml, "v1").services[0].price_cents == 2500);
  CHECK_FALSE(f.orgs.version(id, 3));
}

TEST_CASE_TEMPLATE("an organization stored before versions were kept gets its old profile as version 1 on its next change", Db, SONORIA_TEST_DATABASES) {
  OrgFixture<Db> f;
  const int64_t id = f.orgs.upsert(f.studio);
  f.c.exec("DELETE FROM profile_versions");
  auto changed = f.studio;
  changed.organization.name = "Lotus Yoga";
  f.orgs.upsert(changed, {"maya", "shorter name"});
  const auto versions = f.orgs.versions(id);
  REQUIRE(versions.size() == 2);
  CHECK(versions[1].note == "as stored before versions were kept");
  CHECK(org::parse_profile_toml(f.orgs.version(id, 1)->profile_toml, "v1").organization.name == "Lotus Yoga Studio");
  CHECK(org::parse_profile_toml(f.orgs.version(id, 2)->profile_toml, "v2").organization.name == "Lotus Yoga");
}

TEST_CASE_TEMPLATE("a refused save (a number of another organization) keeps no version", Db, SONORIA_TEST_DATABASES) {
  OrgFixture<Db> f;
  const int64_t studio = f.orgs.upsert(f.studio);
  auto clinic = org::load_profile_file(test::source_dir() / "examples" / "dental-clinic.toml");
  f.orgs.upsert(clinic);
  clinic.organization.phone_numbers.push_back(f.studio.organization.phone_numbers[0]);
  CHECK_THROWS(f.orgs.upsert(clinic, {"x", "steal"}));
  CHECK(f.orgs.versions(f.orgs.find_by_slug(clinic.organization.slug)->id).size() == 1);
  CHECK(f.orgs.versions(studio).size() == 1);
}

namespace org_store_removal_test {

org::Profile second_studio(const org::Profile& studio) {
  org::Profile p = studio;
  p.organization.slug = "lotus-two";
  p.organization.name = "Lotus Two";
  p.organization.phone_numbers = {"+15550002000"};
  return p;
}

int64_t count(Connection& c, const std::string& sql) {
  Statement s(c, sql);
  REQUIRE(s.step());
  return s.int64(0);
}

void add_call(Connection& c, const std::string& sid, int64_t organization_id, const std::string& recording) {
  SqlCallStore calls(c);
  const auto t0 = now_ms();
  calls.write_batch({CallOpened{sid, organization_id, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt}});
  calls.write_batch({TranscriptEntry{sid, 1, 100, "caller", "hello", std::nullopt, false, std::nullopt, std::nullopt}});
  c.exec("UPDATE calls SET recording = '" + recording + "' WHERE call_sid = '" + sid + "'");
  c.exec("INSERT INTO messages (organization_id, call_id, purpose, from_number, to_number, body, status, created_at, "
         "updated_at) SELECT organization_id, id, 'notify_owner', '+15550001000', '+15559990000', 'x', 'sent', "
         "started_at, started_at FROM calls WHERE call_sid = '" + sid + "'");
}

TEST_CASE_TEMPLATE("deleting an organization keeps its calls, without it; purging deletes them with their texts", Db, SONORIA_TEST_DATABASES) {
  OrgFixture<Db> f;
  const int64_t one = f.orgs.upsert(f.studio);
  const int64_t two = f.orgs.upsert(second_studio(f.studio));
  add_call(f.c, "CA1", one, "2026-12-07/CA1.wav");
  add_call(f.c, "CA2", two, "2026-12-07/CA2.wav");

  const OrgRemoval kept = f.orgs.remove(one, false);
  CHECK(kept.calls == 1);
  CHECK(kept.recordings.empty());
  CHECK_FALSE(f.orgs.find(one));
  CHECK(count(f.c, "SELECT COUNT(*) FROM calls WHERE call_sid = 'CA1' AND organization_id IS NULL") == 1);
  CHECK(count(f.c, "SELECT COUNT(*) FROM transcript_entries") == 2);
  CHECK(count(f.c, "SELECT COUNT(*) FROM profile_versions WHERE organization_id = " + std::to_string(one)) == 0);
  CHECK(count(f.c, "SELECT COUNT(*) FROM organization_numbers WHERE number = '+15550001000'") == 0);
  // Its number is free again.
  CHECK_NOTHROW(f.orgs.upsert(f.studio));

  const OrgRemoval purged = f.orgs.remove(two, true);
  CHECK(purged.calls == 1);
  CHECK(purged.recordings == std::vector<std::string>{"2026-12-07/CA2.wav"});
  CHECK(count(f.c, "SELECT COUNT(*) FROM calls WHERE call_sid = 'CA2'") == 0);
  CHECK(count(f.c, "SELECT COUNT(*) FROM transcript_entries") == 1);
  CHECK(count(f.c, "SELECT COUNT(*) FROM messages") == 1);  // CA1's, kept
  CHECK_THROWS_AS(f.orgs.remove(two, false), DataError);
}

TEST_CASE_TEMPLATE("a number moves from one organization to another in one step, both saved as new versions", Db, SONORIA_TEST_DATABASES) {
  OrgFixture<Db> f;
  auto studio = f.studio;
  studio.organization.phone_numbers = {"+15550001000", "+15550001001"};
  const int64_t one = f.orgs.upsert(studio);
  const int64_t two = f.orgs.upsert(second_studio(f.studio));

  CHECK(f.orgs.move_number("+15550001001", two, {"cli", "moved +15550001001"}) == "lotus-yoga");
  CHECK(f.orgs.find(one)->organization.phone_numbers == std::vector<std::string>{"+15550001000"});
  CHECK(f.orgs.find(two)->organization.phone_numbers == std::vector<std::string>{"+15550002000", "+15550001001"});
  CHECK(f.orgs.versions(one).front().note == "moved +15550001001");
  CHECK(f.orgs.versions(two).size() == 2);

  // Refused, and nothing changed: the last number of an organization, a number nobody answers, one
  // the target already has.
  CHECK_THROWS_WITH_AS(f.orgs.move_number("+15550001000", two, {}),
                       doctest::Contains("is the only number of organization \"lotus-yoga\""), DataError);
  CHECK_THROWS_WITH_AS(f.orgs.move_number("+15559999999", two, {}), doctest::Contains("is not a number of any organization"),
                       DataError);
  CHECK_THROWS_WITH_AS(f.orgs.move_number("+15550002000", two, {}), doctest::Contains("already belongs"), DataError);
  CHECK(f.orgs.find(one)->organization.phone_numbers == std::vector<std::string>{"+15550001000"});
}

}  // namespace org_store_removal_test
