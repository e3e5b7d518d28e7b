#pragma once
// What the bench engine counts, served as JSON by GET /stats and zeroed by POST /stats/reset (so a
// run's warm-up is excluded). Only counters and one latency histogram: nothing is kept per frame.
// Not thread-safe: owned by the engine's one I/O thread.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "tests/bench/latency_histogram.hpp"

namespace sonoria::bench {

struct FrameCounts {
  std::uint64_t received = 0;         // 160-byte caller frames (decoded from appends, or binary audio)
  std::uint64_t probes = 0;           // of which carried a probe header
  std::uint64_t lost = 0;             // sequence numbers skipped inside a probe stream
  std::uint64_t reordered = 0;        // probes older than one already seen on their stream
  std::uint64_t missed_at_start = 0;  // sequence numbers before a stream's first probe on a connection
};

struct EngineStats {
  std::uint64_t sessions_total = 0;   // WebSocket sessions accepted since the last reset
  std::uint64_t sessions_open = 0;    // a gauge: not zeroed by reset
  std::map<std::string, std::uint64_t, std::less<>> sessions_by_engine;  // accepted sessions per protocol
  std::uint64_t calls_created = 0;    // Ultravox calls created over REST (POST /api/calls)
  LatencyHistogram caller_to_engine;  // probe sent_ns (simulator) → frame decoded here
  FrameCounts frames;
  std::uint64_t responses = 0;        // responses started (audio or function call)
  std::uint64_t function_calls = 0;   // of which were function calls
  std::uint64_t cancelled = 0;        // responses that ended cancelled (barge-in or response.cancel)
  std::uint64_t errors = 0;           // error events sent, undecodable audio, overflowing write queues
  std::map<std::string, std::uint64_t, std::less<>> error_codes;  // errors by code (a handful of codes)
  std::uint64_t speech_turns = 0;     // speech_started events
  std::uint64_t truncates = 0;        // conversation.item.truncate accepted
  std::uint64_t audio_deltas = 0;     // audio chunks sent: response.output_audio.delta, or a binary frame
  std::uint64_t late_deltas = 0;      // sent more than k_late_ns after their scheduled time
  std::uint64_t unprobed_frames = 0;  // agent frames sent without a probe (Ultravox: a send time holding 0x7F)
  std::uint64_t max_delta_lag_ns = 0;

  static constexpr std::uint64_t k_late_ns = 5'000'000;

  // One error: counted in `errors` and under `code` (the error event's code, or what went wrong).
  void count_error(std::string_view code);

  // One accepted session of `engine` ("openai", "deepgram", "ultravox").
  void count_session(std::string_view engine);

  // Zeroes everything except sessions_open.
  void reset() noexcept;

  // {"sessions_total":…,"sessions_open":…,"caller_to_engine_ms":{"count","p50","p95","p99","max"},
  //  "frames":{…},"responses":…,"function_calls":…,"cancelled":…,"errors":…, …}; times in ms.
  std::string to_json() const;
};

}  // namespace sonoria::bench
