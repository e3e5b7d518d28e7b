#include <doctest/doctest.h>

#include "core/db/migrations.hpp"
#include "core/db/sql_stores.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::db;
using namespace std::chrono_literals;

namespace {

template <class Db>
struct ClusterFixture {
  Db db;
  std::unique_ptr<Connection> a_connection = db.open();
  std::unique_ptr<Connection> b_connection = db.open();
  // Two daemons on one database, each with its own connection and writer.
  SqlCallStore a{*a_connection};
  SqlCallStore b{*b_connection};
  SqlClusterStore cluster{*a_connection};
  TimePoint t0 = *parse_timestamp("2026-12-08T10:00:00.000Z");
  ClusterFixture() {
    migrate(*a_connection);
    a.set_owner("host-a:8080");
    b.set_owner("host-b:8080");
  }
  void open(SqlCallStore& store, const std::string& sid) {
    store.write_batch({CallOpened{sid, std::nullopt, "inbound", "+15551112222", "+15550001000", "ringing", t0, {}, std::nullopt},
                       CallAnswered{sid, "MZ" + sid, t0 + 1s},
                       TranscriptEntry{sid, 0, 1000, "assistant", "Hello!", std::nullopt, false, std::nullopt, std::nullopt}});
  }
};

}  // namespace

TEST_CASE_TEMPLATE("a daemon whose lease runs out has its calls closed by another; a live one's are left alone", Db, SONORIA_TEST_DATABASES) {
  ClusterFixture<Db> f;
  f.cluster.renew("host-a:8080", "https://a.voice.example.com", false, f.t0, 30s);
  f.cluster.renew("host-b:8080", "https://b.voice.example.com", false, f.t0, 30s);
  f.open(f.a, "CAa");
  f.open(f.b, "CAb");
  CHECK(f.a.find_call("CAa")->status == "in-progress");
  CHECK(f.cluster.live(f.t0 + 10s).size() == 2);

  // b stops renewing (killed); a renews. Within b's lease, nothing happens to its call.
  f.cluster.renew("host-a:8080", "https://a.voice.example.com", false, f.t0 + 20s, 30s);
  CHECK(f.cluster.finalise_lost(f.t0 + 25s) == 0);
  CHECK(f.a.find_call("CAb")->status == "in-progress");
  // Once it has run out: b's call is closed, with what was stored of it; a's goes on.
  f.cluster.renew("host-a:8080", "https://a.voice.example.com", false, f.t0 + 40s, 30s);
  CHECK(f.cluster.finalise_lost(f.t0 + 41s) == 1);
  auto lost = f.a.find_call("CAb");
  CHECK(lost->status == "interrupted");
  CHECK(lost->end_reason == "daemon_lost");
  CHECK(lost->turns == 1);
  CHECK(lost->ended_at == "2026-12-08T10:00:41.000Z");
  CHECK(lost->finished_seq.has_value());
  CHECK(f.a.find_call("CAa")->status == "in-progress");
  auto live = f.cluster.live(f.t0 + 41s);
  REQUIRE(live.size() == 1);
  CHECK(live[0].id == "host-a:8080");
  CHECK(live[0].public_url == "https://a.voice.example.com");
  CHECK(live[0].started_at == "2026-12-08T10:00:00.000Z");  // kept across renewals
  CHECK(f.cluster.finalise_lost(f.t0 + 42s) == 0);         // once
}

