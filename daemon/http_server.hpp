#pragma once
// The daemon's listener: HTTP/1.1 (keep-alive, body limit, timeouts) over plain TCP or in-process
// TLS, handing WebSocket upgrades on registered paths to a WsConnection. Routing is not its job:
// every plain request goes to one HttpHandler, which answers through `respond`.
//
// Threading: runs on an io_context the caller owns and runs on any number of threads; each
// connection gets its own strand. Configure (set_handler, add_websocket_route) before start().
// stop_accepting() and port() may be called from any thread.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/net/ws_channel.hpp"
#include "daemon/http_message.hpp"
#include "daemon/ws_connection.hpp"

namespace boost::asio {
class io_context;
}

namespace sonoria::daemon {

namespace detail {
struct HttpServerState;
class HttpListener;
}  // namespace detail

// What one path's requests may carry (HttpServerOptions::body_limit_for).
struct HttpBodyLimit {
  std::size_t bytes = 0;                  // 0 = HttpServerOptions::body_limit
  std::string setting;                    // the configuration key a 413 names; "" = server.max_body_bytes
  std::optional<HttpResponse> too_large;  // answered instead of the plain-text 413 (the API's JSON)
};

struct HttpServerOptions {
  std::string host = "127.0.0.1";  // an address or a name resolving to one
  std::uint16_t port = 0;          // 0 = any free port (see HttpServer::port())
  // A listening TCP socket to serve instead of binding host:port (systemd socket activation).
  int inherited_fd = -1;
  // PEM files; both set = serve TLS (1.2 or later, forward-secret AEAD suites only), both empty =
  // plain HTTP.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::size_t body_limit = 64 * 1024;   // larger bodies are answered 413 and the connection closed
  // A path with a limit of its own (the API's smaller one, a document uploaded in the dashboard):
  // decided from the request's head before the body is read; `origin` is its Origin header ("" if
  // none). Empty = body_limit for all.
  std::function<HttpBodyLimit(std::string_view method, std::string_view path, std::string_view origin)> body_limit_for;
  std::size_t header_limit = 16 * 1024; // larger request heads: 431 and close
  int max_header_fields = 100;          // more header fields: 431 and close
  // From accepting (or the previous response) to a whole request, TLS handshake included; also
  // bounds writing each response.
  std::chrono::milliseconds request_timeout{15000};
  // How long a keep-alive connection may wait for its next request.
  std::chrono::milliseconds idle_timeout{60000};
  net::WsLimits websocket;  // for every accepted WebSocket
  // Connections from one address that may wait for a request at once (idle keep-alives, slow
  // senders); more are closed at accept. Requests being answered and WebSockets do not count, so a
  // reverse proxy's many media streams are never refused. 0 = no limit.
  int max_waiting_per_address = 64;
};

// `respond` may be called from any thread, at any later time, once; later calls are ignored. If
// every copy of it is destroyed unanswered, or the handler throws, the client gets a 500.
using HttpResponder = std::function<void(HttpResponse)>;
// Runs on the connection's strand. Requests on a connection are handled one at a time.
using HttpHandler = std::function<void(HttpRequest request, HttpResponder respond)>;

struct WsRoute {
  // Decides from the upgrade request, before anything is answered: false → 403 and close.
  // Runs on the connection's strand. Empty = accept every upgrade on the path.
  std::function<bool(const HttpRequest& upgrade)> accept;
  // The open connection, on its strand. Set its handlers here: reading starts when this returns.
  // Keep the shared_ptr (a handler capturing it will do: the channel releases its handlers after
  // on_close); when the last reference goes, the connection closes with 1001.
  std::function<void(std::shared_ptr<WsConnection>)> on_open;
};

class HttpServer {
 public:
  HttpServer(boost::asio::io_context& io, HttpServerOptions options);
  // Stops accepting; connections still open end on their own (timeouts, peers, their owners).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Every request that is not an accepted WebSocket upgrade. Without one, everything is 404.
  void set_handler(HttpHandler handler);
  // Upgrades on exactly `path` (query ignored) become WebSockets. An upgrade request elsewhere
  // goes to the HttpHandler like any GET.
  void add_websocket_route(std::string path, WsRoute route);

  // Loads the TLS files and binds the listener; accepting begins once the io_context runs.
  // Throws sonoria::DataError naming the file when the certificate or key cannot be used, and
  // sonoria::UserError ("cannot listen on 127.0.0.1:8080: Address already in use") when binding
  // fails. Call once.
  void start();
  // Re-reads the TLS certificate and key (a renewed certificate, on SIGHUP): new connections use
  // them, open ones keep theirs. Throws sonoria::DataError naming the file when they cannot be
  // used, and the certificate in force stays. No effect on a plain server.
  void reload_tls();
  // The bound port (the real one when options.port was 0); 0 before start().
  std::uint16_t port() const;
  bool serves_tls() const;
  // Connections closed at accept by max_waiting_per_address, so far.
  std::uint64_t refused_connections() const;

  // Closes the listener. Idle keep-alive connections are closed, a request in progress gets its
  // response with "Connection: close"; WebSockets are untouched (their sessions drain them).
  void stop_accepting();

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<detail::HttpServerState> state_;
  std::shared_ptr<detail::HttpListener> listener_;
};

}  // namespace sonoria::daemon
