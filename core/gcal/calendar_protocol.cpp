#include "core/gcal/calendar_protocol.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <nlohmann/json.hpp>

#include <chrono>

#include "core/db/timestamp.hpp"

namespace sonoria::gcal {
namespace {

using nlohmann::json;

std::string encoded(std::string_view text) { return boost::urls::encode(text, boost::urls::unreserved_chars); }

std::optional<int> two_digits(std::string_view text) {
  if (text.size() != 2 || text[0] < '0' || text[0] > '9' || text[1] < '0' || text[1] > '9') return std::nullopt;
  return (text[0] - '0') * 10 + (text[1] - '0');
}

// RFC 3339 as Google writes it: "2026-12-07T14:00:00Z" or with an offset, "…T09:00:00-05:00";
// fractions of a second are ignored. Anything else is nullopt.
std::optional<int64_t> unix_of(const json& value) {
  if (!value.is_string()) return std::nullopt;
  const std::string text = value.get<std::string>();
  if (text.size() < 20) return std::nullopt;
  const auto t = db::parse_timestamp(text.substr(0, 19) + "Z");
  if (!t) return std::nullopt;
  int64_t s = std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
  std::string_view zone = std::string_view(text).substr(19);
  if (!zone.empty() && zone.front() == '.') {
    const auto end = zone.find_first_not_of("0123456789", 1);
    zone = end == std::string_view::npos ? std::string_view() : zone.substr(end);
  }
  if (zone == "Z") return s;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return std::nullopt;
  const auto hours = two_digits(zone.substr(1, 2));
  const auto minutes = two_digits(zone.substr(4, 2));
  if (!hours || !minutes) return std::nullopt;
  return s - (zone[0] == '+' ? 1 : -1) * (*hours * 3600 + *minutes * 60);
}

std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string rfc3339(int64_t unix_s) {
  // "2026-12-07T14:00:00.000Z" without the milliseconds.
  return db::format_timestamp(db::TimePoint{std::chrono::seconds{unix_s}}).substr(0, 19) + "Z";
}

std::string freebusy_url(std::string_view api_url) { return std::string(api_url) + "/freeBusy"; }

std::string freebusy_body(const std::vector<std::string>& calendar_ids, int64_t from, int64_t to, std::string_view zone) {
  json items = json::array();
  for (const auto& id : calendar_ids) items.push_back({{"id", id}});
  return json{{"timeMin", rfc3339(from)}, {"timeMax", rfc3339(to)}, {"timeZone", zone}, {"items", items}}.dump();
}

std::optional<FreeBusy> read_freebusy(std::string_view body) try {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("calendars") || !j["calendars"].is_object()) return std::nullopt;
  FreeBusy out;
  for (const auto& [id, calendar] : j["calendars"].items()) {
    if (!calendar.is_object()) return std::nullopt;
    if (auto errors = calendar.find("errors"); errors != calendar.end() && errors->is_array() && !errors->empty()) {
      const std::string reason = text_of((*errors)[0], "reason");
      out.errors[id] = reason.empty() ? "error" : reason;
      continue;
    }
    auto& intervals = out.busy[id];
    if (auto busy = calendar.find("busy"); busy != calendar.end() && busy->is_array()) {
      for (const auto& b : *busy) {
        if (!b.is_object()) return std::nullopt;
        const auto from = unix_of(b.contains("start") ? b["start"] : json());
        const auto to = unix_of(b.contains("end") ? b["end"] : json());
        if (!from || !to) return std::nullopt;
        intervals.push_back({*from, *to});
      }
    }
  }
  return out;
} catch (const std::exception&) {
  // Whatever shape Google (or something in between) answered with, it is not a freeBusy answer.
  return std::nullopt;
}

std::string events_url(std::string_view api_url, std::string_view calendar_id, std::string_view event_id) {
  std::string url = std::string(api_url) + "/calendars/" + encoded(calendar_id) + "/events";
  if (!event_id.empty()) url += "/" + encoded(event_id);
  return url;
}

std::string event_id_for(std::string_view reference) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string id = "sonoria";
  for (unsigned char c : reference) {
    id += k_hex[c >> 4];
    id += k_hex[c & 0xF];
  }
  return id;
}

std::string event_body(const org::Profile& profile, const db::Appointment& a, bool with_id) {
  std::string description = "Booked by phone with " + profile.assistant.name + " (sonoria).\nCustomer: " +
                            a.customer_name + " " + a.customer_phone + "\nReference: " + a.reference;
  if (!a.team_member.empty()) description += "\nWith: " + a.team_member;
  json event = {{"summary", a.service + " – " + a.customer_name},
                {"description", description},
                {"start", {{"dateTime", rfc3339(a.starts_at)}, {"timeZone", profile.organization.timezone}}},
                {"end", {{"dateTime", rfc3339(a.ends_at)}, {"timeZone", profile.organization.timezone}}},
                {"extendedProperties", {{"private", {{"sonoria_reference", a.reference}}}}}};
  if (with_id) event["id"] = event_id_for(a.reference);
  for (const auto& l : profile.organization.locations)
    if (l.name == a.location) event["location"] = l.address.empty() ? l.name : l.name + ", " + l.address;
  return event.dump(-1, ' ', false, json::error_handler_t::replace);
}

bool GoogleError::retryable() const {
  return status == 0 || status == 429 || status >= 500 ||
         (status == 403 && (reason == "rateLimitExceeded" || reason == "userRateLimitExceeded"));
}

std::string GoogleError::explain() const {
  if (status == 0) return "Google Calendar could not be reached (" + message + ")";
  if (status == 401) return "Google did not accept sonoria's sign-in (check the service account key)";
  if (retryable()) return "Google Calendar is busy or failing right now (HTTP " + std::to_string(status) + ")";
  if (status == 403) return "the calendar is not shared with sonoria's service account (share it with the account's client_email)";
  if (status == 404) return "the calendar does not exist (check calendar_id in the profile)";
  if (status == 409) return "the appointment is already in the calendar";
  if (status == 410) return "the event was already deleted";
  return "Google Calendar refused the request (HTTP " + std::to_string(status) + (message.empty() ? "" : ": " + message) + ")";
}

GoogleError read_google_error(int status, std::string_view body) {
  GoogleError error;
  error.status = status;
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("error")) return error;
  const json& e = j["error"];
  if (e.is_object()) {
    error.message = text_of(e, "message");
    if (auto errors = e.find("errors"); errors != e.end() && errors->is_array() && !errors->empty())
      error.reason = text_of((*errors)[0], "reason");
    if (error.reason.empty()) error.reason = text_of(e, "status");
  } else if (e.is_string()) {
    error.reason = e.get<std::string>();  // the token endpoint: {"error":"invalid_grant"}
    error.message = text_of(j, "error_description");
  }
  return error;
}

}  // namespace sonoria::gcal
