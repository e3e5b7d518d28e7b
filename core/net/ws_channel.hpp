#pragma once
// The message pump of one open WebSocket, shared by the client (WsClient) and the daemon's
// server side (daemon::WsConnection): text and binary messages in and out, a write queue bounded in bytes
// (and, for the audio it carries, in milliseconds of audio) with one write in flight, backpressure
// by not reading, and a close reported exactly once.
// It owns the decisions; the bytes move through a WsTransport.
//
// Threading: every member function except the counters must be called on executor(), and every
// handler runs there. Handlers are never invoked from inside a member function call (a close()
// reports later, from the executor), so a handler may call any member function.
//
// Lifetime: pending operations keep the channel alive until the connection ends; after on_close
// has run, every handler is released, which breaks the usual session ↔ connection cycle.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/net/ws_transport.hpp"

namespace sonoria::net {

struct WsLimits {
  std::size_t max_queued_bytes = std::size_t{1} << 20;   // outgoing bytes waiting or in flight
  std::size_t max_message_bytes = std::size_t{4} << 20;  // largest incoming message; more → close 1009
  // Nothing from the peer (no message, ping or pong) for half of this → ping; for all of it →
  // connection dropped (1006), each within a quarter of it. Zero disables it. Note: while reading
  // is paused nothing is read, so pause for less than this.
  std::chrono::milliseconds idle_timeout{30000};
  // Time for the queue to drain and the close handshake to finish before the socket is cut.
  std::chrono::milliseconds close_timeout{5000};
  // Droppable messages waiting behind the one in flight are kept to this much audio (the durations
  // given to send_text/send_binary), the oldest dropped first: caller audio that has waited seconds
  // is worse than audio never sent. Zero: only max_queued_bytes bounds them. Nothing is evicted for
  // a message that is refused anyway.
  std::chrono::milliseconds max_droppable_audio{0};
};

// How much audio a message carries (a 20 ms media frame: 20 ms), so that queues are bounded in
// time, whatever the encoding; zero for a message that carries none.
using AudioLength = std::chrono::microseconds;

// Whether a queued message may be evicted to make room when the queue is full (caller audio:
// losing the oldest 20 ms frame beats growing without bound; control messages are kept).
enum class SendMode { keep, droppable };

class WsChannel : public std::enable_shared_from_this<WsChannel> {
 public:
  using MessageHandler = std::function<void(std::string_view text)>;
  using CloseHandler = std::function<void(int code, std::string reason)>;
  using WriteDoneHandler = std::function<void(std::size_t queued_bytes, std::chrono::microseconds queued_audio)>;
  // Merges droppable messages waiting right behind `into` (the next to be written) into it, in one
  // go: returns how many of `next`, from the first, `into` now also carries (0 leaves all as they
  // are; so does a throw, which must leave `into` untouched).
  using Coalescer = std::function<std::size_t(std::string& into, const std::vector<std::string_view>& next)>;

  // `transport` is an open WebSocket whose completions run on `executor`.
  static std::shared_ptr<WsChannel> create(boost::asio::any_io_executor executor,
                                           std::unique_ptr<WsTransport> transport, WsLimits limits);
  ~WsChannel();
  WsChannel(const WsChannel&) = delete;
  WsChannel& operator=(const WsChannel&) = delete;

  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Starts reading. Set the handlers first; later calls do nothing.
  void start();

  // Each text message, whole. An exception thrown by the handler closes the connection with 1011.
  void on_message(MessageHandler handler) { on_message_ = std::move(handler); }
  // Each binary message, whole (engines that send audio as binary frames). Without this handler
  // binary messages are counted (ignored_binary_messages) and dropped.
  void on_binary(MessageHandler handler) { on_binary_ = std::move(handler); }
  // Runs exactly once when the connection ends: (peer's code, peer's reason) when the peer closed;
  // (our code, our reason) when close() was called first; (1006, what failed) when the connection
  // broke or timed out; (1009, …) when a message exceeded max_message_bytes.
  void on_close(CloseHandler handler) { on_close_ = std::move(handler); }
  // After each completed write, with the bytes and the audio still queued: lets a caller that
  // paused another stream above a watermark resume it once this queue has drained enough.
  void on_write_done(WriteDoneHandler handler) { on_write_done_ = std::move(handler); }

