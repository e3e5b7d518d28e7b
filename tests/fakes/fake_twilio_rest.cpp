#include "tests/fakes/fake_twilio_rest.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <regex>
#include <set>
#include <stdexcept>
#include <thread>

#include "core/twilio/base64.hpp"
#include "tests/fakes/notifier.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;

namespace {

constexpr std::string_view k_api_prefix = "/2010-04-01/Accounts/";

// What the fake decided for one request.
struct Answer {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  bool drop = false;
  bool www_authenticate = false;
};

Answer twilio_error(int status, int code, const std::string& message) {
  json body = {{"code", code},
               {"message", message},
               {"more_info", "https://www.twilio.com/docs/errors/" + std::to_string(code)},
               {"status", status}};
  return {status, "application/json; charset=utf-8", body.dump(), false, false};
}

bool is_e164(const std::string& number) {
  static const std::regex k_e164(R"(^\+[1-9][0-9]{1,14}$)");
  return std::regex_match(number, k_e164);
}

// Calls may also go to SIP and Client endpoints; messages to channel addresses (whatsapp:+…).
bool is_call_endpoint(const std::string& to) {
  return is_e164(to) || to.rfind("sip:", 0) == 0 || to.rfind("client:", 0) == 0;
}

bool is_message_endpoint(const std::string& to) {
  const auto colon = to.find(':');
  if (colon != std::string::npos && colon > 0) return is_e164(to.substr(colon + 1));
  return is_e164(to);
}

std::string formatted(const std::string& number) {
  if (number.size() == 12 && number.rfind("+1", 0) == 0) {
    return "(" + number.substr(2, 3) + ") " + number.substr(5, 3) + "-" + number.substr(8);
  }
  return number;
}

std::size_t utf8_length(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

bool is_terminal(const std::string& status) {
  return status == "completed" || status == "canceled" || status == "busy" || status == "failed" ||
         status == "no-answer";
}

std::string default_message(int status) {
  switch (status) {
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "HTTP " + std::to_string(status);
  }
}

std::vector<std::string> form_values(const twilio::FormParams& form, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [key, value] : form) {
    if (key == name) values.push_back(value);
  }
  return values;
}

std::string form_or(const twilio::FormParams& form, std::string_view name, std::string fallback = {}) {
  auto value = twilio::form_value(form, name);
  return value ? std::string(*value) : fallback;
}

bool has_form(const twilio::FormParams& form, std::string_view name) {
  return twilio::form_value(form, name).has_value();
}

}  // namespace

struct FakeTwilioRest::Impl {
  class Session;
  void do_accept();

  std::string account_sid;
  std::string auth_token;

  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  unsigned short port = 0;

  mutable std::mutex mutex;
  Notifier notifier;
  std::map<std::string, std::string> api_keys;
  std::set<std::string> unverified;
  std::deque<RestFault> faults;
  std::vector<RestRequest> requests;
  std::map<std::string, json> calls;          // sid → resource
  std::vector<std::string> call_order;
  std::vector<json> calls_created;
  std::vector<json> messages_created;

  std::string account_path() const { return std::string(k_api_prefix) + account_sid; }

  json call_json(const std::string& sid, const std::string& from, const std::string& to, const std::string& status,
                 const std::string& direction) const {
    const std::string base = account_path() + "/Calls/" + sid;
    const std::string now = rfc2822_now();
    json subresources = json::object();
    for (const char* name : {"notifications", "recordings", "payments", "events", "siprec", "streams", "transcriptions",
                             "user_defined_message_subscriptions", "user_defined_messages"}) {
      static const std::map<std::string, std::string> k_paths = {
          {"notifications", "Notifications"}, {"recordings", "Recordings"}, {"payments", "Payments"},
          {"events", "Events"}, {"siprec", "Siprec"}, {"streams", "Streams"}, {"transcriptions", "Transcriptions"},
          {"user_defined_message_subscriptions", "UserDefinedMessageSubscriptions"},
          {"user_defined_messages", "UserDefinedMessages"}};
      subresources[name] = base + "/" + k_paths.at(name) + ".json";
    }
    json call = {{"account_sid", account_sid},
                 {"answered_by", nullptr},
                 {"api_version", "2010-04-01"},
                 {"caller_name", nullptr},
                 {"date_created", now},
                 {"date_updated", now},
                 {"direction", direction},
                 {"duration", nullptr},
                 {"end_time", nullptr},
                 {"forwarded_from", nullptr},
                 {"from", from},
                 {"from_formatted", formatted(from)},
                 {"group_sid", nullptr},
                 {"parent_call_sid", nullptr},
                 {"phone_number_sid", make_sid("PN")},
                 {"price", nullptr},
                 {"price_unit", "USD"},
                 {"sid", sid},
                 {"start_time", nullptr},
                 {"status", status},
                 {"subresource_uris", subresources},
                 {"to", to},
                 {"to_formatted", formatted(to)},
                 {"trunk_sid", nullptr},
                 {"uri", base + ".json"},
                 {"queue_time", "0"}};
    return call;
  }

