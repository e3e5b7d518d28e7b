#include "core/audio/call_mix.hpp"

#include <doctest/doctest.h>

#include "core/audio/g711.hpp"

using namespace sonoria;
using audio::CallMix;

namespace {

// µ-law of a constant level, `ms` long.
std::string level(std::int16_t value, int ms) {
  return std::string(static_cast<std::size_t>(ms) * 8, static_cast<char>(audio::linear_to_ulaw(value)));
}

std::int16_t at(const std::string& mixed, std::size_t i) { return audio::ulaw_to_linear(static_cast<std::uint8_t>(mixed[i])); }

}  // namespace

TEST_CASE("the caller is placed by timestamp, the assistant queued from the caller's clock, both summed") {
  CallMix mix;
  mix.assistant(level(1000, 40));   // the greeting, sent before the caller said anything
  mix.caller(0, level(2000, 20));
  mix.caller(20, level(2000, 20));
  const auto mixed = mix.take_ready();
  REQUIRE(mixed.size() == 320);     // up to the caller's clock only
  CHECK(at(mixed, 0) == audio::ulaw_to_linear(audio::linear_to_ulaw(3000)));
  CHECK(mix.taken() == 320);

  // A reply sent after a pause starts when it is sent, not at the end of the greeting.
  mix.caller(40, level(0, 100));
  mix.assistant(level(500, 20));
  mix.caller(140, level(0, 40));
  const auto next = mix.take_ready();
  REQUIRE(next.size() == 140 * 8);
  CHECK(at(next, 0) == 0);                         // the pause: nobody spoke
  CHECK(at(next, 100 * 8) == at(level(500, 1), 0)); // the reply, from the moment it was sent
}

TEST_CASE("barge-in drops what had not been played; a gap in the caller's audio is silence; a repeat is ignored") {
  CallMix mix;
  mix.caller(0, level(0, 20));
  mix.assistant(level(1000, 1000));  // a long reply, queued
  mix.caller(20, level(0, 20));      // 20 ms of it played
  mix.clear();
  mix.caller(40, level(0, 20));
  auto mixed = mix.take_rest();
  REQUIRE(mixed.size() == 60 * 8);   // the cleared 980 ms never happened
  CHECK(at(mixed, 0) == 0);         // the reply starts once sent, after the first frame
  CHECK(at(mixed, 25 * 8) != 0);    // the 20 ms of it the caller heard
  CHECK(at(mixed, 50 * 8) == 0);

  CallMix gaps;
  gaps.caller(0, level(800, 20));
  gaps.caller(60, level(800, 20));   // two frames lost on the way
  gaps.caller(60, level(800, 20));   // and one sent twice
  mixed = gaps.take_ready();
  REQUIRE(mixed.size() == 80 * 8);
  CHECK(at(mixed, 30 * 8) == 0);
  CHECK(at(mixed, 70 * 8) == at(level(800, 1), 0));
}

TEST_CASE("loud sides clip instead of wrapping around") {
  CallMix mix;
  mix.caller(0, level(30000, 20));
  mix.assistant(level(30000, 20));
  const auto mixed = mix.take_rest();
  CHECK(at(mixed, 0) > 30000);
}
