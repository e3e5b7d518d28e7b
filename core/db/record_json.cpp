#include "core/db/record_json.hpp"

#include <nlohmann/json.hpp>

namespace nlohmann {

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) j = *v;
    else j = nullptr;
  }
  static void from_json(const json& j, std::optional<T>& v) {
    if (j.is_null()) v.reset();
    else v = j.get<T>();
  }
};

template <>
struct adl_serializer<sonoria::db::TimePoint> {
  static void to_json(json& j, const sonoria::db::TimePoint& t) { j = t.time_since_epoch().count(); }
  static void from_json(const json& j, sonoria::db::TimePoint& t) {
    t = sonoria::db::TimePoint(std::chrono::milliseconds(j.get<int64_t>()));
  }
};

}  // namespace nlohmann

namespace sonoria::db {

// Every field, by name; a missing field is an error (strict), so a torn or foreign line is refused.
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallOpened, call_sid, organization_id, direction, from_number, to_number, status,
                                   started_at, end_reason, test_by)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallAnswered, call_sid, stream_sid, answered_at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallStatusReport, call_sid, twilio_status, sequence, duration_s, answered_by, at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Usage, input_tokens, output_tokens, input_audio_tokens, output_audio_tokens,
                                   cached_tokens)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(EngineTime, engine, ms)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallFinished, call_sid, status, end_reason, ended_at, duration_ms, turns,
                                   interruptions, tool_calls, frames_in, frames_out, usage, greeting_latency_ms,
                                   turn_latencies_ms, engines, reopened, stages, drops)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(TranscriptEntry, call_sid, sequence, offset_ms, speaker, text, generated_text,
                                   interrupted, item_id, stage)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallEvent, call_sid, at, offset_ms, kind, name, detail_json)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(WebhookAttempt, id, status, attempts, last_status, last_error, payload,
                                   next_attempt_at, at)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallSummarized, call_sid, summary_json)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(MessageRecord, organization_id, call_sid, message_sid, purpose, from_number,
                                   to_number, body, status, error_code, error_message, at, intent)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(CallRecorded, call_sid, path, duration_ms)

namespace {

// The names a journal line carries, in the variant's order (a new record type goes at the end).
constexpr const char* k_names[] = {"CallOpened",     "CallAnswered",   "CallStatusReport", "CallFinished",
                                   "TranscriptEntry", "CallEvent",     "WebhookAttempt",   "CallSummarized",
                                   "MessageRecord",  "CallRecorded"};
static_assert(std::size(k_names) == std::variant_size_v<Record>);

template <std::size_t I = 0>
std::optional<Record> parse_as(std::string_view name, const nlohmann::json& body) {
  if constexpr (I == std::variant_size_v<Record>) {
    return std::nullopt;
  } else {
    if (name == k_names[I]) return Record(std::in_place_index<I>, body.get<std::variant_alternative_t<I, Record>>());
    return parse_as<I + 1>(name, body);
  }
}

}  // namespace

std::string record_to_json(const Record& record) {
  nlohmann::json line;
  line["type"] = k_names[record.index()];
  std::visit([&](const auto& r) { line["record"] = r; }, record);
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<Record> record_from_json(std::string_view line) {
  try {
    const auto parsed = nlohmann::json::parse(line);
    if (!parsed.is_object() || !parsed.contains("type") || !parsed.contains("record")) return std::nullopt;
    return parse_as(parsed["type"].get<std::string>(), parsed["record"]);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace sonoria::db
