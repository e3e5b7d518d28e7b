#pragma once
// The daemons sharing one database, and which of them answers each call. Each daemon holds a
// lease it renews every few seconds (daemon/cluster_lease.hpp); the calls it opens carry its id
// (calls.owner). A daemon that dies stops renewing: once its lease has run out, any other daemon
// closes its open calls as interrupted (end reason "daemon_lost"), with what was stored of them.
// One daemon on one SQLite file is a cluster of one, the same way.

#include <chrono>
#include <string>
#include <vector>

#include "core/db/records.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {

struct DaemonLease {
  std::string id;
  std::string public_url;
  std::string started_at;
  std::string renewed_at;
  std::string lease_until;
  bool draining = false;
};

// A new call weighed against the limits of the whole cluster.
enum class Reservation { reserved, capacity, rate_limited };

struct ClusterLimits {
  int max_concurrent = 20;                 // calls ringing or in progress, every daemon's together
  int max_calls_per_caller_per_hour = 10;  // 0 = unlimited
};

class ClusterStore {
 public:
  virtual ~ClusterStore() = default;
  // `id` is alive until now + lease (registered at its first renewal, started_at kept after).
  virtual void renew(const std::string& id, const std::string& public_url, bool draining, TimePoint now,
                     std::chrono::milliseconds lease) = 0;
  // A daemon that stops cleanly gives up its lease (its calls have ended by then).
  virtual void leave(const std::string& id) = 0;
  // Daemons whose lease has not run out at `now`, by id.
  virtual std::vector<DaemonLease> live(TimePoint now) = 0;
  // Closes the open calls of daemons whose lease ran out before `now` (or that have none):
  // status interrupted, end reason daemon_lost, counters from the turns and events stored, their
  // webhooks queued; forgets those daemons. Returns how many calls.
  virtual int finalise_lost(TimePoint now) = 0;
  // Decides a new call for every daemon at once, in one exclusive transaction: the calls ringing
  // or in progress of live daemons (and of none) against max_concurrent, the caller's calls of the
  // last hour against their limit; when it may go on, `opened` is stored as `owner`'s call in the
  // same transaction, so two daemons can never both take the last slot.
  virtual Reservation reserve_call(const CallOpened& opened, const std::string& owner, TimePoint now,
                                   const ClusterLimits& limits) = 0;
};

}  // namespace sonoria::db
