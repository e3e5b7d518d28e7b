#pragma once
// Text to caller audio for `sonoria simulate --say`, with libespeak-ng: robotic but intelligible,
// offline and deterministic, which is what a test caller needs.

#include <string>
#include <string_view>

namespace sonoria::audio {

struct SpeechOptions {
  std::string voice = "en-us";   // an espeak-ng voice or language: en-us, en-gb, de, fr, es, …
  int words_per_minute = 165;    // espeak-ng accepts 80 to 450
};

// Synthesises `text` (UTF-8, plain text; SSML is not interpreted) with libespeak-ng in-process
// (synchronous output, no sound device) and returns it as 8 kHz µ-law, one byte per sample.
// Empty text gives empty audio.
// espeak-ng keeps global state and is not thread-safe: calls are serialised with a mutex and the
// library is initialised once, by the first call, so any thread may call this; it blocks for the
// synthesis (tens of milliseconds per sentence), so keep it off event-loop threads.
// Throws sonoria::UserError:
//  - espeak-ng cannot be initialised (its data files are missing): names the directory it looked
//    in and the Debian package espeak-ng-data; later calls repeat the same error;
//  - the voice is unknown: "unknown voice 'xx'; try en-us, en-gb, de, fr …" (exit code usage);
//  - words_per_minute is outside 80..450 (exit code usage).
std::string synthesize_ulaw8k(std::string_view text, const SpeechOptions& options = {});

}  // namespace sonoria::audio