  // Applies a status change the way Twilio's resource shows it (start/end time, duration).
  static void move_call(json& call, const std::string& status) {
    const std::string now = rfc2822_now();
    if (status == "in-progress" && call["start_time"].is_null()) {
      call["start_time"] = now;
      call["start_epoch"] = std::time(nullptr);  // removed before the resource is returned
    }
    if (is_terminal(status) && call["end_time"].is_null()) {
      call["end_time"] = now;
      const std::time_t started = call.value("start_epoch", std::time(nullptr));
      call["duration"] = std::to_string(std::max<std::time_t>(0, std::time(nullptr) - started));
    }
    call["status"] = status;
    call["date_updated"] = now;
  }

  static json public_view(json call) {
    call.erase("start_epoch");
    return call;
  }

  // Basic auth: the account's SID and token, or an API key of the same account.
  bool authenticate(const std::string& header, std::string& user) const {
    user.clear();
    if (header.rfind("Basic ", 0) != 0) return false;
    auto decoded = twilio::base64_decode(header.substr(6));
    if (!decoded) return false;
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return false;
    user = decoded->substr(0, colon);
    const std::string password = decoded->substr(colon + 1);
    if (user == account_sid) return password == auth_token;
    auto key = api_keys.find(user);
    return key != api_keys.end() && key->second == password;
  }

  std::optional<RestFault> take_fault(const std::string& target) {
    for (auto it = faults.begin(); it != faults.end(); ++it) {
      if (!it->path_contains.empty() && target.find(it->path_contains) == std::string::npos) continue;
      RestFault fault = *it;
      if (--it->times <= 0) faults.erase(it);
      return fault;
    }
    return std::nullopt;
  }

  Answer create_call(const twilio::FormParams& form) {
    const std::string to = form_or(form, "To");
    const std::string from = form_or(form, "From");
    if (!has_form(form, "To") || to.empty()) return twilio_error(400, 21201, "No 'To' number is specified");
    if (!has_form(form, "From") || from.empty()) return twilio_error(400, 21213, "No 'From' number is specified");
    if (!has_form(form, "Url") && !has_form(form, "Twiml") && !has_form(form, "ApplicationSid")) {
      return twilio_error(400, 21205, "Either Url, Twiml or ApplicationSid is required");
    }
    if (!is_call_endpoint(to)) return twilio_error(400, 21211, "Invalid 'To' Phone Number: " + to);
    if (!is_call_endpoint(from)) return twilio_error(400, 21212, "Invalid 'From' Phone Number: " + from);
    if (unverified.count(to)) {
      return twilio_error(400, 21219,
                          "The number " + to + " is unverified. Trial accounts cannot call unverified numbers; verify " +
                              to + " at twilio.com/user/account/phone-numbers/verified, or purchase a Twilio number "
                              "to dial it.");
    }
    if (auto twiml = twilio::form_value(form, "Twiml"); twiml && twiml->size() > 4000) {
      return twilio_error(400, 20001, "Invalid parameter: Twiml exceeds the 4000 character limit");
    }
    const std::string sid = make_sid("CA");
    json call = call_json(sid, from, to, "queued", "outbound-api");
    calls[sid] = call;
    call_order.push_back(sid);
    calls_created.push_back(public_view(call));
    return {201, "application/json; charset=utf-8", public_view(call).dump(), false, false};
  }

