#include <algorithm>
#include <string>

#include "core/net/beast_ws_transport.ipp"

namespace sonoria::net {

namespace websocket = boost::beast::websocket;

void BeastWsTransport::configure(const WsLimits& limits) {
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

void BeastWsTransport::bound_handshake(bool bounded) {
  websocket::stream_base::timeout timeout{};
  ws_.get_option(timeout);
  timeout.handshake_timeout =
      bounded ? std::chrono::steady_clock::duration(close_timeout_) : websocket::stream_base::none();
  ws_.set_option(timeout);
}

void BeastWsTransport::read(std::function<void(const WsReadResult&)> done) {
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

void BeastWsTransport::write(std::string_view data, bool binary,
                                        std::function<void(std::error_code)> done) {
  ws_.binary(binary);  // applies to the next message written; one write is outstanding at a time
  ws_.async_write(boost::asio::buffer(data.data(), data.size()),
                  [done = std::move(done)](boost::beast::error_code ec, std::size_t) { done(ec); });
}

void BeastWsTransport::close(WsCloseInfo frame, std::function<void(std::error_code)> done) {
  websocket::close_reason reason;
  reason.code = static_cast<std::uint16_t>(frame.code);
  // A close frame's payload is at most 125 bytes: two for the code, the rest for the reason.
  const std::size_t length = std::min(frame.reason.size(), reason.reason.max_size());
  reason.reason.assign(frame.reason.data(), length);
  ws_.async_close(reason, [done = std::move(done)](boost::beast::error_code ec) { done(ec); });
}

void BeastWsTransport::ping(std::function<void(std::error_code)> done) {
  ws_.async_ping({}, [done = std::move(done)](boost::beast::error_code ec) { done(ec); });
}

void BeastWsTransport::on_control_frame(std::function<void()> handler) {
  ws_.control_callback([handler = std::move(handler)](websocket::frame_type kind, boost::beast::string_view) {
    if (kind != websocket::frame_type::close) handler();
  });
}

void BeastWsTransport::abort() {
  boost::beast::error_code ignored;
  boost::beast::get_lowest_layer(ws_).socket().close(ignored);
}

WsCloseInfo BeastWsTransport::describe(const boost::beast::error_code& ec) const {
  if (ec == websocket::error::closed) {
    const websocket::close_reason& peer = ws_.reason();
    const int code = peer.code == websocket::close_code::none ? k_close_no_status : static_cast<int>(peer.code);
    return WsCloseInfo{code, std::string(peer.reason.data(), peer.reason.size())};
  }
  if (ec == websocket::error::message_too_big || ec == boost::beast::http::error::buffer_overflow) {
    return WsCloseInfo{k_close_too_big, "a message was larger than " + std::to_string(max_message_bytes_) + " bytes"};
  }
  // Beast fails the connection on these (RFC 6455 §7.1.7): it sends the close frame itself, with
  // the same code.
  if (ec == websocket::error::bad_frame_payload) return WsCloseInfo{k_close_bad_payload, "a text message was not valid UTF-8"};
  if (ec == websocket::condition::protocol_violation) {
    return WsCloseInfo{k_close_protocol_error, "a frame broke the WebSocket protocol (" + ec.message() + ")"};
  }
  if (ec == boost::beast::error::timeout) {
    return WsCloseInfo{k_close_abnormal, "the peer did not finish the WebSocket opening or closing handshake within " +
                                             std::to_string(close_timeout_.count()) + " ms"};
  }
  return WsCloseInfo{k_close_abnormal, "connection lost: " + ec.message()};
}

}  // namespace sonoria::net
