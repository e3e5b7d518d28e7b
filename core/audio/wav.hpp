#pragma once
// WAV files in and out, for `sonoria simulate`: caller audio comes from any common WAV (`--audio`),
// the assistant's audio goes to a µ-law WAV (`--record`). Reading accepts what recorders, editors
// and streaming tools actually write; writing produces the plainest file ordinary players open.
// Pure functions over bytes plus file I/O; any thread, but they block on the disk, so never call
// them on an event-loop thread.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::audio {

// Mono, 16-bit linear samples at `sample_rate` Hz.
struct PcmAudio {
  int sample_rate = 8000;
  std::vector<std::int16_t> samples;
};

// Reads RIFF/WAVE (and RF64/BW64 whose data runs to the end): PCM 8 (unsigned)/16/24/32-bit
// integer, IEEE float 32/64, µ-law (format 7), A-law (6), and WAVE_FORMAT_EXTENSIBLE wrapping
// those. Any channel count is mixed down to mono by averaging. Unknown chunks (LIST, fact, …) are
// skipped; a missing pad byte after an odd-sized chunk is tolerated; a data chunk size of 0 or
// 0xFFFFFFFF followed by bytes that are not another chunk means "to the end of the file" (streamed
// WAVs), and a data chunk cut short by a truncated file keeps the whole frames that are there.
// An empty data chunk gives empty audio.
// Throws sonoria::DataError naming the file and what is wrong, e.g.
//   "caller.wav: not a WAV file (no RIFF header)"
//   "caller.wav: unsupported WAV encoding 85 (MP3); expected PCM, float, μ-law or A-law"
//   "caller.wav: truncated fmt chunk (12 bytes; expected at least 16)"
//   "caller.wav: sample rate 0 Hz is not usable; expected 1000 to 768000 Hz"
PcmAudio read_wav(const std::filesystem::path& file);
// The same, over bytes already in memory; `name_for_errors` starts every message.
PcmAudio parse_wav(std::string_view bytes, std::string_view name_for_errors);

// The file as 8 kHz µ-law (one byte per sample), ready to send as Twilio media; resampled with
// resample() when the file is at another rate. Throws as read_wav.
std::string read_wav_as_ulaw8k(const std::filesystem::path& file);

// Writes 8 kHz mono µ-law audio (one code per byte) as a WAV with format 7 and a fact chunk.
// write_pcm_wav writes 16-bit mono PCM at audio.sample_rate. Both write a temporary file beside
// `file` and rename it into place, so a reader never sees half a file. Throw sonoria::DataError
// naming the file when it cannot be written or the audio does not fit a WAV (over 4 GiB, or a
// sample rate that is not positive).
void write_ulaw_wav(const std::filesystem::path& file, std::string_view ulaw_8k);

// Headers for audio written or served a piece at a time (call recordings): the header of an
// 8 kHz µ-law WAV of `samples` (with its fact chunk; the data follows at once), and of a 16-bit
// PCM mono WAV. A writer that does not know the length yet writes 0 and patches it at the end;
// read_wav and players take a data chunk running to the end of the file.
inline constexpr std::size_t k_ulaw_wav_header_bytes = 58;
inline constexpr std::size_t k_pcm_wav_header_bytes = 44;
std::string ulaw_wav_header(std::uint32_t samples);
std::string pcm_wav_header(std::uint32_t samples, std::uint32_t sample_rate);
void write_pcm_wav(const std::filesystem::path& file, const PcmAudio& audio);

}  // namespace sonoria::audio
