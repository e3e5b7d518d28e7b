#pragma once
// The load generator's report (`sonoria simulate --calls N`): what was offered, what happened, how
// fast, and whether the harness itself kept up. to_json() is a contract read by scripts/bench:
// exactly these fields, in this order. Plain data; any thread.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/simulate/latency_stats.hpp"

namespace sonoria::simulate {

struct LoadSummary {
  struct Calls {
    std::uint64_t offered = 0;       // calls started
    std::uint64_t connected = 0;     // media stream opened
    std::uint64_t completed = 0;     // ran their course (offered = completed + failed)
    std::uint64_t failed = 0;
  } calls;
  double duration_s = 0;             // wall time from the first call's start to the last call's end
  double call_seconds = 0;           // stream time, summed over calls
  LatencySummary greeting;           // stream start → first assistant audio, per call
  LatencySummary engine_to_caller;   // probe sent by the engine → received by the caller
  struct Frames {
    std::uint64_t sent = 0;          // caller media frames
    std::uint64_t received = 0;      // assistant audio in 160-byte frames
    std::uint64_t probes_received = 0;
    std::uint64_t lost = 0;
    std::uint64_t reordered = 0;
  } frames;
  std::uint64_t marks_echoed = 0;
  std::uint64_t clears = 0;
  std::uint64_t empty_clears = 0;    // clears with nothing left unplayed: late marks, not a barge-in
  struct Errors {
    std::uint64_t webhook = 0;       // webhook refused, failed, or answered with a refusal
    std::uint64_t stream = 0;        // stream did not open, or sonoria sent messages Twilio would flag
    std::uint64_t closed_early = 0;  // sonoria ended the stream before --duration
    std::uint64_t no_greeting = 0;   // nothing heard within the greeting timeout
  } errors;
  struct Harness {
    std::uint64_t cpu_ms = 0;        // user + system CPU of this process during the run
    std::uint64_t ticks = 0;
    std::uint64_t late_ticks = 0;    // fired more than 5 ms late
    double max_tick_lag_ms = 0;
    bool kept_up = true;             // no tick over 20 ms late and under 1% late ticks
  } harness;
};

// kept_up as defined above.
bool harness_kept_up(std::uint64_t ticks, std::uint64_t late_ticks, double max_tick_lag_ms);

// The JSON object of the contract (percentiles in ms, microsecond precision).
nlohmann::ordered_json to_json(const LoadSummary& summary);
// The same as a table for people.
std::string to_table(const LoadSummary& summary);

}  // namespace sonoria::simulate
