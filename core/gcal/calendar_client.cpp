#include "core/gcal/calendar_client.hpp"

#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/net/http_client.hpp"

namespace sonoria::gcal {
namespace {

using Clock = std::chrono::steady_clock;

int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::optional<std::string> TokenCache::valid(int64_t now) const {
  std::lock_guard lock(mutex_);
  if (!token_ || token_->expires_at - now < 60) return std::nullopt;
  return token_->value;
}

void TokenCache::put(AccessToken token) {
  std::lock_guard lock(mutex_);
  token_ = std::move(token);
}

void TokenCache::forget() {
  std::lock_guard lock(mutex_);
  token_.reset();
}

ServiceAccount load_service_account(const config::GoogleSettings& settings) {
  std::ifstream in(settings.credentials_file, std::ios::binary);
  if (!in)
    throw UserError("google.credentials_file: cannot read \"" + settings.credentials_file +
                    "\" (expected a service account's JSON key)");
  std::ostringstream text;
  text << in.rdbuf();
  return read_service_account(text.str(), settings.credentials_file);
}

// One API request: a token first (cached, or fetched), then the request, and on a retryable
// answer the same again after a backoff, until the deadline.
struct CalendarClient::Exchange : std::enable_shared_from_this<Exchange> {
  using Done = std::function<void(std::optional<net::HttpResponse>, std::optional<GoogleError>, int attempts)>;

  std::shared_ptr<CalendarClient> client;
  std::string method;
  std::string url;
  std::string body;
  std::vector<int> accepted;           // statuses that count as success besides 2xx
  Done done;
  boost::asio::steady_timer timer;
  Clock::time_point deadline;
  int attempts = 0;
  int retries = 0;
  bool renewed = false;

  Exchange(std::shared_ptr<CalendarClient> c, std::string m, std::string u, std::string b, std::vector<int> a, Done d)
      : client(std::move(c)), method(std::move(m)), url(std::move(u)), body(std::move(b)), accepted(std::move(a)),
        done(std::move(d)), timer(client->executor_),
        deadline(Clock::now() + std::chrono::duration_cast<Clock::duration>(client->settings_.timeout)) {}

  std::chrono::milliseconds left() const {
    return std::max(std::chrono::milliseconds(1), std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
  }

  void start() {
    if (auto token = client->tokens_->valid(unix_now())) return send(*token);
    sign_in();
  }

  void sign_in() {
    std::string assertion;
    const std::string audience = client->settings_.token_url.empty() ? client->account_.token_uri : client->settings_.token_url;
    try {
      assertion = jwt_assertion(client->account_, k_calendar_scope, client->account_.token_uri, unix_now());
    } catch (const std::exception& e) {
      return finish(std::nullopt, GoogleError{401, "invalid_key", e.what()});
    }
    net::HttpRequest request;
    request.method = "POST";
    request.url = audience;
    request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Accept", "application/json"}};
    request.body = token_request_body(assertion);
    ++attempts;
    client->http_->request(std::move(request), left(), [self = shared_from_this()](net::HttpResponse r) {
      if (r.ok() && r.status == 200) {
        if (auto token = read_token_answer(r.body, unix_now())) {
          self->client->tokens_->put(*token);
          return self->send(token->value);
        }
      }
      GoogleError error = r.ok() ? read_google_error(r.status, r.body) : GoogleError{0, "transport", r.error_text};
      // The token endpoint says 400 invalid_grant for a bad key or clock: a sign-in problem.
      if (r.ok() && r.status == 400) error.status = 401;
      if (error.retryable()) return self->retry(error);
      self->finish(std::nullopt, error);
    });
  }

  void send(const std::string& token) {
    net::HttpRequest request;
    request.method = method;
    request.url = url;
    request.headers = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
    if (!body.empty()) {
      request.headers.emplace_back("Content-Type", "application/json");
      request.body = body;
    }
    ++attempts;
    client->http_->request(std::move(request), left(), [self = shared_from_this()](net::HttpResponse r) {
      if (r.ok() && ((r.status >= 200 && r.status < 300) ||
                     std::find(self->accepted.begin(), self->accepted.end(), r.status) != self->accepted.end()))
        return self->finish(std::move(r), std::nullopt);
      GoogleError error = r.ok() ? read_google_error(r.status, r.body) : GoogleError{0, "transport", r.error_text};
      if (error.needs_new_token() && !self->renewed) {
        self->renewed = true;
        self->client->tokens_->forget();
        return self->sign_in();
      }
      if (error.retryable()) return self->retry(error);
      self->finish(std::nullopt, error);
    });
  }

  void retry(GoogleError error) {
    const auto delay = std::chrono::milliseconds(std::min(2000, 200 << std::min(retries, 4)));
    ++retries;
    if (Clock::now() + delay + std::chrono::milliseconds(100) >= deadline) return finish(std::nullopt, error);
    timer.expires_after(delay);
    timer.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->start();
    });
  }

