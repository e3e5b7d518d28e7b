#include "tests/fakes/fake_ultravox.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <deque>
#include <map>
#include <mutex>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string_view>

#include "tests/fakes/notifier.hpp"
#include "tests/fakes/peer_transport.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
using boost::system::error_code;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr int k_vad_threshold = 500;          // |sample| above this is voice
constexpr int k_vad_block_ms = 10;
constexpr int k_speech_start_blocks = 6;      // 60 ms of voice starts a user turn
constexpr double k_tone_hz = 440.0;
constexpr double k_tone_amplitude = 8000.0;   // same level as audio_samples' tones
constexpr milliseconds k_media_idle_floor{10000};  // "values below 10s will be treated as 10s"
constexpr const char* k_default_model = "ultravox-v0.7";
constexpr const char* k_generated_greeting = "Hello, how can I help?";

// ---- small utilities ------------------------------------------------------------------------

std::string iso_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 1000000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(micros));
  return buffer;
}

// A random (version 4) UUID, as Ultravox's callIds are.
std::string make_uuid() {
  std::string hex = make_sid("");
  hex[12] = '4';
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20);
}

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// 8-4-4-4-12 hex digits, or the 32 digits without dashes.
bool is_uuid(const std::string& text) {
  if (text.size() == 32) return std::all_of(text.begin(), text.end(), is_hex);
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !is_hex(text[i])) return false;
  }
  return true;
}

// `count` samples of the 440 Hz tone as s16le at `rate`, starting at sample `first` so that
// consecutive frames join without a click.
std::string pcm16_tone(std::int64_t count, int rate, std::int64_t first) {
  std::string out;
  out.reserve(static_cast<std::size_t>(std::max<std::int64_t>(0, count)) * 2);
  for (std::int64_t i = 0; i < count; ++i) {
    const double t = static_cast<double>(first + i) / rate;
    const auto value = static_cast<std::uint16_t>(
        static_cast<std::int16_t>(std::lround(k_tone_amplitude * std::sin(2.0 * std::numbers::pi * k_tone_hz * t))));
    out.push_back(static_cast<char>(value & 0xFF));
    out.push_back(static_cast<char>(value >> 8));
  }
  return out;
}

// Transcript deltas of three words each (with the whitespace that follows them), so that the
// deltas concatenate to exactly `text`.
std::vector<std::string> split_deltas(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  int words = 0;
  std::size_t i = 0;
  const auto space = [&](std::size_t at) { return std::isspace(static_cast<unsigned char>(text[at])) != 0; };
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && !space(i)) ++i;
    while (i < text.size() && space(i)) ++i;
    current += text.substr(start, i - start);
    if (++words == 3) {
      out.push_back(std::move(current));
      current.clear();
      words = 0;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

// The OpenAPI's duration pattern: ^-?(?:0|[1-9][0-9]{0,11})(?:\.[0-9]{1,9})?s$
bool is_duration(const json& value) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  std::size_t i = text.rfind('-', 0) == 0 ? 1 : 0;
  const std::size_t whole = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  const std::size_t whole_digits = i - whole;
  if (whole_digits == 0 || whole_digits > 12 || (whole_digits > 1 && text[whole] == '0')) return false;
  if (i < text.size() && text[i] == '.') {
    const std::size_t fraction = ++i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == fraction || i - fraction > 9) return false;
  }
  return i + 1 == text.size() && text[i] == 's';
}

// A protobuf duration string ("30s", "0.384s") in milliseconds; negative values count as zero.
milliseconds parse_duration(const json& value, milliseconds fallback) {
  if (!is_duration(value)) return fallback;
  const std::string& text = value.get_ref<const std::string&>();
  const double seconds = std::strtod(text.c_str(), nullptr);
  return milliseconds(std::max<std::int64_t>(0, std::llround(seconds * 1000.0)));
}

// ^[a-zA-Z0-9_-]{1,64}$
bool is_tool_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
}

// Present and not null: protobuf's JSON parser treats null as "unset".
bool present(const json& object, const char* key) {
  if (!object.is_object()) return false;
  auto it = object.find(key);
  return it != object.end() && !it->is_null();
}

bool is_integer(const json& value) {
  if (value.is_number_integer()) return true;
  if (value.is_number_float()) return std::floor(value.get<double>()) == value.get<double>();
  // protobuf's JSON mapping accepts int32 as a string too
  if (!value.is_string() || value.get_ref<const std::string&>().empty()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  return std::all_of(text.begin() + (text[0] == '-' ? 1 : 0), text.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }) &&
         text != "-";
}

