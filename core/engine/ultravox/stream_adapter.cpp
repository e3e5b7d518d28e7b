#include "core/engine/ultravox/stream_adapter.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/audio/g711.hpp"
#include "core/engine/binary_audio_merge.hpp"
#include "core/engine/ultravox/call_api.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::engine::ultravox {
namespace {

constexpr Capabilities k_capabilities{
    .client_truncation = false,
    .client_driven_replies = false,
    .binary_audio = true,
    .mid_call_updates = false,
    .spoken_instructions = false,
};

int rate_or_twilio(int rate) { return rate > 0 ? rate : 8000; }

}  // namespace

StreamAdapter::StreamAdapter(FrameSink& sink, PcmRates rates)
    : sink_(sink),
      capabilities_(k_capabilities),
      agent_pcm_(rate_or_twilio(rates.output)),
      caller_pcm_(rate_or_twilio(rates.input)) {}

const Capabilities& StreamAdapter::capabilities() const { return capabilities_; }

AudioMerger StreamAdapter::audio_merger() const { return &merge_binary_audio<StreamAdapter::k_max_merged_bytes>; }

void StreamAdapter::send(std::string text) { sink_.send_engine(Frame{std::move(text), false, false}); }

// ---- the connection ---------------------------------------------------------------------------

void StreamAdapter::open(const std::vector<HistoryLine>&) {
  // The history went into the call's creation (initialMessages): nothing to send.
  closed();
  phase_ = Phase::joining;
}

void StreamAdapter::closed() {
  phase_ = Phase::closed;
  reply_.clear();
  item_.clear();
  item_ordinal_ = -1;
  clear_item_text();
  finished_ordinal_ = -1;  // a new call numbers its utterances afresh
  cut_unnumbered_ = false;
  muted_ = false;
  agent_pcm_.reset();
  user_turn_.clear();
  user_started_ = false;
  user_text_.clear();
  owed_ = 0;  // asked of a call that is gone
  stirred_ = false;
  calls_.clear();
}

bool StreamAdapter::receive(std::string_view data, bool binary, EventSink& events) {
  if (binary) {
    if (phase_ == Phase::closed) return true;
    become_live(events);
    agent_audio(data, events);
    return true;
  }
  auto message = parse_server_message(data);
  if (!message) return false;
  if (phase_ == Phase::closed) return true;
  become_live(events);
  on(*message, events);
  return true;
}

// Whatever comes first on the joined socket (call_started, normally) says the call is live.
void StreamAdapter::become_live(EventSink& events) {
  if (phase_ != Phase::joining) return;
  phase_ = Phase::live;
  events.on_engine_event(Ready{});
  if (!pending_say_.empty()) speak(std::exchange(pending_say_, {}), Urgency::soon);
}

void StreamAdapter::on(const ServerMessage& message, EventSink& events) {
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, Transcript>) {
          if (m.role == "agent") on_agent_transcript(m, events);
          else if (m.role == "user") on_user_transcript(m, events);
        } else if constexpr (std::is_same_v<T, AgentState>) {
          on_state(m.state);
        } else if constexpr (std::is_same_v<T, PlaybackClearBuffer>) {
          on_clear(events);
        } else if constexpr (std::is_same_v<T, ToolInvocation>) {
          on_invocation(m, events);
        }
        // call_started (Ready is reported above), pong, debug and new types: nothing to report.
      },
      message);
}

void StreamAdapter::on_state(std::string_view state) {
  if (state == "thinking" || state == "speaking") {
    muted_ = false;  // the agent has moved on from what was cut
    cut_unnumbered_ = false;
    if (reply_.empty() && owed_ > 0) stirred_ = true;
  } else if (state == "listening" || state == "idle") {
    // It worked on what was asked and chose to say nothing: nothing is owed any more.
    if (stirred_ && reply_.empty()) {
      owed_ = 0;
      stirred_ = false;
    }
  }
}

