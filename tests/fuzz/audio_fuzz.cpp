// Audio from outside (core/audio/): a peer's G.711 bytes, and samples at whatever rate an engine
// or a WAV file brings, through the resampler.
#include <cstring>
#include <span>
#include <vector>

#include "core/audio/g711.hpp"
#include "core/audio/resample.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::audio {

SONORIA_FUZZ_TARGET(g711) {
  // Decoding is total, and what it gives encodes back to codes that decode the same.
  const auto ulaw = sonoria::audio::ulaw_decode(input);
  FUZZ_CHECK(ulaw.size() == input.size());
  FUZZ_CHECK(sonoria::audio::ulaw_decode(sonoria::audio::ulaw_encode(ulaw)) == ulaw);
  const auto alaw = sonoria::audio::alaw_decode(input);
  FUZZ_CHECK(sonoria::audio::alaw_decode(sonoria::audio::alaw_encode(alaw)) == alaw);
}

// The first bytes choose the rates and how the stream is cut into chunks; the rest are samples.
// Streaming them in chunks gives what resampling them whole gives.
SONORIA_FUZZ_TARGET(resample) {
  static constexpr int k_rates[] = {8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000};
  if (input.size() < 3) return;
  const int from = k_rates[static_cast<unsigned char>(input[0]) % 8];
  const int to = k_rates[static_cast<unsigned char>(input[1]) % 8];
  const std::size_t chunk = 1 + static_cast<unsigned char>(input[2]) % 97;
  input.remove_prefix(3);
  std::vector<std::int16_t> samples(input.size() / 2);
  if (!samples.empty()) std::memcpy(samples.data(), input.data(), samples.size() * 2);

  const auto whole = sonoria::audio::resample(samples, from, to);
  sonoria::audio::StreamResampler stream(from, to);
  std::vector<std::int16_t> streamed;
  for (std::size_t i = 0; i < samples.size(); i += chunk)
    stream.push(std::span<const std::int16_t>(samples).subspan(i, std::min(chunk, samples.size() - i)), streamed);
  stream.flush(streamed);
  FUZZ_CHECK(streamed == whole);
}

}  // namespace sonoria::fuzz::audio
