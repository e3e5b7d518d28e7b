#include "core/net/ws_channel.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <exception>
#include <vector>

namespace sonoria::net {

struct WsChannel::Timer {
  explicit Timer(const boost::asio::any_io_executor& executor) : timer(executor) {}
  boost::asio::steady_timer timer;
};

std::shared_ptr<WsChannel> WsChannel::create(boost::asio::any_io_executor executor,
                                             std::unique_ptr<WsTransport> transport, WsLimits limits) {
  return std::shared_ptr<WsChannel>(new WsChannel(std::move(executor), std::move(transport), limits));
}

WsChannel::WsChannel(boost::asio::any_io_executor executor, std::unique_ptr<WsTransport> transport,
                     WsLimits limits)
    : executor_(std::move(executor)),
      transport_(std::move(transport)),
      limits_(limits),
      close_timer_(std::make_unique<Timer>(executor_)),
      idle_timer_(std::make_unique<Timer>(executor_)) {}

WsChannel::~WsChannel() = default;

void WsChannel::start() {
  if (started_) return;
  started_ = true;
  if (limits_.idle_timeout.count() > 0) {
    // The transport holds this handler and the channel holds the transport: no strong reference.
    transport_->on_control_frame([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->heard_ = true;
    });
    schedule_idle_check();
  }
  maybe_read();
}

void WsChannel::schedule_idle_check() {
  idle_timer_->timer.expires_after(limits_.idle_timeout / 4);
  idle_timer_->timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->on_idle_check();
  });
}

void WsChannel::on_idle_check() {
  if (state_ != State::open) return;  // closing has its own deadline
  if (heard_) {
    heard_ = false;
    quiet_checks_ = 0;
  } else if (++quiet_checks_ >= 4) {
    fail("the peer went silent (no data or pong for " + std::to_string(limits_.idle_timeout.count()) + " ms)");
    return;
  } else if (quiet_checks_ == 2 && !ping_in_flight_) {
    ping_in_flight_ = true;
    transport_->ping([self = shared_from_this()](std::error_code) {
      // A ping that could not be written means a broken connection, which the read reports.
      self->ping_in_flight_ = false;
      self->maybe_send_close();  // a close waits for the ping: the transport takes one at a time
    });
  }
  schedule_idle_check();
}

void WsChannel::maybe_read() {
  if (state_ == State::open && started_ && !paused_ && !reading_ && !held_) do_read();
}

void WsChannel::do_read() {
  reading_ = true;
  transport_->read([self = shared_from_this()](const WsReadResult& result) { self->on_read(result); });
}

void WsChannel::on_read(const WsReadResult& result) {
  reading_ = false;
  if (state_ == State::closed) return;
  heard_ = true;
  switch (result.kind) {
    case WsReadResult::Kind::closed:
      // While closing, the peer's close frame (or a failure) ends our own close: report ours.
      if (result.close.code == k_close_abnormal) transport_->abort();
      finish(state_ == State::closing ? our_close_ : result.close);
      return;
    case WsReadResult::Kind::binary:
      if (!on_binary_) {
        ignored_binary_.fetch_add(1, std::memory_order_relaxed);
        break;
      }
      [[fallthrough]];
    case WsReadResult::Kind::text: {
      if (state_ != State::open) break;  // close() was called: the caller wants no more messages
      const bool binary = result.kind == WsReadResult::Kind::binary;
      if (paused_) {
        held_ = Held{std::string(result.data), binary};
        return;
      }
      deliver(result.data, binary);
      break;
    }
  }
  maybe_read();
}

void WsChannel::deliver(std::string_view data, bool binary) {
  const MessageHandler& handler = binary ? on_binary_ : on_message_;
  if (!handler) return;
  try {
    handler(data);
  } catch (const std::exception& e) {
    // A handler bug must end this connection, not the io thread running every other call.
    close(k_close_internal_error, std::string("internal error: ") + e.what());
  }
}

