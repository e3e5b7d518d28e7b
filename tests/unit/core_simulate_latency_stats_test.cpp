#include "core/simulate/latency_stats.hpp"

#include <doctest/doctest.h>

using namespace sonoria::simulate;

TEST_CASE("percentiles use the nearest rank: of 1..100 ms, p50 is 50, p95 95, p99 99") {
  LatencyStats stats;
  for (int i = 100; i >= 1; --i) stats.add_us(i * 1000);
  const auto s = stats.summary();
  CHECK(s.count == 100);
  CHECK(s.p50_ms == 50.0);
  CHECK(s.p95_ms == 95.0);
  CHECK(s.p99_ms == 99.0);
  CHECK(s.max_ms == 100.0);
}

TEST_CASE("small samples: one value is every percentile; ten values put p95 and p99 at the maximum") {
  LatencyStats one;
  one.add_us(1234);
  CHECK(one.summary().p50_ms == doctest::Approx(1.234));
  CHECK(one.summary().p99_ms == doctest::Approx(1.234));
  LatencyStats ten;
  for (int i = 1; i <= 10; ++i) ten.add_us(i);
  CHECK(ten.summary().p50_ms == doctest::Approx(0.005));
  CHECK(ten.summary().p95_ms == doctest::Approx(0.010));
  CHECK(ten.summary().p99_ms == doctest::Approx(0.010));
}

TEST_CASE("no samples summarise to zeros, negative samples count as zero, and merged stats pool their samples") {
  CHECK(LatencyStats().summary().count == 0);
  CHECK(LatencyStats().summary().max_ms == 0.0);
  LatencyStats a;
  a.add_us(-5);
  LatencyStats b;
  b.add_us(3000);
  b.add_us(1000);
  a.merge(b);
  const auto s = a.summary();
  CHECK(s.count == 3);
  CHECK(s.p50_ms == 1.0);
  CHECK(s.max_ms == 3.0);
  CHECK(LatencyStats::percentile({0, 1000, 3000}, 1) == 0);
}
