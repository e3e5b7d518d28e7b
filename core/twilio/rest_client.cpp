#include "core/twilio/rest_client.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/net/http_client.hpp"

namespace sonoria::twilio {

net::HttpRequest http_request_of(const RestRequest& request) {
  net::HttpRequest http;
  http.method = request.method;
  http.url = request.url;
  http.headers = {{"Authorization", request.authorization}, {"Accept", "application/json"}};
  if (request.method == "POST") {
    http.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    http.body = request.body();
  }
  return http;
}

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// One operation with its retries. Lives until its handler has run.
template <class Resource>
class RestOperation : public std::enable_shared_from_this<RestOperation<Resource>> {
 public:
  using Parse = std::function<std::optional<Resource>(std::string_view)>;
  // For creates: the request listing recent resources, and whether one of them is ours.
  struct Verify {
    RestRequest list;
    std::function<std::optional<Resource>(std::string_view list_body, int64_t not_before)> find;
  };

  RestOperation(std::shared_ptr<RestClient> client, RestRequest request, Parse parse, std::optional<Verify> verify,
                std::function<void(RestResult<Resource>)> done)
      : client_(std::move(client)),
        timer_(client_->executor_),
        request_(std::move(request)),
        parse_(std::move(parse)),
        verify_(std::move(verify)),
        done_(std::move(done)),
        deadline_(Clock::now() + client_->options_.deadline),
        started_epoch_(static_cast<int64_t>(std::time(nullptr))) {}

  void start() { send(request_, [self = this->shared_from_this()](net::HttpResponse r) { self->on_answer(std::move(r)); }); }

 private:
  void send(const RestRequest& request, std::function<void(net::HttpResponse)> next) {
    ++result_.attempts;
    net::HttpRequest http = http_request_of(request);
    const auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now());
    const auto timeout = std::clamp(left, milliseconds(1), client_->options_.request_timeout);
    client_->http_->request(std::move(http), timeout, std::move(next));
  }

  void on_answer(net::HttpResponse response) {
    if (response.ok() && response.status >= 200 && response.status < 300) {
      if (auto value = parse_(response.body)) return succeed(std::move(*value));
      return fail(parse_rest_error(response.status, "Twilio's answer could not be read: " + response.body.substr(0, 200)));
    }
    RestError error = response.ok() ? parse_rest_error(response.status, response.body) : transport_error(response.error_text);
    if (error.rate_limited()) return retry_after_backoff(error, response.header("Retry-After"), false);
    if (error.outcome_unknown()) {
      // A connection refused before anything was written cannot have taken effect.
      const bool unknown = response.ok() || response.maybe_delivered;
      return retry_after_backoff(error, std::nullopt, verify_.has_value() && unknown);
    }
    fail(std::move(error));
  }

  void retry_after_backoff(RestError error, std::optional<std::string> retry_after, bool verify_first) {
    auto delay = backoff_delay(retries_++, client_->rng_, retry_after ? std::optional<std::string_view>(*retry_after)
                                                                      : std::nullopt,
                               client_->options_.backoff_base, client_->options_.backoff_cap);
    // Leave room for the next exchange itself; otherwise report now rather than after the deadline.
    if (Clock::now() + delay + milliseconds(50) >= deadline_) return fail(std::move(error));
    last_error_ = std::move(error);
    timer_.expires_after(delay);
    timer_.async_wait([self = this->shared_from_this(), verify_first](boost::system::error_code ec) {
      if (ec) return;
      if (verify_first) self->verify();
      else self->start();
    });
  }

  void verify() {
    send(verify_->list, [self = this->shared_from_this()](net::HttpResponse r) {
      if (!r.ok() || r.status < 200 || r.status >= 300) {
        // Cannot tell whether the first attempt took effect: do not risk a duplicate.
        RestError error = *self->last_error_;
        error.advice = "The request may or may not have gone through, and checking failed, so it was not repeated "
                       "(to avoid a duplicate). Check the Twilio console before trying again.";
        return self->fail(std::move(error));
      }
      if (auto found = self->verify_->find(r.body, self->started_epoch_ - 5)) {
        self->result_.recovered = true;
        return self->succeed(std::move(*found));
      }
      self->start();
    });
  }

  void succeed(Resource value) {
    result_.value = std::move(value);
    finish();
  }

  void fail(RestError error) {
    result_.error = std::move(error);
    finish();
  }

  void finish() {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(std::move(result_));
  }

  std::shared_ptr<RestClient> client_;
  boost::asio::steady_timer timer_;
  RestRequest request_;
  Parse parse_;
  std::optional<Verify> verify_;
  std::function<void(RestResult<Resource>)> done_;
  Clock::time_point deadline_;
  int64_t started_epoch_;
  int retries_ = 0;
  std::optional<RestError> last_error_;
  RestResult<Resource> result_;
};

namespace {

std::string utc_date(int64_t epoch_s) {
  using namespace std::chrono;
  const year_month_day d{floor<days>(sys_seconds(seconds(epoch_s)))};
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return text;
}

bool created_since(const std::string& date_created, int64_t not_before) {
  auto at = parse_rfc2822(date_created);
  return at && *at >= not_before;
}

}  // namespace

std::shared_ptr<RestClient> RestClient::create(boost::asio::any_io_executor executor, RestAccount account,
                                               RestClientOptions options) {
  return std::shared_ptr<RestClient>(new RestClient(std::move(executor), std::move(account), std::move(options)));
}

RestClient::RestClient(boost::asio::any_io_executor executor, RestAccount account, RestClientOptions options)
    : executor_(std::move(executor)),
      account_(std::move(account)),
      options_(std::move(options)),
      rng_(options_.seed ? *options_.seed : std::random_device{}()) {
  net::HttpClientOptions http;
  http.ca_file = options_.ca_file;
  http.user_agent = "sonoria (twilio-rest)";
  http_ = net::HttpClient::create(executor_, std::move(http));
}

void RestClient::create_call(CreateCall call, std::function<void(CallResult)> done) {
  using Op = RestOperation<CallResource>;
  Op::Verify verify{list_calls_request(account_, call.to, utc_date(std::time(nullptr))),
                    [to = call.to, from = call.from](std::string_view body, int64_t not_before) -> std::optional<CallResource> {
                      for (auto& c : parse_call_list(body))
                        if (c.to == to && c.from == from && created_since(c.date_created, not_before)) return c;
                      return std::nullopt;
                    }};
  std::make_shared<Op>(shared_from_this(), create_call_request(account_, call), parse_call_resource, std::move(verify),
                       std::move(done))
      ->start();
}

void RestClient::update_call(std::string call_sid, UpdateCall update, std::function<void(CallResult)> done) {
  using Op = RestOperation<CallResource>;
  std::make_shared<Op>(shared_from_this(), update_call_request(account_, call_sid, update), parse_call_resource,
                       std::nullopt, std::move(done))
      ->start();
}

void RestClient::create_message(CreateMessage message, std::function<void(MessageResult)> done) {
  using Op = RestOperation<MessageResource>;
  Op::Verify verify{list_messages_request(account_, message.to, utc_date(std::time(nullptr))),
                    [to = message.to, body = message.body](std::string_view list, int64_t not_before)
                        -> std::optional<MessageResource> {
                      for (auto& m : parse_message_list(list))
                        if (m.to == to && m.body == body && created_since(m.date_created, not_before)) return m;
                      return std::nullopt;
                    }};
  std::make_shared<Op>(shared_from_this(), create_message_request(account_, message), parse_message_resource,
                       std::move(verify), std::move(done))
      ->start();
}

}  // namespace sonoria::twilio
