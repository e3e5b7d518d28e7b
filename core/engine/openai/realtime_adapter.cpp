#include "core/engine/openai/realtime_adapter.hpp"

#include <type_traits>
#include <utility>
#include <variant>

#include "core/audio/g711.hpp"
#include "core/engine/openai/audio_append_merge.hpp"
#include "core/engine/session_config.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::engine::openai {
namespace {

constexpr Capabilities k_capabilities{
    .client_truncation = true,
    .client_driven_replies = true,
    .binary_audio = false,
    .mid_call_updates = true,
    .spoken_instructions = true,
    .session_limit = std::chrono::minutes(60),
};

std::string greeting_directive(const Speech& speech) {
  if (!speech.instructions.empty()) return speech.instructions;
  return "Greet the caller now by saying exactly: \"" + speech.words + "\"";
}

std::string reply_instructions(const Speech& speech) {
  if (!speech.instructions.empty()) return speech.instructions;
  return "Say exactly: \"" + speech.words + "\"";
}

}  // namespace

RealtimeAdapter::RealtimeAdapter(std::shared_ptr<const std::string> session_update, OpenAiProtocol protocol,
                                 FrameSink& sink, std::string voice)
    : session_update_(std::move(session_update)), protocol_(protocol), sink_(sink), voice_(std::move(voice)) {}

const Capabilities& RealtimeAdapter::capabilities() const { return k_capabilities; }

AudioMerger RealtimeAdapter::audio_merger() const {
  return [](std::string& into, const std::vector<std::string_view>& next) { return merge_audio_appends(into, next); };
}

// ---- the connection ---------------------------------------------------------------------------

void RealtimeAdapter::open(const std::vector<HistoryLine>& history) {
  closed();
  phase_ = Phase::configuring;
  seed_ = history;
  send(*session_update_);
}

void RealtimeAdapter::closed() {
  phase_ = Phase::closed;
  response_active_ = response_requested_ = false;
  outstanding_tools_ = 0;
  requested_instructions_.clear();
  // What was owed is still owed on the next connection; what was in flight is gone with this one.
  responses_.clear();
  calls_.clear();
}

bool RealtimeAdapter::receive(std::string_view data, bool binary, EventSink& events) {
  if (binary) return false;  // Realtime speaks JSON text only
  auto event = parse_openai_event(data);
  if (!event) return false;
  receive_event(*event, events);
  return true;
}

void RealtimeAdapter::receive_event(RealtimeEvent& event, EventSink& events) {
  std::visit(
      [&](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, SessionUpdated>) {
          session_updated(e, events);
        } else if constexpr (std::is_same_v<T, EngineError>) {
          error(e, events);
        } else if constexpr (std::is_same_v<T, SessionExpired>) {
          events.on_engine_event(SessionLimit{e.message});
        } else if constexpr (std::is_same_v<T, SpeechStarted>) {
          events.on_engine_event(CallerSpeechStarted{e.item_id, e.audio_start_ms});
        } else if constexpr (std::is_same_v<T, SpeechStopped>) {
          events.on_engine_event(CallerSpeechStopped{});
        } else if constexpr (std::is_same_v<T, InputCommitted>) {
          events.on_engine_event(CallerTurn{e.item_id, e.previous_item_id});
        } else if constexpr (std::is_same_v<T, ItemAdded>) {
          events.on_engine_event(ItemPlaced{e.item_id, e.previous_item_id});
        } else if constexpr (std::is_same_v<T, AudioDelta>) {
          // The hot path: the base64 goes on as it came (Twilio takes base64 too).
          events.on_engine_event(AgentAudio{e.response_id, e.item_id, std::move(e.delta_b64)});
        } else if constexpr (std::is_same_v<T, AudioDone>) {
          events.on_engine_event(AgentAudioDone{e.response_id, e.item_id});
        } else if constexpr (std::is_same_v<T, AssistantTranscriptDelta>) {
          events.on_engine_event(AgentTextDelta{e.item_id, std::move(e.text)});
        } else if constexpr (std::is_same_v<T, AssistantTranscriptDone>) {
          events.on_engine_event(AgentText{e.item_id, e.text});
        } else if constexpr (std::is_same_v<T, InputTranscriptCompleted>) {
          events.on_engine_event(CallerText{e.item_id, e.transcript});
        } else if constexpr (std::is_same_v<T, InputTranscriptFailed>) {
          events.on_engine_event(CallerTextFailed{e.item_id, e.message});
        } else if constexpr (std::is_same_v<T, FunctionCallDone>) {
          function_call(e, events);
        } else if constexpr (std::is_same_v<T, ResponseCreated>) {
          response_active_ = true;
          response_requested_ = false;
          requested_instructions_.clear();
          want_response_ = false;  // this response sees every item sent before it
          responses_.try_emplace(e.response_id);
          events.on_engine_event(ReplyStarted{e.response_id});
        } else if constexpr (std::is_same_v<T, ResponseDone>) {
          response_done(e, events);
        } else if constexpr (std::is_same_v<T, ItemTruncated>) {
          events.on_engine_event(AgentCut{e.item_id, e.audio_end_ms});
        }
        // session.created, input transcript deltas and events we do not act on: nothing to report.
      },
      event);
}

