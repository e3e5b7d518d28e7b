#include "core/engine/openai/realtime_protocol.hpp"

#include <array>
#include <cstdint>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "core/engine/openai/audio_delta_scanner.hpp"
#include "core/engine/json_text.hpp"

namespace sonoria::engine::openai {
namespace {

using nlohmann::json;

// Peer JSON is read with these accessors only: a missing or mistyped field reads as empty, so
// nothing here can throw on odd input.
const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

std::string text_of(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_string() ? m->get<std::string>() : std::string();
}

// Moves a string member out of a DOM we own (the audio payload: no copy of the big string).
std::string take_text(json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return std::move(it->get_ref<std::string&>());
}

bool has_text(const json& j, const char* key) {
  const json* m = member(j, key);
  return m && m->is_string();
}

int64_t integer_of(const json& j, const char* key) {
  const json* m = member(j, key);
  if (!m || !m->is_number()) return 0;
  if (m->is_number_float()) {
    // A double beyond int64's range does not convert (undefined behaviour): it is clamped.
    const double v = m->get<double>();
    if (!(v > -9.2e18)) return v < 0 ? INT64_MIN : 0;  // NaN reads as 0
    if (v >= 9.2e18) return INT64_MAX;
    return static_cast<int64_t>(v);
  }
  if (m->is_number_unsigned() && m->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return INT64_MAX;
  return m->get<int64_t>();
}

const json& object_of(const json& j, const char* key) {
  static const json empty = json::object();
  const json* m = member(j, key);
  return m && m->is_object() ? *m : empty;
}

// A format is an object {"type":"audio/pcmu"} in GA and a string "g711_ulaw" in beta.
std::string format_name(const json* format) {
  if (!format) return {};
  if (format->is_string()) return format->get<std::string>();
  return text_of(*format, "type");
}


std::optional<RealtimeEvent> parse_session_updated(const json& j) {
  const json& session = object_of(j, "session");
  SessionUpdated e;
  const json& audio = object_of(session, "audio");
  e.output_format = format_name(member(object_of(audio, "output"), "format"));
  e.input_format = format_name(member(object_of(audio, "input"), "format"));
  if (e.output_format.empty()) e.output_format = format_name(member(session, "output_audio_format"));
  if (e.input_format.empty()) e.input_format = format_name(member(session, "input_audio_format"));
  return e;
}

std::optional<RealtimeEvent> parse_error(const json& j) {
  const json& error = object_of(j, "error");
  std::string code = text_of(error, "code");
  if (code == "session_expired") return SessionExpired{text_of(error, "message")};
  return EngineError{text_of(error, "type"), std::move(code), text_of(error, "message"), text_of(error, "param"),
                     text_of(error, "event_id")};
}

std::optional<RealtimeEvent> parse_item_added(const json& j) {
  const json& item = object_of(j, "item");
  if (!has_text(item, "id")) return std::nullopt;
  return ItemAdded{text_of(item, "id"), text_of(j, "previous_item_id"), text_of(item, "role"), text_of(item, "type")};
}

std::optional<RealtimeEvent> parse_function_call_item(const json& j, std::string type) {
  const json& item = object_of(j, "item");
  if (text_of(item, "type") != "function_call") return Ignored{std::move(type)};
  if (!has_text(item, "call_id")) return std::nullopt;
  return FunctionCallDone{text_of(j, "response_id"), text_of(item, "id"), text_of(item, "call_id"), text_of(item, "name"),
                          text_of(item, "arguments")};
}

std::optional<RealtimeEvent> parse_response_done(const json& j) {
  const json* response = member(j, "response");
  if (!response || !response->is_object()) return std::nullopt;
  ResponseDone e;
  e.response_id = text_of(*response, "id");
  e.status = text_of(*response, "status");
  const json& details = object_of(*response, "status_details");
  e.reason = text_of(details, "reason");
  if (const json* error = member(details, "error"); error && !error->is_null()) e.error = json_text(*error);
  const json& usage = object_of(*response, "usage");
  e.usage.total = integer_of(usage, "total_tokens");
  e.usage.input_tokens = integer_of(usage, "input_tokens");
  e.usage.output_tokens = integer_of(usage, "output_tokens");
  const json& in = object_of(usage, "input_token_details");
  e.usage.input_audio_tokens = integer_of(in, "audio_tokens");
  e.usage.cached_tokens = integer_of(in, "cached_tokens");
  e.usage.output_audio_tokens = integer_of(object_of(usage, "output_token_details"), "audio_tokens");
  return e;
}

std::optional<RealtimeEvent> parse_known(json& j, std::string type) {
  // Audio first: it is most of the traffic.
  if (type == "response.output_audio.delta" || type == "response.audio.delta") {
    if (!has_text(j, "delta")) return std::nullopt;
    return AudioDelta{text_of(j, "response_id"), text_of(j, "item_id"), take_text(j, "delta")};
  }
  if (type == "response.output_audio_transcript.delta" || type == "response.audio_transcript.delta")
    return AssistantTranscriptDelta{text_of(j, "item_id"), text_of(j, "delta")};
  if (type == "response.output_audio.done" || type == "response.audio.done")
    return AudioDone{text_of(j, "response_id"), text_of(j, "item_id")};
  if (type == "response.output_audio_transcript.done" || type == "response.audio_transcript.done")
    return AssistantTranscriptDone{text_of(j, "item_id"), text_of(j, "transcript")};
  if (type == "input_audio_buffer.speech_started")
    return SpeechStarted{text_of(j, "item_id"), integer_of(j, "audio_start_ms")};
  if (type == "input_audio_buffer.speech_stopped")
    return SpeechStopped{text_of(j, "item_id"), integer_of(j, "audio_end_ms")};
  if (type == "input_audio_buffer.committed") {
    if (!has_text(j, "item_id")) return std::nullopt;
    return InputCommitted{text_of(j, "item_id"), text_of(j, "previous_item_id")};
  }
  if (type == "conversation.item.added" || type == "conversation.item.created") return parse_item_added(j);
  if (type == "conversation.item.input_audio_transcription.completed") {
    if (!has_text(j, "item_id")) return std::nullopt;
    return InputTranscriptCompleted{text_of(j, "item_id"), text_of(j, "transcript")};
  }
  if (type == "conversation.item.input_audio_transcription.failed") {
    if (!has_text(j, "item_id")) return std::nullopt;
    return InputTranscriptFailed{text_of(j, "item_id"), text_of(object_of(j, "error"), "message")};
  }
  if (type == "response.function_call_arguments.done") {
    if (!has_text(j, "call_id")) return std::nullopt;
    return FunctionCallDone{text_of(j, "response_id"), text_of(j, "item_id"), text_of(j, "call_id"), text_of(j, "name"),
                            text_of(j, "arguments")};
  }
  if (type == "response.output_item.done") return parse_function_call_item(j, std::move(type));
  if (type == "response.created") return ResponseCreated{text_of(object_of(j, "response"), "id")};
  if (type == "response.done") return parse_response_done(j);
  if (type == "conversation.item.truncated")
    return ItemTruncated{text_of(j, "item_id"), integer_of(j, "audio_end_ms")};
  if (type == "session.created") {
    const json& session = object_of(j, "session");
    return SessionCreated{text_of(session, "id"), integer_of(session, "expires_at")};
  }
  if (type == "session.updated") return parse_session_updated(j);
  if (type == "error") return parse_error(j);
  return Ignored{std::move(type)};
}

json transcription(const SessionConfig& c) {
  if (c.transcription_model.empty()) return nullptr;
  json t = {{"model", c.transcription_model}};
  if (!c.language.empty()) t["language"] = c.language;
  return t;
}

json server_vad(const SessionConfig& c) {
  return {{"type", "server_vad"},
          {"threshold", c.vad_threshold},
          {"prefix_padding_ms", c.prefix_padding_ms},
          {"silence_duration_ms", c.silence_duration_ms},
          {"create_response", true},
          {"interrupt_response", true}};
}

json tools_of(const SessionConfig& c) { return c.tools.is_array() ? c.tools : json::array(); }

json ga_session(const SessionConfig& c) {
  json input = {{"format", {{"type", "audio/pcmu"}}}, {"turn_detection", server_vad(c)}};
  if (json t = transcription(c); !t.is_null()) input["transcription"] = std::move(t);
  if (!c.noise_reduction.empty()) input["noise_reduction"] = {{"type", c.noise_reduction}};
  json s = {{"type", "realtime"},
            {"instructions", c.instructions},
            {"output_modalities", json::array({"audio"})},
            {"audio", {{"input", std::move(input)}, {"output", {{"format", {{"type", "audio/pcmu"}}}, {"voice", c.voice}}}}},
            {"tools", tools_of(c)},
            {"tool_choice", "auto"}};
  if (!c.model.empty()) s["model"] = c.model;
  return s;
}

json beta_session(const SessionConfig& c) {
  json s = {{"modalities", json::array({"text", "audio"})},
            {"instructions", c.instructions},
            {"voice", c.voice},
            {"input_audio_format", "g711_ulaw"},
            {"output_audio_format", "g711_ulaw"},
            {"turn_detection", server_vad(c)},
            {"tools", tools_of(c)},
            {"tool_choice", "auto"},
            {"temperature", c.temperature}};
  if (json t = transcription(c); !t.is_null()) s["input_audio_transcription"] = std::move(t);
  if (!c.noise_reduction.empty()) s["input_audio_noise_reduction"] = {{"type", c.noise_reduction}};
  return s;
}

std::string message_item(std::string_view role, std::string_view content_type, std::string_view text) {
  json content = json::array({{{"type", content_type}, {"text", text}}});
  return json_text({{"type", "conversation.item.create"},
               {"item", {{"type", "message"}, {"role", role}, {"content", std::move(content)}}}});
}

constexpr std::array<bool, 256> base64_alphabet() {
  std::array<bool, 256> ok{};
  for (int c = 'A'; c <= 'Z'; ++c) ok[static_cast<size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) ok[static_cast<size_t>(c)] = true;
  for (int c = '0'; c <= '9'; ++c) ok[static_cast<size_t>(c)] = true;
  ok['+'] = ok['/'] = ok['='] = true;
  return ok;
}

bool ends_with_ci(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    char a = s[s.size() - suffix.size() + i];
    if (a >= 'A' && a <= 'Z') a = static_cast<char>(a - 'A' + 'a');
    if (a != suffix[i]) return false;
  }
  return true;
}

}  // namespace

std::optional<OpenAiProtocol> parse_openai_protocol(std::string_view text) {
  if (text == "ga") return OpenAiProtocol::ga;
  if (text == "beta") return OpenAiProtocol::beta;
  return std::nullopt;
}

std::optional<RealtimeEvent> parse_openai_event(std::string_view text) {
  if (auto delta = scan_audio_delta(text))
    return AudioDelta{std::string(delta->response_id), std::string(delta->item_id), std::string(delta->delta_b64)};
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto it = j.find("type");
  if (it == j.end() || !it->is_string()) return std::nullopt;
  std::string type = it->get<std::string>();
  try {
    return parse_known(j, std::move(type));
  } catch (const std::exception&) {
    // Only reachable through an out-of-range number conversion; the event is malformed.
    return std::nullopt;
  }
}

std::string session_update(const SessionConfig& config, OpenAiProtocol protocol) {
  json session = protocol == OpenAiProtocol::ga ? ga_session(config) : beta_session(config);
  return json_text({{"type", "session.update"}, {"session", std::move(session)}});
}

std::string session_update_prompt_and_tools(const SessionConfig& config, OpenAiProtocol protocol) {
  json session = {{"instructions", config.instructions}, {"tools", tools_of(config)}, {"tool_choice", "auto"}};
  if (protocol == OpenAiProtocol::ga) session["type"] = "realtime";
  return json_text({{"type", "session.update"}, {"session", std::move(session)}});
}

namespace {
constexpr std::string_view k_append_head = R"({"type":"input_audio_buffer.append","audio":")";
constexpr std::string_view k_append_tail = R"("})";
}  // namespace

