#pragma once
// The local engine's ears: PocketSphinx (Debian's libpocketsphinx, CMU's open recogniser) on a
// call's 8 kHz μ-law audio, with a language model of what callers of this business say
// (language_model.hpp) and the pronunciations of exactly its words (pronunciations.hpp).
//
// The acoustic model (pocketsphinx-en-us) was trained on 16 kHz speech. Telephone audio is
// resampled to 16 kHz, and the band above 4 kHz, which the telephone never carried, is filled
// with faint noise: left silent, its log energies are far below anything the model saw, and
// recognition of espeak's test speech fell from most words right to half (measured with the
// question set in tests/data/local_engine/).
//
// Turns are found by the recogniser's own voice activity detection: speech starts after 100 ms of
// it and ends after `silence_ms` of silence, when the words are decoded. Blocking and CPU-bound
// (about 5 % of real time, and 30 ms to start): run it off the event loop. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audio/resample.hpp"

namespace sonoria::engine::local {

// What a recogniser listens with. Shared by the calls of one profile (immutable once built).
struct ListeningModel {
  std::string arpa;                 // language_model.hpp
  std::string dictionary;           // pronunciations of its words
};

struct RecognizerOptions {
  std::filesystem::path acoustic_model = "/usr/share/pocketsphinx/model/en-us/en-us";
  int silence_ms = 500;             // the end of a turn
};

class SpeechRecognizer {
 public:
  // Throws sonoria::DataError when PocketSphinx cannot start (the acoustic model is missing or the
  // model does not load), naming the folder and the Debian package.
  SpeechRecognizer(const ListeningModel& model, const RecognizerOptions& options);
  ~SpeechRecognizer();
  SpeechRecognizer(const SpeechRecognizer&) = delete;
  SpeechRecognizer& operator=(const SpeechRecognizer&) = delete;

  struct Heard {
    bool speech_started = false;    // the caller began to speak in this audio
    std::int64_t start_ms = -1;     // where, in all the audio fed so far
    // The caller finished a turn: what they said ("" when nothing was made out).
    std::optional<std::string> turn;
  };
  // Feeds μ-law 8 kHz audio (any length).
  Heard feed(std::string_view ulaw);
  // The audio fed so far, in milliseconds.
  std::int64_t fed_ms() const { return fed_samples_ / 8; }
  bool in_speech() const { return reported_; }

 private:
  struct Decoder;
  std::unique_ptr<Decoder> decoder_;
  audio::StreamResampler upsample_{8000, 16000};
  std::vector<std::int16_t> narrow_;
  std::vector<std::int16_t> wide_;
  std::uint32_t noise_state_ = 0x5EED;
  std::int64_t fed_samples_ = 0;      // at 8 kHz
  std::int64_t sliced_samples_ = 0;   // at 16 kHz, given to the decoder
  bool in_speech_ = false;            // the detector hears speech
  bool reported_ = false;             // and the caller was told (speech_started)
};

// Why PocketSphinx cannot load the acoustic model in `acoustic_model` (its folder lacks the model),
// naming the setting and the Debian package; "" when it can. Reads the file system.
std::string acoustic_model_problem(const std::filesystem::path& acoustic_model);

// Fills the band above 4 kHz of 16 kHz audio upsampled from 8 kHz with faint noise (see above).
// Deterministic for a given `state`, which it advances.
void fill_upper_band(std::vector<std::int16_t>& wide, std::uint32_t& state);

}  // namespace sonoria::engine::local
