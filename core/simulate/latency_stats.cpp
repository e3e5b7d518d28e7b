#include "core/simulate/latency_stats.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sonoria::simulate {

void LatencyStats::add_us(std::int64_t micros) {
  constexpr std::int64_t k_max = std::numeric_limits<std::uint32_t>::max();
  samples_.push_back(static_cast<std::uint32_t>(std::clamp<std::int64_t>(micros, 0, k_max)));
}

void LatencyStats::merge(const LatencyStats& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
}

std::uint32_t LatencyStats::percentile(const std::vector<std::uint32_t>& sorted, double p) {
  const auto n = static_cast<double>(sorted.size());
  // Rank ceil(p/100 × n), 1-based; the small epsilon keeps 95% of 100 at rank 95, not 96.
  auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * n - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

LatencySummary LatencyStats::summary() const {
  LatencySummary s;
  s.count = samples_.size();
  if (samples_.empty()) return s;
  std::vector<std::uint32_t> sorted = samples_;
  std::sort(sorted.begin(), sorted.end());
  auto ms = [](std::uint32_t us) { return static_cast<double>(us) / 1000.0; };
  s.p50_ms = ms(percentile(sorted, 50));
  s.p95_ms = ms(percentile(sorted, 95));
  s.p99_ms = ms(percentile(sorted, 99));
  s.max_ms = ms(sorted.back());
  return s;
}

}  // namespace sonoria::simulate
