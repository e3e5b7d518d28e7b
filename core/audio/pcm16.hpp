#pragma once
// µ-law ⇄ 16-bit signed little-endian PCM ("s16le") byte streams at the same sample rate, built
// on the G.711 codec of g711.hpp. Twilio speaks µ-law 8 kHz; engines such as Ultravox
// (protocols.md §7.3) take and send raw s16le in binary frames. Byte order is fixed (little
// endian) whatever the host's. Pure functions and a small value type; any thread.

#include <string>
#include <string_view>

namespace sonoria::audio {

// Each µ-law byte becomes one s16le sample (two bytes), appended to `out`.
void ulaw_to_pcm16le(std::string_view ulaw, std::string& out);
std::string ulaw_to_pcm16le(std::string_view ulaw);

// Each whole s16le sample becomes one µ-law byte. A trailing odd byte (half a sample) is ignored:
// use Pcm16leToUlawStream when frames may split samples.
std::string pcm16le_to_ulaw(std::string_view pcm);

// s16le arriving in chunks whose boundaries may fall inside a sample: the odd byte of one chunk
// is kept and completed by the first byte of the next.
class Pcm16leToUlawStream {
 public:
  // Appends to `out` one µ-law byte per sample completed by `pcm` (with the byte carried over).
  void push(std::string_view pcm, std::string& out);
  std::string push(std::string_view pcm);
  // Half a sample is waiting for its second byte.
  bool has_partial_sample() const { return has_carry_; }
  // Forgets the half sample (the stream starts over, e.g. after a flush).
  void reset() { has_carry_ = false; }

 private:
  bool has_carry_ = false;
  unsigned char carry_ = 0;
};

}  // namespace sonoria::audio
