#pragma once
// The server side of one accepted WebSocket (plain or TLS): the Twilio media leg of a call today,
// the dashboard's live feed later. A thin face over net::WsChannel (the bounded queue, backpressure
// and close-once rules are documented there) that also keeps the upgrade request, whose headers
// and query a session needs (X-Twilio-Signature, tokens).
//
// Threading: call everything on executor() — the connection's strand — where every handler runs.
// A media session runs on a strand of its own and dispatches its writes here (daemon/twilio_leg).

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/net/ws_channel.hpp"
#include "daemon/http_message.hpp"

namespace sonoria::daemon {

class WsConnection {
 public:
  // Made by HttpServer once the handshake succeeded; tests may build one over a fake transport.
  WsConnection(std::shared_ptr<net::WsChannel> channel, HttpRequest upgrade);
  // Closes the connection with 1001 if it is still open (posted to the executor): dropping the
  // last reference is enough to hang up. Since it posts, drop it before the io_context goes.
  ~WsConnection();
  WsConnection(const WsConnection&) = delete;
  WsConnection& operator=(const WsConnection&) = delete;

  const boost::asio::any_io_executor& executor() const { return channel_->executor(); }
  // The GET request that asked for the upgrade.
  const HttpRequest& upgrade_request() const { return upgrade_; }

  void on_message(net::WsChannel::MessageHandler handler) { channel_->on_message(std::move(handler)); }
  // Exactly once: peer close (its code and reason), failure (1006, what failed), or our close().
  void on_close(net::WsChannel::CloseHandler handler) { channel_->on_close(std::move(handler)); }
  // After each completed write, with the bytes still queued (resume a paused peer below a mark).
  void on_write_done(net::WsChannel::WriteDoneHandler handler) { channel_->on_write_done(std::move(handler)); }

  // Queues one text frame; false when it was dropped by the byte bound (counted) or the
  // connection is closing. SendMode::droppable lets later sends evict it when the queue is full.
  // `audio`: how much audio it carries (queued_audio()).
  bool send_text(std::string text, net::SendMode mode = net::SendMode::keep, net::AudioLength audio = {}) {
    return channel_->send_text(std::move(text), mode, audio);
  }
  // Sends what is queued, then the close frame; the socket is cut after the close timeout.
  void close(int code = net::k_close_normal, std::string reason = {}) { channel_->close(code, std::move(reason)); }
  void pause_reading() { channel_->pause_reading(); }
  void resume_reading() { channel_->resume_reading(); }

  bool is_open() const { return channel_->is_open(); }
  // Safe from any thread (metrics).
  std::size_t queued_bytes() const { return channel_->queued_bytes(); }
  net::AudioLength queued_audio() const { return channel_->queued_audio(); }
  std::uint64_t dropped_messages() const { return channel_->dropped_messages(); }
  std::uint64_t ignored_binary_messages() const { return channel_->ignored_binary_messages(); }

 private:
  std::shared_ptr<net::WsChannel> channel_;
  HttpRequest upgrade_;
};

}  // namespace sonoria::daemon