std::int64_t as_integer(const json& value) {
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (value.is_number_float()) return static_cast<std::int64_t>(value.get<double>());
  if (value.is_string()) return std::strtoll(value.get_ref<const std::string&>().c_str(), nullptr, 10);
  return 0;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// ---- request validation (StartCallRequest, OpenAPI a86787a) ---------------------------------

using Path = std::vector<json>;  // field names and array indexes

Path sub(const Path& path, json segment) {
  Path out = path;
  out.push_back(std::move(segment));
  return out;
}

std::string path_text(const Path& path) {
  std::string out;
  for (const auto& segment : path) {
    if (segment.is_number()) {
      out += "[" + std::to_string(segment.get<std::int64_t>()) + "]";
    } else {
      if (!out.empty()) out += ".";
      out += segment.get<std::string>();
    }
  }
  return out;
}

struct FieldError {
  Path path;
  std::string message;
};
using Check = std::optional<FieldError>;

// DRF's shape: nested objects per field, a list with `{}` for valid items before the failing index,
// the messages as a list at the leaf.
json error_body(const FieldError& error) {
  json node = json::array({error.message});
  for (auto it = error.path.rbegin(); it != error.path.rend(); ++it) {
    if (it->is_number()) {
      json list = json::array();
      for (std::int64_t i = 0; i < it->get<std::int64_t>(); ++i) list.push_back(json::object());
      list.push_back(std::move(node));
      node = std::move(list);
    } else {
      node = json{{it->get<std::string>(), std::move(node)}};
    }
  }
  if (error.path.empty()) node = json{{"non_field_errors", std::move(node)}};
  return node;
}

enum class Kind { string, boolean, integer, number, duration, object, array, enumeration, string_map, any };

struct Field {
  std::string_view name;
  Kind kind;
  const std::vector<std::string_view>* values = nullptr;  // for enumerations
};

const std::vector<std::string_view> k_first_speakers = {"FIRST_SPEAKER_UNSPECIFIED", "FIRST_SPEAKER_AGENT",
                                                        "FIRST_SPEAKER_USER"};
const std::vector<std::string_view> k_message_media = {"MESSAGE_MEDIUM_UNSPECIFIED", "MESSAGE_MEDIUM_VOICE",
                                                       "MESSAGE_MEDIUM_TEXT"};
const std::vector<std::string_view> k_retention = {"CALL_RETENTION_POLICY_UNSPECIFIED", "CALL_RETENTION_POLICY_RETAIN",
                                                   "CALL_RETENTION_POLICY_AUTO_DELETE"};
const std::vector<std::string_view> k_roles = {"MESSAGE_ROLE_UNSPECIFIED", "MESSAGE_ROLE_USER", "MESSAGE_ROLE_AGENT",
                                               "MESSAGE_ROLE_TOOL_CALL", "MESSAGE_ROLE_TOOL_RESULT"};
const std::vector<std::string_view> k_end_behaviors = {"END_BEHAVIOR_UNSPECIFIED", "END_BEHAVIOR_HANG_UP_SOFT",
                                                       "END_BEHAVIOR_HANG_UP_STRICT"};
const std::vector<std::string_view> k_locations = {"PARAMETER_LOCATION_UNSPECIFIED", "PARAMETER_LOCATION_QUERY",
                                                   "PARAMETER_LOCATION_PATH", "PARAMETER_LOCATION_HEADER",
                                                   "PARAMETER_LOCATION_BODY"};
const std::vector<std::string_view> k_known_values = {
    "KNOWN_PARAM_UNSPECIFIED",     "KNOWN_PARAM_CALL_ID",         "KNOWN_PARAM_CONVERSATION_HISTORY",
    "KNOWN_PARAM_OUTPUT_SAMPLE_RATE", "KNOWN_PARAM_CALL_STATE",   "KNOWN_PARAM_CALL_STAGE_ID",
    "KNOWN_PARAM_THREAD_ID",       "KNOWN_PARAM_THREAD_STATES",   "KNOWN_PARAM_CALL_METADATA"};
const std::vector<std::string_view> k_reactions = {"AGENT_REACTION_UNSPECIFIED", "AGENT_REACTION_SPEAKS",
                                                   "AGENT_REACTION_LISTENS", "AGENT_REACTION_SPEAKS_ONCE"};

const std::vector<Field> k_start_call_fields = {
    {"systemPrompt", Kind::string},        {"temperature", Kind::number},
    {"model", Kind::string},               {"voice", Kind::string},
    {"externalVoice", Kind::object},       {"languageHint", Kind::string},
    {"initialMessages", Kind::array},      {"joinTimeout", Kind::duration},
    {"maxDuration", Kind::duration},       {"timeExceededMessage", Kind::string},
    {"inactivityMessages", Kind::array},   {"selectedTools", Kind::array},
    {"medium", Kind::object},              {"recordingEnabled", Kind::boolean},
    {"firstSpeaker", Kind::enumeration, &k_first_speakers},
    {"transcriptOptional", Kind::boolean},
    {"initialOutputMedium", Kind::enumeration, &k_message_media},
    {"vadSettings", Kind::object},         {"firstSpeakerSettings", Kind::object},
    {"experimentalSettings", Kind::object}, {"metadata", Kind::string_map},
    {"initialState", Kind::object},        {"dataConnection", Kind::object},
    {"callbacks", Kind::object},           {"voiceOverrides", Kind::object},
    {"retentionPolicy", Kind::enumeration, &k_retention},
    {"sharedSecrets", Kind::array}};

const std::vector<Field> k_medium_fields = {{"webRtc", Kind::object}, {"twilio", Kind::object},
                                            {"serverWebSocket", Kind::object}, {"telnyx", Kind::object},
                                            {"plivo", Kind::object},  {"exotel", Kind::object},
                                            {"sip", Kind::object}};

const std::vector<Field> k_web_socket_fields = {{"inputSampleRate", Kind::integer},
                                                {"outputSampleRate", Kind::integer},
                                                {"clientBufferSizeMs", Kind::integer},
                                                {"dataMessages", Kind::object},
                                                {"mediaIdleTimeout", Kind::duration}};

const std::vector<Field> k_data_message_fields = {
    {"pong", Kind::boolean},         {"state", Kind::boolean},       {"transcript", Kind::boolean},
    {"clientToolInvocation", Kind::boolean}, {"dataConnectionToolInvocation", Kind::boolean},
    {"playbackClearBuffer", Kind::boolean},  {"callStarted", Kind::boolean},
    {"debug", Kind::boolean},        {"callEvent", Kind::boolean},   {"toolUsed", Kind::boolean},
    {"userStartedSpeaking", Kind::boolean},  {"userStoppedSpeaking", Kind::boolean},
    {"invokingTool", Kind::boolean}};

const std::vector<Field> k_first_speaker_fields = {{"user", Kind::object}, {"agent", Kind::object}};
const std::vector<Field> k_agent_greeting_fields = {{"uninterruptible", Kind::boolean}, {"text", Kind::string},
                                                    {"prompt", Kind::string}, {"delay", Kind::duration}};
const std::vector<Field> k_user_greeting_fields = {{"fallback", Kind::object}};
const std::vector<Field> k_fallback_fields = {{"delay", Kind::duration}, {"text", Kind::string},
                                              {"prompt", Kind::string}};

const std::vector<Field> k_selected_tool_fields = {
    {"toolId", Kind::string},       {"toolName", Kind::string},      {"temporaryTool", Kind::object},
    {"nameOverride", Kind::string}, {"descriptionOverride", Kind::string}, {"authTokens", Kind::string_map},
    {"parameterOverrides", Kind::object}, {"transitionId", Kind::string}};

const std::vector<Field> k_tool_definition_fields = {
    {"modelToolName", Kind::string},      {"description", Kind::string},
    {"dynamicParameters", Kind::array},   {"staticParameters", Kind::array},
    {"automaticParameters", Kind::array}, {"requirements", Kind::object},
    {"timeout", Kind::duration},          {"precomputable", Kind::boolean},
    {"http", Kind::object},               {"client", Kind::object},
    {"dataConnection", Kind::object},     {"defaultReaction", Kind::enumeration, &k_reactions},
    {"staticResponse", Kind::object}};

const std::vector<Field> k_http_tool_fields = {{"baseUrlPattern", Kind::string}, {"httpMethod", Kind::string}};
const std::vector<Field> k_no_fields = {};
const std::vector<Field> k_static_response_fields = {{"responseText", Kind::string}};
const std::vector<Field> k_dynamic_parameter_fields = {{"name", Kind::string},
                                                       {"location", Kind::enumeration, &k_locations},
                                                       {"schema", Kind::object},
                                                       {"required", Kind::boolean}};
const std::vector<Field> k_static_parameter_fields = {{"name", Kind::string},
                                                      {"location", Kind::enumeration, &k_locations},
                                                      {"value", Kind::any}};
const std::vector<Field> k_automatic_parameter_fields = {{"name", Kind::string},
                                                         {"location", Kind::enumeration, &k_locations},
                                                         {"knownValue", Kind::enumeration, &k_known_values}};

const std::vector<Field> k_message_fields = {
    {"role", Kind::enumeration, &k_roles}, {"text", Kind::string},
    {"invocationId", Kind::string},        {"toolName", Kind::string},
    {"errorDetails", Kind::string},        {"medium", Kind::enumeration, &k_message_media},
    {"callStageMessageIndex", Kind::integer}, {"callStageId", Kind::string},
    {"callState", Kind::object},           {"timespan", Kind::object},
    {"wallClockTimespan", Kind::object},   {"metadata", Kind::object}};

const std::vector<Field> k_timed_message_fields = {{"duration", Kind::duration}, {"message", Kind::string},
                                                   {"endBehavior", Kind::enumeration, &k_end_behaviors}};

const std::vector<Field> k_vad_fields = {{"turnEndpointDelay", Kind::duration},
                                         {"minimumTurnDuration", Kind::duration},
                                         {"minimumInterruptionDuration", Kind::duration},
                                         {"frameActivationThreshold", Kind::number}};

const std::set<std::string> k_builtin_tools = {"hangUp", "queryCorpus", "leaveVoicemail", "playDtmfSounds",
                                               "coldTransfer"};

// Unknown keys and value types of one object.
Check check_fields(const json& object, const std::vector<Field>& fields, const Path& path) {
  if (!object.is_object()) {
    return FieldError{path, std::string("Invalid data. Expected a dictionary, but got ") + object.type_name() + "."};
  }
  for (const auto& [key, value] : object.items()) {
    auto spec = std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.name == key; });
    const Path here = sub(path, key);
    if (spec == fields.end()) return FieldError{here, "Unknown field."};
    if (value.is_null()) continue;
    switch (spec->kind) {
      case Kind::string:
        if (!value.is_string()) return FieldError{here, "Not a valid string."};
        break;
      case Kind::boolean:
        if (!value.is_boolean()) return FieldError{here, "Must be a valid boolean."};
        break;
      case Kind::integer:
        if (!is_integer(value)) return FieldError{here, "A valid integer is required."};
        break;
      case Kind::number:
        if (!value.is_number()) return FieldError{here, "A valid number is required."};
        break;
      case Kind::duration:
        if (!is_duration(value)) return FieldError{here, "Invalid duration: expected seconds with an \"s\" suffix, e.g. \"30s\"."};
        break;
      case Kind::object:
        if (!value.is_object()) return FieldError{here, "Expected an object."};
        break;
      case Kind::array:
        if (!value.is_array()) return FieldError{here, std::string("Expected a list of items but got type \"") + value.type_name() + "\"."};
        break;
      case Kind::enumeration: {
        const bool known = value.is_string() && std::find(spec->values->begin(), spec->values->end(),
                                                          value.get_ref<const std::string&>()) != spec->values->end();
        if (!known) return FieldError{here, "\"" + (value.is_string() ? value.get<std::string>() : value.dump()) + "\" is not a valid choice."};
        break;
      }
      case Kind::string_map:
        if (!value.is_object()) return FieldError{here, "Expected an object."};
        for (const auto& [name, entry] : value.items()) {
          if (!entry.is_string()) return FieldError{sub(here, name), "Not a valid string."};
        }
        break;
      case Kind::any:
        break;
    }
  }
  return std::nullopt;
}

Check check_data_messages(const json& medium_details, const Path& path) {
  if (!present(medium_details, "dataMessages")) return std::nullopt;
  return check_fields(medium_details["dataMessages"], k_data_message_fields, sub(path, "dataMessages"));
}

Check check_medium(const json& medium, const Path& path) {
  if (auto error = check_fields(medium, k_medium_fields, path)) return error;
  int set = 0;
  for (const auto& field : k_medium_fields) set += present(medium, std::string(field.name).c_str()) ? 1 : 0;
  if (set > 1) return FieldError{path, "At most one call medium may be set."};
  if (present(medium, "webRtc")) {
    const Path here = sub(path, "webRtc");
    if (auto error = check_fields(medium["webRtc"], {{"dataMessages", Kind::object}}, here)) return error;
    if (auto error = check_data_messages(medium["webRtc"], here)) return error;
  }
  if (present(medium, "serverWebSocket")) {
    const json& ws = medium["serverWebSocket"];
    const Path here = sub(path, "serverWebSocket");
    if (auto error = check_fields(ws, k_web_socket_fields, here)) return error;
    if (!present(ws, "inputSampleRate")) return FieldError{sub(here, "inputSampleRate"), "This field is required."};
    for (const char* key : {"inputSampleRate", "outputSampleRate"}) {
      if (present(ws, key) && as_integer(ws[key]) <= 0) {
        return FieldError{sub(here, key), "Ensure this value is greater than 0."};
      }
    }
    if (present(ws, "clientBufferSizeMs") && as_integer(ws["clientBufferSizeMs"]) < 0) {
      return FieldError{sub(here, "clientBufferSizeMs"), "Ensure this value is greater than or equal to 0."};
    }
    if (auto error = check_data_messages(ws, here)) return error;
  }
  return std::nullopt;
}

Check check_first_speaker(const json& settings, const json& request, const Path& path) {
  if (auto error = check_fields(settings, k_first_speaker_fields, path)) return error;
  const bool user = present(settings, "user");
  const bool agent = present(settings, "agent");
  if (user == agent) return FieldError{path, "Exactly one of user or agent must be set."};
  if (agent) {
    if (auto error = check_fields(settings["agent"], k_agent_greeting_fields, sub(path, "agent"))) return error;
  } else {
    const Path here = sub(path, "user");
    if (auto error = check_fields(settings["user"], k_user_greeting_fields, here)) return error;
    if (present(settings["user"], "fallback")) {
      if (auto error = check_fields(settings["user"]["fallback"], k_fallback_fields, sub(here, "fallback"))) return error;
    }
  }
  if (present(request, "firstSpeaker")) {
    const std::string legacy = request["firstSpeaker"].get<std::string>();
    if ((legacy == "FIRST_SPEAKER_AGENT" && user) || (legacy == "FIRST_SPEAKER_USER" && agent)) {
      return FieldError{Path{"firstSpeaker"}, "firstSpeaker and firstSpeakerSettings must match when both are set."};
    }
  }
  return std::nullopt;
}

