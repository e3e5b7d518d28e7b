#include "daemon/overload_monitor.hpp"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "daemon/admission.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"

namespace sonoria::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_period = std::chrono::milliseconds(50);
constexpr std::size_t k_window = 20;  // a second of samples

std::string ms_text(std::chrono::microseconds d) { return std::to_string(d.count() / 1000) + " ms"; }

}  // namespace

struct OverloadMonitor::State : std::enable_shared_from_this<State> {
  State(boost::asio::io_context& io, const config::Settings& settings, Admission& admission, Metrics& metrics)
      : timer(io), admission(admission), metrics(metrics),
        max_lag_us(std::chrono::duration_cast<std::chrono::microseconds>(settings.calls.max_event_loop_lag).count()) {}

  void schedule() {
    due = Clock::now() + k_period;
    timer.expires_at(due);
    // Weakly held: the monitor (and its timer) may go first, while the io_context still runs.
    timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (!ec && self) self->tick();
    });
  }

  void tick() {
    const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - due);
    samples[next++ % k_window] = std::max(lag, std::chrono::microseconds(0));
    const auto recent = *std::max_element(samples.begin(), samples.end());
    metrics.event_loop_lag_us = recent.count();
    if (next % k_window == 0) count_descriptors();
    decide(recent);
    schedule();
  }

  void count_descriptors() {
    const auto [open, limit] = descriptors();
    if (open < 0) return;
    metrics.open_descriptors = open;
    metrics.descriptor_limit = limit;
    free_fds = limit - open;
    admission.set_free_descriptors(free_fds);
  }

  void decide(std::chrono::microseconds recent) {
    const auto threshold = std::chrono::microseconds(max_lag_us.load(std::memory_order_relaxed));
    if (threshold.count() > 0) {
      if (!lagging && recent > threshold) lagging = true;
      else if (lagging && recent < threshold / 2) lagging = false;
    } else {
      lagging = false;
    }
    const bool short_of_fds = free_fds < Admission::k_fd_reserve + Admission::k_fds_per_call;
    std::string reason;
    if (lagging)
      reason = "overloaded: the event loop runs " + ms_text(recent) + " late (calls.max_event_loop_lag = " +
               ms_text(threshold) + ")";
    else if (short_of_fds)
      reason = "overloaded: " + std::to_string(free_fds) + " file descriptors left (raise LimitNOFILE / ulimit -n)";
    if (reason.empty() == current.empty()) {
      if (!reason.empty()) current = reason;  // the figures change; the state does not
      admission.set_overload(current);
      return;
    }
    if (reason.empty()) log_info("overload.cleared", "", "new calls are admitted again");
    else log_warn("overload.started", "", reason + "; new calls go to the fallback until it passes");
    if (!reason.empty()) metrics.overload_episodes++;
    current = reason;
    admission.set_overload(current);
  }

  boost::asio::steady_timer timer;
  Admission& admission;
  Metrics& metrics;
  Clock::time_point due;
  std::array<std::chrono::microseconds, k_window> samples{};
  std::size_t next = 0;
  bool lagging = false;
  int free_fds = 1 << 30;
  std::string current;
  std::atomic<int64_t> max_lag_us;
};

OverloadMonitor::OverloadMonitor(boost::asio::io_context& io, const config::Settings& settings, Admission& admission,
                                 Metrics& metrics)
    : state_(std::make_shared<State>(io, settings, admission, metrics)) {}

OverloadMonitor::~OverloadMonitor() = default;

void OverloadMonitor::start() {
  state_->count_descriptors();
  state_->schedule();
}

void OverloadMonitor::stop() { state_->timer.cancel(); }

void OverloadMonitor::set_max_lag(std::chrono::milliseconds max_lag) {
  state_->max_lag_us = std::chrono::duration_cast<std::chrono::microseconds>(max_lag).count();
}

std::pair<int, int> OverloadMonitor::descriptors() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {-1, -1};
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return {-1, -1};
  int open = -1;  // the directory's own descriptor is listed too
  while (const dirent* entry = ::readdir(dir))
    if (entry->d_name[0] != '.') ++open;
  ::closedir(dir);
  const auto cap = limit.rlim_cur == RLIM_INFINITY ? (1 << 20) : static_cast<int>(std::min<rlim_t>(limit.rlim_cur, 1 << 20));
  return {open, cap};
}

}  // namespace sonoria::daemon
