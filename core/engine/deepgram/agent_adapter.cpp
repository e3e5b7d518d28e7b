#include "core/engine/deepgram/agent_adapter.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/audio/g711.hpp"
#include "core/engine/binary_audio_merge.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::engine::deepgram {
namespace {

constexpr Capabilities k_capabilities{
    .client_truncation = false,
    .client_driven_replies = false,
    .binary_audio = true,
    .mid_call_updates = true,
    .spoken_instructions = false,
    .session_limit = std::chrono::minutes(120),
};

// One merged frame carries at most 1 s of μ-law.
constexpr std::size_t k_max_merged_bytes = 8000;

// Keypad texts whose echo has not come yet; older ones are forgotten (bounded).
constexpr std::size_t k_max_unechoed = 8;


}  // namespace

AgentAdapter::AgentAdapter(SessionConfig config, FrameSink& sink, std::vector<std::string> tags)
    : config_(std::move(config)), sink_(sink), tags_(std::move(tags)) {}

const Capabilities& AgentAdapter::capabilities() const { return k_capabilities; }

AudioMerger AgentAdapter::audio_merger() const { return &merge_binary_audio<k_max_merged_bytes>; }

void AgentAdapter::send(std::string text) {
  sent_since_tick_ = true;
  sink_.send_engine(Frame{std::move(text), false, false});
}

// ---- the connection ---------------------------------------------------------------------------

void AgentAdapter::open(const std::vector<HistoryLine>& history) {
  closed();
  phase_ = Phase::configuring;
  send(settings(config_, history, tags_));
}

void AgentAdapter::closed() {
  phase_ = Phase::closed;
  user_turn_.clear();
  reply_.clear();
  item_.clear();
  item_text_.clear();
  item_text_streamed_ = 0;
  muted_ = false;
  reply_owed_ = false;
  injected_user_.clear();
  calls_.clear();
}

void AgentAdapter::tick(TimePoint now) {
  if (sent_since_tick_ || last_sent_ == TimePoint{}) {
    sent_since_tick_ = false;
    last_sent_ = now;
    return;
  }
  if (phase_ == Phase::closed || now - last_sent_ < k_keep_alive_after) return;
  send(keep_alive());
  sent_since_tick_ = false;
  last_sent_ = now;
}

bool AgentAdapter::receive(std::string_view data, bool binary, EventSink& events) {
  if (binary) {
    if (phase_ != Phase::live) return true;  // no audio before the settings apply: nothing to play
    agent_audio(data, events);
    return true;
  }
  auto message = parse_agent_message(data);
  if (!message) return false;
  on(*message, events);
  return true;
}

