#include "tests/fakes/fake_twilio_rest.hpp"

#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>

#include "core/twilio/base64.hpp"
#include "tests/fakes/notifier.hpp"
#include "tests/fakes/peer_transport.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
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

// Twilio writes resource dates in RFC 2822 ("Tue, 31 Aug 2010 20:36:28 +0000") and its Date
// header as an IMF-fixdate ("Mon, 07 Dec 2026 05:30:00 GMT"); both in UTC.
std::string utc_date(std::time_t time, const char* zone) {
  static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm utc{};
  gmtime_r(&time, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d %s", k_days[utc.tm_wday], utc.tm_mday,
                k_months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec, zone);
  return buffer;
}

std::string rfc2822(std::time_t time) { return utc_date(time, "+0000"); }
std::string imf_fixdate(std::time_t time) { return utc_date(time, "GMT"); }

bool is_http_url(const std::string& url) {
  static const std::regex k_url(R"(^https?://[^\s/?#]+([/?#]\S*)?$)", std::regex::icase);
  return std::regex_match(url, k_url);
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// A non-negative integer query parameter, or nullopt when it is not one.
std::optional<long> whole_number(const std::string& text) {
  const bool digits = std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (text.empty() || text.size() > 9 || !digits) return std::nullopt;
  return std::stol(text);
}

}  // namespace

struct FakeTwilioRest::Impl {
  PeerServer server;  // first: destroyed last, with the connections and timers that refer to the rest
  std::string account_sid;
  std::string auth_token;

  mutable std::mutex mutex;
  Notifier notifier;
  std::map<std::string, std::string> api_keys;
  std::set<std::string> main_keys;
  std::atomic<long long> clock_offset_seconds{0};  // read on the I/O thread without the mutex
  std::time_t account_created = std::time(nullptr);
  struct StoredNumber {
    IncomingNumber number;
    std::time_t created = 0;
    std::time_t updated = 0;
  };
  std::vector<StoredNumber> numbers;          // in the order set
  std::set<std::string> unverified;
  std::deque<RestFault> faults;
  std::vector<RestRequest> requests;
  std::map<std::string, json> calls;          // sid → resource
  std::vector<std::string> call_order;
  std::vector<json> calls_created;
  std::vector<json> messages_created;

  std::string account_path() const { return std::string(k_api_prefix) + account_sid; }

  // Twilio's clock: the system clock plus the offset a test set.
  std::time_t twilio_now() const {
    return std::time(nullptr) + static_cast<std::time_t>(clock_offset_seconds.load());
  }

  // The Account resource as GET /Accounts/{AC}.json returns it (twilio-node's account fixtures and
  // Twilio's Account resource page: the auth_token is part of it).
  json account_json() const {
    const std::string base = account_path();
    json subresources = json::object();
    static const std::pair<const char*, const char*> k_subresources[] = {
        {"addresses", "/Addresses.json"}, {"conferences", "/Conferences.json"}, {"signing_keys", "/SigningKeys.json"},
        {"transcriptions", "/Transcriptions.json"}, {"connect_apps", "/ConnectApps.json"}, {"sip", "/SIP.json"},
        {"authorized_connect_apps", "/AuthorizedConnectApps.json"}, {"usage", "/Usage.json"}, {"keys", "/Keys.json"},
        {"applications", "/Applications.json"}, {"recordings", "/Recordings.json"},
        {"short_codes", "/SMS/ShortCodes.json"}, {"calls", "/Calls.json"}, {"notifications", "/Notifications.json"},
        {"incoming_phone_numbers", "/IncomingPhoneNumbers.json"}, {"queues", "/Queues.json"},
        {"messages", "/Messages.json"}, {"outgoing_caller_ids", "/OutgoingCallerIds.json"},
        {"available_phone_numbers", "/AvailablePhoneNumbers.json"}, {"balance", "/Balance.json"}};
    for (const auto& [name, suffix] : k_subresources) subresources[name] = base + suffix;
    const std::time_t created = account_created + static_cast<std::time_t>(clock_offset_seconds.load());
    return {{"auth_token", auth_token},
            {"date_created", rfc2822(created)},
            {"date_updated", rfc2822(created)},
            {"friendly_name", "My first Twilio account"},
            {"owner_account_sid", account_sid},
            {"sid", account_sid},
            {"status", "active"},
            {"subresource_uris", subresources},
            {"type", "Full"},
            {"uri", base + ".json"}};
  }

