#include "core/simulate/ticker.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>

namespace sonoria::simulate {

struct Ticker::Timer {
  explicit Timer(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
};

std::shared_ptr<Ticker> Ticker::create(boost::asio::any_io_executor executor, Clock::duration period) {
  return std::shared_ptr<Ticker>(new Ticker(std::move(executor), period));
}

Ticker::Ticker(boost::asio::any_io_executor executor, Clock::duration period)
    : executor_(std::move(executor)), period_(period), timer_(std::make_unique<Timer>(executor_)) {}

Ticker::~Ticker() = default;

void Ticker::at(Clock::time_point when, std::function<void()> action) {
  // Kept sorted latest-first so due actions pop off the back.
  auto it = std::upper_bound(actions_.begin(), actions_.end(), when,
                             [](Clock::time_point t, const auto& entry) { return t > entry.first; });
  actions_.insert(it, {when, std::move(action)});
  ensure_running();
}

void Ticker::add(std::shared_ptr<Tickable> tickable) {
  tickables_.push_back(std::move(tickable));
  ensure_running();
}

void Ticker::stop() {
  actions_.clear();
  tickables_.clear();
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
  const std::size_t count = tickables_.size();
  std::size_t kept = 0;
  for (std::size_t i = 0; i < count; ++i) {
    if (tickables_[i]->tick(now)) {
      if (kept != i) tickables_[kept] = std::move(tickables_[i]);
      ++kept;
    }
  }
  tickables_.erase(tickables_.begin() + static_cast<std::ptrdiff_t>(kept),
                   tickables_.begin() + static_cast<std::ptrdiff_t>(count));

  if (actions_.empty() && tickables_.empty()) {
    running_ = false;
    return;
  }
  due_ += period_;
  schedule();
}

}  // namespace sonoria::simulate
