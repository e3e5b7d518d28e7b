#include "tests/fakes/fake_http_receiver.hpp"

#include <algorithm>
#include <deque>
#include <mutex>

#include "core/tools/request_signature.hpp"
#include "tests/fakes/notifier.hpp"
#include "tests/fakes/simple_http_server.hpp"

namespace sonoria::fakes {

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
  mutable std::mutex mutex;
  std::string secret;
  std::deque<ReceiverAnswer> queue;
  ReceiverAnswer fallback;
  std::vector<ReceivedRequest> received;
  Notifier notifier;
  std::unique_ptr<SimpleHttpServer> server;

  SimpleResponse serve(const SimpleRequest& request) {
    ReceivedRequest r;
    r.method = request.method;
    r.target = request.target;
    r.headers = request.headers;
    r.body = request.body;
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
    r.status = answer.drop ? 0 : answer.status;
    SimpleResponse response;
    // Recorded once the answer is out, so a test that sees the request can expect its effect.
    response.after = [this, r = std::move(r)]() mutable {
      {
        std::lock_guard lock(mutex);
        received.push_back(std::move(r));
      }
      notifier.notify();
    };
    response.status = answer.status;
    response.body = answer.body;
    response.content_type = answer.content_type;
    response.delay = answer.delay;
    response.drop = answer.drop;
    return response;
  }
};

FakeHttpReceiver::FakeHttpReceiver(std::string secret) : impl_(std::make_unique<Impl>()) {
  impl_->secret = std::move(secret);
  impl_->server = std::make_unique<SimpleHttpServer>([impl = impl_.get()](const SimpleRequest& r) { return impl->serve(r); });
}

FakeHttpReceiver::~FakeHttpReceiver() { impl_->server.reset(); }

std::string FakeHttpReceiver::url() const { return impl_->server->url(); }

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

void FakeHttpReceiver::set_down(bool down) { impl_->server->set_refusing(down); }

std::vector<ReceivedRequest> FakeHttpReceiver::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

bool FakeHttpReceiver::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for([&] { return requests().size() >= count; }, timeout);
}

}  // namespace sonoria::fakes