bool write_input_audio_append(std::string& out, std::string_view payload_b64) {
  static constexpr std::array<bool, 256> k_ok = base64_alphabet();
  out.clear();
  for (unsigned char c : payload_b64)
    if (!k_ok[c]) return false;
  out.append(k_append_head).append(payload_b64).append(k_append_tail);
  return true;
}

std::optional<std::string_view> input_audio_append_payload(std::string_view event) {
  if (event.size() < k_append_head.size() + k_append_tail.size() || !event.starts_with(k_append_head) ||
      !event.ends_with(k_append_tail))
    return std::nullopt;
  auto payload = event.substr(k_append_head.size(), event.size() - k_append_head.size() - k_append_tail.size());
  if (payload.find('"') != std::string_view::npos) return std::nullopt;  // not one string: another shape
  return payload;
}

std::string conversation_item_truncate(std::string_view item_id, int64_t audio_end_ms) {
  return json_text({{"type", "conversation.item.truncate"},
               {"item_id", item_id},
               {"content_index", 0},
               {"audio_end_ms", audio_end_ms < 0 ? 0 : audio_end_ms}});
}

std::string function_call_output(std::string_view call_id, std::string_view output) {
  return json_text({{"type", "conversation.item.create"},
               {"item", {{"type", "function_call_output"}, {"call_id", call_id}, {"output", output}}}});
}

