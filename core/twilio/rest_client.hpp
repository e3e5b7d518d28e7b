#pragma once
// The async Twilio REST client (Calls create/update, Messages create) on top of net::HttpClient.
// It runs on the executor its caller hands it — the call's strand in the daemon, a short-lived
// io_context in the CLI — and calls every completion handler there, exactly once.
//
// Retries (protocols.md §4.6), all bounded by the operation's deadline:
//  - 429 / 20429: retried with full-jitter backoff (honouring Retry-After).
//  - 5xx or a lost answer on an update: retried the same way (updates are idempotent).
//  - 5xx or a lost answer on a create: the outcome is unknown, so before trying again the client
//    lists recent resources to the same number (GET …/Calls.json?To=… or …/Messages.json?To=…)
//    and, if the first attempt did take effect, returns that resource instead of creating a
//    second call or a duplicate text.
//  - any other 4xx: not retried; the error names Twilio's code and what to do.
//
// Threading: call the members on executor() (a strand or a one-thread io_context).

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>

#include "core/twilio/rest_reply.hpp"
#include "core/twilio/rest_request.hpp"

namespace sonoria::net {
class HttpClient;
struct HttpRequest;
}

namespace sonoria::twilio {

// The HTTP request that carries a REST request (for a worker that sends on its own client).
net::HttpRequest http_request_of(const RestRequest& request);

struct RestClientOptions {
  std::chrono::milliseconds deadline{8000};         // whole operation, retries included
  std::chrono::milliseconds request_timeout{5000};  // one HTTP exchange
  std::string ca_file;                              // extra trust anchors for https
  std::chrono::milliseconds backoff_base{100};
  std::chrono::milliseconds backoff_cap{3000};
  std::optional<std::uint32_t> seed;                // jitter seed (tests); random when unset
};

template <class Resource>
struct RestResult {
  std::optional<Resource> value;    // set on success
  std::optional<RestError> error;   // set on failure
  int attempts = 0;                 // HTTP requests made, verification lists included
  bool recovered = false;           // a create's lost answer was found by listing

  bool ok() const { return value.has_value(); }
};

using CallResult = RestResult<CallResource>;
using MessageResult = RestResult<MessageResource>;

class RestClient : public std::enable_shared_from_this<RestClient> {
 public:
  static std::shared_ptr<RestClient> create(boost::asio::any_io_executor executor, RestAccount account,
                                            RestClientOptions options = {});

  const boost::asio::any_io_executor& executor() const { return executor_; }
  const RestAccount& account() const { return account_; }

  void create_call(CreateCall call, std::function<void(CallResult)> done);
  void update_call(std::string call_sid, UpdateCall update, std::function<void(CallResult)> done);
  void create_message(CreateMessage message, std::function<void(MessageResult)> done);

 private:
  RestClient(boost::asio::any_io_executor executor, RestAccount account, RestClientOptions options);
  template <class Resource>
  friend class RestOperation;

  boost::asio::any_io_executor executor_;
  RestAccount account_;
  RestClientOptions options_;
  std::shared_ptr<net::HttpClient> http_;
  std::minstd_rand rng_;  // backoff jitter only: 8 bytes of state, not mt19937's 2.5 KiB per call
};

}  // namespace sonoria::twilio
