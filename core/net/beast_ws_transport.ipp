// WsTransport over a Beast websocket::stream — plain or TLS, client or server side.
//
// Deliberately not a .hpp: it includes Beast, so only the translation units that already compile
// Beast may include it (core/net/ws_client.cpp and daemon/http_server.cpp). Everyone else talks
// to a WebSocket through WsChannel, WsClient or daemon::WsConnection, none of which pulls Beast in.
//
// Plain or TLS, it is one type over AnyStream, compiled once in beast_ws_transport.cpp: its reads,
// writes and closes instantiate most of Beast's WebSocket code, which the client and the server
// would otherwise each compile again.
#pragma once

#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>
#include <system_error>
#include <utility>

#include "core/net/any_stream.hpp"
#include "core/net/ws_channel.hpp"
#include "core/net/ws_transport.hpp"

namespace sonoria::net {

class BeastWsTransport final : public WsTransport {
 public:
  using Stream = boost::beast::websocket::stream<AnyStream>;

  explicit BeastWsTransport(AnyStream stream) : ws_(std::move(stream)) {}

  Stream& stream() { return ws_; }

  // Hands the connection's timing over to the WebSocket layer (handshake, idle pings, close) and
  // applies the message limits. Call before the handshake; the handshake is then bounded by
  // close_timeout unless bound_handshake(false) says the caller bounds it itself.
  void configure(const WsLimits& limits);

  // Whether Beast bounds the opening handshake (by close_timeout); the close handshake always is.
  void bound_handshake(bool bounded);

  void read(std::function<void(const WsReadResult&)> done) override;
  void write(std::string_view data, bool binary, std::function<void(std::error_code)> done) override;
  void close(WsCloseInfo frame, std::function<void(std::error_code)> done) override;
  void ping(std::function<void(std::error_code)> done) override;
  void on_control_frame(std::function<void()> handler) override;
  void abort() override;

 private:
  WsCloseInfo describe(const boost::beast::error_code& ec) const;

  static constexpr std::size_t k_kept_read_buffer = 4 * 1024;

  Stream ws_;
  boost::beast::flat_buffer buffer_;
  std::chrono::milliseconds close_timeout_{0};
  std::size_t max_message_bytes_ = 0;
};

}  // namespace sonoria::net
