#include "core/db/sql_stores.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {

void SqlClusterStore::renew(const std::string& id, const std::string& public_url, bool draining, TimePoint now,
                            std::chrono::milliseconds lease) {
  Statement s(c_,
              "INSERT INTO daemons (id, public_url, started_at, renewed_at, lease_until, draining) VALUES (?, ?, ?, ?, ?, ?) "
              "ON CONFLICT (id) DO UPDATE SET public_url = excluded.public_url, renewed_at = excluded.renewed_at, "
              "lease_until = excluded.lease_until, draining = excluded.draining");
  const std::string at = format_timestamp(now);
  s.bind(1, id).bind(2, public_url).bind(3, at).bind(4, at).bind(5, format_timestamp(now + lease));
  s.bind(6, static_cast<int64_t>(draining));
  s.run();
}

void SqlClusterStore::leave(const std::string& id) {
  Statement s(c_, "DELETE FROM daemons WHERE id = ?");
  s.bind(1, id).run();
}

std::vector<DaemonLease> SqlClusterStore::live(TimePoint now) {
  std::vector<DaemonLease> out;
  Statement s(c_,
              "SELECT id, public_url, started_at, renewed_at, lease_until, draining FROM daemons "
              "WHERE lease_until >= ? ORDER BY id");
  s.bind(1, format_timestamp(now));
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.int64(5) != 0});
  return out;
}

int SqlClusterStore::finalise_lost(TimePoint now) {
  Transaction tx(c_);
  const std::string at = format_timestamp(now);
  const int n = SqlCallStore::close_open_calls(
      c_, "owner IS NOT NULL AND NOT EXISTS (SELECT 1 FROM daemons d WHERE d.id = calls.owner AND d.lease_until >= ?1)",
      {at}, "daemon_lost", now);
  Statement forget(c_, "DELETE FROM daemons WHERE lease_until < ?");
  forget.bind(1, at).run();
  tx.commit();
  return n;
}

Reservation SqlClusterStore::reserve_call(const CallOpened& opened, const std::string& owner, TimePoint now,
                                          const ClusterLimits& limits) {
  Transaction tx(c_);
  if (limits.max_calls_per_caller_per_hour > 0) {
    Statement recent(c_,
                     "SELECT COUNT(*) FROM calls WHERE from_number = ? AND started_at >= ? AND direction = 'inbound' "
                     "AND status <> 'rejected' AND call_sid <> ?");
    recent.bind(1, opened.from_number).bind(2, format_timestamp(now - std::chrono::hours(1))).bind(3, opened.call_sid);
    recent.step();
    if (recent.int64(0) >= limits.max_calls_per_caller_per_hour) return Reservation::rate_limited;
  }
  Statement open(c_,
                 "SELECT COUNT(*) FROM calls c WHERE c.status IN ('ringing', 'in-progress') AND (c.owner IS NULL OR "
                 "EXISTS (SELECT 1 FROM daemons d WHERE d.id = c.owner AND d.lease_until >= ?)) AND c.call_sid <> ?");
  // Not the call itself: an outbound call's row exists from when it was placed.
  open.bind(1, format_timestamp(now)).bind(2, opened.call_sid);
  open.step();
  if (open.int64(0) >= limits.max_concurrent) return Reservation::capacity;
  SqlCallStore calls(c_);
  calls.set_owner(owner);
  calls.write_batch_in_transaction({opened});
  tx.commit();
  return Reservation::reserved;
}

}  // namespace sonoria::db
