#include "core/simulate/load_summary.hpp"

#include <doctest/doctest.h>

using namespace sonoria::simulate;

TEST_CASE("the summary JSON has exactly the contract's fields, in order, with ms at microsecond precision") {
  LoadSummary s;
  s.calls = {20, 19, 18, 2};
  s.duration_s = 61.23456789;
  s.call_seconds = 1200.5;
  s.greeting = {19, 412.3456789, 800.0, 950.5, 1001.25};
  s.engine_to_caller = {1000, 0.1234567, 0.5, 0.9, 2.0};
  s.frames = {60000, 30000, 29000, 3, 1};
  s.marks_echoed = 150;
  s.clears = 4;
  s.empty_clears = 1;
  s.errors = {1, 1, 0, 2};
  s.harness = {5300, 3050, 4, 12.3456789, true};
  const auto j = to_json(s);
  CHECK(j.dump() ==
        R"({"calls":{"offered":20,"connected":19,"completed":18,"failed":2},"duration_s":61.235,"call_seconds":1200.5,)"
        R"("greeting_ms":{"count":19,"p50":412.346,"p95":800.0,"p99":950.5,"max":1001.25},)"
        R"("engine_to_caller_ms":{"count":1000,"p50":0.123,"p95":0.5,"p99":0.9,"max":2.0},)"
        R"("frames":{"sent":60000,"received":30000,"probes_received":29000,"lost":3,"reordered":1},)"
        R"("marks_echoed":150,"clears":4,"empty_clears":1,"errors":{"webhook":1,"stream":1,"closed_early":0,"no_greeting":2},)"
        R"("harness":{"cpu_ms":5300,"ticks":3050,"late_ticks":4,"max_tick_lag_ms":12.346,"kept_up":true}})");
}

TEST_CASE("the harness kept up only with no tick over 20 ms late and under 1% late ticks") {
  CHECK(harness_kept_up(1000, 9, 20.0));
  CHECK_FALSE(harness_kept_up(1000, 10, 6.0));
  CHECK_FALSE(harness_kept_up(1000, 0, 20.5));
  CHECK(harness_kept_up(0, 0, 0.0) == false);  // no ticks: nothing was offered
}

TEST_CASE("the table names every section and says whether the load was achieved") {
  LoadSummary s;
  s.harness.kept_up = false;
  const auto table = to_table(s);
  for (const char* word : {"offered", "greeting", "engine to caller", "lost", "reordered", "no greeting", "late ticks",
                           "FELL BEHIND"})
    CHECK_MESSAGE(table.find(word) != std::string::npos, word);
}
