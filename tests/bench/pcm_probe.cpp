#include "tests/bench/pcm_probe.hpp"

#include <vector>

namespace sonoria::bench {

namespace {

// Every value `value` may stand for when the bytes in `ambiguous` (bit i: byte i) were read as
// 0xFF but may have been 0x7F (bit 7 of the byte clear).
template <class T>
std::vector<T> candidates(T value, unsigned ambiguous) {
  std::vector<T> out;
  // Every subset of the ambiguous bytes, enumerated as submasks (at most 2^8 for a u64).
  for (unsigned subset = ambiguous;; subset = (subset - 1) & ambiguous) {
    T v = value;
    for (unsigned byte = 0; byte < sizeof(T); ++byte)
      if (subset & (1u << byte)) v &= static_cast<T>(~(static_cast<T>(0x80) << (8 * byte)));
    out.push_back(v);
    if (subset == 0) break;
  }
  return out;
}

template <class T>
T smallest(const std::vector<T>& values) {
  T best = values.front();
  for (T v : values) best = std::min(best, v);
  return best;
}

}  // namespace

std::optional<simulate::Probe> read_probe_via_pcm(std::string_view ulaw, ZeroSamples zeros,
                                                  const ProbeContext& context) {
  auto probe = simulate::read_probe(ulaw);  // ambiguous bytes read as 0xFF
  if (!probe || zeros == 0) return probe;

  const unsigned stream_bytes = (zeros >> 4) & 0xF;
  const unsigned sequence_bytes = (zeros >> 8) & 0xF;
  const unsigned time_bytes = (zeros >> 12) & 0xFF;

  if (stream_bytes) {
    const auto options = candidates(probe->stream, stream_bytes);
    probe->stream = smallest(options);
    for (auto s : options)
      if (context.stream && s == *context.stream) probe->stream = s;
  }
  if (sequence_bytes) {
    const auto options = candidates(probe->sequence, sequence_bytes);
    probe->sequence = smallest(options);
    if (context.stream && context.next_sequence && probe->stream == *context.stream) {
      const std::uint32_t expected = *context.next_sequence;
      auto distance = [&](std::uint32_t s) { return s > expected ? s - expected : expected - s; };
      for (auto s : options)
        if (distance(s) < distance(probe->sequence) || (distance(s) == distance(probe->sequence) && s < probe->sequence))
          probe->sequence = s;
    }
  }
  if (time_bytes) {
    const auto options = candidates(probe->sent_ns, time_bytes);
    std::optional<std::uint64_t> latest_past;
    for (auto t : options)
      if (t <= context.now_ns && (!latest_past || t > *latest_past)) latest_past = t;
    probe->sent_ns = latest_past ? *latest_past : smallest(options);
  }
  return probe;
}

}  // namespace sonoria::bench