  // An IncomingPhoneNumber resource, with the fields of Twilio's documented examples; what the fake
  // does not model (addresses, emergency calling, bundles, trunks, fallbacks) has the values of a
  // freshly bought local number. An unset voice_url is null, as in Twilio's examples.
  json number_json(const StoredNumber& stored) const {
    const IncomingNumber& number = stored.number;
    const std::string uri = account_path() + "/IncomingPhoneNumbers/" + number.sid;
    return {{"account_sid", account_sid},
            {"address_requirements", "none"},
            {"address_sid", nullptr},
            {"api_version", "2010-04-01"},
            {"beta", false},
            {"bundle_sid", nullptr},
            {"capabilities", {{"fax", false}, {"mms", true}, {"sms", true}, {"voice", true}}},
            {"date_created", rfc2822(stored.created)},
            {"date_updated", rfc2822(stored.updated)},
            {"emergency_address_sid", nullptr},
            {"emergency_address_status", "unregistered"},
            {"emergency_status", "Inactive"},
            {"friendly_name", number.friendly_name},
            {"identity_sid", nullptr},
            {"origin", "twilio"},
            {"phone_number", number.phone_number},
            {"sid", number.sid},
            {"sms_application_sid", ""},
            {"sms_fallback_method", "POST"},
            {"sms_fallback_url", ""},
            {"sms_method", number.sms_method},
            {"sms_url", number.sms_url},
            {"status", "in-use"},
            {"status_callback", number.status_callback},
            {"status_callback_method", number.status_callback_method},
            {"subresource_uris", {{"assigned_add_ons", uri + "/AssignedAddOns.json"}}},
            {"trunk_sid", nullptr},
            {"type", "local"},
            {"uri", uri + ".json"},
            {"voice_application_sid", ""},
            {"voice_caller_id_lookup", false},
            {"voice_fallback_method", "POST"},
            {"voice_fallback_url", nullptr},
            {"voice_method", number.voice_method},
            {"voice_receive_mode", "voice"},
            {"voice_url", number.voice_url.empty() ? json(nullptr) : json(number.voice_url)}};
  }

  StoredNumber* find_number(const std::string& sid) {
    auto it = std::find_if(numbers.begin(), numbers.end(), [&](const StoredNumber& n) { return n.number.sid == sid; });
    return it == numbers.end() ? nullptr : &*it;
  }

  // GET IncomingPhoneNumbers.json. PhoneNumber filters by the exact E.164 number (Twilio also
  // matches part of a number; the fake does not). A '+' sent unescaped arrives as a space (form
  // decoding) and is taken back as '+'. PageSize is 50 by default and at most 1000 (larger values
  // are clamped [unverified what Twilio does]); Page counts from 0. next_page_uri carries a
  // PageToken like Twilio's, which the fake ignores: Page alone selects the page.
  Answer list_numbers(const std::string& path, const std::string& query) {
    auto params = twilio::parse_form(query);
    if (!params) return twilio_error(400, 20001, "Invalid parameter: the query string is not form-encoded");
    std::string phone_number = form_or(*params, "PhoneNumber");
    if (!phone_number.empty() && phone_number.front() == ' ') phone_number.front() = '+';
    long page_size = 50;
    long page = 0;
    if (auto text = twilio::form_value(*params, "PageSize")) {
      auto value = whole_number(std::string(*text));
      if (!value || *value < 1) {
        return twilio_error(400, 20001, "Invalid parameter: PageSize '" + std::string(*text) + "'");
      }
      page_size = std::min(*value, 1000L);
    }
    if (auto text = twilio::form_value(*params, "Page")) {
      auto value = whole_number(std::string(*text));
      if (!value) return twilio_error(400, 20001, "Invalid parameter: Page '" + std::string(*text) + "'");
      page = *value;
    }
    std::vector<const StoredNumber*> matching;
    for (const auto& stored : numbers) {
      if (phone_number.empty() || stored.number.phone_number == phone_number) matching.push_back(&stored);
    }
    const std::size_t start = static_cast<std::size_t>(page) * static_cast<std::size_t>(page_size);
    json items = json::array();
    for (std::size_t i = start; i < matching.size() && i < start + static_cast<std::size_t>(page_size); ++i) {
      items.push_back(number_json(*matching[i]));
    }
    const std::string filters = phone_number.empty() ? "" : twilio::encode_form({{"PhoneNumber", phone_number}}) + "&";
    auto page_uri = [&](long number) {
      return path + "?" + filters + "PageSize=" + std::to_string(page_size) + "&Page=" + std::to_string(number);
    };
    const bool more = start + static_cast<std::size_t>(page_size) < matching.size();
    json next = nullptr;
    if (more) next = page_uri(page + 1) + "&PageToken=PA" + items.back()["sid"].get<std::string>();
    json previous = page > 0 ? json(page_uri(page - 1)) : json(nullptr);
    json body = {{"end", items.empty() ? static_cast<long>(start) : static_cast<long>(start + items.size() - 1)},
                 {"first_page_uri", page_uri(0)},
                 {"incoming_phone_numbers", items},
                 {"next_page_uri", next},
                 {"page", page},
                 {"page_size", page_size},
                 {"previous_page_uri", previous},
                 {"start", static_cast<long>(start)},
                 {"uri", page_uri(page)}};
    return {200, "application/json; charset=utf-8", body.dump(), false, false};
  }