Check check_parameters(const json& tool, const char* list, const std::vector<Field>& fields, bool body_only,
                       const Path& path) {
  if (!present(tool, list)) return std::nullopt;
  const json& parameters = tool[list];
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    const Path here = sub(sub(path, list), static_cast<std::int64_t>(i));
    if (auto error = check_fields(parameters[i], fields, here)) return error;
    if (!present(parameters[i], "name")) return FieldError{sub(here, "name"), "This field is required."};
    if (body_only && parameters[i].value("location", "") != "PARAMETER_LOCATION_BODY") {
      return FieldError{sub(here, "location"),
                        "Only body parameters are allowed for client and data connection tools."};
    }
  }
  return std::nullopt;
}

Check check_temporary_tool(const json& tool, const Path& path) {
  if (auto error = check_fields(tool, k_tool_definition_fields, path)) return error;
  if (!present(tool, "modelToolName")) return FieldError{sub(path, "modelToolName"), "This field is required."};
  if (!is_tool_name(tool["modelToolName"].get<std::string>())) {
    return FieldError{sub(path, "modelToolName"), "Tool names must match ^[a-zA-Z0-9_-]{1,64}$."};
  }
  const int implementations = (present(tool, "http") ? 1 : 0) + (present(tool, "client") ? 1 : 0) +
                              (present(tool, "dataConnection") ? 1 : 0);
  if (implementations != 1) {
    return FieldError{path, "Exactly one implementation (http, client or dataConnection) must be set."};
  }
  if (present(tool, "http")) {
    if (auto error = check_fields(tool["http"], k_http_tool_fields, sub(path, "http"))) return error;
    if (!present(tool["http"], "baseUrlPattern")) {
      return FieldError{sub(sub(path, "http"), "baseUrlPattern"), "This field is required."};
    }
  }
  if (present(tool, "client")) {
    if (auto error = check_fields(tool["client"], k_no_fields, sub(path, "client"))) return error;
  }
  if (present(tool, "dataConnection")) {
    if (auto error = check_fields(tool["dataConnection"], k_no_fields, sub(path, "dataConnection"))) return error;
  }
  if (present(tool, "staticResponse")) {
    if (auto error = check_fields(tool["staticResponse"], k_static_response_fields, sub(path, "staticResponse"))) return error;
  }
  const bool body_only = !present(tool, "http");
  if (auto error = check_parameters(tool, "dynamicParameters", k_dynamic_parameter_fields, body_only, path)) return error;
  if (auto error = check_parameters(tool, "staticParameters", k_static_parameter_fields, body_only, path)) return error;
  if (auto error = check_parameters(tool, "automaticParameters", k_automatic_parameter_fields, body_only, path)) return error;
  return std::nullopt;
}

// The name the model sees, or "" when only a stored tool id is known.
std::string model_tool_name(const json& selected) {
  if (present(selected, "nameOverride")) return selected["nameOverride"].get<std::string>();
  if (present(selected, "toolName")) return selected["toolName"].get<std::string>();
  if (present(selected, "temporaryTool")) return selected["temporaryTool"].value("modelToolName", "");
  return {};
}

Check check_selected_tools(const json& tools, const Path& path) {
  std::set<std::string> names;
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const Path here = sub(path, static_cast<std::int64_t>(i));
    const json& selected = tools[i];
    if (auto error = check_fields(selected, k_selected_tool_fields, here)) return error;
    const int kinds = (present(selected, "toolId") ? 1 : 0) + (present(selected, "toolName") ? 1 : 0) +
                      (present(selected, "temporaryTool") ? 1 : 0);
    if (kinds != 1) return FieldError{here, "Exactly one of toolId, toolName or temporaryTool must be set."};
    if (present(selected, "temporaryTool")) {
      if (auto error = check_temporary_tool(selected["temporaryTool"], sub(here, "temporaryTool"))) return error;
    }
    if (present(selected, "nameOverride") && !is_tool_name(selected["nameOverride"].get<std::string>())) {
      return FieldError{sub(here, "nameOverride"), "Tool names must match ^[a-zA-Z0-9_-]{1,64}$."};
    }
    const std::string name = model_tool_name(selected);
    if (name.empty()) continue;
    if (!names.insert(name).second) {
      return FieldError{here, "Duplicate tool name \"" + name + "\": model tool names must be unique within a call."};
    }
  }
  return std::nullopt;
}

Check check_list_items(const json& request, const char* key, const std::vector<Field>& fields) {
  if (!present(request, key)) return std::nullopt;
  const json& items = request[key];
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto error = check_fields(items[i], fields, Path{key, static_cast<std::int64_t>(i)})) return error;
  }
  return std::nullopt;
}

// The whole StartCallRequest (also used for new-stage definitions, which take most of its fields).
Check check_start_call(const json& request) {
  if (auto error = check_fields(request, k_start_call_fields, {})) return error;
  if (present(request, "temperature")) {
    const double temperature = request["temperature"].get<double>();
    if (temperature < 0 || temperature > 1) {
      return FieldError{Path{"temperature"}, "Ensure this value is between 0 and 1."};
    }
  }
  if (present(request, "languageHint") && request["languageHint"].get_ref<const std::string&>().size() > 16) {
    return FieldError{Path{"languageHint"}, "Ensure this field has no more than 16 characters."};
  }
  if (present(request, "voice") && present(request, "externalVoice")) {
    return FieldError{Path{"externalVoice"}, "Either voice or externalVoice may be set, but not both."};
  }
  if (present(request, "voiceOverrides") && !present(request, "voice")) {
    return FieldError{Path{"voiceOverrides"}, "voiceOverrides is only valid when voice is set."};
  }
  if (present(request, "metadata")) {
    for (const auto& [key, value] : request["metadata"].items()) {
      if (key.rfind("ultravox.", 0) == 0) {
        return FieldError{Path{"metadata", key}, "Keys starting with \"ultravox.\" are reserved."};
      }
    }
  }
  if (present(request, "sharedSecrets")) {
    const json& secrets = request["sharedSecrets"];
    for (std::size_t i = 0; i < secrets.size(); ++i) {
      if (!secrets[i].is_string()) return FieldError{Path{"sharedSecrets", static_cast<std::int64_t>(i)}, "Not a valid string."};
    }
  }
  if (present(request, "vadSettings")) {
    if (auto error = check_fields(request["vadSettings"], k_vad_fields, Path{"vadSettings"})) return error;
  }
  if (auto error = check_list_items(request, "initialMessages", k_message_fields)) return error;
  if (auto error = check_list_items(request, "inactivityMessages", k_timed_message_fields)) return error;
  if (present(request, "medium")) {
    if (auto error = check_medium(request["medium"], Path{"medium"})) return error;
  }
  if (present(request, "firstSpeakerSettings")) {
    if (auto error = check_first_speaker(request["firstSpeakerSettings"], request, Path{"firstSpeakerSettings"})) return error;
  }
  if (present(request, "selectedTools")) {
    if (auto error = check_selected_tools(request["selectedTools"], Path{"selectedTools"})) return error;
  }
  return std::nullopt;
}

// How the model's tool `name` is implemented in `tools` (selectedTools): "client", "http",
// "dataConnection", "builtin:<name>", "stored", or "" when no such tool was selected.
std::string tool_kind(const json& tools, const std::string& name) {
  if (!tools.is_array()) return {};
  for (const auto& selected : tools) {
    if (model_tool_name(selected) != name) continue;
    if (present(selected, "temporaryTool")) {
      const json& tool = selected["temporaryTool"];
      if (present(tool, "client")) return "client";
      if (present(tool, "http")) return "http";
      return "dataConnection";
    }
    if (present(selected, "toolName") && k_builtin_tools.count(selected["toolName"].get<std::string>())) {
      return "builtin:" + selected["toolName"].get<std::string>();
    }
    return "stored";
  }
  return {};
}

// ---- the call as created --------------------------------------------------------------------

// What the fake needs from the (effective) creation request to run the call.
struct CallSetup {
  json effective;                      // the request after priorCallId inheritance
  std::string call_id;
  std::string medium = "webRtc";
  int input_rate = 0;
  int output_rate = 0;
  std::map<std::string, bool> data_messages;
  std::optional<milliseconds> media_idle;
  milliseconds max_duration{3600000};
  milliseconds join_timeout{30000};
  std::string time_exceeded_message;
  bool agent_first = true;
  std::optional<std::string> greeting_text;
  bool greeting_uninterruptible = false;
  milliseconds greeting_delay{0};
  std::optional<milliseconds> fallback_delay;
  std::optional<std::string> fallback_text;
  json selected_tools = json::array();
  std::string output_medium = "voice";
  bool joined = false;
  bool ended = false;
};

CallSetup make_setup(const json& effective, const std::string& call_id) {
  CallSetup setup;
  setup.effective = effective;
  setup.call_id = call_id;
  const json medium = present(effective, "medium") ? effective["medium"] : json::object();
  for (const auto& [key, value] : medium.items()) {
    if (!value.is_null()) setup.medium = key;
  }
  // Defaults from the OpenAPI's EnabledDataMessages descriptions.
  setup.data_messages = {{"pong", true},          {"state", true},        {"transcript", true},
                         {"clientToolInvocation", true}, {"playbackClearBuffer", true}, {"callStarted", true},
                         {"debug", false}};
  if (setup.medium == "serverWebSocket") {
    const json& ws = medium["serverWebSocket"];
    setup.input_rate = static_cast<int>(as_integer(ws["inputSampleRate"]));
    setup.output_rate = present(ws, "outputSampleRate") ? static_cast<int>(as_integer(ws["outputSampleRate"]))
                                                        : setup.input_rate;
    if (present(ws, "dataMessages")) {
      for (const auto& [key, value] : ws["dataMessages"].items()) {
        if (value.is_boolean()) setup.data_messages[key] = value.get<bool>();
      }
    }
    if (present(ws, "mediaIdleTimeout")) setup.media_idle = parse_duration(ws["mediaIdleTimeout"], milliseconds(0));
  }
  if (present(effective, "maxDuration")) setup.max_duration = parse_duration(effective["maxDuration"], setup.max_duration);
  if (present(effective, "joinTimeout")) setup.join_timeout = parse_duration(effective["joinTimeout"], setup.join_timeout);
  setup.time_exceeded_message = present(effective, "timeExceededMessage") ? effective["timeExceededMessage"].get<std::string>() : "";

  json settings = present(effective, "firstSpeakerSettings") ? effective["firstSpeakerSettings"] : json(nullptr);
  if (settings.is_null()) {
    const bool user_first = effective.value("firstSpeaker", "") == "FIRST_SPEAKER_USER";
    settings = user_first ? json{{"user", json::object()}} : json{{"agent", json::object()}};
  }
  if (present(settings, "agent")) {
    const json& agent = settings["agent"];
    setup.agent_first = true;
    if (present(agent, "text")) setup.greeting_text = agent["text"].get<std::string>();
    setup.greeting_uninterruptible = present(agent, "uninterruptible") && agent["uninterruptible"].get<bool>();
    if (present(agent, "delay")) setup.greeting_delay = parse_duration(agent["delay"], milliseconds(0));
  } else {
    setup.agent_first = false;
    const json& user = settings["user"];
    if (present(user, "fallback")) {
      const json& fallback = user["fallback"];
      setup.fallback_delay = present(fallback, "delay") ? parse_duration(fallback["delay"], milliseconds(0)) : milliseconds(0);
      if (present(fallback, "text")) setup.fallback_text = fallback["text"].get<std::string>();
    }
  }
  if (present(effective, "selectedTools")) setup.selected_tools = effective["selectedTools"];
  if (effective.value("initialOutputMedium", "") == "MESSAGE_MEDIUM_TEXT") setup.output_medium = "text";
  return setup;
}

