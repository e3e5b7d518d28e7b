// Organizations as stored: each saved change of a profile is a version that can be read back.
#include <doctest/doctest.h>

#include "core/db/migrations.hpp"
#include "core/db/sqlite_stores.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::db;

namespace {

struct OrgFixture {
  test::TempDir dir;
  Connection c{(dir / "o.db").string()};
  SqliteOrgStore orgs{c};
  org::Profile studio = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
  OrgFixture() { migrate(c); }
};

}  // namespace

TEST_CASE("the first save of a profile is its version 1, with who saved it and why") {
  OrgFixture f;
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

TEST_CASE("saving an unchanged profile adds no version; a change adds the next") {
  OrgFixture f;
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

TEST_CASE("an organization stored before versions were kept gets its old profile as version 1 on its next change") {
  OrgFixture f;
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

TEST_CASE("a refused save (a number of another organization) keeps no version") {
  OrgFixture f;
  const int64_t studio = f.orgs.upsert(f.studio);
  auto clinic = org::load_profile_file(test::source_dir() / "examples" / "dental-clinic.toml");
  f.orgs.upsert(clinic);
  clinic.organization.phone_numbers.push_back(f.studio.organization.phone_numbers[0]);
  CHECK_THROWS(f.orgs.upsert(clinic, {"x", "steal"}));
  CHECK(f.orgs.versions(f.orgs.find_by_slug(clinic.organization.slug)->id).size() == 1);
  CHECK(f.orgs.versions(studio).size() == 1);
}
