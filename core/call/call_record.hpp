#pragma once
// What a call leaves in the database, as records for the writer (core/db/records.hpp): its
// transcript turns, events and final row, numbered across the stages of one call (a caller back
// from a transfer nobody answered continues the same record: sequences and offsets go on from the
// earlier stage, counters add up). Pure mapping; not thread-safe.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/call/actions.hpp"
#include "core/call/call_outcome.hpp"
#include "core/call/summary.hpp"
#include "core/db/records.hpp"

namespace sonoria::call {

class CallRecord {
 public:
  using Said = std::vector<std::pair<std::string, std::string>>;  // (speaker, text heard), in order

  // A first stage: sequences from 1, offsets from the call's start.
  explicit CallRecord(std::string call_sid);
  // A later stage: its turns follow `earlier` (the earlier stage's stored row, its next free
  // sequence and what was said), offsets count from `offset_base_ms` after the call's start.
  CallRecord(std::string call_sid, db::CallFinished earlier, int64_t next_sequence, Said earlier_said,
             int64_t offset_base_ms);

  db::TranscriptEntry turn(const TranscriptTurn& turn);
  // `kind` overrides the event's own kind name when not empty.
  db::CallEvent event(const CallEvent& event, db::TimePoint at, const std::string& kind = {}) const;
  // The final row of this stage: with a later stage, added to the earlier one's. `engines`: the
  // engines that served this stage and for how long.
  db::CallFinished finished(const CallSummary& summary, const Outcome& outcome, db::TimePoint ended_at,
                            int64_t stage_duration_ms, const std::vector<db::EngineTime>& engines = {}) const;

  int64_t next_sequence() const { return next_sequence_; }
  // Everything said so far in the call, earlier stages included.
  Said said() const;
  bool is_later_stage() const { return earlier_.has_value(); }

 private:
  std::string call_sid_;
  std::optional<db::CallFinished> earlier_;
  int64_t sequence_base_ = 0;
  int64_t next_sequence_ = 1;
  int64_t offset_base_ms_ = 0;
  Said earlier_said_;
  std::vector<std::pair<int64_t, std::pair<std::string, std::string>>> turns_;  // sequence → said
};

}  // namespace sonoria::call
