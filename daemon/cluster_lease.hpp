#pragma once
// This daemon among those sharing its database (core/db/cluster_store.hpp): its name, and its
// lease, renewed through the writer every third of cluster.lease. Each renewal also closes the
// calls of daemons whose lease has run out (one killed mid-call), so whichever daemons are left
// finish them. Runs on the io_context it is given; the database work is the writer's.

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "core/config/settings.hpp"

namespace boost::asio {
class io_context;
}

namespace sonoria::daemon {

class DbWriter;

// cluster.instance, or "host:port" from the host name and server.listen's port; a daemon on an
// ephemeral port (0) gets "host:pid-<random>", since no later run can be told from it anyway.
std::string instance_name(const config::Settings& settings, const std::string& hostname);
// This machine's host name.
std::string host_name();

class ClusterLease {
 public:
  ClusterLease(boost::asio::io_context& io, DbWriter& writer, std::string id, std::string public_url,
               std::chrono::milliseconds lease, std::function<bool()> draining);
  ~ClusterLease();
  ClusterLease(const ClusterLease&) = delete;
  ClusterLease& operator=(const ClusterLease&) = delete;

  const std::string& id() const;
  void start();  // renews now, then every third of the lease
  // Stops renewing and gives the lease up (a clean stop: the calls have ended).
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sonoria::daemon