  Answer update_call(const std::string& sid, const std::string& path, const twilio::FormParams& form) {
    auto it = calls.find(sid);
    if (it == calls.end()) {
      return twilio_error(404, 20404, "The requested resource " + path + " was not found");
    }
    json& call = it->second;
    const std::string current = call["status"].get<std::string>();
    const std::string requested = form_or(form, "Status");
    if (has_form(form, "Status") && requested != "completed" && requested != "canceled") {
      return twilio_error(400, 20001, "Invalid parameter: Status must be completed or canceled, got '" + requested + "'");
    }
    if (has_form(form, "Twiml") && has_form(form, "Url")) {
      return twilio_error(400, 20001, "Invalid parameter: Twiml and Url are mutually exclusive");
    }
    if (is_terminal(current)) return twilio_error(400, 21220, "Call is not in-progress. Cannot redirect.");
    if (requested == "completed") {
      move_call(call, "completed");
    } else if (requested == "canceled") {
      if (current == "queued" || current == "ringing") move_call(call, "canceled");
    } else if (!has_form(form, "Twiml") && !has_form(form, "Url") && !has_form(form, "StatusCallback") &&
               !has_form(form, "TimeLimit")) {
      return twilio_error(400, 20001, "Invalid parameter: nothing to update");
    }
    call["date_updated"] = rfc2822_now();
    return {200, "application/json; charset=utf-8", public_view(call).dump(), false, false};
  }

