#pragma once
// A fake of a business's own system that sonoria calls (an HTTP tool's endpoint, a webhook URL:
// n8n, Zapier, a CRM) on http://127.0.0.1:<port>. It records every request and checks its
// X-Sonoria-Signature the way the README tells receivers to (core/tools/request_signature.hpp,
// with the secret the test gives it), and answers as scripted: a queue of answers (status, body,
// content type, a delay before answering, or a dropped connection), then a default answer. It can
// be "down": every connection is closed at once without an answer.
//
// One thread per connection (tests send a few requests); every public member is thread-safe.

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sonoria::fakes {

struct ReceivedRequest {
  std::string method;
  std::string target;                // path and query as received
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool signature_valid = false;      // X-Sonoria-Signature verified with the secret
  int status = 0;                    // what was answered (0 = dropped)

  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

struct ReceiverAnswer {
  int status = 200;
  std::string body = R"({"ok":true})";
  std::string content_type = "application/json";
  std::chrono::milliseconds delay{0};
  bool drop = false;                 // close without answering (after the delay)
};

class FakeHttpReceiver {
 public:
  // Starts listening on 127.0.0.1 (ephemeral port). `secret`: the organization's signing secret.
  explicit FakeHttpReceiver(std::string secret = {});
  ~FakeHttpReceiver();
  FakeHttpReceiver(const FakeHttpReceiver&) = delete;
  FakeHttpReceiver& operator=(const FakeHttpReceiver&) = delete;

  std::string url() const;           // "http://127.0.0.1:<port>"
  void set_secret(std::string secret);
  void push_answer(ReceiverAnswer answer);  // answers in order, then the default
  void set_default(ReceiverAnswer answer);
  void set_down(bool down);

  std::vector<ReceivedRequest> requests() const;
  bool wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
