#pragma once
// Latency samples and their percentiles, for the load summary. Samples are kept exactly (in whole
// microseconds) so percentiles are exact, not bucketed: a million samples cost 4 MB.
// Percentiles use the nearest-rank method: pN is the smallest sample with at least N% of the
// samples at or below it. Not thread-safe: keep one per strand and merge() them at the end.

#include <cstdint>
#include <vector>

namespace sonoria::simulate {

struct LatencySummary {
  std::uint64_t count = 0;
  double p50_ms = 0;                 // all in milliseconds with microsecond precision; 0 when empty
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

class LatencyStats {
 public:
  // A sample in microseconds; negative values (clock skew) count as 0, huge ones saturate.
  void add_us(std::int64_t micros);
  void merge(const LatencyStats& other);
  std::uint64_t count() const { return samples_.size(); }
  LatencySummary summary() const;

  // The nearest-rank percentile `p` (0 < p ≤ 100) of `sorted` (ascending, non-empty), in µs.
  static std::uint32_t percentile(const std::vector<std::uint32_t>& sorted, double p);

 private:
  std::vector<std::uint32_t> samples_;
};

}  // namespace sonoria::simulate
