// The webhook queue: queued in the transaction that ends a call, only for organizations with a
// call_end_url; listed, due, recorded and retried.
#include <doctest/doctest.h>

#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::db;
using namespace std::chrono_literals;

namespace {

template <class Db>
struct HookFixture {
  Db db;
  std::unique_ptr<Connection> owned = db.open();
  Connection& c = *owned;
  test::TempDir& dir = db.dir;
  SqlOrgStore orgs{c};
  SqlCallStore calls{c};
  SqlWebhookStore hooks{c};
  TimePoint t0 = *parse_timestamp("2026-12-05T10:00:00.000Z");
  int64_t studio = 0;
  int64_t clinic = 0;
  HookFixture() {
    migrate(c);
    auto yoga = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
    yoga.webhooks.call_end_url = "https://hooks.example/ended";
    studio = orgs.upsert(yoga);
    clinic = orgs.upsert(org::load_profile_file(test::source_dir() / "examples" / "dental-clinic.toml"));
  }
  void call(const std::string& sid, int64_t org, bool finish = true) {
    calls.write_batch({CallOpened{sid, org, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt}});
    if (!finish) return;
    CallFinished f;
    f.call_sid = sid;
    f.status = "completed";
    f.end_reason = "caller_hung_up";
    f.ended_at = t0 + 60s;
    calls.write_batch({f});
  }
};

}  // namespace

TEST_CASE_TEMPLATE("a call that ends is queued for its organization's call_end_url, and only then", Db, SONORIA_TEST_DATABASES) {
  HookFixture<Db> f;
  f.call("CA1", f.studio);
  f.call("CA2", f.clinic);  // no webhook configured
  f.call("CA3", f.studio, /*finish=*/false);
  const auto all = f.hooks.list(0, "", 10);
  REQUIRE(all.size() == 1);
  CHECK(all[0].call_sid == "CA1");
  CHECK(all[0].url == "https://hooks.example/ended");
  CHECK(all[0].status == "pending");
  CHECK(all[0].idempotency_key.rfind("call.ended:CA1:", 0) == 0);
  CHECK(f.hooks.due(f.t0 + 60s, 10).size() == 1);
  CHECK(f.hooks.due(f.t0, 10).empty());
  // A daemon that died with CA3 in progress: closing it queues its end too.
  f.calls.close_abandoned_calls(f.t0 + 2h);
  CHECK(f.hooks.list(f.studio, "", 10).size() == 2);
  // An outbound call placed earlier (its row ringing) whose webhook a daemon then refuses: the
  // refusal does not end it, and tells nobody.
  f.call("CA4", f.studio, /*finish=*/false);
  f.calls.set_owner("host-a:8080");
  f.calls.write_batch({CallOpened{"CA4", f.studio, "inbound", "+15551112222", "+15550001000", "rejected", f.t0, "capacity", std::nullopt}});
  CHECK(f.calls.find_call("CA4")->status == "ringing");
  CHECK(f.hooks.list(f.studio, "", 10).size() == 2);
}

TEST_CASE_TEMPLATE("an attempt is recorded with the payload of the first; failed deliveries can be retried", Db, SONORIA_TEST_DATABASES) {
  HookFixture<Db> f;
  f.call("CA1", f.studio);
  const auto d = f.hooks.list(0, "", 1)[0];
  WebhookAttempt a{d.id, "failed", 3, 503, "HTTP 503", "{\"event\":\"call.ended\"}", f.t0 + 2h, f.t0 + 1h};
  f.calls.write_batch({a});
  auto failed = f.hooks.list(0, "failed", 10);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].attempts == 3);
  CHECK(failed[0].last_status == 503);
  CHECK(failed[0].payload == "{\"event\":\"call.ended\"}");
  CHECK(f.hooks.due(f.t0 + 3h, 10).empty());
  CHECK(f.hooks.retry(0, f.t0 + 3h) == 1);
  auto due = f.hooks.due(f.t0 + 3h, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].attempts == 3);
  // The body of the first attempt stays: a later attempt does not replace it.
  f.calls.write_batch({WebhookAttempt{d.id, "delivered", 4, 200, "", "{\"other\":1}", f.t0 + 4h, f.t0 + 3h}});
  CHECK(f.hooks.list(0, "delivered", 1)[0].payload == "{\"event\":\"call.ended\"}");
  CHECK(f.hooks.retry(d.id, f.t0 + 5h) == 0);  // delivered: nothing to retry
}