  Answer create_message(const twilio::FormParams& form) {
    const std::string to = form_or(form, "To");
    if (!has_form(form, "To") || to.empty()) return twilio_error(400, 21604, "A 'To' phone number is required.");
    const bool has_from = has_form(form, "From") && !form_or(form, "From").empty();
    const bool has_service = has_form(form, "MessagingServiceSid") && !form_or(form, "MessagingServiceSid").empty();
    if (!has_from && !has_service) return twilio_error(400, 21603, "A 'From' phone number is required.");
    const std::string body = form_or(form, "Body");
    const auto media = form_values(form, "MediaUrl");
    if (body.empty() && media.empty() && !has_form(form, "ContentSid")) {
      return twilio_error(400, 21602, "Message body is required.");
    }
    if (utf8_length(body) > 1600) {
      return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.");
    }
    if (!is_message_endpoint(to)) {
      return twilio_error(400, 21211, "The 'To' number " + to + " is not a valid phone number.");
    }
    if (unverified.count(to)) {
      return twilio_error(400, 21608,
                          "The number " + to + " is unverified. Trial accounts cannot send messages to unverified "
                          "numbers; verify " + to + " at twilio.com/user/account/phone-numbers/verified, or purchase "
                          "a Twilio number to send messages to unverified numbers.");
    }
    const bool ascii = std::all_of(body.begin(), body.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const std::size_t length = utf8_length(body);
    const std::size_t single = ascii ? 160 : 70;
    const std::size_t part = ascii ? 153 : 67;
    const std::size_t segments = length <= single ? 1 : (length + part - 1) / part;
    const std::string sid = make_sid(media.empty() ? "SM" : "MM");
    const std::string base = account_path() + "/Messages/" + sid;
    const std::string now = rfc2822_now();
    json message = {{"account_sid", account_sid},
                    {"api_version", "2010-04-01"},
                    {"body", body},
                    {"date_created", now},
                    {"date_sent", nullptr},
                    {"date_updated", now},
                    {"direction", "outbound-api"},
                    {"error_code", nullptr},
                    {"error_message", nullptr},
                    {"from", has_from ? json(form_or(form, "From")) : json(nullptr)},
                    {"num_media", std::to_string(media.size())},
                    {"num_segments", std::to_string(segments)},
                    {"price", nullptr},
                    {"price_unit", nullptr},
                    {"messaging_service_sid", has_service ? json(form_or(form, "MessagingServiceSid")) : json(nullptr)},
                    {"sid", sid},
                    {"status", has_from ? "queued" : "accepted"},
                    {"subresource_uris", {{"media", base + "/Media.json"}}},
                    {"to", to},
                    {"uri", base + ".json"}};
    messages_created.push_back(message);
    return {201, "application/json; charset=utf-8", message.dump(), false, false};
  }

  // The list resources (GET Calls.json / Messages.json), filtered by To and From like Twilio.
  Answer list(const std::string& kind, const std::string& path, const std::string& query) {
    auto params = twilio::parse_form(query).value_or(twilio::FormParams{});
    const std::string to = form_or(params, "To");
    const std::string from = form_or(params, "From");
    json items = json::array();
    auto keep = [&](const json& item) {
      return (to.empty() || item.value("to", "") == to) && (from.empty() || item.value("from", "") == from);
    };
    if (kind == "calls") {
      for (auto it = call_order.rbegin(); it != call_order.rend(); ++it) {
        if (keep(calls.at(*it))) items.push_back(public_view(calls.at(*it)));
      }
    } else {
      for (auto it = messages_created.rbegin(); it != messages_created.rend(); ++it) {
        if (keep(*it)) items.push_back(*it);
      }
    }
    const std::string uri = path + (query.empty() ? "" : "?" + query);
    json page = {{kind, items},
                 {"end", items.empty() ? 0 : static_cast<int>(items.size()) - 1},
                 {"first_page_uri", uri},
                 {"next_page_uri", nullptr},
                 {"page", 0},
                 {"page_size", 50},
                 {"previous_page_uri", nullptr},
                 {"start", 0},
                 {"uri", uri}};
    return {200, "application/json; charset=utf-8", page.dump(), false, false};
  }

  Answer route(const std::string& method, const std::string& path, const std::string& query,
               const twilio::FormParams& form) {
    const std::string account = account_path();
    if (path.rfind(account + "/", 0) != 0) {
      return twilio_error(404, 20404, "The requested resource " + path + " was not found");
    }
    const std::string rest = path.substr(account.size());
    if (rest == "/Calls.json") {
      if (method == "POST") return create_call(form);
      if (method == "GET") return list("calls", path, query);
    } else if (rest == "/Messages.json") {
      if (method == "POST") return create_message(form);
      if (method == "GET") return list("messages", path, query);
    } else if (rest.rfind("/Messages/", 0) == 0 && rest.size() > 15 && rest.substr(rest.size() - 5) == ".json" &&
               method == "GET") {
      const std::string sid = rest.substr(10, rest.size() - 15);
      for (const auto& message : messages_created)
        if (message["sid"] == sid) return {200, "application/json; charset=utf-8", message.dump(), false, false};
      return twilio_error(404, 20404, "The requested resource " + path + " was not found");
    } else if (rest.rfind("/Calls/", 0) == 0 && rest.size() > 12 && rest.substr(rest.size() - 5) == ".json") {
      const std::string sid = rest.substr(7, rest.size() - 12);
      if (method == "POST") return update_call(sid, path, form);
      if (method == "GET") {
        auto it = calls.find(sid);
        if (it == calls.end()) return twilio_error(404, 20404, "The requested resource " + path + " was not found");
        return {200, "application/json; charset=utf-8", public_view(it->second).dump(), false, false};
      }
    }
    if (method != "GET" && method != "POST") return twilio_error(405, 20004, "Method not allowed");
    return twilio_error(404, 20404, "The requested resource " + path + " was not found");
  }

  // Decides the answer to one request and records it. Called on the I/O thread.
  std::pair<Answer, std::chrono::milliseconds> handle(const http::request<http::string_body>& request) {
    std::lock_guard lock(mutex);
    RestRequest record;
    record.method = std::string(request.method_string());
    record.target = std::string(request.target());
    record.authorization = std::string(request[http::field::authorization]);
    record.content_type = std::string(request[http::field::content_type]);
    record.body = request.body();
    const auto question = record.target.find('?');
    const std::string path = record.target.substr(0, question);
    const std::string query = question == std::string::npos ? "" : record.target.substr(question + 1);
    auto form = twilio::parse_form(record.body);
    if (form) record.form = *form;
    record.authenticated = authenticate(record.authorization, record.auth_user);

    Answer answer;
    std::chrono::milliseconds delay{0};
    std::optional<RestFault> fault = take_fault(record.target);
    if (fault) delay = fault->delay;
    if (fault && fault->drop) {
      answer.drop = true;
    } else if (fault && fault->http_status != 0) {
      const std::string message = fault->message.empty() ? default_message(fault->http_status) : fault->message;
      if (fault->json_body) {
        json body = {{"message", message}, {"status", fault->http_status}};
        if (fault->code) {
          body["code"] = *fault->code;
          body["more_info"] = "https://www.twilio.com/docs/errors/" + std::to_string(*fault->code);
        }
        answer = {fault->http_status, "application/json; charset=utf-8", body.dump(), false, false};
      } else {
        answer = {fault->http_status, "text/html", "<html><body>" + message + "</body></html>", false, false};
      }
    } else if (!record.authenticated) {
      answer = twilio_error(401, 20003, "Authenticate");
      json body = json::parse(answer.body);
      body["detail"] = "Your AccountSid or AuthToken was incorrect.";
      answer.body = body.dump();
      answer.www_authenticate = true;
    } else if (!form) {
      answer = twilio_error(400, 20001, "Invalid parameter: the body is not application/x-www-form-urlencoded");
    } else {
      answer = route(record.method, path, query, record.form);
    }
    record.status = answer.drop ? 0 : answer.status;
    record.response_body = answer.body;
    requests.push_back(std::move(record));
    return {answer, delay};
  }
};

// One keep-alive HTTP connection on the fake's I/O thread.
class FakeTwilioRest::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Impl& impl)
      : stream_(std::move(socket)), timer_(stream_.get_executor()), impl_(impl) {}

  void run() { do_read(); }

 private:
  void do_read() {
    request_ = {};
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec) return;  // closed by the client, or garbage: just drop the connection
    auto [answer, delay] = impl_.handle(request_);
    answer_ = std::move(answer);
    if (delay.count() > 0) {
      timer_.expires_after(delay);
      timer_.async_wait([self = shared_from_this()](beast::error_code) { self->respond(); });
    } else {
      respond();
    }
  }

  void respond() {
    if (answer_.drop) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      stream_.socket().close(ignored);
      impl_.notifier.notify();
      return;
    }
    response_ = {};
    response_.version(11);
    response_.result(static_cast<http::status>(answer_.status));
    response_.set(http::field::server, "fake-twilio");
    response_.set(http::field::content_type, answer_.content_type);
    if (answer_.www_authenticate) response_.set(http::field::www_authenticate, "Basic realm=\"Twilio API\"");
    response_.set("Twilio-Request-Id", make_sid("RQ"));
    response_.keep_alive(request_.keep_alive());
    response_.body() = answer_.body;
    response_.prepare_payload();
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->impl_.notifier.notify();
      if (ec) return;
      if (!self->response_.keep_alive()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
        return;
      }
      self->do_read();
    });
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  Answer answer_;
  Impl& impl_;
};