  // With one write in flight, droppable messages that queued up meanwhile go out as one: before
  // each write, the next message absorbs the droppable ones of its kind (text or binary) right
  // behind it, as many as `coalescer` takes. Under load this turns a backlog of 20 ms audio frames into one write.
  void coalesce_droppable(Coalescer coalescer) { coalescer_ = std::move(coalescer); }

  // Queues `text` as one text frame. Returns false, counting it in dropped_messages(), when it
  // cannot fit under max_queued_bytes even after evicting queued droppable messages (oldest
  // first, each counted as dropped too); returns false without counting once close() was called
  // or the connection ended.
  // `audio`: how much audio the message carries (queued_audio(), max_droppable_audio).
  bool send_text(std::string text, SendMode mode = SendMode::keep, AudioLength audio = {});
  // The same for a binary frame; the queue and its bounds are shared, order is kept.
  bool send_binary(std::string data, SendMode mode = SendMode::keep, AudioLength audio = {});

  // Stops accepting messages, sends what is queued, then the close frame. Within close_timeout
  // the socket is cut regardless. on_close reports (code, reason). Later calls do nothing.
  void close(int code = k_close_normal, std::string reason = {});

  // Backpressure: no further message is read or delivered until resume_reading(). A message that
  // was already being read when reading paused is held and delivered after resuming.
  void pause_reading();
  void resume_reading();

  bool is_open() const { return state_ == State::open; }

  // Counters: safe to read from any thread.
  std::size_t queued_bytes() const { return queued_bytes_.load(std::memory_order_relaxed); }
  // The audio in the messages waiting or in flight.
  AudioLength queued_audio() const { return AudioLength(queued_audio_us_.load(std::memory_order_relaxed)); }
  std::uint64_t dropped_messages() const { return dropped_.load(std::memory_order_relaxed); }
  std::uint64_t ignored_binary_messages() const { return ignored_binary_.load(std::memory_order_relaxed); }

 private:
  enum class State { open, closing, closed };
  struct Outgoing {
    std::string text;
    bool droppable = false;
    bool binary = false;
    AudioLength audio{};
  };
  struct Held {
    std::string data;
    bool binary = false;
  };
  struct Timer;

  WsChannel(boost::asio::any_io_executor executor, std::unique_ptr<WsTransport> transport, WsLimits limits);

  void maybe_read();
  void do_read();
  void on_read(const WsReadResult& result);
  void deliver(std::string_view data, bool binary);
  bool enqueue(std::string data, SendMode mode, bool binary, AudioLength audio);
  void on_resume();
  bool make_room(std::size_t size, bool droppable, AudioLength audio);
  void coalesce_front();
  void do_write();
  void on_write(std::error_code ec);
  void maybe_send_close();
  void schedule_idle_check();
  void on_idle_check();
  void on_close_timeout();
  void fail(std::string what);
  void finish(WsCloseInfo info);

  boost::asio::any_io_executor executor_;
  std::unique_ptr<WsTransport> transport_;
  WsLimits limits_;
  std::unique_ptr<Timer> close_timer_;
  // Idle detection by a coarse timer (every quarter of idle_timeout) rather than one re-armed per
  // message read, which is what Beast's own keep-alive does: a cancelled wait, its handler and a
  // new wait for every 20 ms audio frame (about 5 % of the daemon's CPU at 400 calls).
  std::unique_ptr<Timer> idle_timer_;
  bool heard_ = false;       // a message or control frame arrived since the last check
  int quiet_checks_ = 0;     // checks in a row that found nothing heard
  bool ping_in_flight_ = false;

  MessageHandler on_message_;
  MessageHandler on_binary_;
  CloseHandler on_close_;
  WriteDoneHandler on_write_done_;
  Coalescer coalescer_;

  State state_ = State::open;
  bool started_ = false;
  bool reading_ = false;
  bool paused_ = false;
  bool resume_posted_ = false;
  std::optional<Held> held_;

  std::deque<Outgoing> queue_;  // front is in flight while writing_
  bool writing_ = false;
  bool close_sent_ = false;
  WsCloseInfo our_close_;

  std::atomic<std::size_t> queued_bytes_{0};
  std::atomic<std::int64_t> queued_audio_us_{0};
  std::atomic<std::uint64_t> dropped_{0};
  std::atomic<std::uint64_t> ignored_binary_{0};
};

}  // namespace sonoria::net
