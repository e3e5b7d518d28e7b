#include "core/call/bridge.hpp"

#include <algorithm>
#include <type_traits>

#include "core/call/stages.hpp"
#include "core/org/profile.hpp"
#include "core/twilio/base64.hpp"
#include <utility>

namespace sonoria::call {
namespace {

using nlohmann::json;

// What the assistant says on the call's own initiative: how to say it (engines that take
// instructions) and the words (engines that speak text verbatim).
const engine::Speech k_default_greeting{"Greet the caller warmly and briefly, and ask how you can help.",
                                        "Hello, thanks for calling. How can I help you today?"};
const engine::Speech k_wrap_up{
    "The call has reached its time limit. In one or two short sentences, tell the caller you have to end the "
    "call now, suggest they call back if they need more help, and say goodbye.",
    "I'm sorry, we've reached the time limit for this call. Please call back if you need anything else. Goodbye!"};
const engine::Speech k_silence_check{
    "The caller has been silent for a while. Briefly ask whether they are still there.", "Are you still there?"};
const engine::Speech k_silence_goodbye{"The caller is not responding. Say a short, polite goodbye.",
                                       "I haven't heard from you, so I'll end the call now. Goodbye!"};
const engine::Speech k_reconnect_apology{
    "The line was briefly interrupted. Apologise in one short sentence and continue where the conversation "
    "left off.",
    "Sorry about that, the line dropped for a moment. Where were we?"};
const engine::Speech k_tool_filler{
    "A tool is still running. Say one short, natural filler sentence to the caller, such as \"One moment "
    "please, I'm taking care of that.\" Do not call any tool and do not say whether it worked yet.",
    "One moment please, I'm taking care of that."};

int64_t ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool is_keypad_digit(std::string_view digit) {
  if (digit.size() != 1) return false;
  char c = digit[0];
  return (c >= '0' && c <= '9') || c == '*' || c == '#' || (c >= 'A' && c <= 'D');
}

engine::Speech greeting_of(const BridgeConfig& c) {
  if (!c.greeting.empty()) return {"", c.greeting};
  return {c.greeting_instruction.empty() ? k_default_greeting.instructions : c.greeting_instruction,
          c.greeting_words.empty() ? k_default_greeting.words : c.greeting_words};
}

}  // namespace

CallBridge::CallBridge(BridgeConfig config, std::unique_ptr<engine::Adapter> engine, ActionSink& sink,
                       TimePoint start)
    : config_(std::move(config)),
      engine_(std::move(engine)),
      sink_(sink),
      start_(start),
      phase_since_(start),
      last_activity_(start) {
  if (has_stages()) {
    stage_ = config_.start_stage < config_.stages->size() ? config_.start_stage : 0;
    transcript_.set_stage((*config_.stages)[stage_].name);
    summary_.stages.push_back((*config_.stages)[stage_].name);
  }
}

std::string_view CallBridge::stage() const { return has_stages() ? std::string_view((*config_.stages)[stage_].name) : ""; }

int64_t CallBridge::offset_ms(TimePoint now) const { return ms(now - start_); }

void CallBridge::record(TimePoint now, CallEventKind kind, json detail) {
  sink_.record_event({kind, offset_ms(now), std::move(detail)});
}

// ---- engine leg -------------------------------------------------------------------------------

void CallBridge::on_engine_open(TimePoint now) {
  if (phase_ != Phase::connecting && phase_ != Phase::reconnecting) return;
  ++session_;
  phase_ = Phase::configuring;
  phase_since_ = now;
  audio_origin_ms_.reset();
  reply_active_ = false;
  outstanding_tools_ = 0;
  engine_->open(been_live_ ? history() : std::vector<engine::HistoryLine>{});
}

void CallBridge::replace_engine(std::unique_ptr<engine::Adapter> engine) {
  if (phase_ != Phase::connecting && phase_ != Phase::reconnecting) return;
  engine_ = std::move(engine);
}

void CallBridge::on_engine_message(TimePoint now, std::string_view data, bool binary) {
  if (phase_ != Phase::configuring && phase_ != Phase::live) return;  // no socket: stale message
  Events events(*this, now);
  if (!engine_->receive(data, binary, events)) ++malformed_;
  release_transcripts(now);
  check_ending(now);
  maybe_swap_for_stage(now);
}

void CallBridge::on_engine_event(TimePoint now, const engine::Event& event) {
  if (phase_ != Phase::configuring && phase_ != Phase::live) return;
  dispatch(now, event);
  release_transcripts(now);
  check_ending(now);
  maybe_swap_for_stage(now);
}

void CallBridge::dispatch(TimePoint now, const engine::Event& event) {
  if (phase_ != Phase::configuring && phase_ != Phase::live) return;  // an earlier event ended it
  std::visit([&](const auto& e) { handle(now, e); }, event);
}

void CallBridge::on_engine_closed(TimePoint now, std::string_view reason) {
  if (phase_ == Phase::finished) return;
  if (!been_live_) {
    const std::string detail = "the engine connection closed before the session was ready: " + std::string(reason);
    if (!try_next_engine(now, detail, "closed")) engine_failed(now, EndReason::engine_failed, detail);
    return;
  }
  if (phase_ == Phase::live) lost_mid_reply_ = engine_->busy();
  stage_swap_due_ = false;  // the next session is connected as the stage anyway
  forget_session();
  phase_ = Phase::reconnecting;
  phase_since_ = now;
  if (ending_) {
    check_ending(now);  // the goodbye may still be playing; no point reconnecting
    return;
  }
  if (reconnects_ >= config_.max_engine_reconnects) {
    engine_failed(now, EndReason::engine_lost, "the engine connection was lost: " + std::string(reason));
    return;
  }
  ++reconnects_;
  // The caller hears that something is happening rather than silence (after whatever of the last
  // reply is still playing).
  if (twilio_started_ && config_.hold_clip)
    for (const auto& payload : *config_.hold_clip) sink_.send_twilio_media(payload);
  record(now, CallEventKind::engine_lost,
         {{"reason", reason}, {"session_expired", session_expired_}, {"attempt", reconnects_},
          {"engine", engine_->name()}});
  sink_.engine_lost({std::string(reason), session_expired_, reconnects_});
  session_expired_ = false;
}

void CallBridge::handle(TimePoint now, const engine::Ready&) {
  if (phase_ != Phase::configuring) return;
  phase_ = Phase::live;
  phase_since_ = now;
  live_since_ = now;
  last_activity_ = now;
  // What the caller said while the session was connecting, in order: nothing is lost.
  if (!been_live_) summary_.frames_waited += static_cast<int64_t>(held_audio_.size());
  rolling_over_ = false;
  for (const auto& [timestamp, payload] : held_audio_) {
    if (!engine_->caller_audio(payload)) {
      ++summary_.frames_dropped;
      ++summary_.drops["caller_malformed"];
    }
    else if (!audio_origin_ms_) audio_origin_ms_ = timestamp;
  }
  held_audio_.clear();
  if (been_live_) {
    ++summary_.engine_reconnects;
    record(now, CallEventKind::engine_reconnected,
           {{"attempt", reconnects_}, {"reseeded_items", transcript_.history().size()}, {"engine", engine_->name()}});
    if (lost_mid_reply_) engine_->say(k_reconnect_apology);
    else if (stage_swap_ || reply_after_swap_) engine_->reply();  // the new stage's first words, or the reply still owed
    if (reply_after_swap_) expect_audio(now);
    lost_mid_reply_ = false;
    stage_swap_ = false;
    reply_after_swap_ = false;
  }
  been_live_ = true;
  maybe_greet(now);
}

void CallBridge::handle(TimePoint now, const engine::Rejected& e) {
  if (try_next_engine(now, e.detail, "refused")) return;
  engine_failed(now, been_live_ ? EndReason::engine_lost : EndReason::engine_failed, e.detail);
}

void CallBridge::maybe_greet(TimePoint now) {
  if (greeted_ || phase_ != Phase::live || !twilio_started_) return;
  greeted_ = true;
  engine_->greet(greeting_of(config_));
  expect_audio(now);
}

void CallBridge::expect_audio(TimePoint now) {
  audio_due_since_ = now;
  silent_filler_said_ = false;
}

namespace {

// A broken or hostile engine may report thousands of errors in one call (500 wrote 1.3 MB of call
// events): the first ones are recorded, each clipped; the rest are counted and the count recorded
// when the call ends.
constexpr int k_recorded_engine_errors = 20;
constexpr std::size_t k_engine_error_text = 500;

std::string clipped(const std::string& text) {
  if (text.size() <= k_engine_error_text) return text;
  std::size_t cut = k_engine_error_text;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // whole UTF-8 characters
  return text.substr(0, cut) + "…";
}

}  // namespace

void CallBridge::handle(TimePoint now, const engine::Error& e) {
  ++engine_errors_;
  if (engine_errors_ > k_recorded_engine_errors) return;
  record(now, CallEventKind::error,
         {{"code", clipped(e.code)}, {"message", clipped(e.message)}, {"param", clipped(e.detail)}, {"fatal", e.fatal}});
  if (engine_errors_ == k_recorded_engine_errors)
    record(now, CallEventKind::error,
           {{"code", "errors_suppressed"},
            {"message", "the engine reported " + std::to_string(k_recorded_engine_errors) +
                            " errors; further ones are counted, not recorded, until the call ends"}});
}

void CallBridge::handle(TimePoint now, const engine::SessionLimit& e) {
  session_expired_ = true;
  record(now, CallEventKind::error, {{"code", "session_expired"}, {"message", e.message}});
}

void CallBridge::handle(TimePoint now, const engine::CallerSpeechStarted& e) {
  last_activity_ = now;
  caller_speaking_ = true;
  silence_checked_ = false;
  latency_from_.reset();
  audio_due_since_.reset();  // the caller speaks again: nothing is owed until they stop
  if (!e.turn_id.empty()) {
    int64_t offset = audio_origin_ms_ && twilio_started_ && e.audio_start_ms >= 0
                         ? offset_ms(twilio_start_) + *audio_origin_ms_ + e.audio_start_ms
                         : offset_ms(now);
    speech_offsets_[e.turn_id] = offset;
  }
  barge_in(now);
}

void CallBridge::barge_in(TimePoint now) {
  if (auto cut = playback_.interrupt()) {
    sink_.send_twilio_clear();
    auto playing = assistant_items_.find(cut->item_id);
    // Audio of a lost session may still be playing after a reconnect: the new session never had
    // that item (it was seeded as text), so there is nothing for it to cut.
    if (playing == assistant_items_.end() || playing->second.session == session_)
      engine_->cut(cut->item_id, cut->audio_end_ms);
    ++summary_.interruptions;
    transcript_.assistant_cut(cut->item_id, cut->audio_end_ms, cut->received_ms);
    if (playing != assistant_items_.end()) playing->second.settled = true;
    for (const auto& flushed : cut->flushed_items) {
      transcript_.assistant_cut(flushed, 0, playback_.received_bytes(flushed) / k_bytes_per_ms);
      if (auto it = assistant_items_.find(flushed); it != assistant_items_.end()) it->second.settled = true;
    }
    record(now, CallEventKind::interruption,
           {{"item_id", cut->item_id}, {"audio_end_ms", cut->audio_end_ms}, {"received_ms", cut->received_ms}});
  }
  // The engine stops the reply being generated; whatever of it is still in flight is unwanted.
  if (!reply_active_) return;
  for (auto& [id, item] : assistant_items_) {
    if (item.audio_done || item.settled) continue;
    playback_.cut(id);
    item.settled = true;
    int64_t sent_ms = playback_.received_bytes(id) / k_bytes_per_ms;
    transcript_.assistant_cut(id, sent_ms, sent_ms);
  }
}

void CallBridge::handle(TimePoint now, const engine::CallerSpeechStopped&) {
  last_activity_ = now;
  caller_speaking_ = false;
  latency_from_ = now;
  if (!ending_) expect_audio(now);
}

void CallBridge::handle(TimePoint now, const engine::CallerTurn& e) {
  transcript_.place(e.turn_id, e.previous_item_id);
  int64_t offset = offset_ms(now);
  if (auto it = speech_offsets_.find(e.turn_id); it != speech_offsets_.end()) {
    offset = it->second;
    speech_offsets_.erase(it);
  }
  transcript_.add_caller(e.turn_id, offset, offset_ms(now));
}

void CallBridge::handle(TimePoint, const engine::ItemPlaced& e) { transcript_.place(e.item_id, e.previous_item_id); }

void CallBridge::handle(TimePoint now, const engine::ReplyStarted&) {
  reply_active_ = true;
  tools_this_reply_ = 0;
  reply_sign_ = now;  // the engine is working on a reply: slow, perhaps, but alive
}

void CallBridge::handle(TimePoint now, const engine::AgentAudio& e) {
  if (!twilio_started_ || phase_ != Phase::live || playback_.is_cut(e.item_id)) {
    ++summary_.frames_out_dropped;
    ++summary_.drops[playback_.is_cut(e.item_id) ? "assistant_after_barge_in" : "assistant_before_stream"];
    return;
  }
  auto it = assistant_items_.find(e.item_id);
  if (it == assistant_items_.end()) {
    it = assistant_items_.emplace(e.item_id, AssistantItem{e.reply_id, now, false, false, session_}).first;
    transcript_.add_assistant(e.item_id, offset_ms(now), offset_ms(now));
    if (greeted_ && greeting_item_.empty()) {
      greeting_item_ = e.item_id;
      summary_.greeting_sent_ms = ms(now - twilio_start_);
    }
  }
  audio_due_since_.reset();
  size_t bytes = twilio::base64_decoded_size(e.audio_b64);
  sink_.send_twilio_media(e.audio_b64);
  sink_.send_twilio_mark(playback_.audio_sent(e.item_id, bytes));
  ++summary_.frames_out;
  summary_.bytes_out += static_cast<int64_t>(bytes);
  last_activity_ = now;
}

void CallBridge::handle(TimePoint, const engine::AgentAudioDone& e) {
  if (auto it = assistant_items_.find(e.item_id); it != assistant_items_.end()) {
    it->second.audio_done = true;
    settle_if_played(e.item_id);
  }
}

void CallBridge::settle_if_played(std::string_view item_id) {
  auto it = assistant_items_.find(item_id);
  if (it == assistant_items_.end() || it->second.settled || !it->second.audio_done) return;
  if (playback_.outstanding_for(item_id)) return;
  it->second.settled = true;
  transcript_.assistant_played(item_id);
}

void CallBridge::handle(TimePoint now, const engine::AgentText& e) {
  if (!transcript_.has(e.item_id)) {
    // No audio of this item reached the caller (cut before its first chunk, or text only).
    transcript_.add_assistant(e.item_id, offset_ms(now), offset_ms(now));
    transcript_.assistant_cut(e.item_id, 0, 0);
  }
  transcript_.assistant_text(e.item_id, e.text);
}

void CallBridge::handle(TimePoint, const engine::AgentTextDelta& e) {
  transcript_.assistant_text_delta(e.item_id, e.delta);
}

void CallBridge::handle(TimePoint now, const engine::CallerText& e) {
  if (!transcript_.has(e.turn_id)) transcript_.add_caller(e.turn_id, offset_ms(now), offset_ms(now));
  transcript_.caller_text(e.turn_id, e.text);
}

void CallBridge::handle(TimePoint now, const engine::CallerTextFailed& e) {
  transcript_.caller_failed(e.turn_id);
  record(now, CallEventKind::transcription_failed, {{"item_id", e.turn_id}, {"message", e.message}});
}

void CallBridge::handle(TimePoint now, const engine::ToolCall& e) {
  auto [it, inserted] = tool_calls_.try_emplace(e.call_id);
  if (!inserted) return;  // reported twice
  ToolCall& call = it->second;
  call.name = e.name;
  call.item_id = e.item_id;
  call.session = session_;
  ++summary_.tool_calls;
  ++tools_this_reply_;
  // Nothing of a call over its limits runs: the engine is not to be trusted with this call.
  const bool over_call = config_.max_tool_calls > 0 && summary_.tool_calls > config_.max_tool_calls;
  const bool over_reply = config_.max_tool_calls_per_reply > 0 && tools_this_reply_ > config_.max_tool_calls_per_reply;
  if (over_call || over_reply) {
    call.result_in = true;
    const std::string detail =
        over_call ? "the engine asked for more than " + std::to_string(config_.max_tool_calls) +
                        " tool calls in this call (calls.max_tool_calls); the call goes to the fallback"
                  : "the engine asked for more than " + std::to_string(config_.max_tool_calls_per_reply) +
                        " tool calls in one reply (calls.max_tool_calls_per_reply); the call goes to the fallback";
    record(now, CallEventKind::error, {{"code", "tool_limit"}, {"message", detail}, {"name", e.name}});
    return finish(now, Fallback{detail}, EndReason::tool_limit, detail);
  }
  json detail = {{"call_id", e.call_id}, {"name", e.name}, {"arguments", e.arguments}};
  if (has_stages()) detail["stage"] = stage();
  record(now, CallEventKind::tool_call, std::move(detail));
  if (has_stages()) {
    if (!transition_target(e.name).empty()) {
      call.result_in = true;
      move_stage(now, e);
      return;
    }
    if (!stage_offers((*config_.stages)[stage_], e.name)) {
      call.result_in = true;
      refuse_tool(now, e, "the tool " + e.name + " is not available in the stage \"" + std::string(stage()) + "\"");
      return;
    }
  }
  ++outstanding_tools_;
  sink_.run_tool({e.call_id, e.name, e.arguments});
}

// A tool call the bridge answers itself with an error the model can explain or act on.
void CallBridge::refuse_tool(TimePoint now, const engine::ToolCall& e, const std::string& why) {
  const std::string output = json{{"ok", false}, {"error", why}}.dump(-1, ' ', false, json::error_handler_t::replace);
  record(now, CallEventKind::tool_result, {{"call_id", e.call_id}, {"name", e.name}, {"ok", false}, {"output", output}});
  engine_->tool_result(e.call_id, output, !ending_);
}

// A transition tool: the call moves to a next stage of the current one, and the engine is told
// (the live session changes, or a fresh one is connected at the turn boundary).
void CallBridge::move_stage(TimePoint now, const engine::ToolCall& e) {
  const auto& stages = *config_.stages;
  const org::Stage& from = stages[stage_];
  const std::string_view target = transition_target(e.name);
  const auto to = find_stage(stages, target);
  if (!to || std::find(from.next.begin(), from.next.end(), target) == from.next.end()) {
    refuse_tool(now, e, "the call cannot move from the stage \"" + from.name + "\" to \"" + std::string(target) + "\"");
    return;
  }
  if (ending_) {
    refuse_tool(now, e, "the call is ending");
    return;
  }
  std::string handoff = handoff_of(e.arguments);
  const std::string& name = stages[*to].name;
  record(now, CallEventKind::stage_changed, {{"from", from.name}, {"to", name}, {"handoff", handoff}});
  const std::string output =
      json{{"ok", true}, {"stage", name}}.dump(-1, ' ', false, json::error_handler_t::replace);
  record(now, CallEventKind::tool_result, {{"call_id", e.call_id}, {"name", e.name}, {"ok", true}, {"output", output}});
  stage_ = *to;
  transcript_.set_stage(name);
  if (std::find(summary_.stages.begin(), summary_.stages.end(), name) == summary_.stages.end())
    summary_.stages.push_back(name);
  const engine::SessionConfig next = sink_.enter_stage({*to, name, std::move(handoff)});
  if (engine_->change_stage(e.call_id, output, next) == engine::StageChange::fresh_session) stage_swap_due_ = true;
}

// A fresh session for the new stage, once the reply that moved the call is over and nobody is
// speaking: what it said is still playing to the caller while the fresh session connects, and the
// new stage's first words queue up behind it.
void CallBridge::maybe_swap_for_stage(TimePoint now) {
  if (!stage_swap_due_ || phase_ != Phase::live || ending_) return;
  if (reply_active_ || caller_speaking_ || outstanding_tools_ > 0) return;
  stage_swap_due_ = false;
  stage_swap_ = true;
  swap_session(now, "stage");
}

void CallBridge::handle(TimePoint now, const engine::ToolCallCancelled& e) {
  auto it = tool_calls_.find(e.call_id);
  if (it == tool_calls_.end() || it->second.result_in) return;
  // The tool may still finish (an SMS already sent stays sent); its result just has nowhere to go.
  it->second.result_in = true;
  if (it->second.session == session_ && --outstanding_tools_ == 0) filler_said_ = false;
  record(now, CallEventKind::tool_result,
         {{"call_id", e.call_id}, {"name", it->second.name}, {"ok", false}, {"output", "cancelled by the engine"}});
}

void CallBridge::handle(TimePoint now, const engine::ReplyDone& e) {
  reply_active_ = false;
  ++summary_.responses;
  summary_.usage += e.usage;
  if (e.failed)
    record(now, CallEventKind::error,
           {{"message", "the engine's response failed"}, {"response_id", e.reply_id}, {"error", e.error}});
  for (auto& [id, item] : assistant_items_) {
    if (item.reply_id != e.reply_id) continue;
    if (!transcript_.has_text(id)) transcript_.assistant_text(id, "");
    item.audio_done = true;
    settle_if_played(id);
  }
}

void CallBridge::handle(TimePoint, const engine::AgentCut& e) {
  // The engine's word on where the item was cut; it matches what we asked for unless clamped.
  if (playback_.is_cut(e.item_id))
    transcript_.assistant_cut(e.item_id, e.audio_end_ms, playback_.received_bytes(e.item_id) / k_bytes_per_ms);
}

// ---- Twilio leg -------------------------------------------------------------------------------

void CallBridge::on_twilio_start(TimePoint now, std::string_view stream_sid) {
  if (phase_ == Phase::finished || twilio_started_) return;
  stream_sid_ = std::string(stream_sid);
  twilio_started_ = true;
  twilio_start_ = now;
  last_activity_ = now;
  maybe_greet(now);
}

void CallBridge::on_twilio_media(TimePoint, int64_t timestamp_ms, std::string_view payload_b64) {
  if (phase_ == Phase::finished) return;
  ++summary_.frames_in;
  summary_.bytes_in += static_cast<int64_t>(twilio::base64_decoded_size(payload_b64));
  // The first session still being set up (the caller spoke before the engine was ready) or a
  // rollover (a moment's reconnect): the caller's audio waits for the session, up to a bound;
  // beyond it, the oldest goes. After an engine was lost it does not: stale speech replayed
  // minutes later would confuse the turn detection more than losing it.
  const bool first_session = !been_live_ && (phase_ == Phase::connecting || phase_ == Phase::configuring);
  if ((rolling_over_ && phase_ != Phase::live) || first_session) {
    const std::size_t max_held = rolling_over_ ? 250 : 100;  // 5 s, or 2 s, of 20 ms frames
    if (held_audio_.size() >= max_held) {
      held_audio_.erase(held_audio_.begin());
      ++summary_.frames_dropped;
      ++summary_.drops[rolling_over_ ? "caller_during_reconnect" : "caller_before_engine_ready"];
    }
    held_audio_.emplace_back(timestamp_ms, std::string(payload_b64));
    return;
  }
  if (phase_ != Phase::live) {
    ++summary_.frames_dropped;
    ++summary_.drops["caller_during_reconnect"];
    return;
  }
  if (!engine_->caller_audio(payload_b64)) {
    ++summary_.frames_dropped;
    ++summary_.drops["caller_malformed"];
    return;
  }
  if (!audio_origin_ms_) audio_origin_ms_ = timestamp_ms;
}

void CallBridge::on_twilio_mark(TimePoint now, std::string_view name) {
  if (phase_ == Phase::finished) return;
  auto echo = playback_.mark_echoed(name);
  if (!echo) return;  // unknown, or flushed by a clear
  last_activity_ = now;
  if (echo->first_for_item) {
    if (echo->item_id == greeting_item_ && !greeting_measured_) {
      greeting_measured_ = true;
      summary_.greeting_heard_ms = ms(now - twilio_start_);
    }
    auto it = assistant_items_.find(echo->item_id);
    if (latency_from_ && it != assistant_items_.end() && it->second.first_sent >= *latency_from_) {
      summary_.turn_latencies_ms.push_back(ms(now - *latency_from_));
      latency_from_.reset();
    }
  }
  // Usually only the echoed item; earlier ones too if Twilio skipped their echoes.
  for (auto& [id, item] : assistant_items_)
    if (!item.settled && item.audio_done) settle_if_played(id);
  release_transcripts(now);
  check_ending(now);
}

void CallBridge::on_twilio_dtmf(TimePoint now, std::string_view digit) {
  if (phase_ == Phase::finished || !is_keypad_digit(digit)) return;
  record(now, CallEventKind::dtmf, {{"digit", digit}});
  last_activity_ = now;
  silence_checked_ = false;
  if (!config_.transfer_digit.empty() && digit == config_.transfer_digit && !config_.transfer_number.empty()) {
    finish(now, Transfer{config_.transfer_number}, EndReason::keypad_transfer,
           "the caller pressed " + std::string(digit));
    return;
  }
  if (phase_ != Phase::live || ending_) return;
  engine_->caller_text("The caller pressed " + std::string(digit) + " on their keypad.");
}

void CallBridge::on_caller_text(TimePoint now, std::string_view text) {
  if (phase_ == Phase::finished) return;
  last_activity_ = now;
  silence_checked_ = false;
  if (phase_ != Phase::live || ending_ || text.empty()) return;
  engine_->caller_text(text);
  expect_audio(now);
}

void CallBridge::on_twilio_stop(TimePoint now) {
  if (phase_ == Phase::finished) return;
  if (ending_) finish(now, std::nullopt, ending_->reason, summary_.end_detail);
  else finish(now, std::nullopt, EndReason::caller_hung_up, {});
}

// ---- tools ------------------------------------------------------------------------------------

void CallBridge::on_tool_result(TimePoint now, std::string_view call_id, const tools::ToolOutcome& outcome) {
  if (phase_ == Phase::finished) return;
  auto it = tool_calls_.find(call_id);
  if (it == tool_calls_.end() || it->second.result_in) {
    record(now, CallEventKind::error, {{"message", "a tool result for a call that is not waiting for one"},
                                       {"call_id", call_id}});
    return;
  }
  ToolCall& call = it->second;
  call.result_in = true;
  if (!ending_) expect_audio(now);  // the model answers with the result
  record(now, CallEventKind::tool_result,
         {{"call_id", call_id}, {"name", call.name}, {"ok", outcome.ok}, {"output", outcome.output_json}});
  if (!outcome.transcript_note.empty())
    transcript_.add_note(call.item_id.empty() ? "note:" + std::string(call_id) : call.item_id, offset_ms(now),
                         offset_ms(now), outcome.transcript_note);
  const bool ends_call = std::holds_alternative<tools::EndCall>(outcome.effect) ||
                         std::holds_alternative<tools::TransferCall>(outcome.effect);
  if (call.session == session_ && (phase_ == Phase::live || phase_ == Phase::configuring)) {
    if (--outstanding_tools_ == 0) filler_said_ = false;
    // The model has had its last word once the call is closing.
    engine_->tool_result(call_id, outcome.output_json, !ending_ && !ends_call);
  }
  std::visit(
      [&](const auto& effect) {
        using T = std::decay_t<decltype(effect)>;
        if constexpr (std::is_same_v<T, tools::EndCall>) {
          begin_ending(now, Hangup{}, EndReason::assistant_hung_up, {}, config_.hangup_timeout, effect.reason);
        } else if constexpr (std::is_same_v<T, tools::TransferCall>) {
          begin_ending(now, Transfer{effect.target_number}, EndReason::transferred, {}, config_.hangup_timeout,
                       effect.target_name + (effect.reason.empty() ? "" : ": " + effect.reason));
        }
      },
      outcome.effect);
  release_transcripts(now);
  check_ending(now);
}

void CallBridge::on_tool_slow(TimePoint now, std::string_view words) {
  if (phase_ != Phase::live || ending_ || outstanding_tools_ == 0 || filler_said_) return;
  if (reply_active_ || engine_->busy()) return;  // the assistant is talking already
  filler_said_ = true;
  record(now, CallEventKind::timer, {{"timer", "tool_filler"}});
  if (words.empty()) engine_->say(k_tool_filler, /*now=*/true);
  else engine_->say({"A tool is still running. Say exactly this to the caller, and nothing else: \"" + std::string(words) + "\"",
                     std::string(words)},
                    /*now=*/true);
}

// ---- time and the end -------------------------------------------------------------------------

void CallBridge::on_tick(TimePoint now) {
  if (phase_ == Phase::finished) return;
  if (phase_ == Phase::configuring || phase_ == Phase::live) engine_->tick(now);
  bool waiting_for_engine = phase_ != Phase::live;
  if (waiting_for_engine && !ending_ && now - phase_since_ >= config_.engine_ready_timeout) {
    const std::string detail =
        "the engine session was not ready within " + std::to_string(config_.engine_ready_timeout.count()) + " ms";
    if (!try_next_engine(now, detail, "not_ready"))
      engine_failed(now, been_live_ ? EndReason::engine_lost : EndReason::engine_failed, detail);
    return;
  }
  if (config_.max_duration.count() > 0 && !max_duration_hit_ && now - start_ >= config_.max_duration) {
    max_duration_hit_ = true;
    record(now, CallEventKind::timer, {{"timer", "max_duration"}});
    if (!ending_) {
      if (phase_ == Phase::live) begin_ending(now, Hangup{}, EndReason::max_duration, k_wrap_up, config_.wrap_up_timeout);
      else finish(now, Hangup{}, EndReason::max_duration, "the engine was not available for a wrap-up");
      if (phase_ == Phase::finished) return;
    }
  }
  // Not before the stream started: a check-in then is said to nobody, and the caller who connects
  // later would get the goodbye first.
  bool quiet = phase_ == Phase::live && twilio_started_ && !ending_ && !reply_active_ && !engine_->busy() &&
               outstanding_tools_ == 0 && !playback_.outstanding();
  if (config_.silence_timeout.count() > 0 && quiet && now - last_activity_ >= config_.silence_timeout) {
    last_activity_ = now;
    if (!silence_checked_) {
      silence_checked_ = true;
      record(now, CallEventKind::timer, {{"timer", "silence_check"}});
      engine_->say(k_silence_check);
    } else {
      record(now, CallEventKind::timer, {{"timer", "silence"}});
      begin_ending(now, Hangup{}, EndReason::silence, k_silence_goodbye, config_.wrap_up_timeout);
    }
  }
  check_silent_engine(now);
  if (phase_ == Phase::finished) return;
  maybe_roll_over(now);
  maybe_swap_for_stage(now);
  release_transcripts(now);
  check_ending(now);
}

// Dead air: the audio that was due has not begun. The caller hears a short filler; an engine that
// has not even started a reply since (acknowledgements do not count) is not slow but gone, and the next engine takes over (seeded with
// the conversation; it greets, or answers the turn still owed).
void CallBridge::check_silent_engine(TimePoint now) {
  if (!audio_due_since_ || config_.silent_engine_timeout.count() <= 0 || phase_ != Phase::live || ending_ ||
      outstanding_tools_ > 0 || !twilio_started_)
    return;
  if (now - *audio_due_since_ < config_.silent_engine_timeout) return;
  if (!silent_filler_said_) {
    silent_filler_said_ = true;
    record(now, CallEventKind::timer, {{"timer", "engine_silent"}});
    if (config_.hold_clip)
      for (const auto& payload : *config_.hold_clip) sink_.send_twilio_media(payload);
  }
  if (reply_sign_ > *audio_due_since_) return;  // alive, only slow: the filler covers it
  const bool greeting_owed = greeting_item_.empty();
  const std::string detail = "the engine began no reply for " + std::to_string(ms(now - *audio_due_since_)) + " ms";
  audio_due_since_.reset();
  if (!try_next_engine(now, detail, "silent")) return;  // nothing else to try: the other timeouts apply
  if (greeting_owed) greeted_ = false;
  else reply_after_swap_ = true;
}

void CallBridge::begin_ending(TimePoint now, Disposition disposition, EndReason reason,
                              const engine::Speech& farewell, milliseconds timeout, std::string detail) {
  if (ending_ || phase_ == Phase::finished) return;
  ending_ = Ending{std::move(disposition), reason, now + timeout};
  summary_.end_detail = std::move(detail);
  if (!farewell.instructions.empty() || !farewell.words.empty()) engine_->say(farewell);
  check_ending(now);
}

void CallBridge::check_ending(TimePoint now) {
  if (!ending_ || phase_ == Phase::finished) return;
  bool engine_quiet = phase_ != Phase::live || (!reply_active_ && !engine_->busy());
  bool played_out = engine_quiet && !playback_.outstanding();
  if (!played_out && now < ending_->deadline) return;
  if (!played_out) record(now, CallEventKind::timer, {{"timer", "ending_deadline"}});
  Ending ending = *ending_;
  finish(now, std::move(ending.disposition), ending.reason, summary_.end_detail);
}

// What the engine session was doing is over: nothing more will come for it.
void CallBridge::forget_session() {
  engine_->closed();
  caller_speaking_ = false;
  reply_active_ = false;
  outstanding_tools_ = 0;  // their results can no longer be given to this engine session
  filler_said_ = false;    // so the next session's first slow tool gets its filler too
  transcript_.stop_waiting_for_text();
  for (auto& [id, item] : assistant_items_) {
    item.audio_done = true;
    settle_if_played(id);
  }
}

// The engine in use cannot serve the call (it refused the configuration, closed before it was
// ready, or was not ready in time): the next of the call's engines, when the session has one. A
// connection to it follows (on_engine_open), re-seeded if the call had been live.
bool CallBridge::try_next_engine(TimePoint now, const std::string& detail, std::string_view kind) {
  if (ending_ || phase_ == Phase::finished) return false;
  if (!sink_.try_next_engine(detail, kind)) return false;
  record(now, CallEventKind::error, {{"message", detail}, {"engine", engine_->name()}});
  forget_session();
  phase_ = been_live_ ? Phase::reconnecting : Phase::connecting;
  phase_since_ = now;
  return true;
}

// Nobody is speaking, nothing is playing or owed, no tool is running: a session can be swapped
// without anyone noticing.
bool CallBridge::quiet() const {
  return !ending_ && !reply_active_ && outstanding_tools_ == 0 && !caller_speaking_ && !engine_->busy() &&
         !playback_.outstanding();
}

void CallBridge::maybe_roll_over(TimePoint now) {
  if (phase_ != Phase::live || !twilio_started_) return;
  milliseconds after = config_.session_max;
  const auto limit = engine_->capabilities().session_limit;
  if (after.count() <= 0) {
    if (limit.count() <= 0) return;
    after = std::chrono::duration_cast<milliseconds>(limit) - config_.rollover_margin;
  }
  if (now - live_since_ < after || !quiet()) return;
  swap_session(now, "limit");
}

// Closes the live session and connects a fresh one of the same engine; the caller's audio waits
// for it meanwhile (held_audio_).
void CallBridge::swap_session(TimePoint now, std::string_view reason) {
  json detail = {{"engine", engine_->name()}, {"after_ms", ms(now - live_since_)}, {"reason", reason}};
  if (has_stages()) detail["stage"] = stage();
  record(now, CallEventKind::engine_rollover, std::move(detail));
  forget_session();
  phase_ = Phase::reconnecting;
  phase_since_ = now;
  rolling_over_ = true;
  sink_.engine_rollover(reason);
}

void CallBridge::engine_failed(TimePoint now, EndReason reason, std::string detail) {
  record(now, CallEventKind::error, {{"message", detail}, {"engine", engine_->name()}});
  finish(now, Fallback{detail}, reason, detail);
}

void CallBridge::finish(TimePoint now, std::optional<Disposition> disposition, EndReason reason, std::string detail) {
  if (phase_ == Phase::finished) return;
  // What is still playing is cut by the end of the call: record it as heard so far.
  for (auto& [id, item] : assistant_items_) {
    if (item.settled) continue;
    item.settled = true;
    if (playback_.outstanding_for(id))
      transcript_.assistant_cut(id, playback_.played_bytes(id) / k_bytes_per_ms,
                                playback_.received_bytes(id) / k_bytes_per_ms);
    else transcript_.assistant_played(id);
  }
  for (const auto& turn : transcript_.take_all()) emit_turn(turn);
  // Caller audio still waiting for a session that never came.
  summary_.frames_dropped += static_cast<int64_t>(held_audio_.size());
  if (!held_audio_.empty())
    summary_.drops[been_live_ ? "caller_during_reconnect" : "caller_before_engine_ready"] += static_cast<int64_t>(held_audio_.size());
  held_audio_.clear();
  if (engine_errors_ > k_recorded_engine_errors)
    record(now, CallEventKind::error,
           {{"code", "errors_suppressed"},
            {"message", "the engine reported " + std::to_string(engine_errors_) + " errors in this call; " +
                            std::to_string(engine_errors_ - k_recorded_engine_errors) + " were not recorded"},
            {"count", engine_errors_}});
  phase_ = Phase::finished;
  summary_.end_reason = reason;
  summary_.end_detail = std::move(detail);
  summary_.duration_ms = offset_ms(now);
  if (disposition) sink_.end_stream({std::move(*disposition), reason});
}

void CallBridge::release_transcripts(TimePoint now) {
  for (const auto& turn : transcript_.take_ready(offset_ms(now), config_.caller_transcript_wait.count()))
    emit_turn(turn);
}

void CallBridge::emit_turn(const TranscriptTurn& turn) {
  if (turn.speaker == Speaker::caller) ++summary_.caller_turns;
  else if (turn.speaker == Speaker::assistant) ++summary_.assistant_turns;
  sink_.record_turn(turn);
}

std::vector<engine::HistoryLine> CallBridge::history() const {
  std::vector<engine::HistoryLine> lines;
  for (const auto& line : transcript_.history())
    lines.push_back({line.speaker == Speaker::caller ? engine::HistoryLine::Role::caller
                                                     : engine::HistoryLine::Role::assistant,
                     line.text});
  return lines;
}

}  // namespace sonoria::call
