#include "tests/bench/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sonoria::bench {

std::size_t LatencyHistogram::bucket_of(std::uint64_t us) noexcept {
  if (us < k_linear_us) return static_cast<std::size_t>(us);
  int exponent = std::bit_width(us) - 1;  // ≥ k_first_exponent here
  if (exponent > k_last_exponent) return k_buckets - 1;
  const std::uint64_t sub = (us >> (exponent - k_sub_bits)) & ((1u << k_sub_bits) - 1);
  return static_cast<std::size_t>(k_linear_us + static_cast<std::uint64_t>(exponent - k_first_exponent) * (1u << k_sub_bits) + sub);
}

std::uint64_t LatencyHistogram::bucket_top_us(std::size_t bucket) noexcept {
  if (bucket < k_linear_us) return bucket + 1;
  const std::size_t above = bucket - k_linear_us;
  const int exponent = k_first_exponent + static_cast<int>(above >> k_sub_bits);
  const std::uint64_t sub = above & ((1u << k_sub_bits) - 1);
  const std::uint64_t step = std::uint64_t{1} << (exponent - k_sub_bits);
  return (std::uint64_t{1} << exponent) + (sub + 1) * step;
}

void LatencyHistogram::record(std::uint64_t ns) noexcept {
  ++buckets_[bucket_of(ns / 1000)];
  ++count_;
  max_ns_ = std::max(max_ns_, ns);
}

std::uint64_t LatencyHistogram::percentile_ns(double fraction) const noexcept {
  if (count_ == 0) return 0;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < k_buckets; ++b) {
    seen += buckets_[b];
    if (seen >= rank) return std::min(bucket_top_us(b) * 1000, max_ns_);
  }
  return max_ns_;
}

void LatencyHistogram::reset() noexcept {
  buckets_.fill(0);
  count_ = 0;
  max_ns_ = 0;
}

}  // namespace sonoria::bench