  void finish(std::optional<net::HttpResponse> response, std::optional<GoogleError> error) {
    auto d = std::move(done);
    done = nullptr;
    if (d) d(std::move(response), std::move(error), attempts);
  }
};

std::shared_ptr<CalendarClient> CalendarClient::create(boost::asio::any_io_executor executor,
                                                       config::GoogleSettings settings, ServiceAccount account,
                                                       std::shared_ptr<TokenCache> tokens) {
  return std::shared_ptr<CalendarClient>(
      new CalendarClient(std::move(executor), std::move(settings), std::move(account), std::move(tokens)));
}

CalendarClient::CalendarClient(boost::asio::any_io_executor executor, config::GoogleSettings settings,
                               ServiceAccount account, std::shared_ptr<TokenCache> tokens)
    : executor_(std::move(executor)), settings_(std::move(settings)), account_(std::move(account)),
      tokens_(std::move(tokens)) {
  net::HttpClientOptions options;
  options.user_agent = "sonoria (google-calendar)";
  http_ = net::HttpClient::create(executor_, std::move(options));
}

void CalendarClient::free_busy(std::vector<std::string> ids, int64_t from, int64_t to, std::string zone,
                               std::function<void(CalendarResult<FreeBusy>)> done) {
  std::make_shared<Exchange>(shared_from_this(), "POST", freebusy_url(settings_.api_url),
                             freebusy_body(ids, from, to, zone), std::vector<int>{},
                             [done = std::move(done)](std::optional<net::HttpResponse> r, std::optional<GoogleError> e,
                                                      int attempts) {
                               CalendarResult<FreeBusy> result;
                               result.attempts = attempts;
                               result.error = std::move(e);
                               if (r) {
                                 result.value = read_freebusy(r->body);
                                 if (!result.value) result.error = GoogleError{502, "unreadable", "the freeBusy answer could not be read"};
                               }
                               done(std::move(result));
                             })
      ->start();
}

namespace {

std::function<void(std::optional<net::HttpResponse>, std::optional<GoogleError>, int)> event_answer(
    std::string fallback_id, std::function<void(CalendarResult<std::string>)> done) {
  return [fallback_id = std::move(fallback_id), done = std::move(done)](std::optional<net::HttpResponse> r,
                                                                         std::optional<GoogleError> e, int attempts) {
    CalendarResult<std::string> result;
    result.attempts = attempts;
    result.error = std::move(e);
    if (r) {
      const auto j = nlohmann::json::parse(r->body, nullptr, false);
      result.value = !j.is_discarded() && j.is_object() && j.contains("id") && j["id"].is_string()
                         ? j["id"].get<std::string>()
                         : fallback_id;
    }
    done(std::move(result));
  };
}

}  // namespace

void CalendarClient::insert_event(std::string calendar_id, std::string body,
                                  std::function<void(CalendarResult<std::string>)> done) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  const std::string id = !j.is_discarded() && j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
  // 409: an event with our id exists in that calendar — an earlier attempt that landed, or the
  // same appointment's event deleted there before (Google keeps deleted events' ids). Either way
  // it is made what it should be: the new times, confirmed.
  auto on_insert = [self = shared_from_this(), calendar_id, id, j, done](CalendarResult<std::string> result) mutable {
    if (result.ok() || !result.error || result.error->status != 409 || id.empty()) return done(std::move(result));
    nlohmann::json restored = j;
    restored.erase("id");
    restored["status"] = "confirmed";
    const int earlier = result.attempts;
    self->patch_event(calendar_id, id, restored.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                      [earlier, done](CalendarResult<std::string> patched) {
                        patched.attempts += earlier;
                        done(std::move(patched));
                      });
  };
  std::make_shared<Exchange>(shared_from_this(), "POST", events_url(settings_.api_url, calendar_id), std::move(body),
                             std::vector<int>{}, event_answer(id, std::move(on_insert)))
      ->start();
}

void CalendarClient::patch_event(std::string calendar_id, std::string event_id, std::string body,
                                 std::function<void(CalendarResult<std::string>)> done) {
  std::make_shared<Exchange>(shared_from_this(), "PATCH", events_url(settings_.api_url, calendar_id, event_id),
                             std::move(body), std::vector<int>{}, event_answer(event_id, std::move(done)))
      ->start();
}

void CalendarClient::delete_event(std::string calendar_id, std::string event_id,
                                  std::function<void(CalendarResult<std::string>)> done) {
  std::make_shared<Exchange>(shared_from_this(), "DELETE", events_url(settings_.api_url, calendar_id, event_id), "",
                             std::vector<int>{404, 410}, event_answer(event_id, std::move(done)))
      ->start();
}

}  // namespace sonoria::gcal
