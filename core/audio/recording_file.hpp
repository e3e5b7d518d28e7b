#pragma once
// Call recordings on disk and on the way to a browser. A recording is an 8 kHz µ-law WAV (half
// the size of 16-bit PCM) under the recordings directory beside the database, named by
// organization, day and call. Browsers do not all play µ-law WAV, so the dashboard serves it as
// a 16-bit PCM WAV converted on the fly; a byte range of that WAV maps onto a window of µ-law
// samples in the file, so a range request reads only what it answers. Pure.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sonoria::audio {

// "<slug>/<YYYY-MM-DD>/<call_sid>.wav", relative to the recordings directory; `day` is the UTC
// date the call started. Empty when a part would not make a safe file name.
std::string recording_relative_path(std::string_view organization_slug, std::string_view day, std::string_view call_sid);

// The recordings directory for a database at `database_path`: "recordings" beside it.
std::filesystem::path recordings_directory(const std::filesystem::path& database_path);

// The size of the PCM WAV served for `samples` µ-law samples.
std::uint64_t served_wav_size(std::uint64_t samples);

// The µ-law samples [first_sample, first_sample + samples) that bytes [first, last] of the
// served WAV need.
struct SampleWindow {
  std::uint64_t first_sample = 0;
  std::uint64_t samples = 0;
};
SampleWindow samples_for_bytes(std::uint64_t total_samples, std::uint64_t first, std::uint64_t last);

// Bytes [first, last] of the served WAV of `total_samples`, given `window` (the µ-law samples
// samples_for_bytes named; fewer when the file was shorter, the rest is silence).
std::string served_wav_bytes(std::uint64_t total_samples, std::uint64_t first, std::uint64_t last, std::string_view window);

}  // namespace sonoria::audio
