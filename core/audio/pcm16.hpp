#pragma once
// µ-law ⇄ 16-bit signed little-endian PCM ("s16le") byte streams, built on the G.711 codec of
// g711.hpp. Twilio speaks µ-law 8 kHz; engines such as Ultravox (protocols.md §7.3) take and send
// raw s16le in binary frames, at 8 kHz or, where that is refused, at a wider rate (resampled as a
// stream, resample.hpp). Byte order is fixed (little endian) whatever the host's. Pure functions
// and small value types; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/resample.hpp"

namespace sonoria::audio {

// Each µ-law byte becomes one s16le sample (two bytes), appended to `out`.
void ulaw_to_pcm16le(std::string_view ulaw, std::string& out);
std::string ulaw_to_pcm16le(std::string_view ulaw);

// Each whole s16le sample becomes one µ-law byte. A trailing odd byte (half a sample) is ignored:
// use Pcm16leToUlawStream when frames may split samples.
std::string pcm16le_to_ulaw(std::string_view pcm);

// Twilio's µ-law (8 kHz) as s16le at `pcm_rate`: at 8 kHz sample for sample, else resampled as a
// stream (each chunk's output waits for the few milliseconds of input the filter needs).
class UlawToPcm16leStream {
 public:
  explicit UlawToPcm16leStream(int pcm_rate = 8000);
  // Appends to `out` the s16le the µ-law so far makes possible.
  void push(std::string_view ulaw, std::string& out);
  int pcm_rate() const { return pcm_rate_; }

 private:
  int pcm_rate_;
  std::optional<StreamResampler> resampler_;
  std::vector<std::int16_t> linear_, resampled_;
};

// s16le at `pcm_rate` arriving in chunks whose boundaries may fall inside a sample (the odd byte
// of one chunk is kept and completed by the first byte of the next), as µ-law 8 kHz: sample for
// sample at 8 kHz, else resampled as a stream.
class Pcm16leToUlawStream {
 public:
  explicit Pcm16leToUlawStream(int pcm_rate = 8000);
  // Appends to `out` the µ-law the s16le so far (with the byte carried over) makes possible.
  void push(std::string_view pcm, std::string& out);
  std::string push(std::string_view pcm);
  // The stream ends here (an utterance is over): appends what the resampler still holds back
  // (nothing at 8 kHz) and starts over.
  void flush(std::string& out);
  // Half a sample is waiting for its second byte.
  bool has_partial_sample() const { return has_carry_; }
  // Forgets the half sample and the resampler's history (the stream starts over, e.g. after a
  // barge-in: what was cut must not ring on into the next utterance).
  void reset();
  int pcm_rate() const { return pcm_rate_; }

 private:
  void encode(const std::int16_t* samples, std::size_t n, std::string& out);

  int pcm_rate_;
  bool has_carry_ = false;
  unsigned char carry_ = 0;
  std::optional<StreamResampler> resampler_;
  std::vector<std::int16_t> linear_, resampled_;
};

}  // namespace sonoria::audio