void FakeTwilioRest::Impl::do_accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) return;  // the acceptor was closed
    std::make_shared<Session>(std::move(socket), *this)->run();
    do_accept();
  });
}

FakeTwilioRest::FakeTwilioRest(std::string account_sid, std::string auth_token) : impl_(std::make_unique<Impl>()) {
  impl_->account_sid = std::move(account_sid);
  impl_->auth_token = std::move(auth_token);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
  impl_->do_accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

FakeTwilioRest::~FakeTwilioRest() {
  impl_->ioc.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::string FakeTwilioRest::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->port) + "/2010-04-01";
}

unsigned short FakeTwilioRest::port() const { return impl_->port; }

const std::string& FakeTwilioRest::account_sid() const { return impl_->account_sid; }

void FakeTwilioRest::add_api_key(const std::string& key_sid, const std::string& secret) {
  std::lock_guard lock(impl_->mutex);
  impl_->api_keys[key_sid] = secret;
}

void FakeTwilioRest::set_unverified_numbers(std::vector<std::string> numbers) {
  std::lock_guard lock(impl_->mutex);
  impl_->unverified = std::set<std::string>(numbers.begin(), numbers.end());
}

void FakeTwilioRest::register_call(const std::string& call_sid, const std::string& status, const std::string& from,
                                   const std::string& to, const std::string& direction) {
  std::lock_guard lock(impl_->mutex);
  json call = impl_->call_json(call_sid, from, to, "queued", direction);
  Impl::move_call(call, "in-progress");
  if (status != "in-progress") Impl::move_call(call, status);
  if (!impl_->calls.count(call_sid)) impl_->call_order.push_back(call_sid);
  impl_->calls[call_sid] = std::move(call);
}