json value_or(const json& request, const char* key, json fallback) {
  return present(request, key) ? request[key] : fallback;
}

// The Call resource (OpenAPI `Call`) for a freshly created call.
json call_object(const json& effective, const CallSetup& setup, const std::string& join_url, const std::string& created) {
  json settings = present(effective, "firstSpeakerSettings")
                      ? effective["firstSpeakerSettings"]
                      : (setup.agent_first ? json{{"agent", json::object()}} : json{{"user", json::object()}});
  std::string output_medium = effective.value("initialOutputMedium", "MESSAGE_MEDIUM_VOICE");
  if (output_medium == "MESSAGE_MEDIUM_UNSPECIFIED") output_medium = "MESSAGE_MEDIUM_VOICE";
  json call = {{"callId", setup.call_id},
               {"clientVersion", nullptr},
               {"created", created},
               {"joined", nullptr},
               {"ended", nullptr},
               {"endReason", nullptr},
               {"billedDuration", nullptr},
               {"billedSideInputTokens", nullptr},
               {"billedSideOutputTokens", nullptr},
               {"billingStatus", "BILLING_STATUS_PENDING"},
               {"firstSpeaker", setup.agent_first ? "FIRST_SPEAKER_AGENT" : "FIRST_SPEAKER_USER"},
               {"firstSpeakerSettings", settings},
               {"inactivityMessages", value_or(effective, "inactivityMessages", json::array())},
               {"initialOutputMedium", output_medium},
               {"joinTimeout", value_or(effective, "joinTimeout", "30s")},
               {"joinUrl", join_url},
               {"languageHint", value_or(effective, "languageHint", nullptr)},
               {"maxDuration", value_or(effective, "maxDuration", "3600s")},
               {"medium", value_or(effective, "medium", json{{"webRtc", json::object()}})},
               {"model", value_or(effective, "model", k_default_model)},
               {"recordingEnabled", value_or(effective, "recordingEnabled", false)},
               {"systemPrompt", value_or(effective, "systemPrompt", nullptr)},
               {"temperature", value_or(effective, "temperature", 0)},
               {"timeExceededMessage", value_or(effective, "timeExceededMessage", nullptr)},
               {"voice", value_or(effective, "voice", nullptr)},
               {"transcriptOptional", value_or(effective, "transcriptOptional", true)},
               {"vadSettings", value_or(effective, "vadSettings", nullptr)},
               {"shortSummary", nullptr},
               {"summary", nullptr},
               {"agent", nullptr},
               {"agentId", nullptr},
               {"experimentalSettings", value_or(effective, "experimentalSettings", nullptr)},
               {"metadata", value_or(effective, "metadata", json::object())},
               {"initialState", value_or(effective, "initialState", json::object())},
               {"requestContext", nullptr},
               {"dataConnectionConfig", value_or(effective, "dataConnection", nullptr)},
               {"callbacks", value_or(effective, "callbacks", nullptr)},
               {"sipDetails", nullptr}};
  if (present(effective, "externalVoice")) call["externalVoice"] = effective["externalVoice"];
  if (present(effective, "voiceOverrides")) call["voiceOverrides"] = effective["voiceOverrides"];
  if (present(effective, "retentionPolicy")) call["retentionPolicy"] = effective["retentionPolicy"];
  return call;
}

json detail(const std::string& message) { return {{"detail", message}}; }

std::string fault_message(int status) {
  switch (status) {
    case 429: return "Request was throttled. Expected available in 1 second.";
    case 402: return "Payment required.";
    case 403: return "You do not have permission to perform this action.";
    case 500: return "A server error occurred.";
    case 502: return "Bad gateway.";
    case 503: return "Service temporarily unavailable, try again later.";
    default: return "Refused by the test (fault injection).";
  }
}

// The data-message flag that gates a server message type; "" = always sent.
const char* flag_for(const std::string& type) {
  if (type == "call_started") return "callStarted";
  if (type == "state") return "state";
  if (type == "transcript") return "transcript";
  if (type == "client_tool_invocation") return "clientToolInvocation";
  if (type == "playback_clear_buffer") return "playbackClearBuffer";
  if (type == "pong") return "pong";
  if (type == "debug") return "debug";
  return "";
}

// Text frames that carry audio: Twilio-style media messages, OpenAI-style appends, or any message
// with an audio payload. Audio must travel as binary frames (§7.3).
bool carries_audio(const json& message) {
  static const std::set<std::string> k_audio_types = {"media", "audio", "input_audio", "input_audio_buffer.append",
                                                      "user_audio", "audio_chunk"};
  const std::string type = message.contains("type") && message["type"].is_string() ? message["type"].get<std::string>() : "";
  return k_audio_types.count(type) > 0 || message.contains("audio") || message.contains("media") ||
         message.contains("payload");
}

struct RestAnswer {
  int status = 200;
  std::string body;
};

// What a join request gets.
struct JoinDecision {
  int status = 101;
  std::string body;
  int index = -1;
  CallSetup setup;
};

PeerResponse ultravox_response(int status, std::string body, bool keep_alive) {
  PeerResponse response;
  response.status = status;
  response.headers = {{"Server", "fake-ultravox"}, {"Content-Type", "application/json"}};
  response.body = std::move(body);
  response.keep_alive = keep_alive;
  return response;
}

}  // namespace

std::vector<json> UltravoxCallRecord::server_messages_of(const std::string& type) const {
  std::vector<json> found;
  for (const auto& message : server_messages) {
    if (message.value("type", "") == type) found.push_back(message);
  }
  return found;
}

std::size_t UltravoxCallRecord::client_message_count(const std::string& type) const {
  return static_cast<std::size_t>(std::count_if(client_messages.begin(), client_messages.end(), [&](const json& m) {
    return m.is_object() && m.contains("type") && m["type"].is_string() && m["type"] == type;
  }));
}

struct FakeUltravox::Impl {
  class Session;

  // First: destroyed last, with the sessions and timers that refer to the rest. An idle REST
  // connection is closed after 30 s.
  PeerServer server{std::chrono::seconds(30)};
  std::string api_key;

  mutable std::mutex mutex;
  Notifier notifier;
  std::deque<ScriptedReply> replies;
  ScriptedReply default_reply;
  std::deque<std::string> transcripts;
  int transcripts_used = 0;
  milliseconds silence_duration{500};
  std::optional<milliseconds> media_idle_override;
  UltravoxFaults faults;
  int refused_joins = 0;
  std::vector<UltravoxRestRequest> rest_requests;
  std::vector<UltravoxCallRecord> records;
  std::vector<CallSetup> setups;                   // parallel to records
  std::map<std::string, int> by_id;
  std::vector<std::weak_ptr<Session>> live;        // I/O thread only; by call index
  std::vector<std::shared_ptr<asio::steady_timer>> join_timers;  // I/O thread only

  std::string base() const { return "127.0.0.1:" + std::to_string(server.port()); }

  template <class Change>
  void update(int index, Change&& change) {
    {
      std::lock_guard lock(mutex);
      change(records.at(static_cast<std::size_t>(index)));
    }
    notifier.notify();
  }

  ScriptedReply next_reply() {
    std::lock_guard lock(mutex);
    if (replies.empty()) return default_reply;
    ScriptedReply reply = std::move(replies.front());
    replies.pop_front();
    return reply;
  }

  // The default reply's timing with another text, for what Ultravox generates itself.
  ScriptedReply generated(std::string text) const {
    std::lock_guard lock(mutex);
    ScriptedReply reply = default_reply;
    reply.text = std::move(text);
    reply.function_calls.clear();
    reply.fail_code.reset();
    return reply;
  }

  std::string next_transcript() {
    std::lock_guard lock(mutex);
    ++transcripts_used;
    if (transcripts.empty()) return "caller turn " + std::to_string(transcripts_used);
    std::string text = std::move(transcripts.front());
    transcripts.pop_front();
    return text;
  }

  UltravoxFaults current_faults() const {
    std::lock_guard lock(mutex);
    return faults;
  }

  milliseconds current_silence() const {
    std::lock_guard lock(mutex);
    return silence_duration;
  }

  std::optional<milliseconds> current_idle_override() const {
    std::lock_guard lock(mutex);
    return media_idle_override;
  }

  // Marks call `index` ended (the Call object too). Caller holds the mutex.
  void mark_ended(int index, const std::string& reason) {
    auto& record = records.at(static_cast<std::size_t>(index));
    setups.at(static_cast<std::size_t>(index)).ended = true;
    if (record.end_reason.empty()) record.end_reason = reason;
    if (record.call["ended"].is_null()) record.call["ended"] = iso_now();
    if (record.call["endReason"].is_null()) record.call["endReason"] = record.end_reason;
  }