void AgentAdapter::on(const AgentMessage& message, EventSink& events) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, SettingsApplied>) {
          if (phase_ != Phase::configuring) return;
          phase_ = Phase::live;
          events.on_engine_event(Ready{});
          flush_say();
        } else if constexpr (std::is_same_v<T, ConversationText>) {
          if (m.role == "user") {
            user_said(m.content, events);
          } else if (m.role == "assistant") {
            muted_ = false;
            item_text_ += (item_text_.empty() || m.content.empty() ? "" : " ") + m.content;
            stream_text(events);
          }
        } else if constexpr (std::is_same_v<T, UserStartedSpeaking>) {
          user_started(events);
        } else if constexpr (std::is_same_v<T, AgentThinking>) {
          muted_ = false;
        } else if constexpr (std::is_same_v<T, AgentStartedSpeaking>) {
          muted_ = false;
          if (reply_.empty()) start_item(events);
        } else if constexpr (std::is_same_v<T, AgentAudioDone>) {
          finish_item(events);
          flush_say();
        } else if constexpr (std::is_same_v<T, FunctionCallRequest>) {
          muted_ = false;
          reply_owed_ = false;  // the agent's turn went into tool calls; their results owe the next one
          for (const auto& f : m.functions) {
            if (!f.client_side) continue;  // Deepgram runs it and reports the result itself
            calls_[f.id] = f.name;
            std::string item = "dg_f" + std::to_string(++ids_);
            events.on_engine_event(ItemPlaced{item, last_item_});
            last_item_ = item;
            events.on_engine_event(ToolCall{reply_, item, f.id, f.name, f.arguments});
          }
        } else if constexpr (std::is_same_v<T, FunctionCallCancelled>) {
          for (const auto& id : m.ids) {
            calls_.erase(id);
            events.on_engine_event(ToolCallCancelled{id});
          }
        } else if constexpr (std::is_same_v<T, InjectionRefused>) {
          reply_owed_ = false;
          events.on_engine_event(Error{"InjectionRefused", m.message, "", false});
        } else if constexpr (std::is_same_v<T, Problem>) {
          if (phase_ == Phase::configuring && m.fatal) {
            events.on_engine_event(Rejected{"Deepgram refused the settings: " + m.code + ": " + m.description});
            return;
          }
          // The agent's turn failed: nothing will be said for what it owed.
          if (m.code == "THINK_REQUEST_FAILED" || m.code == "SPEAK_REQUEST_FAILED") reply_owed_ = false;
          if (m.code == "MAXIMUM_SESSION_LENGTH_APPROACHING" || m.code == "MAXIMUM_SESSION_LENGTH_REACHED")
            events.on_engine_event(SessionLimit{m.description});
          events.on_engine_event(Error{m.code, m.description, "", m.fatal});
        }
        // Welcome, History, LatencyReport, acks and new types: nothing to report.
      },
      message);
}

void AgentAdapter::start_item(EventSink& events) {
  reply_owed_ = false;
  reply_ = "dg_r" + std::to_string(++ids_);
  item_ = "dg_a" + std::to_string(++ids_);
  events.on_engine_event(ReplyStarted{reply_});
  events.on_engine_event(ItemPlaced{item_, last_item_});
  last_item_ = item_;
  stream_text(events);  // its text often comes before its audio
}

// What the agent says in the item so far, as it grows, so that a call ending mid-reply keeps it.
void AgentAdapter::stream_text(EventSink& events) {
  if (item_.empty() || item_text_.size() <= item_text_streamed_) return;
  events.on_engine_event(AgentTextDelta{item_, item_text_.substr(item_text_streamed_)});
  item_text_streamed_ = item_text_.size();
}

void AgentAdapter::agent_audio(std::string_view audio, EventSink& events) {
  if (muted_ || audio.empty()) return;  // stale audio of a reply the caller cut off
  if (reply_.empty()) start_item(events);
  events.on_engine_event(AgentAudio{reply_, item_, twilio::base64_encode(audio)});
}

void AgentAdapter::finish_item(EventSink& events) {
  if (reply_.empty()) {
    item_text_.clear();
    item_text_streamed_ = 0;
    return;
  }
  const std::string reply = std::move(reply_);
  const std::string item = std::move(item_);
  reply_.clear();
  item_.clear();
  events.on_engine_event(engine::AgentAudioDone{reply, item});
  events.on_engine_event(AgentText{item, std::exchange(item_text_, {})});
  item_text_streamed_ = 0;
  events.on_engine_event(ReplyDone{reply, false, "", {}});
}

void AgentAdapter::user_started(EventSink& events) {
  if (user_turn_.empty()) user_turn_ = "dg_u" + std::to_string(++ids_);
  reply_owed_ = false;  // the caller took the floor: Deepgram answers them instead
  events.on_engine_event(CallerSpeechStarted{user_turn_, -1});
  if (!reply_.empty()) {
    // Barge-in: Deepgram stops the reply; what it already sent is cut by the call as heard.
    muted_ = true;
    finish_item(events);
  } else {
    // Its text came, none of its audio: Deepgram drops the reply unheard. Kept, the text would
    // be reported as the start of the next reply.
    item_text_.clear();
    item_text_streamed_ = 0;
  }
}

