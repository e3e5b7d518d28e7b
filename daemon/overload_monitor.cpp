#include "daemon/overload_monitor.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "daemon/admission.hpp"
#include "daemon/call_capacity.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"

namespace sonoria::daemon {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto k_period = std::chrono::milliseconds(50);
constexpr std::size_t k_window = 20;  // a second of samples

std::string ms_text(std::chrono::microseconds d) { return std::to_string(d.count() / 1000) + " ms"; }

std::string percent_text(double share, int decimals = 0) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f%%", decimals, share * 100);
  return text;
}

// Nanoseconds thread `tid` of this process has run and waited to run (runnable, no CPU free), since it started.
std::optional<std::uint64_t> runnable_ns(pid_t tid) {
  const std::string path = "/proc/self/task/" + std::to_string(tid) + "/schedstat";
  std::FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return std::nullopt;
  unsigned long long run = 0, wait = 0;
  const int read = std::fscanf(f, "%llu %llu", &run, &wait);
  std::fclose(f);
  if (read != 2) return std::nullopt;
  return run + wait;
}

}  // namespace

struct OverloadMonitor::State : std::enable_shared_from_this<State> {
  State(boost::asio::io_context& io, const config::Settings& settings, Admission& admission, Metrics& metrics)
      // On a strand: ticks run on whichever I/O thread is free, and stop() comes from another (the
      // drain's); an Asio timer must not be used from two threads at once (found by ThreadSanitizer).
      : timer(boost::asio::make_strand(io)), admission(admission), metrics(metrics),
        max_lag_us(std::chrono::duration_cast<std::chrono::microseconds>(settings.calls.max_event_loop_lag).count()),
        max_io_load_percent(settings.calls.max_io_load_percent),
        capacity(settings.calls.max_io_load_percent / 100.0) {}

  void schedule() {
    if (stopped) return;
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
    if (next % k_window == 0) {
      count_descriptors();
      measure_io_load();
    }
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

  // The I/O threads' load over the last second → the calls they can carry.
  void measure_io_load() {
    const auto now = Clock::now();
    std::vector<pid_t> tids;
    {
      std::lock_guard lock(tids_mutex);
      tids = io_tids;
    }
    double sum = 0;
    int threads = 0;
    for (pid_t tid : tids) {
      const auto ns = runnable_ns(tid);
      if (!ns) continue;
      auto [last, fresh] = last_runnable_ns.try_emplace(tid, *ns);
      if (!fresh && now > last_sample) {
        const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(now - last_sample).count();
        sum += static_cast<double>(*ns - last->second) / static_cast<double>(wall);
        ++threads;
      }
      last->second = *ns;
    }
    const bool measured = threads > 0 && last_sample != Clock::time_point{};
    last_sample = now;
    capacity.set_max_load(max_io_load_percent.load(std::memory_order_relaxed) / 100.0);
    if (measured) {
      capacity.add(IoLoadSample{sum / threads, admission.active()});
      metrics.io_load_permille = static_cast<int64_t>(capacity.load() * 1000);
    }
    const auto calls = capacity.capacity();
    metrics.call_capacity = calls ? *calls : -1;
    std::string why;
    if (calls)
      why = "overloaded: " + std::to_string(*calls) + " calls are as many as the I/O threads carry under "
            "calls.max_io_load_percent = " + std::to_string(max_io_load_percent.load()) + " (busy " +
            percent_text(capacity.load()) + " of the time now, about " + percent_text(capacity.call_load(), 2) + " per call)";
    admission.set_call_capacity(calls, std::move(why));
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
    // Admission enforces the call capacity itself, call by call; here it is only told and logged.
    admission.set_overload(reason);
    if (reason.empty()) reason = admission.overload();
    if (reason.empty() == current.empty()) {
      if (!reason.empty()) current = reason;  // the figures change; the state does not
      return;
    }
    if (reason.empty()) log_info("overload.cleared", "", "new calls are admitted again");
    else log_warn("overload.started", "", reason + "; new calls go to the fallback until it passes");
    if (!reason.empty()) metrics.overload_episodes++;
    current = reason;
  }

  boost::asio::steady_timer timer;
  bool stopped = false;  // on the timer's strand
  Admission& admission;
  Metrics& metrics;
  Clock::time_point due;
  std::array<std::chrono::microseconds, k_window> samples{};
  std::size_t next = 0;
  bool lagging = false;
  int free_fds = 1 << 30;
  std::string current;
  std::atomic<int64_t> max_lag_us;
  std::atomic<int> max_io_load_percent;
  CallCapacity capacity;
  std::mutex tids_mutex;
  std::vector<pid_t> io_tids;
  std::map<pid_t, std::uint64_t> last_runnable_ns;
  Clock::time_point last_sample{};
};

OverloadMonitor::OverloadMonitor(boost::asio::io_context& io, const config::Settings& settings, Admission& admission,
                                 Metrics& metrics)
    : state_(std::make_shared<State>(io, settings, admission, metrics)) {}

OverloadMonitor::~OverloadMonitor() = default;

void OverloadMonitor::start() {
  state_->count_descriptors();
  state_->measure_io_load();
  // Armed here, before the daemon says it is listening (nothing else touches the timer yet): a
  // stall right after startup is measured from the first period on.
  state_->schedule();
}

void OverloadMonitor::stop() {
  boost::asio::post(state_->timer.get_executor(), [state = state_] {
    state->stopped = true;
    state->timer.cancel();
  });
}

void OverloadMonitor::set_max_lag(std::chrono::milliseconds max_lag) {
  state_->max_lag_us = std::chrono::duration_cast<std::chrono::microseconds>(max_lag).count();
}

void OverloadMonitor::set_max_io_load(int percent) { state_->max_io_load_percent = percent; }

void OverloadMonitor::add_io_thread() {
  std::lock_guard lock(state_->tids_mutex);
  state_->io_tids.push_back(::gettid());
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