void StreamAdapter::on_agent_transcript(const Transcript& t, EventSink& events) {
  const std::int64_t ordinal = t.ordinal;
  if (reply_.empty()) {
    if (ordinal >= 0 && ordinal <= finished_ordinal_) return;  // late words of a finished utterance
    if (cut_unnumbered_ && muted_ && t.final) {
      // The last word on the utterance a barge-in ended before its ordinal was known.
      cut_unnumbered_ = false;
      finished_ordinal_ = std::max(finished_ordinal_, ordinal);
      return;
    }
    start_item(ordinal, events);
  } else if (ordinal >= 0 && item_ordinal_ >= 0 && ordinal != item_ordinal_) {
    if (ordinal < item_ordinal_) return;  // out of order: an older utterance's
    finish_item(events);                  // the next utterance began without a final for this one
    start_item(ordinal, events);
  } else if (item_ordinal_ < 0) {
    item_ordinal_ = ordinal;  // the audio came first
  }
  if (t.text) {
    if (t.text->compare(0, item_text_streamed_, item_text_, 0, item_text_streamed_) != 0) item_text_rewritten_ = true;
    item_text_ = *t.text;
  } else {
    item_text_ += t.delta;
  }
  if (t.final) finish_item(events);
  else stream_text(events);
}

// The utterance's words so far, as they come, so that a call ending mid-utterance keeps them.
void StreamAdapter::stream_text(EventSink& events) {
  if (item_.empty() || item_text_rewritten_ || item_text_.size() <= item_text_streamed_) return;
  events.on_engine_event(AgentTextDelta{item_, item_text_.substr(item_text_streamed_)});
  item_text_streamed_ = item_text_.size();
}

void StreamAdapter::clear_item_text() {
  item_text_.clear();
  item_text_streamed_ = 0;
  item_text_rewritten_ = false;
}

void StreamAdapter::on_user_transcript(const Transcript& t, EventSink& events) {
  const bool spoken = t.medium != "text";  // typed text (user_text_message) is no speech
  if (user_turn_.empty()) {
    user_turn_ = "uv_u" + std::to_string(++ids_);
    user_started_ = false;
    user_text_.clear();
  }
  // While the agent speaks, whether the caller interrupts is Ultravox's call (playback_clear_buffer).
  if (spoken && !user_started_ && reply_.empty()) {
    events.on_engine_event(CallerSpeechStarted{user_turn_, -1});
    user_started_ = true;
  }
  if (t.text) user_text_ = *t.text;
  else user_text_ += t.delta;
  if (!t.final) return;

  muted_ = false;  // the caller's turn is over: what comes next is a new reply
  cut_unnumbered_ = false;
  const std::string turn = std::exchange(user_turn_, {});
  if (spoken) events.on_engine_event(CallerSpeechStopped{});
  events.on_engine_event(CallerTurn{turn, last_item_});
  last_item_ = turn;
  events.on_engine_event(CallerText{turn, std::exchange(user_text_, {})});
  user_started_ = false;
}

void StreamAdapter::on_invocation(const ToolInvocation& call, EventSink& events) {
  muted_ = false;
  cut_unnumbered_ = false;
  calls_.insert(call.invocation_id);
  std::string item = "uv_f" + std::to_string(++ids_);
  events.on_engine_event(ItemPlaced{item, last_item_});
  last_item_ = item;
  events.on_engine_event(ToolCall{reply_, item, call.invocation_id, call.tool_name, call.parameters});
}

void StreamAdapter::on_clear(EventSink& events) {
  if (user_turn_.empty()) {
    user_turn_ = "uv_u" + std::to_string(++ids_);
    user_text_.clear();
  }
  events.on_engine_event(CallerSpeechStarted{user_turn_, -1});
  user_started_ = true;
  // Muted first: what the resampler holds of the cut utterance must not play either.
  muted_ = true;
  agent_pcm_.reset();
  if (!reply_.empty()) {
    // Ultravox stopped the utterance; what it already sent is cut by the call as heard.
    cut_unnumbered_ = item_ordinal_ < 0;
    finish_item(events);
  }
}

void StreamAdapter::agent_audio(std::string_view pcm, EventSink& events) {
  if (muted_) return;  // stale audio of an utterance the caller cut off
  std::string ulaw;
  agent_pcm_.push(pcm, ulaw);
  if (ulaw.empty()) return;
  if (reply_.empty()) start_item(-1, events);
  events.on_engine_event(AgentAudio{reply_, item_, twilio::base64_encode(ulaw)});
}

