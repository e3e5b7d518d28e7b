#include "core/audio/resample.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <map>
#include <mutex>
#include <numbers>
#include <numeric>
#include <utility>

#include "core/audio/g711.hpp"
#include "core/error.hpp"

namespace sonoria::audio {
namespace {

// The low-pass, as fractions of the lower Nyquist frequency: -6 dB at 0.97 (3.88 kHz for 8 kHz),
// a transition band of 0.08 centred there (3.72 to 4.04 kHz), so the telephone band (to 3.4 kHz)
// passes flat and nothing above 4.04 kHz folds back.
constexpr double k_cutoff = 0.97;
constexpr double k_transition = 0.08;
constexpr double k_stopband_db = 80.0;
// Rate pairs whose reduced ratio needs more phases than this (e.g. 44101 -> 8000) use the nearest
// of this many: a timing error under 1/2048 sample, far below 16-bit resolution for speech.
constexpr std::int64_t k_max_phases = 1024;

double bessel_i0(double x) {
  double sum = 1.0;
  double term = 1.0;
  const double quarter_x2 = x * x / 4.0;
  for (int k = 1; k < 64 && term > sum * 1e-17; ++k) {
    term *= quarter_x2 / (static_cast<double>(k) * k);
    sum += term;
  }
  return sum;
}

// The filter taps for every phase, in input-sample units: output time t = base + phase/phases
// reads inputs base - half_taps + 1 … base + half_taps.
struct Polyphase {
  std::int64_t phases = 1;
  int half_taps = 0;
  int taps = 0;
  std::vector<float> table;  // phases × taps

  const float* phase(std::int64_t p) const { return table.data() + p * taps; }
};

Polyphase design(int from_rate, int to_rate, std::int64_t up) {
  const double nyquist_low = std::min(from_rate, to_rate) / 2.0;
  const double cutoff = k_cutoff * nyquist_low / from_rate;       // cycles per input sample
  const double transition = k_transition * nyquist_low / from_rate;
  const double beta = 0.1102 * (k_stopband_db - 8.7);
  // Kaiser's estimate of the length that reaches the attenuation over the transition band.
  const double half_span = (k_stopband_db - 8.0) / (2.285 * 2.0 * std::numbers::pi * transition) / 2.0;

  Polyphase f;
  f.phases = std::min(up, k_max_phases);
  f.half_taps = static_cast<int>(std::ceil(half_span));
  f.taps = 2 * f.half_taps;
  f.table.resize(static_cast<std::size_t>(f.phases * f.taps));
  const double window_norm = bessel_i0(beta);
  std::vector<double> h(static_cast<std::size_t>(f.taps));
  for (std::int64_t p = 0; p < f.phases; ++p) {
    const double frac = static_cast<double>(p) / static_cast<double>(f.phases);
    double sum = 0;
    for (int j = 0; j < f.taps; ++j) {
      const double d = frac + f.half_taps - 1 - j;  // output time minus input time
      double v = 0;
      if (std::abs(d) <= half_span) {
        const double x = 2.0 * cutoff * d;
        const double sinc = x == 0.0 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x);
        const double r = d / half_span;
        v = 2.0 * cutoff * sinc * bessel_i0(beta * std::sqrt(1.0 - r * r)) / window_norm;
      }
      h[static_cast<std::size_t>(j)] = v;
      sum += v;
    }
    // Unity gain at DC for every phase, so a constant stays constant and no phase buzzes.
    float* out = f.table.data() + p * f.taps;
    for (int j = 0; j < f.taps; ++j) out[j] = static_cast<float>(h[static_cast<std::size_t>(j)] / sum);
  }
  return f;
}

// Output sample k reads the inputs from `first` on with the taps of `phase`.
struct Tap {
  std::int64_t first;
  std::int64_t phase;
};

Tap tap_for(std::int64_t k, std::int64_t up, std::int64_t down, const Polyphase& f) {
  // Output time k/to_rate is input position (k·down)/up, kept exact in integers.
  const std::int64_t position = k * down;
  std::int64_t base = position / up;
  std::int64_t p = position % up;
  if (f.phases != up) {
    p = (p * f.phases + up / 2) / up;
    if (p == f.phases) {
      p = 0;
      ++base;
    }
  }
  return {base - f.half_taps + 1, p};
}

void check_rates(int from_rate, int to_rate) {
  if (from_rate <= 0 || to_rate <= 0) {
    throw DataError("cannot resample from " + std::to_string(from_rate) + " Hz to " + std::to_string(to_rate) +
                    " Hz (expected positive sample rates)");
  }
}

}  // namespace

