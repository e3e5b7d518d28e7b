#include "tests/bench/deepgram_conversation.hpp"

namespace sonoria::bench {

using nlohmann::json;

namespace {

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

DeepgramConversation::DeepgramConversation(const EngineOptions& options, EngineStats& stats, std::uint32_t number)
    : options_(options), stats_(stats), number_(number), caller_(stats), speech_(options, stats, number) {
  caller_.vad().configure(500, 300);  // Deepgram's endpointing is not configurable here: the OpenAI default
}

void DeepgramConversation::send(const json& message, Outbox& out) { out.emplace_back(message.dump()); }

void DeepgramConversation::problem(bool fatal, std::string_view code, std::string_view description, Outbox& out) {
  stats_.count_error(code);
  send({{"type", fatal ? "Error" : "Warning"}, {"description", description}, {"code", code}}, out);
}

void DeepgramConversation::open(Outbox& out) {
  send({{"type", "Welcome"}, {"request_id", "bench-" + std::to_string(number_)}}, out);
}

void DeepgramConversation::on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) {
  if (!binary) {
    on_text(data, now_ns, out);
    return;
  }
  if (!settings_applied_) {
    problem(true, "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", "Audio was sent before Settings.", out);
    return;
  }
  caller_.feed_ulaw(data, now_ns, [&](FrameVad::Change change) {
    if (change == FrameVad::Change::speech_started) user_started(out);
    else user_turn(k_caller_transcript, now_ns, out);
  });
}

void DeepgramConversation::on_text(std::string_view text, std::uint64_t now_ns, Outbox& out) {
  const json message = json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    problem(true, "UNPARSABLE_CLIENT_MESSAGE", "The message is not a JSON object.", out);
    return;
  }
  const std::string type = text_of(message, "type");
  if (type == "Settings") {
    if (settings_applied_) {
      problem(true, "SETTINGS_ALREADY_APPLIED", "Settings can only be sent once.", out);
      return;
    }
    settings_applied_ = true;
    send({{"type", "SettingsApplied"}}, out);
    return;
  }
  if (!settings_applied_) {
    problem(true, "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", type + " was sent before Settings.", out);
    return;
  }
  if (type == "KeepAlive") return;
  if (type == "FunctionCallResponse") {
    function_response(message, now_ns, out);
  } else if (type == "InjectAgentMessage") {
    inject_agent(message, now_ns, out);
  } else if (type == "InjectUserMessage") {
    interrupt(out);
    user_turn(text_of(message, "content"), now_ns, out);
  } else {
    problem(false, "UNSUPPORTED_MESSAGE", "The bench engine does not support " + (type.empty() ? "untyped" : type) +
                                              " messages.", out);
  }
}

void DeepgramConversation::on_due(std::uint64_t now_ns, Outbox& out) {
  while (auto chunk = speech_.next(now_ns)) {
    out.emplace_back(std::string(chunk->audio), true);
    if (chunk->last) send({{"type", "AgentAudioDone"}}, out);
  }
}

// ---- turns --------------------------------------------------------------------------------------

void DeepgramConversation::user_started(Outbox& out) {
  ++stats_.speech_turns;
  send({{"type", "UserStartedSpeaking"}}, out);
  interrupt(out);
}

// The caller took the floor: agent audio stops there, and an unanswered function call is withdrawn.
void DeepgramConversation::interrupt(Outbox& out) {
  if (speech_.speaking()) {
    speech_.stop();
    ++stats_.cancelled;
  }
  if (!pending_call_.empty()) {
    send({{"type", "FunctionCallCancelled"},
          {"functions", json::array({{{"id", pending_call_}, {"name", k_function_name}}})}},
         out);
    pending_call_.clear();
  }
}

void DeepgramConversation::user_turn(std::string_view text, std::uint64_t now_ns, Outbox& out) {
  send({{"type", "ConversationText"}, {"role", "user"}, {"content", text}}, out);
  send({{"type", "AgentThinking"}, {"content", ""}}, out);
  agent_turn(now_ns, out);
}

void DeepgramConversation::agent_turn(std::uint64_t now_ns, Outbox& out) {
  ++stats_.responses;
  ++turns_;
  if (options_.function_every > 0 && turns_ % static_cast<std::uint64_t>(options_.function_every) == 0) {
    ++stats_.function_calls;
    pending_call_ = "fc_bench" + std::to_string(number_) + "_" + std::to_string(++ids_);
    send({{"type", "FunctionCallRequest"},
          {"functions", json::array({{{"id", pending_call_},
                                      {"name", k_function_name},
                                      {"arguments", "{}"},
                                      {"client_side", true}}})}},
         out);
    return;
  }
  speak(k_reply_text, now_ns, out);
}

void DeepgramConversation::speak(std::string_view text, std::uint64_t now_ns, Outbox& out) {
  send({{"type", "ConversationText"}, {"role", "assistant"}, {"content", text}}, out);
  send({{"type", "AgentStartedSpeaking"}, {"total_latency", 0.0}, {"tts_latency", 0.0}, {"ttt_latency", 0.0}}, out);
  speech_.start(now_ns, text);
  on_due(now_ns, out);
}

void DeepgramConversation::function_response(const json& message, std::uint64_t now_ns, Outbox& out) {
  const std::string id = text_of(message, "id");
  if (id.empty() || id != pending_call_) {
    problem(false, "FUNCTION_CALL_FAILED", "No outstanding function call has the id '" + id + "'.", out);
    return;
  }
  pending_call_.clear();
  agent_turn(now_ns, out);  // every call answered: the agent goes on by itself
}

void DeepgramConversation::inject_agent(const json& message, std::uint64_t now_ns, Outbox& out) {
  if (caller_.vad().in_speech() || busy()) {
    stats_.count_error("InjectionRefused");
    send({{"type", "InjectionRefused"},
          {"message", caller_.vad().in_speech() ? "The user is currently speaking; the injected message was not spoken."
                                                : "The agent is currently responding; the injected message was not spoken."}},
         out);
    return;
  }
  ++stats_.responses;  // counted as the OpenAI conversation counts the greeting's response.create
  ++turns_;
  speak(text_of(message, "message"), now_ns, out);
}

}  // namespace sonoria::bench
