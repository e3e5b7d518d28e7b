#include "tests/fakes/simple_http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>

namespace sonoria::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string SimpleRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        }))
      return value;
  return {};
}

struct SimpleHttpServer::Impl {
  Handler handler;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  unsigned short port = 0;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};
  std::atomic<bool> refusing{false};
  std::mutex mutex;
  std::vector<std::thread> connections;

  void serve(tcp::socket socket) {
    beast::error_code ec;
    if (refusing) {
      socket.close(ec);
      return;
    }
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    SimpleRequest r;
    r.method = std::string(request.method_string());
    r.target = std::string(request.target());
    for (const auto& field : request) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = request.body();
    const SimpleResponse answer = handler(r);
    if (answer.delay.count() > 0) std::this_thread::sleep_for(answer.delay);
    if (!answer.drop) {
      http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
      if (!answer.content_type.empty() && !answer.body.empty()) response.set(http::field::content_type, answer.content_type);
      for (const auto& [name, value] : answer.headers) response.set(name, value);
      response.body() = answer.body;
      response.keep_alive(false);
      response.prepare_payload();
      http::write(socket, response, ec);
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    if (answer.after) answer.after();
  }
};

SimpleHttpServer::SimpleHttpServer(Handler handler) : impl_(std::make_unique<Impl>()) {
  impl_->handler = std::move(handler);
  tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->accept_thread = std::thread([impl = impl_.get()] {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket(impl->ioc);
      impl->acceptor.accept(socket, ec);
      if (impl->stopping || ec) return;
      std::lock_guard lock(impl->mutex);
      impl->connections.emplace_back([impl, s = std::move(socket)]() mutable { impl->serve(std::move(s)); });
    }
  });
}

SimpleHttpServer::~SimpleHttpServer() {
  impl_->stopping = true;
  beast::error_code ec;
  {
    // Wake the blocking accept with a connection of our own.
    tcp::socket poke(impl_->ioc);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port), ec);
  }
  impl_->accept_thread.join();
  impl_->acceptor.close(ec);
  std::vector<std::thread> connections;
  {
    std::lock_guard lock(impl_->mutex);
    connections.swap(impl_->connections);
  }
  for (auto& t : connections) t.join();
}

unsigned short SimpleHttpServer::port() const { return impl_->port; }
std::string SimpleHttpServer::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }
void SimpleHttpServer::set_refusing(bool refusing) { impl_->refusing = refusing; }

}  // namespace sonoria::fakes