bool FakeTwilioRest::set_call_status(const std::string& call_sid, const std::string& status) {
  {
    std::lock_guard lock(impl_->mutex);
    auto it = impl_->calls.find(call_sid);
    if (it == impl_->calls.end()) return false;
    Impl::move_call(it->second, status);
  }
  impl_->notifier.notify();
  return true;
}

std::optional<std::string> FakeTwilioRest::call_status(const std::string& call_sid) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->calls.find(call_sid);
  if (it == impl_->calls.end()) return std::nullopt;
  return it->second["status"].get<std::string>();
}

json FakeTwilioRest::call(const std::string& call_sid) const {
  std::lock_guard lock(impl_->mutex);
  auto it = impl_->calls.find(call_sid);
  return it == impl_->calls.end() ? json(nullptr) : Impl::public_view(it->second);
}

void FakeTwilioRest::add_fault(RestFault fault) {
  if (fault.times <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->faults.push_back(std::move(fault));
}

void FakeTwilioRest::rate_limit_next(int times, const std::string& path_contains) {
  RestFault fault;
  fault.times = times;
  fault.path_contains = path_contains;
  fault.http_status = 429;
  fault.code = 20429;
  add_fault(std::move(fault));
}

void FakeTwilioRest::fail_next(int times, int http_status, bool json_body, const std::string& path_contains) {
  RestFault fault;
  fault.times = times;
  fault.path_contains = path_contains;
  fault.http_status = http_status;
  fault.json_body = json_body;
  if (json_body) fault.code = http_status == 429 ? 20429 : http_status == 503 ? 20503 : 20500;
  add_fault(std::move(fault));
}

void FakeTwilioRest::delay_next(int times, std::chrono::milliseconds delay, const std::string& path_contains) {
  RestFault fault;
  fault.times = times;
  fault.path_contains = path_contains;
  fault.delay = delay;
  add_fault(std::move(fault));
}

void FakeTwilioRest::drop_next(int times, const std::string& path_contains) {
  RestFault fault;
  fault.times = times;
  fault.path_contains = path_contains;
  fault.drop = true;
  add_fault(std::move(fault));
}

std::vector<RestRequest> FakeTwilioRest::requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests;
}

std::size_t FakeTwilioRest::request_count() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->requests.size();
}

std::vector<json> FakeTwilioRest::calls_created() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->calls_created;
}

bool FakeTwilioRest::set_message_status(const std::string& message_sid, const std::string& status) {
  std::lock_guard lock(impl_->mutex);
  for (auto& message : impl_->messages_created) {
    if (message["sid"] != message_sid) continue;
    message["status"] = status;
    message["date_updated"] = rfc2822_now();
    if (status == "delivered" || status == "sent") message["date_sent"] = rfc2822_now();
    return true;
  }
  return false;
}

std::vector<json> FakeTwilioRest::messages_created() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->messages_created;
}

std::vector<RestRequest> FakeTwilioRest::call_updates() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<RestRequest> updates;
  const std::string prefix = impl_->account_path() + "/Calls/";
  for (const auto& request : impl_->requests) {
    if (request.method == "POST" && request.target.rfind(prefix, 0) == 0) updates.push_back(request);
  }
  return updates;
}

bool FakeTwilioRest::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for(predicate, timeout);
}

}  // namespace sonoria::fakes
