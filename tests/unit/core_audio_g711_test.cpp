#include "core/audio/g711.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <vector>

using namespace sonoria::audio;

TEST_CASE("µ-law decodes the reference vectors") {
  const std::pair<std::uint8_t, std::int16_t> vectors[] = {
      {0x00, -32124}, {0x01, -31100}, {0x0F, -16764}, {0x10, -15996}, {0x7E, -8},
      {0x7F, 0},      {0x80, 32124},  {0xF0, 120},    {0xFE, 8},      {0xFF, 0},
  };
  for (const auto& [code, sample] : vectors) {
    CAPTURE(int(code));
    CHECK(ulaw_to_linear(code) == sample);
  }
}

TEST_CASE("µ-law encodes the reference vectors") {
  const std::pair<std::int16_t, std::uint8_t> vectors[] = {
      {0, 0xFF},     {1, 0xFF},     {-1, 0x7E},     {8, 0xFE},     {100, 0xF2},
      {-100, 0x72},  {1000, 0xCE},  {-1000, 0x4E},  {4096, 0xAF},  {-4096, 0x2F},
      {12345, 0x97}, {32767, 0x80}, {-32768, 0x00},
  };
  for (const auto& [sample, code] : vectors) {
    CAPTURE(sample);
    CHECK(int(linear_to_ulaw(sample)) == int(code));
  }
}

TEST_CASE("µ-law silence decodes to zero") {
  CHECK(ulaw_to_linear(k_ulaw_silence) == 0);
  CHECK(linear_to_ulaw(0) == k_ulaw_silence);
}

TEST_CASE("every µ-law code except negative zero survives decode then encode") {
  for (int code = 0; code < 256; ++code) {
    CAPTURE(code);
    const auto byte = static_cast<std::uint8_t>(code);
    const auto back = linear_to_ulaw(ulaw_to_linear(byte));
    // 0x7F is "-0": it decodes to 0, which encodes as the canonical 0xFF.
    CHECK(int(back) == (code == 0x7F ? 0xFF : code));
  }
}

TEST_CASE("µ-law encoding is monotonic and its error stays within one quantisation step") {
  int previous = std::numeric_limits<int>::min();
  for (int x = -32768; x <= 32767; ++x) {
    const auto sample = static_cast<std::int16_t>(x);
    const int decoded = ulaw_to_linear(linear_to_ulaw(sample));
    REQUIRE(decoded >= previous);
    previous = decoded;
    // The step doubles with each segment of the biased magnitude (8 wide near zero); 3 more for the
    // two low bits dropped before encoding. Beyond ±32124 the code saturates.
    const auto biased = static_cast<unsigned>(std::abs(x) + 132);
    const int segment = std::clamp(static_cast<int>(std::bit_width(biased)) - 8, 0, 7);
    const int limit = std::abs(x) > 32124 ? 644 : (8 << segment) + 3;
    REQUIRE(std::abs(decoded - x) <= limit);
  }
}

TEST_CASE("A-law decodes and encodes the Sun g711.c reference values") {
  CHECK(alaw_to_linear(0xD5) == 8);
  CHECK(alaw_to_linear(0x55) == -8);
  CHECK(alaw_to_linear(0xAA) == 32256);
  CHECK(alaw_to_linear(0x2A) == -32256);
  CHECK(int(linear_to_alaw(0)) == 0xD5);
  CHECK(int(linear_to_alaw(-1)) == 0x55);
  CHECK(int(linear_to_alaw(32767)) == 0xAA);
  CHECK(int(linear_to_alaw(-32768)) == 0x2A);
  CHECK(int(linear_to_alaw(1000)) == 0xFA);
  CHECK(int(linear_to_alaw(-1000)) == 0x7A);
  CHECK(int(linear_to_alaw(12345)) == 0xBD);
}

TEST_CASE("every A-law code survives decode then encode") {
  for (int code = 0; code < 256; ++code) {
    CAPTURE(code);
    CHECK(int(linear_to_alaw(alaw_to_linear(static_cast<std::uint8_t>(code)))) == code);
  }
}

TEST_CASE("A-law encoding is monotonic") {
  int previous = std::numeric_limits<int>::min();
  for (int x = -32768; x <= 32767; ++x) {
    const int decoded = alaw_to_linear(linear_to_alaw(static_cast<std::int16_t>(x)));
    REQUIRE(decoded >= previous);
    previous = decoded;
  }
}

TEST_CASE("buffers decode and encode one sample per byte") {
  const std::string bytes = {'\x00', '\x7F', '\x80', '\xFF', '\xF0'};
  const auto samples = ulaw_decode(bytes);
  CHECK(samples == std::vector<std::int16_t>{-32124, 0, 32124, 0, 120});
  CHECK(ulaw_encode(samples) == std::string{'\x00', '\xFF', '\x80', '\xFF', '\xF0'});
  CHECK(ulaw_decode("").empty());
  CHECK(ulaw_encode({}).empty());

  const std::vector<std::int16_t> pcm = {0, -1, 1000, -32768};
  const auto alaw = alaw_encode(pcm);
  CHECK(alaw == std::string{'\xD5', '\x55', '\xFA', '\x2A'});
  CHECK(alaw_decode(alaw).size() == 4);
}

TEST_CASE("a 20 ms frame of silence is 160 bytes of 0xFF") {
  const std::vector<std::int16_t> silence(160, 0);
  CHECK(ulaw_encode(silence) == std::string(160, '\xFF'));
}

TEST_CASE("encoding all 65,536 samples matches CPython audioop byte for byte") {
  // FNV-1a 64 of audioop.lin2ulaw / lin2alaw over every s16 value from -32768 up, computed once
  // with CPython 3.11.
  std::vector<std::int16_t> all;
  for (int x = -32768; x <= 32767; ++x) all.push_back(static_cast<std::int16_t>(x));
  const auto fnv1a = [](const std::string& bytes) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (char c : bytes) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 0x100000001b3ULL;
    }
    return hash;
  };
  CHECK(fnv1a(ulaw_encode(all)) == 0xd5ee23f7d0ffae91ULL);
  CHECK(fnv1a(alaw_encode(all)) == 0xf030666eb780cf25ULL);
}
