#include "core/twilio/rest_reply.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>

namespace sonoria::twilio {
namespace {

using nlohmann::json;

std::string str(const json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::optional<int64_t> integer(const json& j, const char* name) {
  auto it = j.find(name);
  if (it == j.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<int64_t>();
  if (it->is_string()) {
    const std::string s = it->get<std::string>();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc{} && end == s.data() + s.size() && !s.empty()) return v;
  }
  return std::nullopt;
}

std::optional<CallResource> call_from(const json& j) {
  if (!j.is_object() || !j.contains("sid") || !j["sid"].is_string()) return std::nullopt;
  return CallResource{str(j, "sid"), str(j, "status"), str(j, "to"), str(j, "from"), str(j, "direction"),
                      str(j, "answered_by"), str(j, "date_created")};
}

std::optional<MessageResource> message_from(const json& j) {
  if (!j.is_object() || !j.contains("sid") || !j["sid"].is_string()) return std::nullopt;
  return MessageResource{str(j, "sid"), str(j, "status"), str(j, "to"), str(j, "from"), str(j, "body"),
                         str(j, "date_created"), integer(j, "error_code"), str(j, "error_message")};
}

}  // namespace

std::optional<CallResource> parse_call_resource(std::string_view body) {
  return call_from(json::parse(body, nullptr, false));
}

std::optional<MessageResource> parse_message_resource(std::string_view body) {
  return message_from(json::parse(body, nullptr, false));
}

std::vector<CallResource> parse_call_list(std::string_view body) {
  std::vector<CallResource> out;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("calls") || !j["calls"].is_array()) return out;
  for (const auto& item : j["calls"])
    if (auto call = call_from(item)) out.push_back(std::move(*call));
  return out;
}

std::vector<MessageResource> parse_message_list(std::string_view body) {
  std::vector<MessageResource> out;
  json j = json::parse(body, nullptr, false);
  if (!j.is_object() || !j.contains("messages") || !j["messages"].is_array()) return out;
  for (const auto& item : j["messages"])
    if (auto message = message_from(item)) out.push_back(std::move(*message));
  return out;
}

std::string advice_for(int64_t code) {
  switch (code) {
    case 20003:
      return "The Twilio credentials were refused: check twilio.account_sid and twilio.auth_token (or the API key "
             "in twilio.api_key_sid / twilio.api_key_secret). Do not retry until they are fixed.";
    case 20404:
      return "Twilio does not know this resource: check the SID (it may belong to another account).";
    case 20429:
      return "Twilio is rate-limiting requests: wait a moment and try again.";
    case 21201:
    case 21604:
      return "No 'To' number was given.";
    case 21205:
      return "Twilio rejected a URL: check server.public_url (it must be reachable by Twilio and have a valid host).";
    case 21210:
    case 21212:
    case 21606:
      return "The sender is not one of this account's Twilio numbers (or not SMS-capable): check the organization's "
             "phone_numbers or twilio.from.";
    case 21211:
    case 21217:
      return "The 'To' number is not a valid phone number: give it in E.164 form, e.g. +15551234567.";
    case 21214:
      return "The number cannot be reached: check it, or try another.";
    case 21215:
    case 21408:
      return "This account's geographic permissions do not allow that destination: enable it in the Twilio console "
             "(Voice or Messaging geo permissions).";
    case 21219:
    case 21608:
      return "This is a Twilio trial account: it can only call or text verified numbers. Verify the number in the "
             "Twilio console (Phone Numbers > Verified Caller IDs) or upgrade the account.";
    case 21220:
      return "The call has already ended, so it cannot be changed.";
    case 21602:
      return "The message body is empty.";
    case 21610:
      return "The recipient has unsubscribed (replied STOP): Twilio will not deliver messages to them until they "
             "reply START. Do not retry.";
    case 21612:
      return "Twilio cannot route a message from this sender to that number: use another sender number.";
    case 21614:
      return "The 'To' number cannot receive text messages (a landline or not SMS-capable): use a mobile number.";
    case 21617:
      return "The message is longer than 1600 characters: shorten it.";
    default:
      return {};
  }
}

RestError parse_rest_error(int http_status, std::string_view body) {
  RestError e;
  e.http_status = http_status;
  json j = json::parse(body, nullptr, false);
  if (j.is_object() && (j.contains("code") || j.contains("message"))) {
    e.code = integer(j, "code");
    e.message = str(j, "message");
    e.more_info = str(j, "more_info");
  }
  if (e.message.empty()) e.message = "[HTTP " + std::to_string(http_status) + "] Failed to execute request";
  if (e.code) e.advice = advice_for(*e.code);
  if (e.advice.empty() && http_status == 429) e.advice = advice_for(20429);
  if (e.advice.empty() && http_status == 401) e.advice = advice_for(20003);
  if (e.advice.empty() && http_status >= 500)
    e.advice = "Twilio had a server problem: try again in a moment (see status.twilio.com).";
  return e;
}

RestError transport_error(std::string_view what) {
  RestError e;
  e.message = std::string(what);
  e.advice = "Check the network and twilio.api_base_url, then try again.";
  return e;
}

std::string RestError::describe() const {
  std::string out;
  if (http_status == 0) {
    out = "cannot reach Twilio: " + message;
  } else {
    out = code ? "Twilio error " + std::to_string(*code) + " (HTTP " + std::to_string(http_status) + "): "
               : "Twilio answered HTTP " + std::to_string(http_status) + ": ";
    out += message;
  }
  if (!advice.empty()) out += (out.empty() || out.back() == '.' ? " " : ". ") + advice;
  if (!more_info.empty()) out += " (" + more_info + ")";
  return out;
}

std::chrono::milliseconds backoff_delay(int attempt, std::minstd_rand& rng, std::optional<std::string_view> retry_after,
                                        std::chrono::milliseconds base, std::chrono::milliseconds cap) {
  const int shift = std::clamp(attempt, 0, 20);
  const auto ceiling = std::min<int64_t>(cap.count(), base.count() * (int64_t{1} << shift));
  std::uniform_int_distribution<int64_t> pick(0, std::max<int64_t>(0, ceiling));
  int64_t delay = pick(rng);
  if (retry_after) {
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(retry_after->data(), retry_after->data() + retry_after->size(), seconds);
    if (ec == std::errc{} && end == retry_after->data() + retry_after->size() && seconds >= 0)
      delay = std::max<int64_t>(delay, std::min<int64_t>(cap.count(), seconds * 1000));
  }
  return std::chrono::milliseconds(delay);
}

std::optional<int64_t> parse_rfc2822(std::string_view text) {
  // "Tue, 31 Aug 2010 20:36:28 +0000" (the day name is optional).
  if (auto comma = text.find(", "); comma != std::string_view::npos) text.remove_prefix(comma + 2);
  static constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto number = [&](std::size_t length, int& out) {
    if (text.size() < length) return false;
    auto [end, ec] = std::from_chars(text.data(), text.data() + length, out);
    if (ec != std::errc{} || end != text.data() + length) return false;
    text.remove_prefix(length);
    return true;
  };
  auto expect = [&](char c) {
    if (text.empty() || text.front() != c) return false;
    text.remove_prefix(1);
    return true;
  };
  int day = 0, year = 0, hour = 0, minute = 0, second = 0, zone = 0;
  const std::size_t day_length = text.size() > 1 && text[1] == ' ' ? 1 : 2;
  if (!number(day_length, day) || !expect(' ') || text.size() < 3) return std::nullopt;
  auto month = std::find(k_months.begin(), k_months.end(), text.substr(0, 3));
  if (month == k_months.end()) return std::nullopt;
  text.remove_prefix(3);
  if (!expect(' ') || !number(4, year) || !expect(' ') || !number(2, hour) || !expect(':') || !number(2, minute) ||
      !expect(':') || !number(2, second) || !expect(' ') || text.size() != 5 || (text[0] != '+' && text[0] != '-'))
    return std::nullopt;
  const int sign = text[0] == '-' ? -1 : 1;
  text.remove_prefix(1);
  if (!number(4, zone)) return std::nullopt;
  using namespace std::chrono;
  const year_month_day date{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month - k_months.begin() + 1)),
                            std::chrono::day(static_cast<unsigned>(day))};
  if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const int64_t offset = sign * ((zone / 100) * 3600 + (zone % 100) * 60);
  return sys_days(date).time_since_epoch().count() * 86400 + hour * 3600 + minute * 60 + second - offset;
}

}  // namespace sonoria::twilio