void RealtimeAdapter::session_updated(const SessionUpdated& e, EventSink& events) {
  if (phase_ != Phase::configuring) return;
  if (!is_pcmu(e.output_format) || !is_pcmu(e.input_format)) {
    events.on_engine_event(Rejected{"the engine did not switch to G.711 μ-law (output \"" + e.output_format +
                                    "\", input \"" + e.input_format + "\")"});
    return;
  }
  phase_ = Phase::live;
  for (const auto& line : seed_)
    send(line.role == HistoryLine::Role::caller ? conversation_item_user_text(line.text)
                                                : conversation_item_assistant_text(line.text, protocol_));
  seed_.clear();
  events.on_engine_event(Ready{});
  flush();
}

void RealtimeAdapter::error(const EngineError& e, EventSink& events) {
  if (phase_ == Phase::configuring) {
    // The reply to session.update: the session would run with default prompt, voice and format.
    events.on_engine_event(Rejected{"the engine rejected the session configuration: " +
                                    (e.code.empty() ? e.type : e.code) + ": " + e.message +
                                    (e.param.empty() ? "" : " (" + e.param + ")")});
    return;
  }
  if (e.code == "conversation_already_has_active_response" && response_requested_) {
    // The engine started a response on its own (turn detection) just before ours arrived: wait for
    // its response.done. A plain request is covered by that response; instructions are not.
    response_requested_ = false;
    response_active_ = true;
    if (!requested_instructions_.empty()) want_instructions_ = std::move(requested_instructions_);
    requested_instructions_.clear();
  }
  events.on_engine_event(Error{e.code.empty() ? e.type : e.code, e.message, e.param, false});
}

void RealtimeAdapter::function_call(const FunctionCallDone& e, EventSink& events) {
  auto [it, inserted] = calls_.try_emplace(e.call_id);
  Call& call = it->second;
  if (call.response_id.empty()) call.response_id = e.response_id;
  if (call.reported || e.name.empty()) return;  // reported twice, or (beta) the name comes later
  call.reported = true;
  ++outstanding_tools_;
  responses_[call.response_id].has_tools = true;
  events.on_engine_event(ToolCall{call.response_id, e.item_id, e.call_id, e.name, e.arguments});
}

void RealtimeAdapter::response_done(ResponseDone& e, EventSink& events) {
  response_active_ = false;
  responses_[e.response_id].done = true;
  events.on_engine_event(ReplyDone{e.response_id, e.status == "failed", std::move(e.error), e.usage});
  follow_up_if_tools_done(e.response_id);
  flush();
}

// ---- the call's inputs ------------------------------------------------------------------------

bool RealtimeAdapter::caller_audio(std::string_view payload_b64) {
  if (phase_ != Phase::live || !write_input_audio_append(append_, payload_b64)) return false;
  // Validated by write_input_audio_append.
  const auto length = audio::g711_8k_duration(twilio::base64_decoded_size(payload_b64));
  sink_.send_engine(Frame{append_, false, true, length});
  return true;
}

