#include "tests/bench/engine_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <stdexcept>

#include "tests/bench/engine_session.hpp"

namespace sonoria::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// The model= query parameter of a request target ("" when absent); it is only echoed back.
std::string model_of(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return {};
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    if (param.starts_with("model=")) return std::string(param.substr(6));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

// One plain HTTP connection: a stats request, or the upgrade that becomes an EngineSession.
class HttpConnection : public std::enable_shared_from_this<HttpConnection> {
 public:
  HttpConnection(tcp::socket socket, EngineShared& shared) : stream_(std::move(socket)), shared_(shared) {}

  void run() { do_read(); }

 private:
  void do_read() {
    parser_.emplace();
    parser_->body_limit(64 * 1024);
    stream_.expires_after(std::chrono::seconds(30));
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return;  // peer went away or timed out: nothing to answer
    http::request<http::string_body> request = parser_->release();
    const std::string_view target(request.target().data(), request.target().size());
    const std::string_view path = target.substr(0, target.find('?'));
    if (websocket::is_upgrade(request) && path == "/v1/realtime") {
      stream_.expires_never();
      beast::error_code ignored;
      stream_.socket().set_option(tcp::no_delay(true), ignored);
      std::make_shared<EngineSession>(stream_.release_socket(), shared_, model_of(target))->run(std::move(request));
      return;
    }
    response_ = {};
    response_.version(request.version());
    response_.keep_alive(request.keep_alive());
    response_.set(http::field::server, "sonoria-bench-engine");
    response_.set(http::field::content_type, "application/json");
    if (path == "/stats" && request.method() == http::verb::get) {
      response_.result(http::status::ok);
      response_.body() = shared_.stats.to_json();
    } else if (path == "/stats/reset" && request.method() == http::verb::post) {
      shared_.stats.reset();
      response_.result(http::status::ok);
      response_.body() = R"({"reset":true})";
    } else if (path == "/healthz" && request.method() == http::verb::get) {
      response_.result(http::status::ok);
      response_.body() = R"({"ok":true})";
    } else {
      response_.result(http::status::not_found);
      response_.body() = R"({"error":"not found: GET /stats, POST /stats/reset, GET /healthz, or a WebSocket upgrade on /v1/realtime"})";
    }
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code write_ec, std::size_t) {
      if (write_ec) return;
      if (self->response_.keep_alive()) {
        self->do_read();
      } else {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      }
    });
  }

  beast::tcp_stream stream_;
  EngineShared& shared_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
};

}  // namespace

struct EngineServer::Impl {
  Impl(asio::io_context& io, EngineOptions options) : acceptor(io), retry(io) { shared.options = options; }

  void do_accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) {
        std::make_shared<HttpConnection>(std::move(socket), shared)->run();
        do_accept();
        return;
      }
      // Out of descriptors and the like: try again shortly rather than spin.
      shared.stats.count_error("accept_failed");
      retry.expires_after(std::chrono::milliseconds(50));
      retry.async_wait([this](beast::error_code timer_ec) {
        if (!timer_ec) do_accept();
      });
    });
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry;
  EngineShared shared;
};

EngineServer::EngineServer(asio::io_context& ioc, const std::string& address, unsigned short port,
                           EngineOptions options)
    : impl_(std::make_unique<Impl>(ioc, options)) {
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) throw std::runtime_error("\"" + address + "\" is not an IP address");
  const tcp::endpoint endpoint(ip, port);
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " + ec.message());
  impl_->do_accept();
}

EngineServer::~EngineServer() = default;

unsigned short EngineServer::port() const { return impl_->acceptor.local_endpoint().port(); }

}  // namespace sonoria::bench