std::vector<std::int16_t> resample(const std::vector<std::int16_t>& samples, int from_rate, int to_rate) {
  check_rates(from_rate, to_rate);
  if (from_rate == to_rate) return samples;
  const std::int64_t g = std::gcd(from_rate, to_rate);
  const std::int64_t up = to_rate / g;
  const std::int64_t down = from_rate / g;
  const auto n = static_cast<std::int64_t>(samples.size());
  const std::int64_t out_len = (n * to_rate + from_rate / 2) / from_rate;

  const Polyphase f = design(from_rate, to_rate, up);
  std::vector<float> in(samples.begin(), samples.end());
  std::vector<std::int16_t> out(static_cast<std::size_t>(out_len));
  for (std::int64_t k = 0; k < out_len; ++k) {
    const Tap t = tap_for(k, up, down, f);
    const float* h = f.phase(t.phase);
    const std::int64_t lo = std::max<std::int64_t>(0, -t.first);
    const std::int64_t hi = std::min<std::int64_t>(f.taps, n - t.first);
    double acc = 0;
    for (std::int64_t j = lo; j < hi; ++j) acc += static_cast<double>(h[j] * in[static_cast<std::size_t>(t.first + j)]);
    out[static_cast<std::size_t>(k)] = to_int16(acc);
  }
  return out;
}

struct StreamResampler::Filter : Polyphase {};

namespace {
// A call's stream needs the same few filters as every other call's: design each once.
std::shared_ptr<const StreamResampler::Filter> shared_filter(int from_rate, int to_rate, std::int64_t up) {
  static std::mutex mutex;
  static std::map<std::pair<int, int>, std::shared_ptr<const StreamResampler::Filter>> filters;
  std::lock_guard lock(mutex);
  auto& filter = filters[{from_rate, to_rate}];
  if (!filter) filter = std::make_shared<const StreamResampler::Filter>(StreamResampler::Filter{design(from_rate, to_rate, up)});
  return filter;
}
}  // namespace

StreamResampler::StreamResampler(int from_rate, int to_rate) : from_rate_(from_rate), to_rate_(to_rate) {
  check_rates(from_rate, to_rate);
  const std::int64_t g = std::gcd(from_rate, to_rate);
  up_ = to_rate / g;
  down_ = from_rate / g;
  if (from_rate != to_rate) filter_ = shared_filter(from_rate, to_rate, up_);
}

StreamResampler::~StreamResampler() = default;
StreamResampler::StreamResampler(StreamResampler&&) noexcept = default;
StreamResampler& StreamResampler::operator=(StreamResampler&&) noexcept = default;

void StreamResampler::reset() {
  held_.clear();
  held_start_ = 0;
  next_out_ = 0;
}

void StreamResampler::flush(std::vector<std::int16_t>& out) {
  if (filter_) {
    const Polyphase& f = *filter_;
    const std::int64_t available = held_start_ + static_cast<std::int64_t>(held_.size());
    const std::int64_t end = (available * to_rate_ + from_rate_ / 2) / from_rate_;
    for (; next_out_ < end; ++next_out_) {
      const Tap t = tap_for(next_out_, up_, down_, f);
      const float* h = f.phase(t.phase);
      const std::int64_t lo = std::max<std::int64_t>(0, -t.first);
      const std::int64_t hi = std::min<std::int64_t>(f.taps, available - t.first);
      double acc = 0;
      for (std::int64_t j = lo; j < hi; ++j)
        acc += static_cast<double>(h[j] * held_[static_cast<std::size_t>(t.first + j - held_start_)]);
      out.push_back(to_int16(acc));
    }
  }
  reset();
}

void StreamResampler::push(std::span<const std::int16_t> in, std::vector<std::int16_t>& out) {
  if (!filter_) {
    out.insert(out.end(), in.begin(), in.end());
    return;
  }
  const Polyphase& f = *filter_;
  held_.insert(held_.end(), in.begin(), in.end());
  const std::int64_t available = held_start_ + static_cast<std::int64_t>(held_.size());
  for (;;) {
    const Tap t = tap_for(next_out_, up_, down_, f);
    if (t.first + f.taps > available) break;  // its last input has not arrived yet
    const float* h = f.phase(t.phase);
    // Before the stream's first sample there is silence, as in resample().
    const std::int64_t lo = std::max<std::int64_t>(0, -t.first);
    double acc = 0;
    for (std::int64_t j = lo; j < f.taps; ++j)
      acc += static_cast<double>(h[j] * held_[static_cast<std::size_t>(t.first + j - held_start_)]);
    out.push_back(to_int16(acc));
    ++next_out_;
  }
  // Keep what the next output sample reads onwards.
  const std::int64_t keep_from = std::max<std::int64_t>(held_start_, tap_for(next_out_, up_, down_, f).first);
  const auto drop = static_cast<std::size_t>(std::min<std::int64_t>(keep_from - held_start_, static_cast<std::int64_t>(held_.size())));
  held_.erase(held_.begin(), held_.begin() + static_cast<std::ptrdiff_t>(drop));
  held_start_ += static_cast<std::int64_t>(drop);
}

std::string to_ulaw8k(const PcmAudio& audio) { return ulaw_encode(resample(audio.samples, audio.sample_rate, 8000)); }

std::int16_t to_int16(double v) {
  if (std::isnan(v)) return 0;  // a NaN (a float WAV file's noise) is silence, not undefined behaviour
  return static_cast<std::int16_t>(std::clamp(std::nearbyint(v), -32768.0, 32767.0));
}

}  // namespace sonoria::audio
