#include "core/audio/pcm16.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <vector>

#include "core/audio/g711.hpp"
#include "core/audio/resample.hpp"

using namespace sonoria::audio;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// s16le of `samples`.
std::string pcm(const std::vector<std::int16_t>& samples) {
  std::string out;
  for (std::int16_t s : samples) {
    const auto u = static_cast<std::uint16_t>(s);
    out.push_back(static_cast<char>(u & 0xFF));
    out.push_back(static_cast<char>(u >> 8));
  }
  return out;
}

std::string pcm(std::initializer_list<std::int16_t> samples) { return pcm(std::vector<std::int16_t>(samples)); }

}  // namespace

TEST_CASE("µ-law becomes s16le: two little-endian bytes per sample") {
  CHECK(ulaw_to_pcm16le(bytes({0x00, 0x80, 0xFF, 0x7E})) == pcm({-32124, 32124, 0, -8}));
  CHECK(ulaw_to_pcm16le(bytes({0x00})) == bytes({0x84, 0x82}));  // -32124 = 0x8284
  CHECK(ulaw_to_pcm16le("").empty());
}

TEST_CASE("µ-law decoding appends to what the output already holds") {
  std::string out = "ab";
  ulaw_to_pcm16le(bytes({0xFF, 0x80}), out);
  CHECK(out == "ab" + pcm({0, 32124}));
}

TEST_CASE("s16le becomes µ-law with the G.711 encoder, whole samples only") {
  CHECK(pcm16le_to_ulaw(pcm({0, 1000, -1000, 32767, -32768})) == bytes({0xFF, 0xCE, 0x4E, 0x80, 0x00}));
  SUBCASE("a trailing half sample is ignored") {
    CHECK(pcm16le_to_ulaw(pcm({1000}) + bytes({0x12})) == bytes({0xCE}));
    CHECK(pcm16le_to_ulaw(bytes({0x12})).empty());
  }
}

TEST_CASE("every µ-law code survives a trip through s16le, except the negative zero") {
  for (int code = 0; code < 256; ++code) {
    CAPTURE(code);
    const std::string one = bytes({code});
    const std::string back = pcm16le_to_ulaw(ulaw_to_pcm16le(one));
    CHECK(back == (code == 0x7F ? bytes({0xFF}) : one));
  }
}

TEST_CASE("a stream of s16le chunks carries half a sample across chunk boundaries") {
  const std::string whole = pcm({0, 100, -100, 1000, -1000, 4096, -4096, 12345, 32767});
  const std::string expected = pcm16le_to_ulaw(whole);
  for (std::size_t first = 0; first <= whole.size(); ++first) {
    for (std::size_t second = first; second <= whole.size(); ++second) {
      CAPTURE(first);
      CAPTURE(second);
      Pcm16leToUlawStream stream;
      std::string out;
      stream.push(std::string_view(whole).substr(0, first), out);
      CHECK(stream.has_partial_sample() == (first % 2 == 1));
      stream.push(std::string_view(whole).substr(first, second - first), out);
      stream.push(std::string_view(whole).substr(second), out);
      CHECK(out == expected);
      CHECK_FALSE(stream.has_partial_sample());
    }
  }
}

TEST_CASE("single-byte chunks make one µ-law byte per two") {
  const std::string whole = pcm({1000, -1000});
  Pcm16leToUlawStream stream;
  CHECK(stream.push(whole.substr(0, 1)).empty());
  CHECK(stream.push(whole.substr(1, 1)) == bytes({0xCE}));
  CHECK(stream.push(whole.substr(2, 1)).empty());
  CHECK(stream.push(whole.substr(3, 1)) == bytes({0x4E}));
  CHECK(stream.push("").empty());
}

TEST_CASE("reset forgets a half sample") {
  Pcm16leToUlawStream stream;
  CHECK(stream.push(bytes({0x12})).empty());
  CHECK(stream.has_partial_sample());
  stream.reset();
  CHECK_FALSE(stream.has_partial_sample());
  CHECK(stream.push(pcm({1000})) == bytes({0xCE}));
}

// ---- at a wider rate ----------------------------------------------------------------------------

namespace {
std::vector<std::int16_t> samples_of(const std::string& s16le) {
  std::vector<std::int16_t> out(s16le.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = static_cast<std::int16_t>(static_cast<std::uint16_t>(static_cast<unsigned char>(s16le[2 * i]) |
                                                                  (static_cast<unsigned char>(s16le[2 * i + 1]) << 8)));
  return out;
}

std::string ulaw_tone(double frequency, double seconds) {
  std::vector<std::int16_t> linear(static_cast<std::size_t>(8000 * seconds));
  for (std::size_t i = 0; i < linear.size(); ++i)
    linear[i] = static_cast<std::int16_t>(std::lround(8000 * std::sin(2 * std::numbers::pi * frequency * static_cast<double>(i) / 8000 + 0.3)));
  return ulaw_encode(linear);
}
}  // namespace

TEST_CASE("µ-law becomes 16 kHz s16le: the resampled decoding, chunk by chunk") {
  const std::string ulaw = ulaw_tone(500, 0.5);
  std::vector<std::int16_t> decoded;
  for (char c : ulaw) decoded.push_back(ulaw_to_linear(static_cast<std::uint8_t>(c)));
  const auto whole = resample(decoded, 8000, 16000);
  UlawToPcm16leStream stream(16000);
  CHECK(stream.pcm_rate() == 16000);
  std::string out;
  for (std::size_t at = 0; at < ulaw.size(); at += 160) stream.push(std::string_view(ulaw).substr(at, 160), out);
  const auto got = samples_of(out);
  REQUIRE(got.size() > whole.size() - 160);
  CHECK(std::equal(got.begin(), got.end(), whole.begin()));
}

TEST_CASE("at 8 kHz µ-law becomes s16le sample for sample, at once") {
  UlawToPcm16leStream stream;
  std::string out;
  stream.push(bytes({0xCE, 0x4E}), out);
  CHECK(out == ulaw_to_pcm16le(bytes({0xCE, 0x4E})));
}

TEST_CASE("24 kHz s16le in odd-sized chunks becomes the resampled µ-law") {
  std::vector<std::int16_t> wide(12000);
  for (std::size_t i = 0; i < wide.size(); ++i)
    wide[i] = static_cast<std::int16_t>(std::lround(9000 * std::sin(2 * std::numbers::pi * 440 * static_cast<double>(i) / 24000)));
  const std::string bytes_in = pcm(wide);
  const std::string expected = ulaw_encode(resample(wide, 24000, 8000));
  Pcm16leToUlawStream stream(24000);
  std::string out;
  for (std::size_t at = 0; at < bytes_in.size(); at += 333) stream.push(std::string_view(bytes_in).substr(at, 333), out);
  REQUIRE(out.size() > expected.size() - 80);
  CHECK(out == expected.substr(0, out.size()));
}

TEST_CASE("reset at a wider rate also forgets the resampler's history") {
  std::vector<std::int16_t> loud(2400, 20000), quiet(2400, 0);
  Pcm16leToUlawStream fresh(24000);
  const std::string expected = fresh.push(pcm(quiet));
  Pcm16leToUlawStream stream(24000);
  stream.push(pcm(loud));
  stream.reset();
  CHECK(stream.push(pcm(quiet)) == expected);
}
