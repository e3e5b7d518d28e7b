#pragma once
// A fixed-size latency histogram for the bench engine: 1 µs buckets up to 2 ms (where the relay's
// targets live), then 128 buckets per power of two (< 0.8 % error) up to hours. Recording is a few
// integer operations and never allocates, so it can run on every received frame. Not thread-safe:
// the bench engine records and reads it on its one I/O thread.

#include <array>
#include <cstdint>

namespace sonoria::bench {

class LatencyHistogram {
 public:
  // One sample, in nanoseconds.
  void record(std::uint64_t ns) noexcept;

  std::uint64_t count() const noexcept { return count_; }
  std::uint64_t max_ns() const noexcept { return max_ns_; }

  // The smallest recorded-bucket bound that at least `fraction` (0..1] of the samples lie at or
  // below, never above the exact maximum; 0 when empty. Conservative: reports the bucket's top.
  std::uint64_t percentile_ns(double fraction) const noexcept;

  void reset() noexcept;

 private:
  static constexpr std::uint64_t k_linear_us = 2048;   // 1 µs buckets below this
  static constexpr int k_sub_bits = 7;                  // 128 buckets per power of two above it
  static constexpr int k_first_exponent = 11;           // 2^11 µs = 2048 µs
  static constexpr int k_last_exponent = 40;            // ~12.7 days; larger samples land in the last bucket
  static constexpr std::size_t k_buckets =
      k_linear_us + static_cast<std::size_t>(k_last_exponent - k_first_exponent + 1) * (1u << k_sub_bits);

  static std::size_t bucket_of(std::uint64_t us) noexcept;
  static std::uint64_t bucket_top_us(std::size_t bucket) noexcept;  // exclusive upper bound

  std::array<std::uint64_t, k_buckets> buckets_{};
  std::uint64_t count_ = 0;
  std::uint64_t max_ns_ = 0;
};

}  // namespace sonoria::bench