TEST_CASE_TEMPLATE("a daemon restarting closes its own and ownerless calls, not those of a daemon still alive", Db, SONORIA_TEST_DATABASES) {
  ClusterFixture<Db> f;
  f.cluster.renew("host-b:8080", "", false, f.t0, 30s);
  f.open(f.a, "CAa");
  f.open(f.b, "CAb");
  SqlCallStore legacy(*f.a_connection);  // a call from before owners were kept
  f.open(legacy, "CAold");
  CHECK(f.a.close_abandoned_calls(f.t0 + 5s, "host-a:8080") == 2);
  CHECK(f.a.find_call("CAa")->end_reason == "daemon_restart");
  CHECK(f.a.find_call("CAold")->status == "interrupted");
  CHECK(f.a.find_call("CAb")->status == "in-progress");
  // A call placed from the command line (no owner) becomes the daemon's that answers its webhook.
  SqlCallStore cli(*f.a_connection);
  cli.write_batch({CallOpened{"CAout", std::nullopt, "outbound", "+15550001000", "+15551112222", "ringing", f.t0, {}, std::nullopt}});
  f.b.write_batch({CallOpened{"CAout", std::nullopt, "outbound", "+15550001000", "+15551112222", "ringing", f.t0, {}, std::nullopt}});
  CHECK(f.a.close_abandoned_calls(f.t0 + 6s, "host-a:8080") == 0);
  CHECK(f.a.find_call("CAout")->status == "ringing");
  // A daemon that stops cleanly gives up its lease.
  f.cluster.leave("host-b:8080");
  CHECK(f.cluster.live(f.t0 + 7s).empty());
}

TEST_CASE_TEMPLATE("the cluster's limits decide a new call once for every daemon, and store it as the deciding daemon's", Db, SONORIA_TEST_DATABASES) {
  ClusterFixture<Db> f;
  SqlClusterStore cluster_b(*f.b_connection);
  f.cluster.renew("host-a:8080", "", false, f.t0, 30s);
  cluster_b.renew("host-b:8080", "", false, f.t0, 30s);
  const ClusterLimits limits{2, 2};
  auto call = [&](const std::string& sid, const std::string& from) {
    return CallOpened{sid, std::nullopt, "inbound", from, "+15550001000", "ringing", f.t0 + 1s, {}, std::nullopt};
  };
  CHECK(f.cluster.reserve_call(call("CA1", "+15551110001"), "host-a:8080", f.t0 + 1s, limits) == Reservation::reserved);
  CHECK(cluster_b.reserve_call(call("CA2", "+15551110002"), "host-b:8080", f.t0 + 1s, limits) == Reservation::reserved);
  // Two calls in progress across both daemons: the third is refused, whichever daemon asks.
  CHECK(cluster_b.reserve_call(call("CA3", "+15551110003"), "host-b:8080", f.t0 + 2s, limits) == Reservation::capacity);
  CHECK(f.cluster.reserve_call(call("CA3", "+15551110003"), "host-a:8080", f.t0 + 2s, limits) == Reservation::capacity);
  CHECK_FALSE(f.a.find_call("CA3"));
  auto first = f.a.find_call("CA1");
  REQUIRE(first);
  CHECK(first->status == "ringing");
  // One ends: a slot is free again.
  CallFinished done;
  done.call_sid = "CA1";
  done.status = "completed";
  done.end_reason = "caller_hung_up";
  done.ended_at = f.t0 + 3s;
  f.a.write_batch({done});
  CHECK(cluster_b.reserve_call(call("CA3", "+15551110003"), "host-b:8080", f.t0 + 4s, limits) == Reservation::reserved);
  // A daemon that died holds no slot once its lease has run out, even before its calls are closed.
  CHECK(f.cluster.reserve_call(call("CA4", "+15551110004"), "host-a:8080", f.t0 + 40s, limits) == Reservation::reserved);
  // The caller's limit counts every daemon's calls of the last hour.
  CHECK(f.cluster.reserve_call(call("CA5", "+15551110004"), "host-a:8080", f.t0 + 41s, ClusterLimits{100, 2}) ==
        Reservation::reserved);
  CHECK(cluster_b.reserve_call(call("CA6", "+15551110004"), "host-b:8080", f.t0 + 42s, ClusterLimits{100, 2}) ==
        Reservation::rate_limited);
  CHECK(cluster_b.reserve_call(call("CA6", "+15551110004"), "host-b:8080", f.t0 + 42s + 1h, ClusterLimits{100, 2}) ==
        Reservation::reserved);
}