void AgentAdapter::user_said(std::string_view text, EventSink& events) {
  // Deepgram echoes InjectUserMessage as a user ConversationText: keypad text the call knows
  // already, not speech, and not the turn of a caller speaking meanwhile.
  if (auto echo = std::find(injected_user_.begin(), injected_user_.end(), text); echo != injected_user_.end()) {
    injected_user_.erase(echo);
    return;
  }
  std::string turn = std::exchange(user_turn_, {});
  if (turn.empty()) turn = "dg_u" + std::to_string(++ids_);
  events.on_engine_event(CallerSpeechStopped{});
  events.on_engine_event(CallerTurn{turn, last_item_});
  last_item_ = turn;
  events.on_engine_event(CallerText{turn, std::string(text)});
}

// ---- the call's inputs ------------------------------------------------------------------------

bool AgentAdapter::caller_audio(std::string_view payload_b64) {
  if (phase_ != Phase::live) return false;
  auto audio = twilio::base64_decode(payload_b64);
  if (!audio) return false;
  if (audio->empty()) return true;  // no audio; Deepgram's listen API takes an empty frame for end of stream
  sent_since_tick_ = true;
  const auto length = audio::g711_8k_duration(audio->size());
  sink_.send_engine(Frame{std::move(*audio), true, true, length});
  return true;
}

void AgentAdapter::greet(const Speech& speech) { say(speech, false); }

void AgentAdapter::say(const Speech& speech, bool now) {
  if (speech.words.empty()) return;  // Deepgram speaks words only
  if (now) {
    if (quiet()) inject(speech.words);
    return;
  }
  pending_say_ = speech.words;
  flush_say();
}

// Deepgram refuses injected words while the agent is mid-turn: speaking, about to answer, or
// waiting for a function's result (so a filler during a slow tool is not asked for: it would only
// be refused).
bool AgentAdapter::quiet() const {
  return phase_ == Phase::live && reply_.empty() && !reply_owed_ && calls_.empty();
}

void AgentAdapter::flush_say() {
  if (!quiet() || pending_say_.empty()) return;
  inject(std::exchange(pending_say_, {}));
}

void AgentAdapter::inject(std::string_view words) {
  send(inject_agent_message(words));
  reply_owed_ = true;
}

void AgentAdapter::caller_text(std::string_view text) {
  if (phase_ != Phase::live) return;
  send(inject_user_message(text));
  reply_owed_ = true;
  if (injected_user_.size() == k_max_unechoed) injected_user_.pop_front();
  injected_user_.emplace_back(text);
}

void AgentAdapter::tool_result(std::string_view call_id, std::string_view output, bool reply) {
  auto it = calls_.find(call_id);
  if (phase_ == Phase::closed || it == calls_.end()) return;
  send(function_call_response(call_id, it->second, output));
  calls_.erase(it);
  // Deepgram goes on by itself once every call is answered, whether the call is ending or not;
  // an ending call does not wait for it.
  if (reply && calls_.empty()) reply_owed_ = true;
}

StageChange AgentAdapter::change_stage(std::string_view call_id, std::string_view output, const SessionConfig& next) {
  // Before the function's answer: the agent's next turn, which that answer starts, is the new stage's.
  if (phase_ != Phase::closed) {
    send(update_think(next));
    if (next.voice != config_.voice) send(update_speak(next));
  }
  config_ = next;  // a reconnect's Settings
  tool_result(call_id, output, /*reply=*/true);
  return StageChange::in_place;
}

void AgentAdapter::cut(std::string_view, int64_t) {}  // Deepgram keeps its own context at barge-in

bool AgentAdapter::busy() const { return !reply_.empty() || !pending_say_.empty() || reply_owed_; }

}  // namespace sonoria::engine::deepgram
