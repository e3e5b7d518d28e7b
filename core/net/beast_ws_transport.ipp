// WsTransport over a Beast websocket::stream — plain or TLS, client or server side.
//
// Deliberately not a .hpp: it includes Beast, so only the translation units that already compile
// Beast may include it (core/net/ws_client.cpp and daemon/http_server.cpp). Everyone else talks
// to a WebSocket through WsChannel, WsClient or daemon::WsConnection, none of which pulls Beast in.
#pragma once

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <string>
#include <utility>

#include "core/net/ws_channel.hpp"
#include "core/net/ws_transport.hpp"

namespace sonoria::net {

using PlainTcpStream = boost::beast::tcp_stream;
using TlsTcpStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

template <class NextLayer>
class BeastWsTransport final : public WsTransport {
 public:
  using Stream = boost::beast::websocket::stream<NextLayer>;

  template <class... Args>
  explicit BeastWsTransport(Args&&... args) : ws_(std::forward<Args>(args)...) {}

  Stream& stream() { return ws_; }

  // Hands the connection's timing over to the WebSocket layer (handshake, idle pings, close) and
  // applies the message limits. Call before the handshake; the handshake is then bounded by
  // close_timeout unless bound_handshake(false) says the caller bounds it itself.
  void configure(const WsLimits& limits) {
    namespace websocket = boost::beast::websocket;
    boost::beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeout{};
    timeout.handshake_timeout = limits.close_timeout;  // Beast also bounds the close handshake with it
    // Idle pings are WsChannel's (limits.idle_timeout): Beast's re-arm a timer on every read.
    timeout.idle_timeout = websocket::stream_base::none();
    timeout.keep_alive_pings = false;
    ws_.set_option(timeout);
    ws_.read_message_max(limits.max_message_bytes);
    ws_.auto_fragment(false);
    // A client masks what it sends through this buffer (4 KiB by default, kept per connection).
    // Steady traffic is ~300-byte audio appends; a rare larger message goes out in a few pieces.
    ws_.write_buffer_bytes(1024);
    ws_.text(true);
    close_timeout_ = limits.close_timeout;
    max_message_bytes_ = limits.max_message_bytes;
  }

  // Whether Beast bounds the opening handshake (by close_timeout); the close handshake always is.
  void bound_handshake(bool bounded) {
    boost::beast::websocket::stream_base::timeout timeout{};
    ws_.get_option(timeout);
    timeout.handshake_timeout = bounded ? std::chrono::steady_clock::duration(close_timeout_)
                                        : boost::beast::websocket::stream_base::none();
    ws_.set_option(timeout);
  }

  void read(std::function<void(const WsReadResult&)> done) override {
    buffer_.consume(buffer_.size());  // the previous message, delivered as a view, is done with
    // One large message (a session.updated echoing a long prompt) must not pin its buffer for the
    // rest of a call: a call's steady traffic is ~1 KiB messages, and RSS per call matters at scale.
    if (buffer_.capacity() > k_kept_read_buffer) buffer_.shrink_to_fit();
    ws_.async_read(buffer_, [this, done = std::move(done)](boost::beast::error_code ec, std::size_t) {
      WsReadResult result;
      if (!ec) {
        result.kind = ws_.got_text() ? WsReadResult::Kind::text : WsReadResult::Kind::binary;
        // A message is read whole into the flat buffer, so its bytes are contiguous.
        const auto bytes = buffer_.data();
        result.data = std::string_view(static_cast<const char*>(bytes.data()), bytes.size());
      } else {
        result.kind = WsReadResult::Kind::closed;
        result.close = describe(ec);
      }
      done(result);
    });
  }

  void write(std::string_view data, bool binary, std::function<void(std::error_code)> done) override {
    ws_.binary(binary);  // applies to the next message written; one write is outstanding at a time
    ws_.async_write(boost::asio::buffer(data.data(), data.size()),
                    [done = std::move(done)](boost::beast::error_code ec, std::size_t) { done(ec); });
  }

  void close(WsCloseInfo frame, std::function<void(std::error_code)> done) override {
    namespace websocket = boost::beast::websocket;
    websocket::close_reason reason;
    reason.code = static_cast<std::uint16_t>(frame.code);
    // A close frame's payload is at most 125 bytes: two for the code, the rest for the reason.
    const std::size_t length = std::min(frame.reason.size(), reason.reason.max_size());
    reason.reason.assign(frame.reason.data(), length);
    ws_.async_close(reason, [done = std::move(done)](boost::beast::error_code ec) { done(ec); });
  }

  void ping(std::function<void(std::error_code)> done) override {
    ws_.async_ping({}, [done = std::move(done)](boost::beast::error_code ec) { done(ec); });
  }

  void on_control_frame(std::function<void()> handler) override {
    ws_.control_callback([handler = std::move(handler)](boost::beast::websocket::frame_type kind,
                                                         boost::beast::string_view) {
      if (kind != boost::beast::websocket::frame_type::close) handler();
    });
  }

  void abort() override {
    boost::beast::error_code ignored;
    boost::beast::get_lowest_layer(ws_).socket().close(ignored);
  }

 private:
  WsCloseInfo describe(const boost::beast::error_code& ec) const {
    namespace websocket = boost::beast::websocket;
    if (ec == websocket::error::closed) {
      const websocket::close_reason& peer = ws_.reason();
      const int code = peer.code == websocket::close_code::none ? k_close_no_status : static_cast<int>(peer.code);
      return WsCloseInfo{code, std::string(peer.reason.data(), peer.reason.size())};
    }
    if (ec == websocket::error::message_too_big || ec == boost::beast::http::error::buffer_overflow) {
      return WsCloseInfo{k_close_too_big,
                         "a message was larger than " + std::to_string(max_message_bytes_) + " bytes"};
    }
    if (ec == boost::beast::error::timeout) {
      return WsCloseInfo{k_close_abnormal, "the peer did not finish the WebSocket opening or closing handshake within " +
                                               std::to_string(close_timeout_.count()) + " ms"};
    }
    return WsCloseInfo{k_close_abnormal, "connection lost: " + ec.message()};
  }

  static constexpr std::size_t k_kept_read_buffer = 4 * 1024;

  Stream ws_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds close_timeout_{0};
  std::size_t max_message_bytes_ = 0;
};

}  // namespace sonoria::net
