#include "core/call/call_record.hpp"

#include <algorithm>

#include "core/db/engine_times.hpp"

namespace sonoria::call {

CallRecord::CallRecord(std::string call_sid) : call_sid_(std::move(call_sid)) {}

CallRecord::CallRecord(std::string call_sid, db::CallFinished earlier, int64_t next_sequence, Said earlier_said,
                       int64_t offset_base_ms)
    : call_sid_(std::move(call_sid)),
      earlier_(std::move(earlier)),
      sequence_base_(next_sequence),
      next_sequence_(next_sequence),
      offset_base_ms_(offset_base_ms),
      earlier_said_(std::move(earlier_said)) {}

db::TranscriptEntry CallRecord::turn(const TranscriptTurn& turn) {
  db::TranscriptEntry entry;
  entry.call_sid = call_sid_;
  // A first stage numbers from 1 (turn.seq); a later one continues after the earlier stage.
  entry.sequence = earlier_ ? turn.seq - 1 + sequence_base_ : turn.seq;
  entry.offset_ms = turn.offset_ms + offset_base_ms_;
  next_sequence_ = std::max(next_sequence_, entry.sequence + 1);
  entry.speaker = std::string(to_string(turn.speaker));
  entry.text = turn.text_heard;
  if (turn.text_generated != turn.text_heard) entry.generated_text = turn.text_generated;
  entry.interrupted = turn.interrupted;
  entry.item_id = turn.item_id;
  if (!turn.stage.empty()) entry.stage = turn.stage;
  auto it = std::find_if(turns_.begin(), turns_.end(), [&](const auto& t) { return t.first == entry.sequence; });
  if (it != turns_.end()) it->second = {entry.speaker, entry.text};
  else turns_.push_back({entry.sequence, {entry.speaker, entry.text}});
  return entry;
}

db::CallEvent CallRecord::event(const CallEvent& event, db::TimePoint at, const std::string& kind) const {
  db::CallEvent e;
  e.call_sid = call_sid_;
  e.at = at;
  e.offset_ms = event.offset_ms;
  if (e.offset_ms) *e.offset_ms += offset_base_ms_;
  e.kind = kind.empty() ? std::string(to_string(event.kind)) : kind;
  if (event.detail.is_object() && event.detail.contains("name") && event.detail["name"].is_string())
    e.name = event.detail["name"].get<std::string>();
  e.detail_json = event.detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return e;
}

db::CallFinished CallRecord::finished(const CallSummary& summary, const Outcome& outcome, db::TimePoint ended_at,
                                      int64_t stage_duration_ms, const std::vector<db::EngineTime>& engines) const {
  db::CallFinished f;
  f.engines = engines;
  f.call_sid = call_sid_;
  f.status = outcome.status;
  f.end_reason = outcome.end_reason;
  f.ended_at = ended_at;
  f.duration_ms = stage_duration_ms;
  f.turns = summary.caller_turns + summary.assistant_turns;
  f.interruptions = summary.interruptions;
  f.tool_calls = summary.tool_calls;
  f.frames_in = summary.frames_in;
  f.frames_out = summary.frames_out;
  f.usage = db::Usage{summary.usage.input_tokens, summary.usage.output_tokens, summary.usage.input_audio_tokens,
                      summary.usage.output_audio_tokens, summary.usage.cached_tokens};
  f.greeting_latency_ms = summary.greeting_heard_ms ? summary.greeting_heard_ms : summary.greeting_sent_ms;
  f.turn_latencies_ms = summary.turn_latencies_ms;
  f.stages = summary.stages;
  f.drops = summary.drops;
  if (!earlier_) return f;
  // This stage's counters are added to the earlier stage's; the call's duration runs from the
  // first stage's start.
  const auto& e = *earlier_;
  f.duration_ms += offset_base_ms_;
  f.turns += e.turns;
  f.interruptions += e.interruptions;
  f.tool_calls += e.tool_calls;
  f.frames_in += e.frames_in;
  f.frames_out += e.frames_out;
  for (const auto& [reason, n] : e.drops) f.drops[reason] += n;
  f.usage.input_tokens += e.usage.input_tokens;
  f.usage.output_tokens += e.usage.output_tokens;
  f.usage.input_audio_tokens += e.usage.input_audio_tokens;
  f.usage.output_audio_tokens += e.usage.output_audio_tokens;
  f.usage.cached_tokens += e.usage.cached_tokens;
  f.greeting_latency_ms = e.greeting_latency_ms;
  f.turn_latencies_ms.insert(f.turn_latencies_ms.begin(), e.turn_latencies_ms.begin(), e.turn_latencies_ms.end());
  auto all_engines = e.engines;
  db::add_engine_times(all_engines, f.engines);
  f.engines = std::move(all_engines);
  // The flow's stages of the first part, then any this part reached besides.
  auto stages = e.stages;
  for (const auto& stage : f.stages)
    if (std::find(stages.begin(), stages.end(), stage) == stages.end()) stages.push_back(stage);
  f.stages = std::move(stages);
  f.reopened = true;
  return f;
}

CallRecord::Said CallRecord::said() const {
  Said out = earlier_said_;
  auto sorted = turns_;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& t : sorted) out.push_back(t.second);
  return out;
}

}  // namespace sonoria::call
