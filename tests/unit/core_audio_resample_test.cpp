#include "core/audio/resample.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <utility>
#include <vector>

#include "core/audio/g711.hpp"
#include "core/error.hpp"

using namespace sonoria::audio;

namespace {

// `seconds` of a sine at `frequency` Hz sampled at `rate`, with a phase offset so no sample sits
// exactly on a zero crossing.
std::vector<std::int16_t> tone(double frequency, int rate, double amplitude, double seconds = 1.0) {
  std::vector<std::int16_t> out(static_cast<std::size_t>(seconds * rate));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double t = static_cast<double>(i) / rate;
    out[i] = static_cast<std::int16_t>(std::lround(amplitude * std::sin(2 * std::numbers::pi * frequency * t + 0.3)));
  }
  return out;
}

// The middle half of a signal, away from the filter's fade-in and fade-out at the ends.
std::vector<double> middle(const std::vector<std::int16_t>& s) {
  return {s.begin() + static_cast<std::ptrdiff_t>(s.size() / 4), s.begin() + static_cast<std::ptrdiff_t>(3 * s.size() / 4)};
}

double rms(const std::vector<double>& s) {
  double sum = 0;
  for (const double v : s) sum += v * v;
  return std::sqrt(sum / static_cast<double>(s.size()));
}

int upward_zero_crossings(const std::vector<double>& s) {
  int count = 0;
  for (std::size_t i = 1; i < s.size(); ++i) count += (s[i - 1] < 0 && s[i] >= 0) ? 1 : 0;
  return count;
}

// The amplitude of the component at `frequency` (a single-bin DFT).
double amplitude_at(const std::vector<double>& s, double frequency, int rate) {
  double re = 0;
  double im = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const double w = 2 * std::numbers::pi * frequency * static_cast<double>(i) / rate;
    re += s[i] * std::cos(w);
    im += s[i] * std::sin(w);
  }
  return 2.0 * std::hypot(re, im) / static_cast<double>(s.size());
}

}  // namespace

TEST_CASE("a 1 kHz tone keeps its frequency and amplitude when converted to 8 kHz") {
  for (const int rate : {11025, 16000, 22050, 24000, 32000, 44100, 48000}) {
    CAPTURE(rate);
    const auto out = resample(tone(1000, rate, 10000), rate, 8000);
    REQUIRE(out.size() == 8000);
    const auto mid = middle(out);  // 0.5 s: 500 cycles
    CHECK(std::abs(upward_zero_crossings(mid) - 500) <= 1);
    CHECK(amplitude_at(mid, 1000, 8000) == doctest::Approx(10000).epsilon(0.01));
    CHECK(rms(mid) == doctest::Approx(10000 / std::numbers::sqrt2).epsilon(0.01));
  }
}

TEST_CASE("a 1 kHz tone keeps its frequency and amplitude when converted up from 8 kHz") {
  for (const int rate : {16000, 22050, 44100, 48000}) {
    CAPTURE(rate);
    const auto out = resample(tone(1000, 8000, 10000), 8000, rate);
    REQUIRE(out.size() == static_cast<std::size_t>(rate));
    const auto mid = middle(out);
    CHECK(std::abs(upward_zero_crossings(mid) - 500) <= 1);
    CHECK(amplitude_at(mid, 1000, rate) == doctest::Approx(10000).epsilon(0.01));
  }
}