void WsChannel::pause_reading() { paused_ = true; }

void WsChannel::resume_reading() {
  if (!paused_) return;
  paused_ = false;
  if (state_ != State::open || resume_posted_) return;
  // Posted, so that a held message is never delivered from inside the caller's own handler.
  resume_posted_ = true;
  boost::asio::post(executor_, [self = shared_from_this()] {
    self->resume_posted_ = false;
    self->on_resume();
  });
}

void WsChannel::on_resume() {
  if (paused_ || state_ != State::open) return;
  if (held_) {
    const Held held = std::move(*held_);
    held_.reset();
    deliver(held.data, held.binary);
  }
  maybe_read();
}

bool WsChannel::send_text(std::string text, SendMode mode, AudioLength audio) {
  return enqueue(std::move(text), mode, false, audio);
}

bool WsChannel::send_binary(std::string data, SendMode mode, AudioLength audio) {
  return enqueue(std::move(data), mode, true, audio);
}

bool WsChannel::enqueue(std::string text, SendMode mode, bool binary, AudioLength audio) {
  if (state_ != State::open) return false;
  if (!make_room(text.size(), mode == SendMode::droppable, audio)) {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  queued_bytes_.fetch_add(text.size(), std::memory_order_relaxed);
  queued_audio_us_.fetch_add(audio.count(), std::memory_order_relaxed);
  queue_.push_back(Outgoing{std::move(text), mode == SendMode::droppable, binary, audio});
  if (!writing_) do_write();
  return true;
}

bool WsChannel::make_room(std::size_t size, bool droppable, AudioLength audio) {
  const std::size_t limit = limits_.max_queued_bytes;
  std::size_t queued = queued_bytes_.load(std::memory_order_relaxed);
  if (size > limit) return false;

  // The message in flight belongs to Beast until its write completes; it is never evicted.
  const std::size_t first = writing_ ? 1 : 0;
  std::size_t waiting_droppable = 0;
  AudioLength waiting_audio{};
  for (std::size_t i = first; i < queue_.size(); ++i)
    if (queue_[i].droppable) {
      waiting_droppable += queue_[i].text.size();
      waiting_audio += queue_[i].audio;
    }
  // Nothing is evicted for a message that would not fit even then.
  if (queued - waiting_droppable + size > limit) return false;

  // Evict droppable messages, oldest first, until the queue fits under `limit` and a droppable
  // message's audio also fits under max_droppable_audio.
  const AudioLength max_audio = limits_.max_droppable_audio;
  const bool capped = droppable && max_audio.count() > 0;
  auto too_much = [&] { return queued + size > limit || (capped && waiting_audio + audio > max_audio); };
  AudioLength evicted_audio{};
  for (std::size_t i = first; i < queue_.size() && too_much();) {
    if (!queue_[i].droppable) {
      ++i;
      continue;
    }
    queued -= queue_[i].text.size();
    waiting_droppable -= queue_[i].text.size();
    waiting_audio -= queue_[i].audio;
    evicted_audio += queue_[i].audio;
    queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(i));
    dropped_.fetch_add(1, std::memory_order_relaxed);
  }
  queued_bytes_.store(queued, std::memory_order_relaxed);
  queued_audio_us_.fetch_sub(evicted_audio.count(), std::memory_order_relaxed);
  return true;
}

void WsChannel::coalesce_front() {
  if (!coalescer_ || !queue_.front().droppable) return;
  std::vector<std::string_view> next;
  const bool binary = queue_.front().binary;
  for (std::size_t i = 1; i < queue_.size() && queue_[i].droppable && queue_[i].binary == binary; ++i)
    next.push_back(queue_[i].text);
  if (next.empty()) return;
  const std::size_t before = queue_.front().text.size();
  std::size_t merged = 0;
  try {
    merged = std::min(coalescer_(queue_.front().text, next), next.size());
  } catch (...) {
    return;  // a merge that failed leaves everything as it was (the coalescer must not touch `into`)
  }
  if (merged == 0) return;
  std::size_t absorbed = 0;
  for (std::size_t i = 0; i < merged; ++i) {
    absorbed += next[i].size();
    queue_.front().audio += queue_[i + 1].audio;  // the audio stays queued, in one message now
  }
  const std::size_t after = queue_.front().text.size();
  queue_.erase(queue_.begin() + 1, queue_.begin() + 1 + static_cast<std::ptrdiff_t>(merged));
  queued_bytes_.store(queued_bytes_.load(std::memory_order_relaxed) - before - absorbed + after,
                      std::memory_order_relaxed);
}

