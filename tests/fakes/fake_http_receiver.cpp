#include "tests/fakes/fake_http_receiver.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include "core/tools/request_signature.hpp"
#include "tests/fakes/notifier.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

bool same_name(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string ReceivedRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (same_name(key, name)) return value;
  return {};
}

struct FakeHttpReceiver::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  unsigned short port = 0;
  std::thread accept_thread;
  std::atomic<bool> stopping{false};

  mutable std::mutex mutex;
  std::string secret;
  std::deque<ReceiverAnswer> queue;
  ReceiverAnswer fallback;
  bool down = false;
  std::vector<ReceivedRequest> received;
  std::vector<std::thread> connections;
  Notifier notifier;

  void serve(tcp::socket socket) {
    beast::error_code ec;
    bool down_now;
    {
      std::lock_guard lock(mutex);
      down_now = down;
    }
    if (down_now) {
      socket.close(ec);
      return;
    }
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    ReceivedRequest r;
    r.method = std::string(request.method_string());
    r.target = std::string(request.target());
    for (const auto& field : request) r.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    r.body = request.body();
    ReceiverAnswer answer;
    {
      std::lock_guard lock(mutex);
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
      r.signature_valid = !secret.empty() &&
                          tools::verify_signature(r.header(std::string(tools::k_signature_header)), secret, r.body, now.count());
      if (!queue.empty()) {
        answer = queue.front();
        queue.pop_front();
      } else {
        answer = fallback;
      }
    }
    if (answer.delay.count() > 0) std::this_thread::sleep_for(answer.delay);
    r.status = answer.drop ? 0 : answer.status;
    if (!answer.drop) {
      http::response<http::string_body> response{static_cast<http::status>(answer.status), request.version()};
      response.set(http::field::content_type, answer.content_type);
      response.body() = answer.body;
      response.keep_alive(false);
      response.prepare_payload();
      http::write(socket, response, ec);
    }
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
    {
      std::lock_guard lock(mutex);
      received.push_back(std::move(r));
    }
    notifier.notify();
  }
};

FakeHttpReceiver::FakeHttpReceiver(std::string secret) : impl_(std::make_unique<Impl>()) {
  impl_->secret = std::move(secret);
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

FakeHttpReceiver::~FakeHttpReceiver() {
  impl_->stopping = true;
  beast::error_code ec;
  // Wake the blocking accept with a connection of our own, then close.
  {
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

std::string FakeHttpReceiver::url() const { return "http://127.0.0.1:" + std::to_string(impl_->port); }

void FakeHttpReceiver::set_secret(std::string secret) {
  std::lock_guard lock(impl_->mutex);
  impl_->secret = std::move(secret);
}

void FakeHttpReceiver::push_answer(ReceiverAnswer answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->queue.push_back(std::move(answer));
}

void FakeHttpReceiver::set_default(ReceiverAnswer answer) {
  std::lock_guard lock(impl_->mutex);
  impl_->fallback = std::move(answer);
}

void FakeHttpReceiver::set_down(bool down) {
  std::lock_guard lock(impl_->mutex);
  impl_->down = down;
}

std::vector<ReceivedRequest> FakeHttpReceiver::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

bool FakeHttpReceiver::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for([&] { return requests().size() >= count; }, timeout);
}

}  // namespace sonoria::fakes