  void serve(const PeerRequest& request, PeerExchange exchange);
  void join(const PeerRequest& request, PeerExchange exchange);
  RestAnswer handle_rest(const PeerRequest& request);
  RestAnswer create_call(const PeerRequest& request, const std::string& query, const UltravoxRestRequest& logged);
  JoinDecision decide_join(const PeerRequest& request);

  template <class Action>
  void with_live(int index, Action action);
};

// One joined call: the serverWebSocket protocol (§7.3, §7.4) on the fake's I/O thread.
class FakeUltravox::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl& impl, int index, CallSetup setup)
      : step_timer_(impl.server.executor()),
        idle_timer_(impl.server.executor()),
        max_timer_(impl.server.executor()),
        first_timer_(impl.server.executor()),
        impl_(impl),
        index_(index),
        setup_(std::move(setup)) {
    tools_ = setup_.selected_tools;
    output_medium_ = setup_.output_medium;
  }

  // Accepts the join's upgrade.
  void start(PeerExchange& exchange) {
    auto self = shared_from_this();
    socket_ = exchange.accept({}, {[self] { self->on_open(); },
                                   [self](std::string data, PeerFrame frame) {
                                     if (frame == PeerFrame::binary) self->handle_audio(data);
                                     else self->handle_text(data);
                                   },
                                   [self](int code, std::string) { self->on_closed(code); }});
  }

  void inject(std::string text) { enqueue(std::move(text), PeerFrame::text); }

  void close(bool abrupt, int code) {
    const std::string reason = !abrupt && code == 1000 ? "agent_hangup" : "system_error";
    if (abrupt) {
      set_end_reason(reason);
      drop();
    } else {
      end_call(static_cast<std::uint16_t>(code), reason);
    }
  }

 private:
  // ---- lifecycle ------------------------------------------------------------------------------

  void on_open() {
    send({{"type", "call_started"}, {"callId", setup_.call_id}});
    send_state("listening");
    arm_idle();
    max_timer_.expires_after(setup_.max_duration);
    max_timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
      if (!timer_ec) self->on_max_duration();
    });
    if (setup_.agent_first) {
      if (setup_.greeting_delay.count() > 0) {
        first_timer_.expires_after(setup_.greeting_delay);
        first_timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
          if (!timer_ec) self->greet(self->setup_.greeting_text);
        });
      } else {
        greet(setup_.greeting_text);
      }
    } else if (setup_.fallback_delay) {
      // The agent speaks first after all if the user has not started within the delay.
      first_timer_.expires_after(*setup_.fallback_delay);
      first_timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
        if (!timer_ec && !self->user_spoke_) self->greet(self->setup_.fallback_text);
      });
    }
  }

  void greet(const std::optional<std::string>& text) {
    Work work;
    work.reply = impl_.generated(text.value_or(k_generated_greeting));
    work.origin = "greeting";
    work.uninterruptible = setup_.greeting_uninterruptible;
    work_.push_back(std::move(work));
    pump();
  }

  void on_max_duration() {
    if (setup_.time_exceeded_message.empty()) {
      end_call(k_close_normal, "timeout");
      return;
    }
    abort_agent();
    work_.clear();
    Work work;
    work.reply = impl_.generated(setup_.time_exceeded_message);
    work.origin = "time_exceeded";
    work.uninterruptible = true;
    work.end_reason = "timeout";
    work_.push_back(std::move(work));
    pump();
  }

  // The call ends when no audio arrives for the (floored) mediaIdleTimeout.
  void arm_idle() {
    if (!setup_.media_idle || closing_ || finished_) return;
    const milliseconds timeout = impl_.current_idle_override().value_or(std::max(*setup_.media_idle, k_media_idle_floor));
    idle_timer_.expires_after(timeout);
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->end_call(k_close_normal, "connection_error");
    });
  }

  void set_end_reason(const std::string& reason) {
    if (!end_reason_.empty()) return;
    end_reason_ = reason;
    std::lock_guard lock(impl_.mutex);
    impl_.mark_ended(index_, reason);
  }

  void end_call(std::uint16_t code, const std::string& reason) {
    if (closing_ || finished_) return;
    set_end_reason(reason);
    impl_.notifier.notify();
    close_after_flush(code);
  }

  // `peer_code`: of the client's close frame, 0 if none came.
  void on_closed(int peer_code) {
    if (finished_) return;
    finished_ = true;
    cancel_timers();
    if (utterance_) mark_interrupted();
    // Our own close code, else the peer's.
    const int code = close_code_sent_ != 0 ? close_code_sent_ : peer_code;
    // The client hanging up is the normal end in Mode B; a TCP drop without a close frame is not.
    set_end_reason(code != 0 ? "hangup" : "connection_error");
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      r.closed = true;
      r.close_code = code;
    });
  }

  void cancel_timers() {
    step_timer_.cancel();
    idle_timer_.cancel();
    max_timer_.cancel();
    first_timer_.cancel();
  }

  void violation(const std::string& what) {
    impl_.update(index_, [&](UltravoxCallRecord& r) { r.violations.push_back(what); });
  }

  // ---- audio in and the VAD -------------------------------------------------------------------

  void handle_audio(const std::string& bytes) {
    const bool odd = bytes.size() % 2 != 0;
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      ++r.client_audio_frames;
      if (odd) {
        r.violations.push_back("binary frame of " + std::to_string(bytes.size()) +
                               " bytes: not whole s16le samples (dropped)");
      } else {
        r.received_pcm += bytes;
      }
    });
    if (odd || closing_ || finished_) return;
    arm_idle();
    const int block_samples = std::max(1, setup_.input_rate * k_vad_block_ms / 1000);
    silence_blocks_needed_ = std::max<std::int64_t>(1, impl_.current_silence().count() / k_vad_block_ms);
    for (std::size_t i = 0; i + 1 < bytes.size() && !closing_ && !finished_; i += 2) {
      const auto sample = static_cast<std::int16_t>(static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[i])) |
                                                    static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[i + 1]) << 8));
      block_peak_ = std::max(block_peak_, std::abs(static_cast<int>(sample)));
      if (++block_fill_ >= block_samples) {
        on_block(block_peak_ > k_vad_threshold);
        block_peak_ = 0;
        block_fill_ = 0;
      }
    }
  }

  void on_block(bool voiced) {
    if (!in_speech_) {
      if (!voiced) {
        voiced_blocks_ = 0;
      } else if (++voiced_blocks_ >= k_speech_start_blocks) {
        start_speech();
      }
      return;
    }
    if (voiced) {
      silent_blocks_ = 0;
    } else if (++silent_blocks_ >= silence_blocks_needed_) {
      end_speech();
    }
  }

  void start_speech() {
    in_speech_ = true;
    silent_blocks_ = 0;
    user_started();
    barge_in();
  }

  // The user spoke (or wrote) first: no fallback greeting any more.
  void user_started() {
    if (!user_spoke_ && !setup_.agent_first) first_timer_.cancel();
    user_spoke_ = true;
  }

  void end_speech() {
    in_speech_ = false;
    voiced_blocks_ = 0;
    silent_blocks_ = 0;
    user_turn(impl_.next_transcript(), "voice", "soon");
  }

  // A completed user utterance (voice or text): its transcript, then a reply unless "later".
  void user_turn(const std::string& text, const std::string& medium, const std::string& urgency) {
    user_started();
    send({{"type", "transcript"},
          {"role", "user"},
          {"medium", medium},
          {"text", text},
          {"final", true},
          {"ordinal", next_ordinal_++}});
    if (urgency == "later") return;
    Work work;
    work.user_reply = true;
    work.origin = "reply";
    if (urgency == "immediate") {
      work_.push_front(std::move(work));
      barge_in();
    } else {
      work_.push_back(std::move(work));
    }
    pump();
  }

  // ---- data messages from the client ----------------------------------------------------------

  void handle_text(const std::string& text) {
    json message = json::parse(text, nullptr, false);
    if (message.is_discarded() || !message.is_object()) {
      impl_.update(index_, [&](UltravoxCallRecord& r) {
        r.client_messages.push_back({{"unparsable", text.substr(0, 200)}});
        r.violations.push_back("text frame is not a JSON object: " + text.substr(0, 80));
      });
      return;
    }
    impl_.update(index_, [&](UltravoxCallRecord& r) { r.client_messages.push_back(message); });
    if (carries_audio(message)) {
      violation("audio sent in a JSON text frame (audio must be binary s16le frames); ignored");
      return;
    }
    if (!message.contains("type") || !message["type"].is_string()) {
      violation("data message without a string \"type\"; ignored");
      return;
    }
    if (closing_ || finished_) return;
    const std::string type = message["type"];
    if (type == "client_tool_result") handle_tool_result(message);
    else if (type == "user_text_message") handle_user_text(message);
    else if (type == "input_text_message") handle_input_text(message);
    else if (type == "forced_agent_message") handle_forced(message);
    else if (type == "hang_up") handle_hang_up(message);
    else if (type == "ping") handle_ping(message);
    else if (type == "set_output_medium") handle_output_medium(message);
    // Anything else (spawn_thread, opt-in or future types) is recorded above and ignored, as the
    // client must ignore unknown types too.
  }

  void handle_ping(const json& message) {
    if (!message.contains("timestamp") || !message["timestamp"].is_number()) {
      violation("ping without a numeric timestamp");
      return;
    }
    send({{"type", "pong"}, {"timestamp", message["timestamp"]}});
  }

  void handle_output_medium(const json& message) {
    const std::string medium = message.value("medium", "");
    if (medium != "voice" && medium != "text") {
      violation("set_output_medium with medium \"" + medium + "\" (voice or text)");
      return;
    }
    output_medium_ = medium;
  }

  void handle_user_text(const json& message) {
    if (!message.contains("text") || !message["text"].is_string()) {
      violation("user_text_message without a string text");
      return;
    }
    std::string urgency = message.value("urgency", "soon");
    if (urgency != "immediate" && urgency != "soon" && urgency != "later") {
      violation("user_text_message urgency \"" + urgency + "\" (immediate, soon or later)");
      return;
    }
    user_turn(message["text"].get<std::string>(), "text", urgency);
  }

  void handle_input_text(const json& message) {
    if (!message.contains("text") || !message["text"].is_string()) {
      violation("input_text_message without a string text");
      return;
    }
    const bool defer = message.contains("deferResponse") && message["deferResponse"].is_boolean() &&
                       message["deferResponse"].get<bool>();
    user_turn(message["text"].get<std::string>(), "text", defer ? "later" : "soon");
  }

  void handle_forced(const json& message) {
    const std::string content = message.contains("content") && message["content"].is_string() ? message["content"].get<std::string>() : "";
    Work work;
    work.reply = impl_.generated(content);
    work.origin = "forced";
    work.uninterruptible = message.contains("uninterruptible") && message["uninterruptible"].is_boolean() &&
                           message["uninterruptible"].get<bool>();
    if (message.contains("toolCalls") && message["toolCalls"].is_array()) {
      for (const auto& call : message["toolCalls"]) {
        if (!call.is_object() || !call.contains("name") || !call["name"].is_string()) {
          violation("forced_agent_message toolCalls item without a name");
          continue;
        }
        ScriptedFunctionCall scripted;
        scripted.name = call["name"].get<std::string>();
        scripted.arguments = call.contains("arguments") ? call["arguments"].dump() : "{}";
        scripted.call_id = call.contains("id") && call["id"].is_string() ? call["id"].get<std::string>() : "";
        work.reply.function_calls.push_back(std::move(scripted));
      }
    }
    if (message.contains("knownToolResults") && message["knownToolResults"].is_array()) {
      for (const auto& known : message["knownToolResults"]) {
        if (known.is_object() && known.contains("invocationId") && known["invocationId"].is_string()) {
          work.known_results.insert(known["invocationId"].get<std::string>());
        }
      }
    }
    if (message.value("urgency", "soon") == "immediate") {
      work_.push_front(std::move(work));
      barge_in();
    } else {
      work_.push_back(std::move(work));
    }
    pump();
  }

  void handle_hang_up(const json& message) {
    const std::string text = message.contains("message") && message["message"].is_string() ? message["message"].get<std::string>() : "";
    abort_agent();
    work_.clear();
    if (text.empty()) {
      end_call(k_close_normal, "hangup");
      return;
    }
    Work work;
    work.reply = impl_.generated(text);
    work.origin = "hang_up";
    work.uninterruptible = true;
    work.end_reason = "hangup";
    work_.push_back(std::move(work));
    pump();
  }

  void handle_tool_result(const json& message) {
    UltravoxToolResult result;
    result.message = message;
    std::vector<std::string> problems;
    if (message.contains("invocationId") && message["invocationId"].is_string()) {
      result.invocation_id = message["invocationId"].get<std::string>();
    } else {
      problems.push_back("client_tool_result without a string invocationId");
    }
    if (message.contains("result")) {
      if (message["result"].is_string()) result.result = message["result"].get<std::string>();
      else problems.push_back("client_tool_result result is not a string");
    }
    if (message.contains("responseType")) {
      result.response_type = message["responseType"].is_string() ? message["responseType"].get<std::string>() : "?";
      if (result.response_type != "tool-response" && result.response_type != "hang-up" &&
          result.response_type != "new-stage") {
        problems.push_back("client_tool_result responseType \"" + result.response_type + "\"");
      }
    }
    if (message.contains("agentReaction")) {
      result.agent_reaction = message["agentReaction"].is_string() ? message["agentReaction"].get<std::string>() : "?";
      if (result.agent_reaction != "speaks" && result.agent_reaction != "listens" &&
          result.agent_reaction != "speaks-once") {
        problems.push_back("client_tool_result agentReaction \"" + result.agent_reaction + "\"");
      }
    }
    if (message.contains("errorType")) {
      result.error_type = message["errorType"].is_string() ? message["errorType"].get<std::string>() : "?";
      if (*result.error_type != "undefined" && *result.error_type != "implementation-error") {
        problems.push_back("client_tool_result errorType \"" + *result.error_type + "\"");
      }
    }
    if (message.contains("errorMessage") && message["errorMessage"].is_string()) {
      result.error_message = message["errorMessage"].get<std::string>();
    }
    if (result.result && result.error_type) problems.push_back("client_tool_result carries both result and errorType");
    if (problems.empty() && (!run_ || run_->pending_invocation.empty() || run_->pending_invocation != result.invocation_id)) {
      problems.push_back("client_tool_result for invocation \"" + result.invocation_id + "\", which is not pending");
    }
    result.accepted = problems.empty();

    std::optional<json> stage;
    if (result.accepted && result.response_type == "new-stage") {
      json parsed = result.result ? json::parse(*result.result, nullptr, false) : json(nullptr);
      if (parsed.is_discarded() || !parsed.is_object()) {
        problems.push_back("new-stage result is not a JSON object; treated as a plain tool response");
      } else if (auto error = check_start_call(parsed)) {
        problems.push_back("new-stage definition refused: " + path_text(error->path) + ": " + error->message);
      } else {
        stage = parsed;
      }
    }
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      r.tool_results.push_back(result);
      for (auto& problem : problems) r.violations.push_back(problem);
      if (stage) r.stages.push_back(*stage);
    });
    if (!result.accepted) return;  // Ultravox ignores it: the conversation stays frozen

    ReplyRun& run = *run_;
    run.pending_invocation.clear();
    if (stage && present(*stage, "selectedTools")) tools_ = (*stage)["selectedTools"];
    if (result.response_type == "hang-up") {
      run.end_reason = "hangup";
      run.next_call = run.reply.function_calls.size();
    }
    run.speak = result.agent_reaction != "listens";
    asio::post(impl_.server.executor(), [self = shared_from_this(), generation = run.generation] {
      if (self->run_ && self->run_->generation == generation) self->advance();
    });
  }

  // ---- the agent ------------------------------------------------------------------------------

  // Something the agent is to do: answer a user turn (the reply is taken when it starts) or say
  // a given reply.
  struct Work {
    bool user_reply = false;
    ScriptedReply reply;
    std::string origin;
    bool uninterruptible = false;
    std::optional<std::string> end_reason;
    std::set<std::string> known_results;
  };

  struct ReplyRun {
    ScriptedReply reply;
    std::string origin;
    bool uninterruptible = false;
    std::optional<std::string> end_reason;
    std::set<std::string> known_results;
    std::size_t next_call = 0;
    std::string pending_invocation;
    bool speak = true;
    std::uint64_t generation = 0;
  };

  struct Utterance {
    std::string text;
    std::vector<std::string> deltas;
    std::size_t next_delta = 0;
    std::string spoken;
    int ordinal = 0;
    std::string medium;
    std::int64_t total_samples = 0;
    std::int64_t chunk_samples = 1;
    std::int64_t total_chunks = 0;
    std::int64_t next_chunk = 0;
    milliseconds interval{0};
    bool interruptible = true;
    std::size_t turn = 0;            // index in the record's agent_turns
  };

  void pump() {
    if (run_ || work_.empty() || closing_ || finished_) return;
    Work work = std::move(work_.front());
    work_.pop_front();
    if (work.user_reply) work.reply = impl_.next_reply();
    auto run = std::make_unique<ReplyRun>();
    run->reply = std::move(work.reply);
    run->origin = std::move(work.origin);
    run->uninterruptible = work.uninterruptible;
    run->end_reason = std::move(work.end_reason);
    run->known_results = std::move(work.known_results);
    run->generation = ++run_generation_;
    run_ = std::move(run);
    send_state("thinking");
    if (run_->reply.fail_code) {
      violation("scripted failure \"" + *run_->reply.fail_code + "\": the call ends with a system error");
      run_.reset();
      end_call(k_close_internal_error, "system_error");
      return;
    }
    advance();
  }

  // Runs the reply's tool calls one at a time, then speaks.
  void advance() {
    if (!run_ || closing_ || finished_) return;
    ReplyRun& run = *run_;
    while (run.next_call < run.reply.function_calls.size()) {
      const ScriptedFunctionCall& call = run.reply.function_calls[run.next_call++];
      if (!call.call_id.empty() && run.known_results.count(call.call_id)) continue;
      const std::string kind = tool_kind(tools_, call.name);
      if (kind == "builtin:hangUp") {
        run.end_reason = "agent_hangup";
        continue;
      }
      if (kind != "client") {
        violation("scripted tool call \"" + call.name + "\" is not a client tool selected for the call (" +
                  (kind.empty() ? std::string("not selected") : kind) + "); Ultravox would not send it");
        continue;
      }
      json parameters = json::parse(call.arguments, nullptr, false);
      if (parameters.is_discarded() || !parameters.is_object()) {
        violation("scripted arguments of \"" + call.name + "\" are not a JSON object; sent as {}");
        parameters = json::object();
      }
      run.pending_invocation = call.call_id.empty() ? make_uuid() : call.call_id;
      if (!setup_.data_messages["clientToolInvocation"]) {
        violation("client tool \"" + call.name + "\" invoked while dataMessages.clientToolInvocation is off: the call "
                  "stays frozen");
      }
      send({{"type", "client_tool_invocation"},
            {"toolName", call.name},
            {"invocationId", run.pending_invocation},
            {"parameters", parameters}});
      return;  // frozen until the matching client_tool_result
    }
    if (run.speak && !run.reply.text.empty()) {
      speak();
      return;
    }
    finish_reply();
  }

  void speak() {
    const ReplyRun& run = *run_;
    auto utterance = std::make_unique<Utterance>();
    utterance->text = run.reply.text;
    utterance->deltas = split_deltas(run.reply.text);
    utterance->ordinal = next_ordinal_++;
    utterance->medium = output_medium_;
    if (output_medium_ == "voice" && run.reply.audio_ms > 0) {
      utterance->total_samples = static_cast<std::int64_t>(run.reply.audio_ms) * setup_.output_rate / 1000;
      utterance->chunk_samples =
          std::max<std::int64_t>(1, static_cast<std::int64_t>(std::max(1, run.reply.chunk_ms)) * setup_.output_rate / 1000);
      utterance->total_chunks = (utterance->total_samples + utterance->chunk_samples - 1) / utterance->chunk_samples;
    }
    utterance->interval = run.reply.chunk_interval;
    utterance->interruptible = !run.uninterruptible;
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      UltravoxAgentTurn turn;
      turn.origin = run.origin;
      turn.text = run.reply.text;
      r.agent_turns.push_back(std::move(turn));
      utterance->turn = r.agent_turns.size() - 1;
    });
    utterance_ = std::move(utterance);
    send_state("speaking");
    emit_utterance(++utterance_generation_);
  }

  // One audio frame per step (with the transcript deltas due before it), so that client messages
  // (barge-in audio, hang_up) interleave with the agent's speech.
  void emit_utterance(std::uint64_t generation) {
    if (!utterance_ || utterance_generation_ != generation || closing_ || finished_) return;
    Utterance& u = *utterance_;
    if (u.next_chunk < u.total_chunks) {
      // Delta d goes just before chunk d * chunks / deltas: the text is spread over the audio.
      while (u.next_delta < u.deltas.size() &&
             static_cast<std::int64_t>(u.next_delta) * u.total_chunks / static_cast<std::int64_t>(u.deltas.size()) <= u.next_chunk) {
        send_delta(u);
      }
      const std::int64_t first = u.next_chunk * u.chunk_samples;
      const std::int64_t count = std::min(u.chunk_samples, u.total_samples - first);
      ++u.next_chunk;
      send_audio(pcm16_tone(count, setup_.output_rate, first), u.turn);
      if (closing_ || finished_ || !utterance_) return;
      if (u.interval.count() > 0) {
        step_timer_.expires_after(u.interval);
        step_timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
          if (!ec) self->emit_utterance(generation);
        });
      } else {
        asio::post(impl_.server.executor(), [self = shared_from_this(), generation] { self->emit_utterance(generation); });
      }
      return;
    }
    while (u.next_delta < u.deltas.size()) send_delta(u);
    finish_utterance(false);
    finish_reply();
  }

  void send_delta(Utterance& u) {
    const std::string& delta = u.deltas[u.next_delta++];
    u.spoken += delta;
    send({{"type", "transcript"},
          {"role", "agent"},
          {"medium", u.medium},
          {"delta", delta},
          {"final", false},
          {"ordinal", u.ordinal}});
  }

  void finish_utterance(bool interrupted) {
    std::unique_ptr<Utterance> u = std::move(utterance_);
    ++utterance_generation_;
    step_timer_.cancel();
    send({{"type", "transcript"},
          {"role", "agent"},
          {"medium", u->medium},
          {"text", u->spoken},
          {"final", true},
          {"ordinal", u->ordinal}});
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      auto& turn = r.agent_turns.at(u->turn);
      turn.spoken = u->spoken;
      turn.interrupted = interrupted;
    });
  }

  void mark_interrupted() {
    std::unique_ptr<Utterance> u = std::move(utterance_);
    ++utterance_generation_;
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      auto& turn = r.agent_turns.at(u->turn);
      turn.spoken = u->spoken;
      turn.interrupted = true;
    });
  }

  void finish_reply() {
    std::unique_ptr<ReplyRun> run = std::move(run_);
    if (run && run->end_reason) {
      end_call(k_close_normal, *run->end_reason);
      return;
    }
    send_state("listening");
    pump();
  }

  // User speech while the agent speaks an interruptible utterance: the client must drop what it
  // buffered, and no more of that utterance is sent.
  void barge_in() {
    if (!utterance_ || !utterance_->interruptible) return;
    send({{"type", "playback_clear_buffer"}});
    finish_utterance(true);
    finish_reply();
  }

  // Stops whatever the agent is doing (hang_up, maxDuration), pending tool calls included.
  void abort_agent() {
    if (utterance_) {
      send({{"type", "playback_clear_buffer"}});
      finish_utterance(true);
    }
    run_.reset();
  }

  // ---- writing --------------------------------------------------------------------------------

  void send_state(const std::string& state) {
    if (state == agent_state_) return;
    agent_state_ = state;
    send({{"type", "state"}, {"state", state}});
  }

  void send(const json& message) {
    if (closing_ || finished_) return;
    const char* flag = flag_for(message.value("type", ""));
    if (*flag != '\0' && !setup_.data_messages[flag]) return;
    impl_.update(index_, [&](UltravoxCallRecord& r) { r.server_messages.push_back(message); });
    enqueue(message.dump(), PeerFrame::text);
  }

  void send_audio(std::string pcm, std::size_t turn) {
    if (closing_ || finished_) return;
    const auto bytes = static_cast<std::int64_t>(pcm.size());
    impl_.update(index_, [&](UltravoxCallRecord& r) {
      ++r.server_audio_frames;
      r.server_audio_bytes += bytes;
      auto& agent_turn = r.agent_turns.at(turn);
      ++agent_turn.audio_frames;
      agent_turn.audio_bytes += bytes;
    });
    enqueue(std::move(pcm), PeerFrame::binary);
    ++audio_frames_;
    const UltravoxFaults faults = impl_.current_faults();
    if (faults.close_after_audio_frames >= 0 && audio_frames_ >= faults.close_after_audio_frames) {
      if (faults.close_abruptly) {
        set_end_reason("system_error");
        drop_after_flush();
      } else {
        end_call(k_close_internal_error, "system_error");
      }
    }
  }

  void enqueue(std::string data, PeerFrame frame) {
    if (closing_ || finished_) return;
    socket_.send(std::move(data), frame);
  }

  void close_after_flush(std::uint16_t code) {
    if (closing_ || finished_) return;
    if (utterance_) mark_interrupted();
    closing_ = true;
    close_code_sent_ = code;
    run_.reset();
    work_.clear();
    cancel_timers();
    socket_.close(code);
  }

  // The frames already queued reach the client first, so "after N frames" means N were delivered.
  void drop_after_flush() {
    if (closing_ || finished_) return;
    if (utterance_) mark_interrupted();
    closing_ = true;
    run_.reset();
    work_.clear();
    cancel_timers();
    socket_.drop_after_sending();  // then on_closed()
  }

  void drop() {
    if (finished_) return;
    closing_ = true;
    run_.reset();
    work_.clear();
    cancel_timers();
    socket_.drop();  // calls on_closed()
  }

  asio::steady_timer step_timer_;
  asio::steady_timer idle_timer_;
  asio::steady_timer max_timer_;
  asio::steady_timer first_timer_;
  Impl& impl_;
  int index_;
  CallSetup setup_;

  PeerSocket socket_;
  bool closing_ = false;
  bool finished_ = false;
  std::uint16_t close_code_sent_ = 0;
  std::string end_reason_;

  json tools_;                         // selectedTools of the current stage
  std::string output_medium_;
  std::string agent_state_;
  int next_ordinal_ = 0;
  std::deque<Work> work_;
  std::unique_ptr<ReplyRun> run_;
  std::uint64_t run_generation_ = 0;
  std::unique_ptr<Utterance> utterance_;
  std::uint64_t utterance_generation_ = 0;
  int audio_frames_ = 0;

  bool in_speech_ = false;
  bool user_spoke_ = false;
  int block_fill_ = 0;
  int block_peak_ = 0;
  int voiced_blocks_ = 0;
  std::int64_t silent_blocks_ = 0;
  std::int64_t silence_blocks_needed_ = 50;
};