void RealtimeAdapter::greet(const Speech& speech) {
  send(conversation_item_system_text(greeting_directive(speech)));
  request_response();
}

void RealtimeAdapter::say(const Speech& speech, bool now) {
  if (!now) {
    request_response(reply_instructions(speech));
    return;
  }
  // A filler while tools run: only into silence, and not held back by the outstanding tools.
  if (phase_ != Phase::live || response_active_ || response_requested_) return;
  send(response_create_with_instructions(reply_instructions(speech)));
  response_requested_ = true;
}

void RealtimeAdapter::caller_text(std::string_view text) {
  send(conversation_item_user_text(text));
  request_response();
}

void RealtimeAdapter::tool_result(std::string_view call_id, std::string_view output, bool reply) {
  auto it = calls_.find(call_id);
  if (phase_ == Phase::closed || it == calls_.end() || !it->second.reported || it->second.result_in) return;
  it->second.result_in = true;
  --outstanding_tools_;
  // Submitted even if the caller barged in meanwhile: the result is still true.
  send(function_call_output(call_id, output));
  if (reply) follow_up_if_tools_done(it->second.response_id);
  else responses_[it->second.response_id].followed_up = true;  // the call is ending: no next turn
  flush();
}

void RealtimeAdapter::cut(std::string_view item_id, int64_t heard_ms) {
  if (phase_ != Phase::live) return;
  send(conversation_item_truncate(item_id, heard_ms));
}

StageChange RealtimeAdapter::change_stage(std::string_view call_id, std::string_view output,
                                          const SessionConfig& next) {
  // Every later connection opens as the new stage.
  session_update_ = std::make_shared<const std::string>(session_update(next, protocol_));
  const bool new_voice = next.voice != voice_;
  voice_ = next.voice;
  if (!new_voice) {
    // The session takes the new prompt and tools for its next response: the one that follows the
    // transition's output.
    if (phase_ != Phase::closed) send(session_update_prompt_and_tools(next, protocol_));
    tool_result(call_id, output, /*reply=*/true);
    return StageChange::in_place;
  }
  // The voice is fixed once the model has spoken: this session is done. Its call is settled
  // without an output (nothing more goes to this session) and no follow-up is asked for.
  if (auto it = calls_.find(call_id); it != calls_.end() && it->second.reported && !it->second.result_in) {
    it->second.result_in = true;
    --outstanding_tools_;
    responses_[it->second.response_id].followed_up = true;
  }
  return StageChange::fresh_session;
}

void RealtimeAdapter::reply() { request_response(); }

bool RealtimeAdapter::busy() const {
  return response_active_ || response_requested_ || want_response_ || !want_instructions_.empty();
}

// ---- response.create --------------------------------------------------------------------------

void RealtimeAdapter::follow_up_if_tools_done(const std::string& response_id) {
  auto r = responses_.find(response_id);
  if (r == responses_.end() || !r->second.done || !r->second.has_tools || r->second.followed_up) return;
  for (const auto& [id, call] : calls_)
    if (call.response_id == response_id && call.reported && !call.result_in) return;
  r->second.followed_up = true;
  request_response();  // the model does not continue on its own after function outputs
}

void RealtimeAdapter::request_response(std::string_view instructions) {
  if (instructions.empty()) want_response_ = true;
  else want_instructions_ = std::string(instructions);
  flush();
}

void RealtimeAdapter::flush() {
  if (phase_ != Phase::live || response_active_ || response_requested_ || outstanding_tools_ > 0) return;
  if (!want_instructions_.empty()) {
    send(response_create_with_instructions(want_instructions_));
    requested_instructions_ = std::move(want_instructions_);
    want_instructions_.clear();
  } else if (want_response_) {
    send(response_create());
    requested_instructions_.clear();
  } else {
    return;
  }
  want_response_ = false;
  response_requested_ = true;
}

}  // namespace sonoria::engine::openai
