#include "core/simulate/ticker.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace sonoria::simulate {

struct Ticker::Timer {
  explicit Timer(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
};

std::shared_ptr<Ticker> Ticker::create(boost::asio::any_io_executor executor, Clock::duration period, int phases) {
  return std::shared_ptr<Ticker>(new Ticker(std::move(executor), period, phases));
}

Ticker::Ticker(boost::asio::any_io_executor executor, Clock::duration period, int phases)
    : executor_(std::move(executor)),
      period_(period / std::max(phases, 1)),
      timer_(std::make_unique<Timer>(executor_)),
      phases_(static_cast<std::size_t>(std::max(phases, 1))) {}

Ticker::~Ticker() = default;

void Ticker::at(Clock::time_point when, std::function<void()> action) {
  // Kept sorted latest-first so due actions pop off the back.
  auto it = std::upper_bound(actions_.begin(), actions_.end(), when,
                             [](Clock::time_point t, const auto& entry) { return t > entry.first; });
  actions_.insert(it, {when, std::move(action)});
  ensure_running();
}

void Ticker::add(std::shared_ptr<Tickable> tickable) {
  phases_[next_phase_].push_back(std::move(tickable));
  next_phase_ = (next_phase_ + 1) % phases_.size();
  ensure_running();
}

void Ticker::stop() {
  actions_.clear();
  for (auto& phase : phases_) phase.clear();
  running_ = false;
  timer_->timer.cancel();
}

void Ticker::ensure_running() {
  if (running_) return;
  running_ = true;
  due_ = Clock::now() + period_;
  schedule();
}

void Ticker::schedule() {
  timer_->timer.expires_at(due_);
  timer_->timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
    if (!ec && self->running_) self->on_tick();
  });
}

void Ticker::on_tick() {
  const auto now = Clock::now();
  const auto lag = std::chrono::duration_cast<std::chrono::microseconds>(now - due_);
  ++stats_.ticks;
  if (lag > k_late_tick) ++stats_.late_ticks;
  stats_.max_lag = std::max(stats_.max_lag, lag);

  while (!actions_.empty() && actions_.back().first <= now) {
    auto action = std::move(actions_.back().second);
    actions_.pop_back();
    action();
  }
  // Indexes, not iterators: a tick may register new tickables (they start next tick).
  auto& tickables = phases_[phase_];
  phase_ = (phase_ + 1) % phases_.size();
  const std::size_t count = tickables.size();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (tickables[i]->tick(now)) {
      if (kept != i) tickables[kept] = std::move(tickables[i]);
      ++kept;
    }
  }
  tickables.erase(tickables.begin() + static_cast<std::ptrdiff_t>(kept),
                  tickables.begin() + static_cast<std::ptrdiff_t>(count));

  const bool idle = std::all_of(phases_.begin(), phases_.end(), [](const auto& p) { return p.empty(); });
  if (actions_.empty() && idle) {
    running_ = false;
    return;
  }
  due_ += period_;
  schedule();
}

}  // namespace sonoria::simulate