// One request of an HTTP connection (keep-alive): REST, or a join's upgrade.
void FakeUltravox::Impl::serve(const PeerRequest& request, PeerExchange exchange) {
  if (request.websocket_upgrade) {
    join(request, std::move(exchange));
    return;
  }
  RestAnswer answer = handle_rest(request);
  notifier.notify();
  exchange.respond(ultravox_response(answer.status, std::move(answer.body), request.keep_alive));
}

// A join: refused, or handed to a new Session.
void FakeUltravox::Impl::join(const PeerRequest& request, PeerExchange exchange) {
  JoinDecision decision = decide_join(request);
  notifier.notify();
  if (decision.status != 101) {
    exchange.respond(ultravox_response(decision.status, std::move(decision.body), false));
    return;
  }
  auto session = std::make_shared<Session>(*this, decision.index, std::move(decision.setup));
  const auto index = static_cast<std::size_t>(decision.index);
  if (live.size() <= index) live.resize(index + 1);
  live[index] = session;
  session->start(exchange);
}

RestAnswer FakeUltravox::Impl::handle_rest(const PeerRequest& request) {
  std::lock_guard lock(mutex);
  UltravoxRestRequest logged;
  logged.method = request.method;
  logged.target = request.target;
  for (const auto& [name, value] : request.headers) {
    const bool key = lower(name) == "x-api-key";
    if (key) {
      logged.api_key_present = true;
      logged.api_key_matched = value == api_key;
    }
    logged.headers.emplace_back(name, key ? "<redacted>" : value);
  }
  logged.body = request.body;
  const auto question = logged.target.find('?');
  const std::string path = logged.target.substr(0, question);
  const std::string query = question == std::string::npos ? "" : logged.target.substr(question + 1);

  RestAnswer answer;
  if (path.rfind("/api/", 0) != 0) {
    answer = {404, detail("Not found.").dump()};
  } else if (!logged.api_key_matched) {
    answer = {401, detail("Invalid API key.").dump()};
  } else if (path == "/api/calls" || path == "/api/calls/") {
    if (request.method == "POST") {
      answer = create_call(request, query, logged);
    } else if (request.method == "GET") {
      json results = json::array();
      for (auto it = records.rbegin(); it != records.rend(); ++it) results.push_back(it->call);
      answer = {200, json{{"next", nullptr}, {"previous", nullptr}, {"total", results.size()}, {"results", results}}.dump()};
    } else {
      answer = {405, detail("Method \"" + logged.method + "\" not allowed.").dump()};
    }
  } else if (path.rfind("/api/calls/", 0) == 0) {
    std::string id = path.substr(11);
    if (!id.empty() && id.back() == '/') id.pop_back();
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      answer = {404, detail("Not found.").dump()};
    } else if (request.method != "GET") {
      answer = {405, detail("Method \"" + logged.method + "\" not allowed.").dump()};
    } else {
      answer = {200, records.at(static_cast<std::size_t>(it->second)).call.dump()};
    }
  } else {
    answer = {404, detail("Not found.").dump()};
  }
  logged.status = answer.status;
  logged.response_body = answer.body;
  rest_requests.push_back(std::move(logged));
  return answer;
}