void WsChannel::do_write() {
  writing_ = true;
  coalesce_front();
  transport_->write(queue_.front().text, queue_.front().binary,
                    [self = shared_from_this()](std::error_code ec) { self->on_write(ec); });
}

void WsChannel::on_write(std::error_code ec) {
  writing_ = false;
  if (state_ == State::closed) {
    queue_.clear();
    queued_bytes_.store(0, std::memory_order_relaxed);
    queued_audio_us_.store(0, std::memory_order_relaxed);
    return;
  }
  if (ec) {
    fail("write failed: " + ec.message());
    return;
  }
  queued_bytes_.fetch_sub(queue_.front().text.size(), std::memory_order_relaxed);
  queued_audio_us_.fetch_sub(queue_.front().audio.count(), std::memory_order_relaxed);
  queue_.pop_front();
  if (!queue_.empty()) {
    do_write();
  } else if (state_ == State::closing) {
    maybe_send_close();
  }
  if (state_ == State::open && on_write_done_) {
    try {
      on_write_done_(queued_bytes(), queued_audio());
    } catch (const std::exception& e) {
      close(k_close_internal_error, std::string("internal error: ") + e.what());
    }
  }
}

void WsChannel::close(int code, std::string reason) {
  if (state_ != State::open) return;
  state_ = State::closing;
  our_close_ = WsCloseInfo{code, std::move(reason)};
  held_.reset();
  close_timer_->timer.expires_after(limits_.close_timeout);
  close_timer_->timer.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (!ec) self->on_close_timeout();
  });
  maybe_send_close();
}

void WsChannel::maybe_send_close() {
  if (state_ != State::closing || writing_ || !queue_.empty() || close_sent_ || ping_in_flight_) return;
  close_sent_ = true;
  transport_->close(our_close_, [self = shared_from_this()](std::error_code) {
    // Success or not, the close we asked for has happened (a failure here means the peer was
    // already gone, which ends the connection just the same).
    self->finish(self->our_close_);
  });
}

void WsChannel::on_close_timeout() {
  if (state_ != State::closing) return;
  transport_->abort();
  finish(our_close_);
}

void WsChannel::fail(std::string what) {
  transport_->abort();
  finish(state_ == State::closing ? our_close_ : WsCloseInfo{k_close_abnormal, std::move(what)});
}

void WsChannel::finish(WsCloseInfo info) {
  if (state_ == State::closed) return;
  state_ = State::closed;
  close_timer_->timer.cancel();
  idle_timer_->timer.cancel();
  held_.reset();
  // Keep only the message in flight: its bytes stay referenced until its write completes.
  while (queue_.size() > (writing_ ? 1u : 0u)) queue_.pop_back();
  queued_bytes_.store(writing_ ? queue_.front().text.size() : 0, std::memory_order_relaxed);
  queued_audio_us_.store(writing_ ? queue_.front().audio.count() : 0, std::memory_order_relaxed);

  CloseHandler handler = std::move(on_close_);
  on_close_ = nullptr;
  on_message_ = nullptr;
  on_binary_ = nullptr;
  on_write_done_ = nullptr;
  if (!handler) return;
  try {
    handler(info.code, std::move(info.reason));
  } catch (const std::exception&) {
    // The connection is already over; there is nothing left to close or report to.
  }
}

}  // namespace sonoria::net
