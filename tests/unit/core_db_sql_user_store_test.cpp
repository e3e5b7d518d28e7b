// Dashboard users, sessions and the audit log, as stored.
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
struct UserFixture {
  Db db;
  std::unique_ptr<Connection> owned = db.open();
  Connection& c = *owned;
  test::TempDir& dir = db.dir;
  SqlOrgStore orgs{c};
  SqlUserStore users{c};
  int64_t studio = 0;
  UserFixture() {
    migrate(c);
    studio = orgs.upsert(org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml"));
  }
  UserRow add(const std::string& name, const std::string& role, std::optional<int64_t> org) {
    UserRow u;
    u.username = name;
    u.role = role;
    u.organization_id = org;
    u.password_hash = "$scrypt$x";
    users.add(u);
    return u;
  }
  DashboardSession session_of(int64_t user, const std::string& digest, int64_t expires) {
    DashboardSession s{digest, user, "csrf-" + digest, 1000, 1000, expires, "127.0.0.1", "test"};
    users.create_session(s);
    return s;
  }
};

}  // namespace

TEST_CASE_TEMPLATE("users are added once per name, listed by organization and found with their organization's slug", Db, SONORIA_TEST_DATABASES) {
  UserFixture<Db> f;
  auto ana = f.add("ana", "owner", f.studio);
  f.add("root", "admin", std::nullopt);
  CHECK(ana.id > 0);
  CHECK_FALSE(ana.created_at.empty());
  CHECK_THROWS_AS(f.add("ana", "staff", f.studio), UserExists);
  CHECK(f.users.count() == 2);
  const auto found = f.users.find_by_username("ana");
  REQUIRE(found);
  CHECK(found->organization_slug == "lotus-yoga");
  CHECK(found->role == "owner");
  CHECK(f.users.list(f.studio).size() == 1);
  CHECK(f.users.list(0).size() == 2);
  // The schema refuses an admin tied to an organization, or an owner without one.
  CHECK_THROWS(f.add("odd", "admin", f.studio));
  CHECK_THROWS(f.add("odder", "owner", std::nullopt));
}

TEST_CASE_TEMPLATE("a session is found until it expires, and ends with its user's password or removal", Db, SONORIA_TEST_DATABASES) {
  UserFixture<Db> f;
  auto ana = f.add("ana", "owner", f.studio);
  f.session_of(ana.id, "d1", 5000);
  f.session_of(ana.id, "d2", 5000);
  auto found = f.users.find_session("d1", 4999);
  REQUIRE(found);
  CHECK(found->first.csrf_token == "csrf-d1");
  CHECK(found->second.username == "ana");
  CHECK_FALSE(f.users.find_session("d1", 5000));  // expired at 5000
  f.users.touch_session("d1", 4000, 9000);
  CHECK(f.users.find_session("d1", 8000));
  f.users.end_session("d1");
  CHECK_FALSE(f.users.find_session("d1", 4000));
  f.users.set_password(ana.id, "$scrypt$new");
  CHECK_FALSE(f.users.find_session("d2", 4000));
  CHECK(f.users.find(ana.id)->password_hash == "$scrypt$new");
  f.session_of(ana.id, "d3", 5000);
  CHECK(f.users.remove(ana.id));
  CHECK_FALSE(f.users.find_session("d3", 4000));
  CHECK_FALSE(f.users.remove(ana.id));
}

TEST_CASE_TEMPLATE("expired sessions are swept", Db, SONORIA_TEST_DATABASES) {
  UserFixture<Db> f;
  auto ana = f.add("ana", "owner", f.studio);
  f.session_of(ana.id, "old", 100);
  f.session_of(ana.id, "new", 10'000);
  CHECK(f.users.end_expired_sessions(5000) == 1);
  CHECK(f.users.find_session("new", 5000));
}

TEST_CASE_TEMPLATE("the audit log keeps who did what, newest first, and outlives the user", Db, SONORIA_TEST_DATABASES) {
  UserFixture<Db> f;
  auto ana = f.add("ana", "owner", f.studio);
  AuditEntry a{0, "", ana.id, "ana", f.studio, "profile.save", "lotus-yoga", "changed the greeting", "10.0.0.1"};
  f.users.audit(a);
  AuditEntry b{0, "", std::nullopt, "cli", std::nullopt, "user.add", "root", "added as admin", ""};
  f.users.audit(b);
  CHECK(a.id > 0);
  CHECK_FALSE(a.at.empty());
  auto all = f.users.audit_log(0, 10);
  REQUIRE(all.size() == 2);
  CHECK(all[0].action == "user.add");
  auto studio = f.users.audit_log(f.studio, 10);
  REQUIRE(studio.size() == 1);
  CHECK(studio[0].detail == "changed the greeting");
  f.users.remove(ana.id);
  studio = f.users.audit_log(f.studio, 10);
  REQUIRE(studio.size() == 1);
  CHECK_FALSE(studio[0].user_id.has_value());
  CHECK(studio[0].actor == "ana");
}
