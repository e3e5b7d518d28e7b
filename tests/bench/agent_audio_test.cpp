#include "tests/bench/agent_audio.hpp"

#include <doctest/doctest.h>

#include <string>

#include "core/audio/g711.hpp"
#include "core/audio/pcm16.hpp"
#include "core/simulate/probe.hpp"

using namespace sonoria::bench;
namespace audio = sonoria::audio;
namespace simulate = sonoria::simulate;

TEST_CASE("every μ-law byte but 0x7F has a sample that sonoria's encoder turns back into it") {
  const auto& table = pcm_preimages();
  for (int code = 0; code < 256; ++code) {
    CAPTURE(code);
    if (code == 0x7F) continue;
    CHECK(audio::linear_to_ulaw(table[static_cast<std::size_t>(code)]) == code);
  }
  // Negative zero is never encoded: no sample gives it, which is why PCM-safe probes avoid it.
  bool any = false;
  for (int s = -32768; s <= 32767; ++s) any = any || audio::linear_to_ulaw(static_cast<std::int16_t>(s)) == 0x7F;
  CHECK_FALSE(any);
  CHECK(audio::linear_to_ulaw(table[0x7F]) == 0xFF);
  CHECK(fits_pcm(std::uint32_t{0x80FF7E00}));
  CHECK_FALSE(fits_pcm(std::uint64_t{0x7F00000000}));
}

TEST_CASE("probe-stamped audio without 0x7F bytes arrives intact after sonoria's PCM → μ-law (Ultravox)") {
  std::string ulaw;
  std::uint32_t sequence = 0x7E;
  append_probe_tone(ulaw, 0x80FF, sequence, 1, 0xFF00'8000'7E80ULL);
  sequence = 0x80;
  append_probe_tone(ulaw, 0x80FF, sequence, 2, 0xFF00'8000'7E80ULL);
  REQUIRE(ulaw.size() == 3 * simulate::k_frame_bytes);
  std::string pcm;
  append_exact_pcm16le(pcm, ulaw);
  CHECK(pcm.size() == 2 * ulaw.size());
  // sonoria's adapter encodes with a stream that may split a sample between frames.
  audio::Pcm16leToUlawStream encoder;
  std::string back;
  encoder.push(std::string_view(pcm).substr(0, 101), back);
  encoder.push(std::string_view(pcm).substr(101), back);
  REQUIRE(back.size() == ulaw.size());
  const std::uint32_t expected[] = {0x7E, 0x80, 0x81};
  for (std::uint32_t f = 0; f < 3; ++f) {
    const auto frame = std::string_view(back).substr(f * simulate::k_frame_bytes, simulate::k_frame_bytes);
    // The probe headers come back byte for byte; the tone may not (it holds 0x7F bytes).
    CHECK(frame.substr(0, simulate::k_probe_size) ==
          std::string_view(ulaw).substr(f * simulate::k_frame_bytes, simulate::k_probe_size));
    auto probe = simulate::read_probe(frame);
    REQUIRE(probe);
    CHECK(probe->stream == 0x80FF);
    CHECK(probe->sequence == expected[f]);
    CHECK(probe->sent_ns == 0xFF00'8000'7E80ULL);
    CHECK(probe->speech);
  }
}

TEST_CASE("the tone frames carry the tone after their probe header") {
  std::string ulaw;
  std::uint32_t sequence = 0;
  append_probe_tone(ulaw, 1, sequence, 2, 5);
  CHECK(sequence == 2);
  CHECK(ulaw.substr(simulate::k_probe_size, simulate::k_frame_bytes - simulate::k_probe_size) ==
        tone_frame().substr(simulate::k_probe_size));
  CHECK(ulaw.substr(simulate::k_frame_bytes + simulate::k_probe_size) == tone_frame().substr(simulate::k_probe_size));
}