// POST /api/calls. Called with the mutex held.
RestAnswer FakeUltravox::Impl::create_call(const PeerRequest& request, const std::string& query,
                                           const UltravoxRestRequest& logged) {
  if (faults.create_status != 0) return {faults.create_status, detail(fault_message(faults.create_status)).dump()};

  const std::string content_type = request.header("Content-Type").value_or("");
  if (!request.body.empty() && lower(content_type).rfind("application/json", 0) != 0) {
    return {415, detail("Unsupported media type \"" + content_type + "\" in request.").dump()};
  }
  json body = json::object();
  if (!request.body.empty()) {
    try {
      body = json::parse(request.body);
    } catch (const json::parse_error& error) {
      return {400, detail(std::string("JSON parse error - ") + error.what()).dump()};
    }
  }
  if (!body.is_object()) {
    return {400, json{{"non_field_errors", json::array({std::string("Invalid data. Expected a dictionary, but got ") + body.type_name() + "."})}}.dump()};
  }

  std::optional<std::string> prior_id;
  const std::string origin_form = "/?" + query;  // the parsed view refers to it
  if (auto url = boost::urls::parse_origin_form(origin_form); url && !query.empty()) {
    for (auto param : url->params()) {
      if (param.key == "priorCallId") prior_id = std::string(param.value);
    }
  }
  json effective = body;
  if (prior_id) {
    if (!is_uuid(*prior_id)) return {400, json{{"priorCallId", json::array({"Must be a valid UUID."})}}.dump()};
    auto prior = by_id.find(*prior_id);
    if (prior == by_id.end()) return {404, detail("Not found.").dump()};
    if (present(body, "initialMessages")) {
      return {400, json{{"initialMessages", json::array({"initialMessages may not be set when priorCallId is given."})}}.dump()};
    }
    // The prior call's properties, overridden field by field by this request's body.
    effective = setups.at(static_cast<std::size_t>(prior->second)).effective;
    effective.erase("initialMessages");
    for (const auto& [key, value] : body.items()) effective[key] = value;
  }
  if (auto error = check_start_call(body)) return {400, error_body(*error).dump()};

  if (faults.refuse_sample_rate != 0 && present(effective, "medium") && present(effective["medium"], "serverWebSocket")) {
    const json& ws = effective["medium"]["serverWebSocket"];
    for (const char* key : {"inputSampleRate", "outputSampleRate"}) {
      if (present(ws, key) && as_integer(ws[key]) == faults.refuse_sample_rate) {
        const FieldError error{Path{"medium", "serverWebSocket", key},
                               "Unsupported sample rate " + std::to_string(faults.refuse_sample_rate) + "."};
        return {400, error_body(error).dump()};
      }
    }
  }

  const int index = static_cast<int>(records.size());
  const std::string call_id = make_uuid();
  const std::string join_url = "ws://" + base() + "/calls/" + call_id + "/join";
  CallSetup setup = make_setup(effective, call_id);
  UltravoxCallRecord record;
  record.index = index;
  record.call_id = call_id;
  record.join_url = join_url;
  record.request = body;
  record.request_headers = logged.headers;
  record.prior_call_id = prior_id;
  record.call = call_object(effective, setup, join_url, iso_now());
  record.input_sample_rate = setup.input_rate;
  record.output_sample_rate = setup.output_rate;
  const json created = record.call;
  records.push_back(std::move(record));
  by_id[call_id] = index;

  // Unjoined calls end after joinTimeout.
  auto timer = std::make_shared<asio::steady_timer>(server.executor());
  timer->expires_after(setup.join_timeout);
  timer->async_wait([this, index](error_code ec) {
    if (ec) return;
    {
      std::lock_guard timer_lock(mutex);
      const CallSetup& s = setups.at(static_cast<std::size_t>(index));
      if (s.joined || s.ended) return;
      mark_ended(index, "unjoined");
    }
    notifier.notify();
  });
  join_timers.push_back(std::move(timer));
  setups.push_back(std::move(setup));
  return {201, created.dump()};
}

