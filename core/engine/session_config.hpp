#pragma once
// What a call asks of the engine session: prompt, voice, transcription, turn detection and tools.
// Built by the daemon from the organization's profile, the prompt and the settings; turned into
// the provider's wire shape by e.g. openai_protocol.hpp's session_update(). Plain data.

#include <nlohmann/json.hpp>

#include <string>

namespace sonoria::engine {

struct SessionConfig {
  std::string model;                 // "" = leave it to the URL / the server
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
};

}  // namespace sonoria::engine
