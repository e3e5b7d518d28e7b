#include "core/audio/speech_synth.hpp"

#include <espeak-ng/espeak_ng.h>
#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

#include "core/audio/g711.hpp"
#include "core/audio/resample.hpp"
#include "core/error.hpp"

namespace sonoria::audio {
namespace {

constexpr std::string_view k_common_voices = "en-us, en-gb, de, fr, es, it, nl, pt";
constexpr std::size_t k_max_voice_name = 40;  // espeak-ng copies names into small fixed buffers

// The library's global state, guarded by `mutex`; initialised by the first synthesis.
struct Espeak {
  std::mutex mutex;
  bool initialised = false;
  std::string init_error;  // set when initialisation failed; repeated to every later caller
  int sample_rate = 0;
  std::vector<std::int16_t>* sink = nullptr;  // where the callback appends, during one synthesis
};

Espeak& espeak() {
  static Espeak instance;
  return instance;
}

std::string status_text(espeak_ng_STATUS status) {
  char buffer[256] = {};
  espeak_ng_GetStatusCodeMessage(status, buffer, sizeof buffer);
  return buffer;
}

// Called by espeak-ng on the synthesising thread, inside espeak_ng_Synthesize, with the mutex held.
int collect_samples(short* wav, int count, espeak_EVENT*) {
  auto* sink = espeak().sink;
  if (sink != nullptr && wav != nullptr && count > 0) sink->insert(sink->end(), wav, wav + count);
  return 0;  // continue
}

void initialise(Espeak& e) {
  espeak_ng_InitializePath(nullptr);  // ESPEAK_DATA_PATH, then ~/espeak-ng-data, then the built-in path
  const char* data_path = nullptr;
  espeak_Info(&data_path);
  const std::string looked_in = data_path != nullptr ? data_path : "(unknown)";
  espeak_ng_ERROR_CONTEXT context = nullptr;
  espeak_ng_STATUS status = espeak_ng_Initialize(&context);
  espeak_ng_ClearErrorContext(&context);
  if (status == ENS_OK) status = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, nullptr);
  if (status != ENS_OK) {
    e.init_error = "espeak-ng cannot start: its data files are missing or unreadable in " + looked_in + " (" +
                   status_text(status) + "); install the Debian package espeak-ng-data, or set ESPEAK_DATA_PATH "
                   "to the espeak-ng-data directory";
    return;
  }
  espeak_SetSynthCallback(collect_samples);
  e.sample_rate = espeak_ng_GetSampleRate();
  e.initialised = true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Every language code the installed voices list, lower-cased and sorted ("en", "en-gb", "en-us", …).
std::vector<std::string> installed_languages() {
  std::vector<std::string> found;
  const espeak_VOICE** voices = espeak_ListVoices(nullptr);
  for (std::size_t i = 0; voices != nullptr && voices[i] != nullptr; ++i) {
    // `languages` is a run of (priority byte, NUL-terminated name) pairs, ended by a zero priority.
    for (const char* p = voices[i]->languages; p != nullptr && *p != 0;) {
      const std::string_view language(p + 1);
      found.push_back(lower(language));
      p += 1 + language.size() + 1;
    }
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

std::string_view primary_tag(std::string_view language) { return language.substr(0, language.find('-')); }

// Up to eight installed languages sharing the requested one's primary tag ("en" for "en-xx"),
// shortest first: "en, en-gb, en-us, en-029, …".
std::string similar_voices(std::string_view voice) {
  const std::string wanted = lower(primary_tag(voice));
  std::vector<std::string> similar;
  for (auto& language : installed_languages()) {
    if (primary_tag(language) == wanted) similar.push_back(std::move(language));
  }
  std::stable_sort(similar.begin(), similar.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
  std::string out;
  for (std::size_t i = 0; i < similar.size() && i < 8; ++i) out += (i ? ", " : "") + similar[i];
  return out;
}

// Like the espeak-ng command line: a voice file ("en-us", "gmw/en-US") or voice name first, then
// an installed language code ("en-gb", whose voice file is called "en").
void select_voice(std::string_view voice) {
  const std::string name(voice);
  const bool plausible = !name.empty() && name.size() <= k_max_voice_name && name.find('\0') == std::string::npos;
  espeak_ng_STATUS status = plausible ? espeak_ng_SetVoiceByName(name.c_str()) : ENS_VOICE_NOT_FOUND;
  if (status == ENS_VOICE_NOT_FOUND && plausible) {
    const auto languages = installed_languages();
    if (std::binary_search(languages.begin(), languages.end(), lower(name))) {
      espeak_VOICE selector{};
      selector.languages = name.c_str();
      status = espeak_ng_SetVoiceByProperties(&selector);
    }
  }
  if (status == ENS_OK) return;
  if (status != ENS_VOICE_NOT_FOUND) {
    throw UserError("espeak-ng cannot load voice '" + name + "': " + status_text(status));
  }
  const std::string similar = plausible ? similar_voices(voice) : "";
  throw UserError("unknown voice '" + name + "'; try " + (similar.empty() ? std::string(k_common_voices) : similar) +
                      " …",
                  ExitCode::usage);
}

}  // namespace

std::string synthesize_ulaw8k(std::string_view text, const SpeechOptions& options) {
  if (options.words_per_minute < espeakRATE_MINIMUM || options.words_per_minute > espeakRATE_MAXIMUM) {
    throw UserError("speech rate " + std::to_string(options.words_per_minute) +
                        " words per minute is out of range (expected " + std::to_string(espeakRATE_MINIMUM) + " to " +
                        std::to_string(espeakRATE_MAXIMUM) + ")",
                    ExitCode::usage);
  }
  Espeak& e = espeak();
  PcmAudio audio;
  {
    const std::lock_guard lock(e.mutex);
    if (!e.initialised && e.init_error.empty()) initialise(e);
    if (!e.initialised) throw UserError(e.init_error);
    select_voice(options.voice);
    if (text.empty()) return {};
    const espeak_ng_STATUS rate_status = espeak_ng_SetParameter(espeakRATE, options.words_per_minute, 0);
    if (rate_status != ENS_OK) throw UserError("espeak-ng refused the speech rate: " + status_text(rate_status));

    const std::string terminated(text);  // espeak-ng reads up to a NUL
    audio.sample_rate = e.sample_rate;
    e.sink = &audio.samples;
    const espeak_ng_STATUS status = espeak_ng_Synthesize(terminated.c_str(), terminated.size() + 1, 0, POS_CHARACTER,
                                                         0, espeakCHARS_UTF8, nullptr, nullptr);
    e.sink = nullptr;
    if (status != ENS_OK) throw UserError("espeak-ng could not synthesise the text: " + status_text(status));
  }
  return to_ulaw8k(audio);
}

}  // namespace sonoria::audio
