#pragma once
// Sample-rate conversion for caller audio on its way to Twilio (8 kHz µ-law): WAV files at 16,
// 44.1 or 48 kHz and espeak-ng's 22.05 kHz speech. Pure functions; any thread.

#include <cstdint>
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

// `audio` resampled to 8 kHz and µ-law encoded: one byte per sample, as Twilio media carries it.
// Throws as resample().
std::string to_ulaw8k(const PcmAudio& audio);

}  // namespace sonoria::audio