  // POST IncomingPhoneNumbers/{PN}.json. Everything is checked before anything changes. The codes
  // are those Twilio's error catalogue gives for configuring a number: 21402 "Invalid Url" (the
  // URL handler of a phone number), 21502 "Invalid callback url" (StatusCallback) and 21403
  // "Invalid Method" (must be GET or POST). An empty URL clears it, as in Twilio's console.
  Answer update_number(const std::string& sid, const std::string& path, const twilio::FormParams& form) {
    StoredNumber* stored = find_number(sid);
    if (!stored) return twilio_error(404, 20404, "The requested resource " + path + " was not found");
    for (const char* name : {"VoiceUrl", "SmsUrl"}) {
      const std::string url = form_or(form, name);
      if (!url.empty() && !is_http_url(url)) {
        return twilio_error(400, 21402, std::string(name) + " is not a valid URL: " + url);
      }
    }
    if (const std::string url = form_or(form, "StatusCallback"); !url.empty() && !is_http_url(url)) {
      return twilio_error(400, 21502, "StatusCallback is not a valid URL: " + url);
    }
    for (const char* name : {"VoiceMethod", "SmsMethod", "StatusCallbackMethod"}) {
      if (!has_form(form, name)) continue;
      const std::string method = upper(form_or(form, name));
      if (method != "GET" && method != "POST") {
        return twilio_error(400, 21403,
                            std::string(name) + " must be GET or POST, got '" + form_or(form, name) + "'");
      }
    }
    IncomingNumber& number = stored->number;
    auto apply = [&](const char* name, std::string& field, bool method) {
      auto value = twilio::form_value(form, name);
      if (value) field = method ? upper(std::string(*value)) : std::string(*value);
    };
    apply("VoiceUrl", number.voice_url, false);
    apply("VoiceMethod", number.voice_method, true);
    apply("StatusCallback", number.status_callback, false);
    apply("StatusCallbackMethod", number.status_callback_method, true);
    apply("SmsUrl", number.sms_url, false);
    apply("SmsMethod", number.sms_method, true);
    apply("FriendlyName", number.friendly_name, false);
    stored->updated = twilio_now();
    return {200, "application/json; charset=utf-8", number_json(*stored).dump(), false, false};
  }

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
               const twilio::FormParams& form, const std::string& auth_user) {
    const std::string account = account_path();
    if (path == account + ".json" && method == "GET") {
      // Standard API keys cannot reach /Accounts (Twilio's API key documentation); Main keys and
      // the Auth Token can.
      if (auth_user != account_sid && !main_keys.count(auth_user)) {
        json body = json::parse(twilio_error(401, 20003, "Authenticate").body);
        body["detail"] = "A Standard API key cannot access the Accounts resource; use a Main key or the Auth Token.";
        return {401, "application/json; charset=utf-8", body.dump(), false, false};
      }
      return {200, "application/json; charset=utf-8", account_json().dump(), false, false};
    }
    // Another account's SID in the path (with valid credentials for this one): Twilio answers
    // 404/20404 "The requested resource … was not found", not 401.
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
    } else if (rest == "/IncomingPhoneNumbers.json") {
      if (method == "GET") return list_numbers(path, query);
    } else if (rest.rfind("/IncomingPhoneNumbers/", 0) == 0 && rest.size() > 27 &&
               rest.substr(rest.size() - 5) == ".json") {
      const std::string sid = rest.substr(22, rest.size() - 27);
      if (method == "POST") return update_number(sid, path, form);
      if (method == "GET") {
        const StoredNumber* stored = find_number(sid);
        if (!stored) return twilio_error(404, 20404, "The requested resource " + path + " was not found");
        return {200, "application/json; charset=utf-8", number_json(*stored).dump(), false, false};
      }
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
  std::pair<Answer, std::chrono::milliseconds> handle(const PeerRequest& request) {
    std::lock_guard lock(mutex);
    RestRequest record;
    record.method = request.method;
    record.target = request.target;
    record.authorization = request.header("Authorization").value_or("");
    record.content_type = request.header("Content-Type").value_or("");
    record.body = request.body;
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
      answer = route(record.method, path, query, record.form, record.auth_user);
    }
    record.status = answer.drop ? 0 : answer.status;
    record.response_body = answer.body;
    requests.push_back(std::move(record));
    return {answer, delay};
  }

  void serve(const PeerRequest& request, PeerExchange exchange);
  void respond(PeerExchange exchange, const Answer& answer, bool keep_alive);
};

