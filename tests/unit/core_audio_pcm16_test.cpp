#include "core/audio/pcm16.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/audio/g711.hpp"

using namespace sonoria::audio;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// s16le of `samples`.
std::string pcm(std::initializer_list<std::int16_t> samples) {
  std::string out;
  for (std::int16_t s : samples) {
    const auto u = static_cast<std::uint16_t>(s);
    out.push_back(static_cast<char>(u & 0xFF));
    out.push_back(static_cast<char>(u >> 8));
  }
  return out;
}

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