JoinDecision FakeUltravox::Impl::decide_join(const PeerRequest& request) {
  std::lock_guard lock(mutex);
  const std::string& target = request.target;
  const std::string path = target.substr(0, target.find('?'));
  JoinDecision decision;
  const auto refuse = [&](int status, const std::string& message) {
    ++refused_joins;
    decision.status = status;
    decision.body = detail(message).dump();
    return decision;
  };
  if (faults.join_status != 0) return refuse(faults.join_status, fault_message(faults.join_status));
  constexpr std::string_view k_prefix = "/calls/";
  constexpr std::string_view k_suffix = "/join";
  if (path.rfind(k_prefix, 0) != 0 || path.size() <= k_prefix.size() + k_suffix.size() ||
      path.compare(path.size() - k_suffix.size(), k_suffix.size(), k_suffix) != 0) {
    return refuse(404, "Not found.");
  }
  const std::string id = path.substr(k_prefix.size(), path.size() - k_prefix.size() - k_suffix.size());
  auto it = by_id.find(id);
  if (it == by_id.end()) return refuse(404, "Not found.");
  const int index = it->second;
  CallSetup& setup = setups.at(static_cast<std::size_t>(index));
  auto& record = records.at(static_cast<std::size_t>(index));
  if (setup.ended) return refuse(409, "This call has ended.");
  if (setup.joined) return refuse(409, "This call has already been joined.");
  if (setup.medium != "serverWebSocket") {
    record.violations.push_back("join of a call whose medium is " + setup.medium +
                                "; this fake speaks only serverWebSocket");
    return refuse(400, "This fake only speaks the serverWebSocket medium.");
  }
  setup.joined = true;
  record.joined = true;
  record.join_target = target;
  record.call["joined"] = iso_now();
  join_timers.at(static_cast<std::size_t>(index))->cancel();
  decision.index = index;
  decision.setup = setup;
  return decision;
}

template <class Action>
void FakeUltravox::Impl::with_live(int index, Action action) {
  asio::post(server.executor(), [this, index, action = std::move(action)]() mutable {
    if (index < 0 || static_cast<std::size_t>(index) >= live.size()) return;
    if (auto session = live[static_cast<std::size_t>(index)].lock()) action(*session);
  });
}

FakeUltravox::FakeUltravox(std::string api_key) : impl_(std::make_unique<Impl>()) {
  impl_->api_key = std::move(api_key);
  impl_->server.start([impl = impl_.get()](const PeerRequest& request, PeerExchange exchange) {
    impl->serve(request, std::move(exchange));
  });
}

FakeUltravox::~FakeUltravox() { impl_->server.stop(); }

std::string FakeUltravox::base_url() const { return "http://" + impl_->base(); }

unsigned short FakeUltravox::port() const { return impl_->server.port(); }

const std::string& FakeUltravox::api_key() const { return impl_->api_key; }

void FakeUltravox::push_reply(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->replies.push_back(std::move(reply));
}

void FakeUltravox::set_default_reply(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->default_reply = std::move(reply);
}

std::size_t FakeUltravox::pending_replies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->replies.size();
}

void FakeUltravox::push_caller_transcript(std::string transcript) {
  std::lock_guard lock(impl_->mutex);
  impl_->transcripts.push_back(std::move(transcript));
}

void FakeUltravox::set_silence_duration(std::chrono::milliseconds silence) {
  std::lock_guard lock(impl_->mutex);
  impl_->silence_duration = silence;
}

void FakeUltravox::set_media_idle_timeout(std::optional<std::chrono::milliseconds> timeout) {
  std::lock_guard lock(impl_->mutex);
  impl_->media_idle_override = timeout;
}

void FakeUltravox::set_faults(UltravoxFaults faults) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults = faults;
}

void FakeUltravox::inject_raw(int index, std::string text) {
  impl_->with_live(index, [text = std::move(text)](Impl::Session& s) mutable { s.inject(std::move(text)); });
}

void FakeUltravox::close_session(int index, bool abrupt, int code) {
  impl_->with_live(index, [abrupt, code](Impl::Session& s) { s.close(abrupt, code); });
}

int FakeUltravox::call_count() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(impl_->records.size());
}

int FakeUltravox::open_session_count() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(std::count_if(impl_->records.begin(), impl_->records.end(),
                                        [](const UltravoxCallRecord& r) { return r.joined && !r.closed; }));
}

int FakeUltravox::refused_joins() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->refused_joins;
}

std::vector<UltravoxRestRequest> FakeUltravox::rest_requests() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->rest_requests;
}

UltravoxCallRecord FakeUltravox::call(int index) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->records.at(static_cast<std::size_t>(index));
}

std::vector<UltravoxCallRecord> FakeUltravox::calls() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->records;
}

bool FakeUltravox::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for(predicate, timeout);
}

bool FakeUltravox::wait_for_server_message(int index, const std::string& type, std::size_t count,
                                           std::chrono::milliseconds timeout) const {
  return wait_for(
      [&] {
        std::lock_guard lock(impl_->mutex);
        if (index < 0 || static_cast<std::size_t>(index) >= impl_->records.size()) return false;
        const auto& messages = impl_->records[static_cast<std::size_t>(index)].server_messages;
        return static_cast<std::size_t>(std::count_if(messages.begin(), messages.end(), [&](const json& m) {
                 return m.value("type", "") == type;
               })) >= count;
      },
      timeout);
}

}  // namespace sonoria::fakes
