#include "core/org/profile_json.hpp"

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/org/time_text.hpp"

namespace sonoria::org {
namespace {

using nlohmann::json;

// A wrong-typed value deep inside a profile; each level adds its key on the way out so the
// final message holds the whole path.
class JsonPathError : public DataError {
 public:
  JsonPathError(std::string path, std::string problem)
      : DataError(path.empty() ? problem : path + ": " + problem), path_(std::move(path)), problem_(std::move(problem)) {}
  const std::string& path() const { return path_; }
  const std::string& problem() const { return problem_; }

 private:
  std::string path_;
  std::string problem_;
};

// "[json.exception.type_error.302] type must be string, but is number" → the part after "] ".
std::string plain(const json::exception& error) {
  std::string text = error.what();
  const auto cut = text.find("] ");
  return cut == std::string::npos ? text : text.substr(cut + 2);
}

// Runs read(), putting `step` ("name", "[2]") in front of the path of any error it throws.
template <class Read>
void within(std::string_view step, Read read) {
  const auto joined = [&](const std::string& inner) {
    if (inner.empty()) return std::string(step);
    return std::string(step) + (inner.front() == '[' ? "" : ".") + inner;
  };
  try {
    read();
  } catch (const JsonPathError& error) {
    throw JsonPathError(joined(error.path()), error.problem());
  } catch (const json::exception& error) {
    throw JsonPathError(std::string(step), plain(error));
  }
}

template <class T>
void read(const json& j, std::string_view key, T& out) {
  if (!j.is_object()) throw JsonPathError("", "type must be object, but is " + std::string(j.type_name()));
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  within(key, [&] { it->get_to(out); });
}

// Like read, for arrays, so an element's index appears in the path.
template <class T>
void read_list(const json& j, std::string_view key, std::vector<T>& out) {
  if (!j.is_object()) throw JsonPathError("", "type must be object, but is " + std::string(j.type_name()));
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  within(key, [&] {
    if (!it->is_array()) throw JsonPathError("", "type must be array, but is " + std::string(it->type_name()));
    out.clear();
    for (std::size_t i = 0; i < it->size(); ++i) {
      within("[" + std::to_string(i) + "]", [&] { out.push_back((*it)[i].template get<T>()); });
    }
  });
}

}  // namespace


void to_json(json& j, const OwnerContact& v) {
  j = json{{"name", v.name}, {"phone", v.phone}, {"email", v.email}};
}
void from_json(const json& j, OwnerContact& v) {
  read(j, "name", v.name);
  read(j, "phone", v.phone);
  read(j, "email", v.email);
}

void to_json(json& j, const Organization& v) {
  j = json{{"slug", v.slug},
           {"name", v.name},
           {"industry", v.industry},
           {"timezone", v.timezone},
           {"country", v.country},
           {"phone_numbers", v.phone_numbers},
           {"locations", v.locations},
           {"booking_url", v.booking_url},
           {"portal_url", v.portal_url},
           {"website", v.website},
           {"owner", v.owner}};
}
void from_json(const json& j, Organization& v) {
  read(j, "slug", v.slug);
  read(j, "name", v.name);
  read(j, "industry", v.industry);
  read(j, "timezone", v.timezone);
  read(j, "country", v.country);
  read_list(j, "phone_numbers", v.phone_numbers);
  read_list(j, "locations", v.locations);
  read(j, "booking_url", v.booking_url);
  read(j, "portal_url", v.portal_url);
  read(j, "website", v.website);
  read(j, "owner", v.owner);
}

void to_json(json& j, const VadSettings& v) {
  j = json{{"threshold", v.threshold},
           {"prefix_padding_ms", v.prefix_padding_ms},
           {"silence_duration_ms", v.silence_duration_ms}};
}
void from_json(const json& j, VadSettings& v) {
  read(j, "threshold", v.threshold);
  read(j, "prefix_padding_ms", v.prefix_padding_ms);
  read(j, "silence_duration_ms", v.silence_duration_ms);
}

void to_json(json& j, const EngineOptions& v) {
  j = json{{"voice", v.voice}, {"model", v.model}, {"listen_model", v.listen_model}};
}
void from_json(const json& j, EngineOptions& v) {
  read(j, "voice", v.voice);
  read(j, "model", v.model);
  read(j, "listen_model", v.listen_model);
}

void to_json(json& j, const Assistant& v) {
  j = json{{"name", v.name},
           {"engines", v.engines},
           {"voice", v.voice},
           {"greeting", v.greeting},
           {"model", v.model},
           {"temperature", v.temperature},
           {"language", v.language},
           {"personality", v.personality},
           {"voicemail_message", v.voicemail_message},
           {"transfer_digit", v.transfer_digit},
           {"record_calls", v.record_calls},
           {"recording_notice", v.recording_notice},
           {"vad", v.vad},
           {"openai", v.openai},
           {"deepgram", v.deepgram},
           {"ultravox", v.ultravox}};
}
void from_json(const json& j, Assistant& v) {
  read(j, "name", v.name);
  read_list(j, "engines", v.engines);
  read(j, "voice", v.voice);
  read(j, "greeting", v.greeting);
  read(j, "model", v.model);
  read(j, "temperature", v.temperature);
  read(j, "language", v.language);
  read(j, "personality", v.personality);
  read(j, "voicemail_message", v.voicemail_message);
  read(j, "transfer_digit", v.transfer_digit);
  read(j, "record_calls", v.record_calls);
  read(j, "recording_notice", v.recording_notice);
  read(j, "vad", v.vad);
  read(j, "openai", v.openai);
  read(j, "deepgram", v.deepgram);
  read(j, "ultravox", v.ultravox);
}

void to_json(json& j, const Service& v) {
  j = json{{"name", v.name},
           {"duration_minutes", v.duration_minutes},
           {"price_cents", v.price_cents},
           {"currency", v.currency},
           {"description", v.description}};
}
void from_json(const json& j, Service& v) {
  read(j, "name", v.name);
  read(j, "duration_minutes", v.duration_minutes);
  read(j, "price_cents", v.price_cents);
  read(j, "currency", v.currency);
  read(j, "description", v.description);
}

void to_json(json& j, const AddOn& v) {
  j = json{{"name", v.name}, {"price_cents", v.price_cents}, {"description", v.description}};
}
void from_json(const json& j, AddOn& v) {
  read(j, "name", v.name);
  read(j, "price_cents", v.price_cents);
  read(j, "description", v.description);
}

void to_json(json& j, const TimeRange& v) {
  j = json{{"open_minute", v.open_minute}, {"close_minute", v.close_minute}};
}
void from_json(const json& j, TimeRange& v) {
  read(j, "open_minute", v.open_minute);
  read(j, "close_minute", v.close_minute);
}

void to_json(json& j, const WeeklyHours& v) {
  j = json::object();
  for (int day = 0; day < 7; ++day) j[std::string(weekday_key(day))] = v.days[day];
}
void from_json(const json& j, WeeklyHours& v) {
  for (int day = 0; day < 7; ++day) read_list(j, weekday_key(day), v.days[day]);
}

void to_json(json& j, const Location& v) {
  j = json{{"name", v.name}, {"address", v.address}, {"phone", v.phone}, {"notes", v.notes},
           {"calendar_id", v.calendar_id}};
  if (v.hours) j["hours"] = *v.hours;
}
void from_json(const json& j, Location& v) {
  read(j, "name", v.name);
  read(j, "address", v.address);
  read(j, "phone", v.phone);
  read(j, "notes", v.notes);
  if (j.contains("hours") && !j["hours"].is_null()) {
    v.hours.emplace();
    read(j, "hours", *v.hours);
  }
  read(j, "calendar_id", v.calendar_id);
}

void to_json(json& j, const WorkShift& v) { j = json{{"location", v.location}, {"hours", v.hours}}; }
void from_json(const json& j, WorkShift& v) {
  read(j, "location", v.location);
  read(j, "hours", v.hours);
}

void to_json(json& j, const Closure& v) {
  j = json{{"from", v.from}, {"to", v.to}, {"reason", v.reason}};
}
void from_json(const json& j, Closure& v) {
  read(j, "from", v.from);
  read(j, "to", v.to);
  read(j, "reason", v.reason);
}

void to_json(json& j, const Faq& v) { j = json{{"question", v.question}, {"answer", v.answer}}; }
void from_json(const json& j, Faq& v) {
  read(j, "question", v.question);
  read(j, "answer", v.answer);
}

void to_json(json& j, const BookingRules& v) {
  j = json{{"mode", v.mode},
           {"slot_minutes", v.slot_minutes},
           {"buffer_minutes", v.buffer_minutes},
           {"reminder_hours", v.reminder_hours},
           {"min_notice_hours", v.min_notice_hours},
           {"max_advance_days", v.max_advance_days},
           {"cancellation_notice_hours", v.cancellation_notice_hours},
           {"policies", v.policies}};
}
void from_json(const json& j, BookingRules& v) {
  read(j, "mode", v.mode);
  read(j, "slot_minutes", v.slot_minutes);
  read(j, "buffer_minutes", v.buffer_minutes);
  read(j, "reminder_hours", v.reminder_hours);
  read(j, "min_notice_hours", v.min_notice_hours);
  read(j, "max_advance_days", v.max_advance_days);
  read(j, "cancellation_notice_hours", v.cancellation_notice_hours);
  read_list(j, "policies", v.policies);
}

void to_json(json& j, const TeamMember& v) {
  j = json{{"name", v.name},         {"role", v.role},         {"bio", v.bio},
           {"services", v.services}, {"schedule", v.schedule}, {"calendar_id", v.calendar_id}};
}
void from_json(const json& j, TeamMember& v) {
  read(j, "name", v.name);
  read(j, "role", v.role);
  read(j, "bio", v.bio);
  read_list(j, "services", v.services);
  read_list(j, "schedule", v.schedule);
  read(j, "calendar_id", v.calendar_id);
}

void to_json(json& j, const SmsTemplates& v) {
  j = json{{"booking", v.booking},           {"update", v.update},   {"cancel", v.cancel},
           {"notify_owner", v.notify_owner}, {"confirmation", v.confirmation}, {"changed", v.changed},
           {"cancelled", v.cancelled},       {"reminder", v.reminder}};
}
void from_json(const json& j, SmsTemplates& v) {
  read(j, "booking", v.booking);
  read(j, "update", v.update);
  read(j, "cancel", v.cancel);
  read(j, "notify_owner", v.notify_owner);
  read(j, "confirmation", v.confirmation);
  read(j, "changed", v.changed);
  read(j, "cancelled", v.cancelled);
  read(j, "reminder", v.reminder);
}

void to_json(json& j, const FallbackNumber& v) { j = json{{"name", v.name}, {"number", v.number}}; }
void from_json(const json& j, FallbackNumber& v) {
  read(j, "name", v.name);
  read(j, "number", v.number);
}

void to_json(json& j, const StageVoices& v) {
  j = json{{"openai", v.openai}, {"deepgram", v.deepgram}, {"ultravox", v.ultravox}};
}
void from_json(const json& j, StageVoices& v) {
  read(j, "openai", v.openai);
  read(j, "deepgram", v.deepgram);
  read(j, "ultravox", v.ultravox);
}

void to_json(json& j, const Stage& v) {
  j = json{{"name", v.name},       {"description", v.description}, {"instructions", v.instructions},
           {"start", v.start},     {"voice", v.voice},             {"voices", v.voices},
           {"next", v.next}};
  if (v.tools) j["tools"] = *v.tools;  // absent = every tool; [] = none
}
void from_json(const json& j, Stage& v) {
  read(j, "name", v.name);
  read(j, "description", v.description);
  read(j, "instructions", v.instructions);
  read(j, "start", v.start);
  read(j, "voice", v.voice);
  read(j, "voices", v.voices);
  if (j.contains("tools")) {
    v.tools.emplace();
    read_list(j, "tools", *v.tools);
  }
  read_list(j, "next", v.next);
}

void to_json(json& j, const HttpHeader& v) { j = json{{"name", v.name}, {"value", v.value}}; }
void from_json(const json& j, HttpHeader& v) {
  read(j, "name", v.name);
  read(j, "value", v.value);
}

void to_json(json& j, const HttpTool& v) {
  j = json{{"name", v.name},           {"description", v.description}, {"method", v.method},
           {"url", v.url},             {"parameters", v.parameters},   {"headers", v.headers},
           {"timeout_ms", v.timeout_ms}, {"retries", v.retries},        {"filler", v.filler}};
}
void from_json(const json& j, HttpTool& v) {
  read(j, "name", v.name);
  read(j, "description", v.description);
  read(j, "method", v.method);
  read(j, "url", v.url);
  read(j, "parameters", v.parameters);
  read_list(j, "headers", v.headers);
  read(j, "timeout_ms", v.timeout_ms);
  read(j, "retries", v.retries);
  read(j, "filler", v.filler);
}

void to_json(json& j, const Webhooks& v) {
  j = json{{"call_end_url", v.call_end_url},
           {"call_start_url", v.call_start_url},
           {"call_start_timeout_ms", v.call_start_timeout_ms}};
}
void from_json(const json& j, Webhooks& v) {
  read(j, "call_end_url", v.call_end_url);
  read(j, "call_start_url", v.call_start_url);
  read(j, "call_start_timeout_ms", v.call_start_timeout_ms);
}

void to_json(json& j, const Profile& v) {
  j = json{{"id", v.id},
           {"organization", v.organization},
           {"assistant", v.assistant},
           {"services", v.services},
           {"add_ons", v.add_ons},
           {"hours", v.hours},
           {"closures", v.closures},
           {"faqs", v.faqs},
           {"booking", v.booking},
           {"team", v.team},
           {"sms_templates", v.sms_templates},
           {"fallback_numbers", v.fallback_numbers},
           {"stages", v.stages},
           {"http_tools", v.http_tools},
           {"webhooks", v.webhooks}};
}
void from_json(const json& j, Profile& v) {
  read(j, "id", v.id);
  read(j, "organization", v.organization);
  read(j, "assistant", v.assistant);
  read_list(j, "services", v.services);
  read_list(j, "add_ons", v.add_ons);
  read(j, "hours", v.hours);
  read_list(j, "closures", v.closures);
  read_list(j, "faqs", v.faqs);
  read(j, "booking", v.booking);
  read_list(j, "team", v.team);
  read(j, "sms_templates", v.sms_templates);
  read_list(j, "fallback_numbers", v.fallback_numbers);
  read_list(j, "stages", v.stages);
  read_list(j, "http_tools", v.http_tools);
  read(j, "webhooks", v.webhooks);
}

std::string profile_to_json_text(const Profile& profile) {
  // Text from TOML files is valid UTF-8 already; anything else is replaced rather than thrown,
  // so storing a profile cannot fail halfway through a call.
  return json(profile).dump(-1, ' ', false, json::error_handler_t::replace);
}

Profile profile_from_json_text(std::string_view text, const std::string& source_name) {
  try {
    return json::parse(text).get<Profile>();
  } catch (const JsonPathError& error) {
    throw DataError(source_name + ": profile JSON: " + error.what());
  } catch (const json::exception& error) {
    throw DataError(source_name + ": profile JSON: " + plain(error));
  }
}

}  // namespace sonoria::org