// Serves one request of a keep-alive connection, on the fake's I/O thread.
void FakeTwilioRest::Impl::serve(const PeerRequest& request, PeerExchange exchange) {
  auto [answer, delay] = handle(request);
  if (delay.count() <= 0) {
    respond(std::move(exchange), answer, request.keep_alive);
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(server.executor(), delay);
  timer->async_wait([this, timer, exchange, answer = std::move(answer), keep_alive = request.keep_alive](
                        boost::system::error_code) mutable { respond(std::move(exchange), answer, keep_alive); });
}

// The answer's headers are made when it is sent: its Date is after any delay.
void FakeTwilioRest::Impl::respond(PeerExchange exchange, const Answer& answer, bool keep_alive) {
  PeerResponse response;
  response.sent = [this] { notifier.notify(); };
  if (answer.drop) {
    response.drop = true;
  } else {
    response.status = answer.status;
    response.headers = {{"Server", "fake-twilio"}, {"Date", imf_fixdate(twilio_now())}, {"Content-Type", answer.content_type}};
    if (answer.www_authenticate) response.headers.emplace_back("WWW-Authenticate", "Basic realm=\"Twilio API\"");
    response.headers.emplace_back("Twilio-Request-Id", make_sid("RQ"));
    response.keep_alive = keep_alive;
    response.body = answer.body;
  }
  exchange.respond(std::move(response));
}

FakeTwilioRest::FakeTwilioRest(std::string account_sid, std::string auth_token) : impl_(std::make_unique<Impl>()) {
  impl_->account_sid = std::move(account_sid);
  impl_->auth_token = std::move(auth_token);
  impl_->server.start([impl = impl_.get()](const PeerRequest& request, PeerExchange exchange) {
    impl->serve(request, std::move(exchange));
  });
}

FakeTwilioRest::~FakeTwilioRest() { impl_->server.stop(); }

std::string FakeTwilioRest::base_url() const {
  return "http://127.0.0.1:" + std::to_string(impl_->server.port()) + "/2010-04-01";
}

unsigned short FakeTwilioRest::port() const { return impl_->server.port(); }

const std::string& FakeTwilioRest::account_sid() const { return impl_->account_sid; }

void FakeTwilioRest::add_api_key(const std::string& key_sid, const std::string& secret, bool main_key) {
  std::lock_guard lock(impl_->mutex);
  impl_->api_keys[key_sid] = secret;
  if (main_key) {
    impl_->main_keys.insert(key_sid);
  } else {
    impl_->main_keys.erase(key_sid);
  }
}

void FakeTwilioRest::set_clock_offset(std::chrono::seconds offset) {
  impl_->clock_offset_seconds.store(static_cast<long long>(offset.count()));
}

void FakeTwilioRest::set_incoming_numbers(std::vector<IncomingNumber> numbers) {
  std::lock_guard lock(impl_->mutex);
  const std::time_t now = impl_->twilio_now();
  impl_->numbers.clear();
  for (auto& number : numbers) {
    if (number.sid.empty()) number.sid = make_sid("PN");
    if (number.friendly_name.empty()) number.friendly_name = formatted(number.phone_number);
    impl_->numbers.push_back({std::move(number), now, now});
  }
}

std::vector<IncomingNumber> FakeTwilioRest::incoming_numbers() const {
  std::lock_guard lock(impl_->mutex);
  std::vector<IncomingNumber> numbers;
  for (const auto& stored : impl_->numbers) numbers.push_back(stored.number);
  return numbers;
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
