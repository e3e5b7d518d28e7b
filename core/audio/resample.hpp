#pragma once
// Sample-rate conversion: WAV files at 16, 44.1 or 48 kHz and espeak-ng's 22.05 kHz speech on
// their way to Twilio (8 kHz µ-law), whole; and live call audio for an engine that takes another
// rate (Ultravox at 16/24 kHz), as a stream. Pure functions and a value type; any thread.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/audio/wav.hpp"

namespace sonoria::audio {

// Band-limited conversion between any two rates (8000, 11025, 16000, 22050, 24000, 32000, 44100,
// 48000 and others): a Kaiser-windowed-sinc low-pass whose cut-off sits just below the lower of the
// two Nyquist frequencies (3.88 kHz when either side is 8 kHz; about 80 dB of stop-band rejection),
// applied as an exact rational polyphase filter — not linear interpolation, which aliases speech
// badly when going down to 8 kHz. Output length = round(n * to_rate / from_rate); output sample k
// is the input at time k / to_rate, with zeros assumed beyond both ends. Equal rates copy.
// Throws sonoria::DataError when a rate is not positive.
std::vector<std::int16_t> resample(const std::vector<std::int16_t>& samples, int from_rate, int to_rate);

// A sample computed in floating point as 16 bits: rounded, clamped to the range, a NaN as silence.
std::int16_t to_int16(double v);

// The same conversion on a stream that arrives in chunks of any size: the samples pushed so far,
// resampled, equal resample() of all of them, except that each output sample waits until the
// input it needs has arrived (the filter's half length: under 8 ms between 8, 16 and 24 kHz) and
// the stream never ends (no zeros are assumed after the last chunk). The filters are designed
// once per rate pair per process and shared.
class StreamResampler {
 public:
  // Throws sonoria::DataError when a rate is not positive.
  StreamResampler(int from_rate, int to_rate);
  ~StreamResampler();
  StreamResampler(StreamResampler&&) noexcept;
  StreamResampler& operator=(StreamResampler&&) noexcept;

  // Appends to `out` every output sample the input so far makes possible.
  void push(std::span<const std::int16_t> in, std::vector<std::int16_t>& out);
  // The stream ends here (an utterance is over): appends the output still held back, as resample()
  // of everything pushed would end (silence assumed after the last sample), and starts over.
  void flush(std::vector<std::int16_t>& out);
  // Starts over: as if nothing had been pushed (after a barge-in, stale audio must not ring on).
  void reset();
  int from_rate() const { return from_rate_; }
  int to_rate() const { return to_rate_; }

  struct Filter;

 private:
  int from_rate_;
  int to_rate_;
  std::int64_t up_ = 1;
  std::int64_t down_ = 1;
  std::shared_ptr<const Filter> filter_;
  std::vector<float> held_;            // input from absolute index held_start_ on
  std::int64_t held_start_ = 0;
  std::int64_t next_out_ = 0;          // absolute index of the next output sample
};

// `audio` resampled to 8 kHz and µ-law encoded: one byte per sample, as Twilio media carries it.
// Throws as resample().
std::string to_ulaw8k(const PcmAudio& audio);

}  // namespace sonoria::audio
