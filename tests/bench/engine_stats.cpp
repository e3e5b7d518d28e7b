#include "tests/bench/engine_stats.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::bench {

namespace {

double ms(std::uint64_t ns) { return static_cast<double>(ns / 1000) / 1000.0; }  // µs precision

}  // namespace

void EngineStats::count_error(std::string_view code) {
  ++errors;
  auto it = error_codes.find(code);
  if (it == error_codes.end()) it = error_codes.emplace(std::string(code), 0).first;
  ++it->second;
}

void EngineStats::count_session(std::string_view engine) {
  ++sessions_total;
  auto it = sessions_by_engine.find(engine);
  if (it == sessions_by_engine.end()) it = sessions_by_engine.emplace(std::string(engine), 0).first;
  ++it->second;
}

void EngineStats::reset() noexcept {
  const std::uint64_t open = sessions_open;
  caller_to_engine.reset();
  sessions_total = 0;
  sessions_by_engine.clear();
  calls_created = 0;
  frames = {};
  responses = function_calls = cancelled = errors = speech_turns = truncates = 0;
  audio_deltas = late_deltas = max_delta_lag_ns = unprobed_frames = 0;
  error_codes.clear();
  sessions_open = open;
}

std::string EngineStats::to_json() const {
  const LatencyHistogram& h = caller_to_engine;
  nlohmann::ordered_json j = {
      {"sessions_total", sessions_total},
      {"sessions_open", sessions_open},
      {"sessions_by_engine", sessions_by_engine},
      {"calls_created", calls_created},
      {"caller_to_engine_ms",
       {{"count", h.count()},
        {"p50", ms(h.percentile_ns(0.50))},
        {"p95", ms(h.percentile_ns(0.95))},
        {"p99", ms(h.percentile_ns(0.99))},
        {"max", ms(h.max_ns())}}},
      {"frames",
       {{"received", frames.received},
        {"probes", frames.probes},
        {"lost", frames.lost},
        {"reordered", frames.reordered},
        {"missed_at_start", frames.missed_at_start}}},
      {"responses", responses},
      {"function_calls", function_calls},
      {"cancelled", cancelled},
      {"errors", errors},
      {"error_codes", error_codes},
      {"speech_turns", speech_turns},
      {"truncates", truncates},
      {"audio_deltas", {{"sent", audio_deltas}, {"late", late_deltas}, {"max_lag_ms", ms(max_delta_lag_ns)}}},
      {"unprobed_frames", unprobed_frames},
  };
  return j.dump();
}

}  // namespace sonoria::bench
