#include "tests/bench/engine_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <stdexcept>

#include "tests/bench/deepgram_conversation.hpp"
#include "tests/bench/engine_session.hpp"
#include "tests/bench/ultravox_conversation.hpp"
#include "tests/bench/ultravox_rest.hpp"

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
    parser_->body_limit(1024 * 1024);  // an Ultravox call's creation carries the prompt
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
    if (websocket::is_upgrade(request)) {
      if (path == "/v1/realtime") {
        auto protocol = std::make_unique<Conversation>(shared_.options, shared_.stats, shared_.next_number++,
                                                       model_of(target));
        return upgrade(std::move(request), std::move(protocol), true);
      }
      if (path == "/v1/agent/converse") {
        const auto auth = request.find(http::field::authorization);
        if (auth == request.end() || !std::string_view(auth->value().data(), auth->value().size()).starts_with("Token ")) {
          shared_.stats.count_error("deepgram_unauthorized");
          return respond(request, http::status::unauthorized,
                         R"({"err_code":"INVALID_AUTH","err_msg":"Invalid credentials."})");
        }
        return upgrade(std::move(request),
                       std::make_unique<DeepgramConversation>(shared_.options, shared_.stats, shared_.next_number++),
                       false);
      }
      if (auto id = join_call_id(target)) {
        auto created = shared_.created_calls.find(std::string(*id));
        if (created == shared_.created_calls.end()) {
          shared_.stats.count_error("ultravox_unknown_call");
          return respond(request, http::status::not_found, R"({"detail":"Not found."})");
        }
        std::string call_id = std::move(shared_.created_calls.extract(created).value());
        return upgrade(std::move(request),
                       std::make_unique<UltravoxConversation>(shared_.options, shared_.stats, shared_.next_number++,
                                                              std::move(call_id)),
                       false);
      }
    }
    if (path == "/api/calls" && request.method() == http::verb::post) return create_ultravox_call(request);
    if (path == "/stats" && request.method() == http::verb::get)
      return respond(request, http::status::ok, shared_.stats.to_json());
    if (path == "/stats/reset" && request.method() == http::verb::post) {
      shared_.stats.reset();
      return respond(request, http::status::ok, R"({"reset":true})");
    }
    if (path == "/healthz" && request.method() == http::verb::get)
      return respond(request, http::status::ok, R"({"ok":true})");
    respond(request, http::status::not_found,
            R"({"error":"not found: GET /stats, POST /stats/reset, GET /healthz, POST /api/calls, or a WebSocket )"
            R"(upgrade on /v1/realtime, /v1/agent/converse or /calls/<id>/join"})");
  }

  void upgrade(http::request<http::string_body> request, std::unique_ptr<Protocol> protocol, bool refuse_beta) {
    stream_.expires_never();
    beast::error_code ignored;
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    std::make_shared<EngineSession>(stream_.release_socket(), shared_, std::move(protocol))
        ->run(std::move(request), refuse_beta);
  }

  // POST /api/calls: an Ultravox call to join on this engine.
  void create_ultravox_call(const http::request<http::string_body>& request) {
    const auto key = request.find("X-API-Key");
    const bool has_key = key != request.end() && !key->value().empty();
    const auto host_field = request[http::field::host];
    std::string host(host_field.data(), host_field.size());
    if (host.empty()) {
      beast::error_code ignored;
      const auto local = stream_.socket().local_endpoint(ignored);
      host = local.address().to_string() + ":" + std::to_string(local.port());
    }
    const std::string id = "uvbench-" + std::to_string(++shared_.next_call);
    RestAnswer answer = create_call(has_key, request.body(), host, id);
    if (answer.status == 201) {
      ++shared_.stats.calls_created;
      shared_.created_calls.insert(id);
      shared_.created_order.push_back(id);
      // Calls created and never joined (their creator gave up) are forgotten, oldest first.
      while (shared_.created_order.size() > k_max_unjoined_calls) {
        shared_.created_calls.erase(shared_.created_order.front());
        shared_.created_order.pop_front();
      }
      while (!shared_.created_order.empty() && !shared_.created_calls.contains(shared_.created_order.front()))
        shared_.created_order.pop_front();
    } else {
      shared_.stats.count_error("ultravox_create_" + std::to_string(answer.status));
    }
    respond(request, static_cast<http::status>(answer.status), std::move(answer.body));
  }

  void respond(const http::request<http::string_body>& request, http::status status, std::string body) {
    response_ = {};
    response_.version(request.version());
    response_.keep_alive(request.keep_alive());
    response_.set(http::field::server, "sonoria-bench-engine");
    response_.set(http::field::content_type, "application/json");
    response_.result(status);
    response_.body() = std::move(body);
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

  static constexpr std::size_t k_max_unjoined_calls = 100'000;

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
