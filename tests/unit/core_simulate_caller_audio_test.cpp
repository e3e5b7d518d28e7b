#include "core/simulate/caller_audio.hpp"

#include <doctest/doctest.h>

using namespace sonoria::simulate;

TEST_CASE("speech noise is deterministic, the right length, and no 20 ms of it reads as silence") {
  const auto a = speech_noise(1200, 3);
  CHECK(a.size() == 1200 * 8);
  CHECK(a == speech_noise(1200, 3));
  CHECK(a != speech_noise(1200, 4));
  CHECK(a.find('\xFF') == std::string::npos);
  CHECK(a.find('\x7F') == std::string::npos);
  // Loud enough for a VAD: every frame has codes far from silence (small magnitude codes sit near 0xFF/0x7F).
  for (std::size_t at = 0; at < a.size(); at += 160) {
    int loud = 0;
    for (std::size_t i = at; i < at + 160; ++i) loud += (static_cast<unsigned char>(a[i]) & 0x7F) < 0x60 ? 1 : 0;
    CHECK(loud > 40);
  }
}

TEST_CASE("silence is 0xFF, eight bytes a millisecond") {
  CHECK(ulaw_silence(20) == std::string(160, '\xFF'));
  CHECK(ulaw_silence(-1).empty());
}