std::string response_create() { return R"({"type":"response.create"})"; }

std::string response_create_with_instructions(std::string_view instructions) {
  return json_text({{"type", "response.create"}, {"response", {{"instructions", instructions}}}});
}

std::string conversation_item_user_text(std::string_view text) { return message_item("user", "input_text", text); }

std::string conversation_item_system_text(std::string_view text) { return message_item("system", "input_text", text); }

std::string conversation_item_assistant_text(std::string_view text, OpenAiProtocol protocol) {
  return message_item("assistant", protocol == OpenAiProtocol::ga ? "output_text" : "text", text);
}

OpenAiConnect openai_connect_request(std::string_view url, std::string_view model, std::string_view api_key,
                                     OpenAiProtocol protocol) {
  OpenAiConnect c;
  std::string host;
  if (auto parsed = boost::urls::parse_uri(boost::urls::string_view(url.data(), url.size()))) {
    boost::urls::url u(*parsed);
    u.remove_fragment();  // WebSocket URIs have no fragment (RFC 6455 §3)
    if (u.has_query() && u.encoded_query().empty()) u.remove_query();
    if (!model.empty() && !u.params().contains("model")) u.params().append({"model", std::string(model)});
    c.url = std::string(u.buffer());
    host = u.host();
  } else {
    c.url = std::string(url);  // checked when the config loaded; the connection reports what is wrong
  }

  if (ends_with_ci(host, ".azure.com")) c.headers.emplace_back("api-key", std::string(api_key));
  else c.headers.emplace_back("Authorization", "Bearer " + std::string(api_key));
  if (protocol == OpenAiProtocol::beta) c.headers.emplace_back("OpenAI-Beta", "realtime=v1");
  return c;
}

}  // namespace sonoria::engine::openai
