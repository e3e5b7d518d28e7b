#include "tests/fakes/simple_http_server.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cctype>

#include "tests/fakes/peer_transport.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;

std::string SimpleRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return value;
  return {};
}

struct SimpleHttpServer::Impl {
  PeerServer server;  // first: destroyed last, with the connections and timers that refer to the rest
  Handler handler;

  void serve(const PeerRequest& request, PeerExchange exchange) {
    SimpleRequest r;
    r.method = request.method;
    r.target = request.target;
    r.headers = request.headers;
    r.body = request.body;
    SimpleResponse answer = handler(r);
    PeerResponse response;
    response.status = answer.status;
    if (!answer.content_type.empty() && !answer.body.empty()) {
      response.headers.emplace_back("Content-Type", answer.content_type);
    }
    response.headers.insert(response.headers.end(), answer.headers.begin(), answer.headers.end());
    response.body = std::move(answer.body);
    response.drop = answer.drop;
    response.sent = std::move(answer.after);
    if (answer.delay.count() <= 0) {
      exchange.respond(std::move(response));
      return;
    }
    auto timer = std::make_shared<asio::steady_timer>(server.executor(), answer.delay);
    timer->async_wait([timer, exchange, response = std::move(response)](boost::system::error_code) mutable {
      exchange.respond(std::move(response));
    });
  }
};

SimpleHttpServer::SimpleHttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  impl_->server.start([impl = impl_.get()](const PeerRequest& request, PeerExchange exchange) {
    impl->serve(request, std::move(exchange));
  });
}

SimpleHttpServer::~SimpleHttpServer() { impl_->server.stop(); }

unsigned short SimpleHttpServer::port() const { return impl_->server.port(); }
std::string SimpleHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(port()); }
void SimpleHttpServer::set_refusing(bool refusing) { impl_->server.set_refusing(refusing); }

}  // namespace sonoria::fakes