void StreamAdapter::start_item(std::int64_t ordinal, EventSink& events) {
  reply_ = "uv_r" + std::to_string(++ids_);
  item_ = "uv_a" + std::to_string(++ids_);
  item_ordinal_ = ordinal;
  clear_item_text();
  muted_ = false;
  cut_unnumbered_ = false;
  if (owed_ > 0) --owed_;
  stirred_ = false;
  events.on_engine_event(ReplyStarted{reply_});
  events.on_engine_event(ItemPlaced{item_, last_item_});
  last_item_ = item_;
}

void StreamAdapter::finish_item(EventSink& events) {
  if (reply_.empty()) return;
  finished_ordinal_ = std::max(finished_ordinal_, item_ordinal_);
  // The end of the utterance: what the resampler held back for what might follow plays too.
  std::string tail;
  agent_pcm_.flush(tail);
  if (!tail.empty() && !muted_) events.on_engine_event(AgentAudio{reply_, item_, twilio::base64_encode(tail)});
  const std::string reply = std::exchange(reply_, {});
  const std::string item = std::exchange(item_, {});
  item_ordinal_ = -1;
  events.on_engine_event(AgentAudioDone{reply, item});
  events.on_engine_event(AgentText{item, std::exchange(item_text_, {})});
  clear_item_text();
  events.on_engine_event(ReplyDone{reply, false, "", {}});
}

// ---- the call's inputs ------------------------------------------------------------------------

bool StreamAdapter::caller_audio(std::string_view payload_b64) {
  if (phase_ != Phase::live) return false;
  auto ulaw = twilio::base64_decode(payload_b64);
  if (!ulaw) return false;
  if (ulaw->empty()) return true;
  std::string pcm;
  pcm.reserve(ulaw->size() * 2 * static_cast<std::size_t>(caller_pcm_.pcm_rate() / 8000));
  caller_pcm_.push(*ulaw, pcm);
  // As long as the caller's μ-law, whatever rate the engine takes it at.
  if (!pcm.empty()) sink_.send_engine(Frame{std::move(pcm), true, true, audio::g711_8k_duration(ulaw->size())});
  return true;
}

void StreamAdapter::speak(std::string_view words, Urgency urgency) {
  send(forced_agent_message(words, urgency));
  ++owed_;
}

void StreamAdapter::greet(const Speech& speech) { say(speech, false); }

void StreamAdapter::say(const Speech& speech, bool now) {
  if (speech.words.empty()) return;  // Ultravox speaks words only
  if (now) {
    // A filler: only into silence, and not kept for later.
    if (phase_ == Phase::live && reply_.empty()) speak(speech.words, Urgency::immediate);
    return;
  }
  if (phase_ != Phase::live) {
    pending_say_ = speech.words;
    return;
  }
  // Ultravox holds it until the agent is free ("soon").
  speak(speech.words, Urgency::soon);
}

void StreamAdapter::caller_text(std::string_view text) {
  if (phase_ != Phase::live) return;
  send(user_text_message(text));
  ++owed_;
}

void StreamAdapter::tool_result(std::string_view call_id, std::string_view output, bool reply) {
  auto it = calls_.find(call_id);
  if (phase_ == Phase::closed || it == calls_.end()) return;
  // The call is ending: the agent listens instead of talking on.
  send(client_tool_result(call_id, output, reply ? AgentReaction::speaks : AgentReaction::listens));
  calls_.erase(it);
  if (reply) ++owed_;
}

StageChange StreamAdapter::change_stage(std::string_view call_id, std::string_view, const SessionConfig& next) {
  // A later connection creates its call from the session the call asks for (the new stage's);
  // this one takes the stage as the transition's result. The agent speaks on in the new stage.
  auto it = calls_.find(call_id);
  if (phase_ == Phase::closed || it == calls_.end()) return StageChange::in_place;
  send(client_tool_result_new_stage(call_id, stage_definition(next)));
  calls_.erase(it);
  ++owed_;
  return StageChange::in_place;
}

void StreamAdapter::cut(std::string_view, int64_t) {}  // Ultravox keeps its own context at barge-in

bool StreamAdapter::busy() const { return !reply_.empty() || owed_ > 0 || !pending_say_.empty(); }

}  // namespace sonoria::engine::ultravox
