#pragma once
// What a call asks of the engine session: prompt, voice, transcription, turn detection and tools.
// Built from the organization's profile, the prompt and the settings (core/call/session_setup.hpp);
// each adapter turns it into its provider's wire shape (OpenAI session.update, Deepgram Settings,
// Ultravox's call creation). Fields a provider has no use for are ignored by it. Plain data.

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace sonoria::org {
struct Profile;
}

namespace sonoria::engine {

struct PcmRates {
  int input = 0;   // caller audio to the engine, Hz
  int output = 0;  // agent audio from the engine, Hz
  bool operator==(const PcmRates&) const = default;
};

struct SessionConfig {
  std::string model;                 // the speech-to-speech or thinking model; "" = the provider's default
  std::string instructions;          // the system prompt
  std::string voice = "marin";
  std::string language = "en";       // ISO-639-1 hint for caller transcription; "" = auto
  std::string transcription_model = "gpt-4o-mini-transcribe";  // "" = no caller transcripts
  std::string noise_reduction = "near_field";  // near_field | far_field | "" = off
  double temperature = 0.8;          // beta protocol only; GA removed it and must not get it
  double vad_threshold = 0.5;        // server VAD, 0.0 – 1.0
  int prefix_padding_ms = 300;
  int silence_duration_ms = 500;
  // Function tools: an array of {"type":"function","name","description","parameters"}, e.g.
  // tools::Registry::session_tools(). null or [] = no tools.
  nlohmann::json tools = nlohmann::json::array();

  // Cascaded engines (Deepgram): speech recognition and the thinking model's provider. The voice
  // above names the speech model ("aura-2-thalia-en").
  std::string listen_model = "nova-3";
  std::string think_provider = "open_ai";
  std::vector<std::string> keyterms;  // words to recognise well: the business's names

  // Engines that carry raw PCM (Ultravox): its sample rates; 0 = Twilio's 8 kHz, so that only
  // G.711 is needed. Wider rates are asked for when 8 kHz is refused (engine::wider_audio).
  PcmRates pcm;

  // Engines that answer from the business's profile themselves (local): the profile, and
  // espeak-ng's rate. Null for the others.
  std::shared_ptr<const org::Profile> profile;
  int words_per_minute = 165;

  bool operator==(const SessionConfig&) const = default;
};

}  // namespace sonoria::engine
