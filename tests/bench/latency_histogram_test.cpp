#include "tests/bench/latency_histogram.hpp"

#include <doctest/doctest.h>

using sonoria::bench::LatencyHistogram;

TEST_CASE("percentiles below two milliseconds are exact to the microsecond, reported at the bucket's top") {
  LatencyHistogram h;
  for (int us = 1; us <= 100; ++us) h.record(static_cast<std::uint64_t>(us) * 1000 + 400);
  CHECK(h.count() == 100);
  CHECK(h.percentile_ns(0.50) == 51'000);
  CHECK(h.percentile_ns(0.99) == 100'000);
  CHECK(h.percentile_ns(1.0) == 100'400);  // never above the exact maximum
  CHECK(h.max_ns() == 100'400);
}

TEST_CASE("long latencies keep about one percent precision") {
  LatencyHistogram h;
  h.record(5'000'000);      // 5 ms
  h.record(250'000'000);    // 250 ms
  h.record(3'000'000'000);  // 3 s
  const auto p50 = static_cast<double>(h.percentile_ns(0.5));
  CHECK(p50 >= 250'000'000.0);
  CHECK(p50 <= 250'000'000.0 * 1.01);
  CHECK(h.percentile_ns(0.1) >= 5'000'000);
  CHECK(h.percentile_ns(0.1) <= 5'050'000);
  CHECK(h.percentile_ns(1.0) == 3'000'000'000);
}

TEST_CASE("an empty or reset histogram reports zeros") {
  LatencyHistogram h;
  CHECK(h.percentile_ns(0.99) == 0);
  h.record(42'000);
  h.reset();
  CHECK(h.count() == 0);
  CHECK(h.max_ns() == 0);
  CHECK(h.percentile_ns(0.5) == 0);
}
