#pragma once
// An outgoing WebSocket (ws:// or wss://) carrying text and binary messages: the engine leg of a call. Runs
// on the executor its caller hands it — the call's strand in the daemon, a short-lived
// io_context in the CLI — and invokes every handler there.
//
// Threading: call every member function on executor(), which must not run handlers concurrently
// (a strand, or an io_context run by one thread).
// Failures are values: nothing here throws once create() has returned.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "core/net/ws_channel.hpp"

namespace sonoria::net {

struct WsClientOptions {
  WsLimits limits;
  // Extra trust anchors for wss://, in addition to the system store (PEM). Empty = system only.
  std::string ca_file;
  std::string user_agent = "sonoria";
  // Merges droppable messages queued behind a write in flight (WsChannel::coalesce_droppable).
  WsChannel::Coalescer coalesce;
};

class WsClient : public std::enable_shared_from_this<WsClient> {
 public:
  using Headers = std::vector<std::pair<std::string, std::string>>;
  // ec is empty on success. On failure error_text is a sentence for a log: "HTTP 401: {…}",
  // "cannot connect to 127.0.0.1:9: Connection refused", "timed out after 5000 ms while …".
  using OpenHandler = std::function<void(std::error_code ec, std::string error_text)>;

  static std::shared_ptr<WsClient> create(boost::asio::any_io_executor executor, WsClientOptions options = {});
  // Closes an open connection with 1001 (posted to the executor, so destroy the client before
  // the io_context behind it).
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Resolves, connects, verifies TLS (SNI, certificate chain and host name) and performs the
  // WebSocket handshake with `headers` added to the request, all within `timeout`. on_open runs
  // once: with no error when the connection is open (reading starts after on_open returns), or
  // with the failure — a bad URL or CA file (invalid_argument), the timeout (timed_out), a
  // non-101 answer (its status and the start of its body in error_text), close() before opening
  // (operation_canceled), a second connect() (already_connected). A failed connection never opens,
  // so on_close is not called for it.
  void connect(std::string url, Headers headers, std::chrono::milliseconds timeout, OpenHandler on_open);

  // Handlers, as in WsChannel; they may be set before or after connect().
  void on_message(WsChannel::MessageHandler handler);
  void on_binary(WsChannel::MessageHandler handler);
  // Exactly once for a connection that opened: peer close, failure, or our close().
  void on_close(WsChannel::CloseHandler handler);
  void on_write_done(WsChannel::WriteDoneHandler handler);

  // Queues a text message (see WsChannel::send_text). False before the connection is open, after
  // it closed, or when the queue bound drops it (then counted in dropped_messages()).
  bool send_text(std::string text, SendMode mode = SendMode::keep, AudioLength audio = {});
  bool send_binary(std::string data, SendMode mode = SendMode::keep, AudioLength audio = {});
  // Closes an open connection (queued messages first), or abandons a connection attempt.
  void close(int code = k_close_normal, std::string reason = {});
  // Backpressure; may also be called before the connection opens.
  void pause_reading();
  void resume_reading();

  bool is_open() const { return channel_ && channel_->is_open(); }
  std::size_t queued_bytes() const { return channel_ ? channel_->queued_bytes() : 0; }
  AudioLength queued_audio() const { return channel_ ? channel_->queued_audio() : AudioLength{}; }
  std::uint64_t dropped_messages() const { return channel_ ? channel_->dropped_messages() : 0; }
  std::uint64_t ignored_binary_messages() const { return channel_ ? channel_->ignored_binary_messages() : 0; }

 private:
  WsClient(boost::asio::any_io_executor executor, WsClientOptions options);
  void on_connected(std::error_code ec, std::string error_text, std::unique_ptr<WsTransport> transport);

  boost::asio::any_io_executor executor_;
  WsClientOptions options_;
  bool connect_called_ = false;
  bool paused_ = false;
  OpenHandler on_open_;
  std::function<void()> cancel_connect_;  // set while a connection attempt is under way
  std::shared_ptr<WsChannel> channel_;    // set once open
  WsChannel::MessageHandler on_message_;
  WsChannel::MessageHandler on_binary_;
  WsChannel::CloseHandler on_close_;
  WsChannel::WriteDoneHandler on_write_done_;
};

}  // namespace sonoria::net
