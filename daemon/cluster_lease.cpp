#include "daemon/cluster_lease.hpp"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <optional>
#include <random>

#include "core/db/database.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {

std::string instance_name(const config::Settings& settings, const std::string& hostname) {
  if (!settings.cluster.instance.empty()) return settings.cluster.instance;
  const auto& listen = settings.server.listen;
  const auto colon = listen.rfind(':');
  const std::string port = colon == std::string::npos ? listen : listen.substr(colon + 1);
  if (!port.empty() && port != "0") return hostname + ":" + port;
  std::random_device random;
  return hostname + ":" + std::to_string(::getpid()) + "-" + std::to_string(random() % 100000);
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

struct ClusterLease::Impl : std::enable_shared_from_this<ClusterLease::Impl> {
  Impl(boost::asio::io_context& io, DbWriter& w, std::string i, std::string u, std::chrono::milliseconds l,
       std::function<bool()> d)
      : strand(boost::asio::make_strand(io)), timer(strand), writer(w), id(std::move(i)), public_url(std::move(u)),
        lease(l), draining(std::move(d)) {}

  // On the writer's thread only (its jobs run one at a time).
  struct Renewals {
    std::optional<std::chrono::steady_clock::time_point> last_ok;
  };

  // On the strand.
  void renew() {
    if (stopped) return;
    const bool is_draining = draining && draining();
    const bool queued = writer.post_job([id = id, url = public_url, lease = lease, is_draining,
                                         renewals = renewals](db::Database& database) {
      const auto started = std::chrono::steady_clock::now();
      // Renewing on time until now (the previous renewal within one lease) is what lets this
      // daemon judge others: after a stall of its own (the database down, the writers' lock held,
      // a long batch) the others could not renew either, and get one more round to do so.
      const bool on_time = renewals->last_ok && started - *renewals->last_ok <= lease;
      try {
        const auto now = db::now_ms();
        database.cluster().renew(id, url, is_draining, now, lease);
        renewals->last_ok = started;
        if (!on_time) return;
        // A lease counts as run out a third of a lease after its end: a peer's renewal that is a
        // little late, or a clock a little behind, costs no caller their call.
        if (const int closed = database.cluster().finalise_lost(now - lease / 3); closed > 0)
          log_warn("cluster.calls_finalised", "",
                   "calls of a daemon whose lease ran out were closed as interrupted (end reason daemon_lost)",
                   {{"count", closed}, {"by", id}});
      } catch (const std::exception& e) {
        renewals->last_ok.reset();
        log_warn("cluster.renewal_failed", "", std::string(e.what()) + "; the lease is renewed next time");
      }
    });
    if (!queued) log_warn("cluster.renewal_not_queued", "", "the writer's queue of jobs is full; the lease is renewed next time");
    timer.expires_after(lease / 3);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->renew();
    });
  }

  boost::asio::strand<boost::asio::io_context::executor_type> strand;
  boost::asio::steady_timer timer;
  DbWriter& writer;
  std::string id;
  std::string public_url;
  std::chrono::milliseconds lease;
  std::function<bool()> draining;
  std::shared_ptr<Renewals> renewals = std::make_shared<Renewals>();
  bool stopped = false;  // on the strand
};

ClusterLease::ClusterLease(boost::asio::io_context& io, DbWriter& writer, std::string id, std::string public_url,
                           std::chrono::milliseconds lease, std::function<bool()> draining)
    : impl_(std::make_shared<Impl>(io, writer, std::move(id), std::move(public_url), lease, std::move(draining))) {}

ClusterLease::~ClusterLease() = default;

const std::string& ClusterLease::id() const { return impl_->id; }

void ClusterLease::start() {
  boost::asio::post(impl_->strand, [impl = impl_] { impl->renew(); });
}

void ClusterLease::stop() {
  boost::asio::post(impl_->strand, [impl = impl_] {
    impl->stopped = true;
    impl->timer.cancel();
  });
  // Now, before the writer stops. A renewal already queued may register it again: that row then
  // runs out like a dead daemon's, with no call left to close.
  impl_->writer.post_job([id = impl_->id](db::Database& database) { database.cluster().leave(id); });
}

}  // namespace sonoria::daemon