TEST_CASE("tones below 4 kHz pass to 8 kHz while tones above it are removed instead of aliasing") {
  const double input_rms = 10000 / std::numbers::sqrt2;
  SUBCASE("3.8 kHz from 48 kHz passes") {
    const auto mid = middle(resample(tone(3800, 48000, 10000), 48000, 8000));
    CHECK(rms(mid) / input_rms > 0.8);
    CHECK(amplitude_at(mid, 3800, 8000) > 8000);
  }
  SUBCASE("3.4 kHz, the top of the telephone band, passes flat") {
    const auto mid = middle(resample(tone(3400, 44100, 10000), 44100, 8000));
    CHECK(rms(mid) / input_rms == doctest::Approx(1.0).epsilon(0.01));
  }
  SUBCASE("6 kHz from 48 kHz would alias to 2 kHz; it is attenuated far below audibility") {
    const auto mid = middle(resample(tone(6000, 48000, 10000), 48000, 8000));
    CHECK(rms(mid) / input_rms < 0.01);
  }
  SUBCASE("5 kHz from 44.1 kHz would alias to 3 kHz; it is attenuated too") {
    const auto mid = middle(resample(tone(5000, 44100, 10000), 44100, 8000));
    CHECK(rms(mid) / input_rms < 0.01);
  }
  SUBCASE("7 kHz from 22.05 kHz, espeak-ng's rate, would alias to 1 kHz; it is attenuated") {
    const auto mid = middle(resample(tone(7000, 22050, 10000), 22050, 8000));
    CHECK(rms(mid) / input_rms < 0.01);
  }
}

TEST_CASE("the output length is the input length scaled by the rate ratio, rounded") {
  const std::pair<int, int> pairs[] = {{44100, 8000}, {8000, 44100}, {48000, 8000}, {22050, 8000},
                                       {8000, 16000}, {44101, 8000}, {16000, 8000}, {11025, 8000}};
  for (const auto& [from, to] : pairs) {
    for (const std::int64_t n : {0, 1, 2, 3, 441, 1000, 12345}) {
      CAPTURE(from);
      CAPTURE(to);
      CAPTURE(n);
      const std::vector<std::int16_t> in(static_cast<std::size_t>(n), 100);
      const auto expected = static_cast<std::size_t>(std::llround(static_cast<double>(n) * to / from));
      CHECK(resample(in, from, to).size() == expected);
    }
  }
}

TEST_CASE("converting between equal rates returns the samples unchanged") {
  const auto in = tone(1234, 8000, 20000, 0.1);
  CHECK(resample(in, 8000, 8000) == in);
  CHECK(resample({}, 8000, 8000).empty());
}

TEST_CASE("a constant level stays constant away from the ends, even for an awkward ratio") {
  for (const auto& [from, to] : {std::pair{44101, 8000}, std::pair{44100, 8000}, std::pair{8000, 22050}}) {
    CAPTURE(from);
    const auto out = resample(std::vector<std::int16_t>(static_cast<std::size_t>(from), 12000), from, to);
    for (const double v : middle(out)) REQUIRE(std::abs(v - 12000) <= 2);
  }
}

TEST_CASE("full-scale input is clipped, never wrapped around") {
  std::vector<std::int16_t> square(48000);
  for (std::size_t i = 0; i < square.size(); ++i) square[i] = (i / 60) % 2 ? 32767 : -32768;  // 400 Hz square wave
  // Band-limiting overshoots (Gibbs) past full scale; a wrap would show as a jump to the other sign.
  const auto out = resample(square, 48000, 8000);
  int jumps = 0;
  for (std::size_t i = 1; i < out.size(); ++i) jumps += std::abs(out[i] - out[i - 1]) > 50000 ? 1 : 0;
  CHECK(jumps == 0);
}

TEST_CASE("a rate that is not positive is rejected") {
  CHECK_THROWS_WITH_AS(resample({1, 2, 3}, 0, 8000), "cannot resample from 0 Hz to 8000 Hz (expected positive sample rates)",
                       sonoria::DataError);
  CHECK_THROWS_AS(resample({1, 2, 3}, 8000, -1), sonoria::DataError);
}

TEST_CASE("to_ulaw8k resamples to 8 kHz and encodes one µ-law byte per sample") {
  const PcmAudio wide{16000, tone(500, 16000, 8000, 0.5)};
  const std::string ulaw = to_ulaw8k(wide);
  CHECK(ulaw.size() == 4000);
  const auto decoded = ulaw_decode(ulaw);
  const auto mid = middle(decoded);
  CHECK(amplitude_at(mid, 500, 8000) == doctest::Approx(8000).epsilon(0.03));

  const PcmAudio narrow{8000, {0, 1000, -1000, 8000}};
  CHECK(to_ulaw8k(narrow) == ulaw_encode(narrow.samples));
}

