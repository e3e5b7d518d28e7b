#include "tests/bench/engine_stats.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using sonoria::bench::EngineStats;

TEST_CASE("stats serve the fields scripts/bench reads, latencies in milliseconds") {
  EngineStats s;
  s.sessions_total = 3;
  s.sessions_open = 2;
  s.caller_to_engine.record(250'000);
  s.caller_to_engine.record(1'500'000);
  s.frames.received = 10;
  s.frames.lost = 1;
  s.count_error("invalid_json");
  s.count_error("invalid_json");
  const auto j = nlohmann::json::parse(s.to_json());
  CHECK(j["sessions_total"] == 3);
  CHECK(j["sessions_open"] == 2);
  CHECK(j["caller_to_engine_ms"]["count"] == 2);
  CHECK(j["caller_to_engine_ms"]["p50"] == doctest::Approx(0.251));
  CHECK(j["caller_to_engine_ms"]["max"] == doctest::Approx(1.5));
  CHECK(j["frames"]["received"] == 10);
  CHECK(j["frames"]["lost"] == 1);
  CHECK(j["frames"]["reordered"] == 0);
  CHECK(j["errors"] == 2);
  CHECK(j["error_codes"]["invalid_json"] == 2);
  for (const char* key : {"responses", "function_calls", "cancelled", "audio_deltas"}) CHECK(j.contains(key));
}

TEST_CASE("a reset zeroes the counters but not the sessions still open") {
  EngineStats s;
  s.sessions_total = 5;
  s.sessions_open = 4;
  s.responses = 9;
  s.caller_to_engine.record(1000);
  s.count_error("x");
  s.reset();
  CHECK(s.sessions_total == 0);
  CHECK(s.sessions_open == 4);
  CHECK(s.responses == 0);
  CHECK(s.errors == 0);
  CHECK(s.error_codes.empty());
  CHECK(s.caller_to_engine.count() == 0);
}
