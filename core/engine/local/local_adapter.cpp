#include "core/engine/local/local_adapter.hpp"

#include <nlohmann/json.hpp>

#include "core/audio/g711.hpp"
#include "core/engine/binary_audio_merge.hpp"
#include "core/engine/local/message_fields.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::engine::local {

namespace {

using json = nlohmann::json;

constexpr Capabilities k_capabilities{
    .client_truncation = false,
    .client_driven_replies = false,
    .binary_audio = true,
    .mid_call_updates = true,
    .spoken_instructions = false,
    .session_limit = std::chrono::minutes(0),
};

// Caller audio that waited while the engine was busy goes in one message: up to a second of it.
constexpr std::size_t k_max_merged_bytes = 8000;

}  // namespace

LocalAdapter::LocalAdapter(SessionConfig config, FrameSink& sink) : config_(std::move(config)), sink_(sink) {}

const Capabilities& LocalAdapter::capabilities() const { return k_capabilities; }

AudioMerger LocalAdapter::audio_merger() const { return &merge_binary_audio<k_max_merged_bytes>; }

void LocalAdapter::send(std::string text) { sink_.send_engine(Frame{std::move(text), false, false}); }

void LocalAdapter::open(const std::vector<HistoryLine>& history) {
  json lines = json::array();
  for (const auto& line : history)
    lines.push_back({{"role", line.role == HistoryLine::Role::caller ? "caller" : "assistant"}, {"text", line.text}});
  send(json{{"type", "start"}, {"history", std::move(lines)}}.dump());
}

bool LocalAdapter::receive(std::string_view data, bool binary, EventSink& events) {
  if (binary) return false;  // the engine sends its audio as text messages
  auto m = json::parse(data, nullptr, false);
  if (m.is_discarded() || !m.is_object()) return false;
  const std::string type = string_field(m, "type");
  if (type == "ready") {
    live_ = true;
    events.on_engine_event(Ready{});
  } else if (type == "speech_started") {
    auto at = m.find("audio_start_ms");
    events.on_engine_event(CallerSpeechStarted{"", at != m.end() && at->is_number_integer() ? at->get<int64_t>() : -1});
  } else if (type == "speech_stopped") {
    events.on_engine_event(CallerSpeechStopped{});
  } else if (type == "caller_text") {
    const std::string turn = string_field(m, "turn_id");
    events.on_engine_event(CallerTurn{turn, ""});
    events.on_engine_event(CallerText{turn, string_field(m, "text")});
  } else if (type == "reply_started") {
    ++replies_;
    if (owed_ > 0) --owed_;
    events.on_engine_event(ReplyStarted{string_field(m, "reply_id")});
  } else if (type == "agent_text") {
    item_text_[string_field(m, "item_id")] = string_field(m, "text");
  } else if (type == "audio") {
    events.on_engine_event(AgentAudio{string_field(m, "reply_id"), string_field(m, "item_id"), string_field(m, "audio")});
  } else if (type == "audio_done") {
    const std::string item = string_field(m, "item_id");
    events.on_engine_event(AgentAudioDone{string_field(m, "reply_id"), item});
    if (auto it = item_text_.find(item); it != item_text_.end()) {
      events.on_engine_event(AgentText{item, std::move(it->second)});
      item_text_.erase(it);
    }
  } else if (type == "tool_call") {
    const std::string call_id = string_field(m, "call_id");
    calls_[call_id] = true;
    events.on_engine_event(ToolCall{string_field(m, "reply_id"), "", call_id, string_field(m, "name"), string_field(m, "arguments")});
  } else if (type == "reply_done") {
    if (replies_ > 0) --replies_;
    events.on_engine_event(ReplyDone{string_field(m, "reply_id"), false, "", {}});
  } else if (type == "error") {
    auto fatal = m.find("fatal");
    events.on_engine_event(Error{"local_engine", string_field(m, "message"), "", fatal != m.end() && fatal->is_boolean() && fatal->get<bool>()});
  } else {
    return false;
  }
  return true;
}

void LocalAdapter::closed() {
  live_ = false;
  replies_ = 0;
  owed_ = 0;
  item_text_.clear();
  calls_.clear();
}

bool LocalAdapter::caller_audio(std::string_view payload_b64) {
  if (!live_) return false;
  auto audio = twilio::base64_decode(payload_b64);
  if (!audio) return false;
  if (audio->empty()) return true;
  const auto length = audio::g711_8k_duration(audio->size());
  sink_.send_engine(Frame{std::move(*audio), true, true, length});
  return true;
}

void LocalAdapter::greet(const Speech& speech) { say(speech, false); }

void LocalAdapter::say(const Speech& speech, bool) {
  // The engine speaks words; with none (an instruction only), the greeting is its own.
  ++owed_;
  send(json{{"type", "say"}, {"words", speech.words}}.dump());
}

void LocalAdapter::caller_text(std::string_view text) {
  ++owed_;
  send(json{{"type", "caller_text"}, {"text", std::string(text)}}.dump(-1, ' ', false, json::error_handler_t::replace));
}

void LocalAdapter::tool_result(std::string_view call_id, std::string_view output, bool reply) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  calls_.erase(it);
  if (reply) ++owed_;
  send(json{{"type", "tool_result"}, {"call_id", std::string(call_id)}, {"output", std::string(output)}, {"reply", reply}}
           .dump(-1, ' ', false, json::error_handler_t::replace));
}

void LocalAdapter::cut(std::string_view item_id, int64_t heard_ms) {
  send(json{{"type", "cut"}, {"item_id", std::string(item_id)}, {"heard_ms", heard_ms}}.dump());
}

StageChange LocalAdapter::change_stage(std::string_view call_id, std::string_view output, const SessionConfig& next) {
  config_ = next;
  send(json{{"type", "tools"}, {"names", tool_names(next)}}.dump());
  tool_result(call_id, output, true);
  return StageChange::in_place;
}

bool LocalAdapter::busy() const { return replies_ > 0 || owed_ > 0; }

}  // namespace sonoria::engine::local