// ---- StreamResampler ----------------------------------------------------------------------------

namespace {
// `in` pushed in chunks of the given sizes, cycling through them.
std::vector<std::int16_t> streamed(StreamResampler& r, const std::vector<std::int16_t>& in, std::vector<std::size_t> chunks) {
  std::vector<std::int16_t> out;
  std::size_t at = 0;
  for (std::size_t i = 0; at < in.size(); ++i) {
    const std::size_t n = std::min(chunks[i % chunks.size()], in.size() - at);
    r.push(std::span<const std::int16_t>(in.data() + at, n), out);
    at += n;
  }
  return out;
}
}  // namespace

TEST_CASE("a stream resampled in chunks of any size equals the whole conversion, sample for sample") {
  const auto in = tone(700, 8000, 9000, 0.5);
  for (auto [from, to] : {std::pair{8000, 16000}, std::pair{24000, 8000}, std::pair{8000, 24000}, std::pair{16000, 8000}}) {
    CAPTURE(from);
    CAPTURE(to);
    const auto source = from == 8000 ? in : resample(in, 8000, from);
    const auto whole = resample(source, from, to);
    for (const auto& chunks : {std::vector<std::size_t>{160}, {1}, {7, 333, 2}, {100000}}) {
      StreamResampler r(from, to);
      const auto out = streamed(r, source, chunks);
      // Only what the input so far makes possible: all but the filter's tail.
      REQUIRE(out.size() <= whole.size());
      CHECK(out.size() > whole.size() - static_cast<std::size_t>(to / 100));  // the tail is under 10 ms
      CHECK(std::equal(out.begin(), out.end(), whole.begin()));
    }
  }
}

TEST_CASE("a stream holds back no more than the filter needs, and keeps no more input than that") {
  StreamResampler r(24000, 8000);
  const auto in = tone(440, 24000, 8000, 2.0);
  std::vector<std::int16_t> out;
  // 20 ms chunks for two seconds: every chunk but the first makes its share of output at once.
  for (std::size_t at = 0; at < in.size(); at += 480) {
    const auto before = out.size();
    r.push(std::span<const std::int16_t>(in.data() + at, 480), out);
    if (at > 480) CHECK(out.size() - before == 160);
  }
  CHECK(out.size() >= 16000 - 80);
}

TEST_CASE("reset starts a stream over: the next output is as if nothing had been pushed before") {
  const auto a = tone(1000, 8000, 12000, 0.1);
  const auto b = tone(300, 8000, 5000, 0.1);
  StreamResampler fresh(8000, 16000);
  std::vector<std::int16_t> expected;
  fresh.push(b, expected);
  StreamResampler r(8000, 16000);
  std::vector<std::int16_t> ignored, out;
  r.push(a, ignored);
  r.reset();
  r.push(b, out);
  CHECK(out == expected);
}

TEST_CASE("a stream between equal rates passes samples through at once") {
  StreamResampler r(8000, 8000);
  std::vector<std::int16_t> in{1, -2, 3}, out;
  r.push(in, out);
  CHECK(out == in);
}

TEST_CASE("a stream with a rate that is not positive is rejected") {
  CHECK_THROWS_AS(StreamResampler(0, 8000), sonoria::DataError);
}

TEST_CASE("flushing a stream lets out the rest: all of it equals the whole conversion, and it starts over") {
  const auto in = tone(440, 24000, 8000, 0.3);
  const auto whole = resample(in, 24000, 8000);
  StreamResampler r(24000, 8000);
  auto out = streamed(r, in, {480});
  r.flush(out);
  CHECK(out == whole);
  std::vector<std::int16_t> again;
  r.push(in, again);
  r.flush(again);
  CHECK(again == whole);
}
