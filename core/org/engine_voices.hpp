#pragma once
// The engines a profile may choose and the voices each one has, for validating a profile at
// import (a voice that does not exist on its engine is an error, not a silent default). Names
// match engine::provider_names() (core/engine/providers.hpp); the org layer knows no engine code.

#include <array>
#include <string>
#include <string_view>

namespace sonoria::org {

// "local" runs inside sonoria (core/engine/local): it speaks with the daemon's engines.local.voice,
// so a profile's voice does not apply to it.
inline constexpr std::array<std::string_view, 4> k_engines = {"openai", "deepgram", "ultravox", "local"};

bool is_known_engine(std::string_view engine);

// "OpenAI", "Deepgram", "Ultravox": how messages name an engine.
std::string_view engine_display_name(std::string_view engine);

// Why `voice` cannot be used on `engine` (a sentence saying what was expected), or "" when it can.
// Ultravox voices live in each Ultravox account (custom and cloned ones too), so any name is
// accepted there except the other engines' voices, which are certainly wrong.
std::string voice_problem(std::string_view engine, std::string_view voice);

// OpenAI Realtime's voices.
inline constexpr std::array<std::string_view, 10> k_openai_voices = {
    "alloy", "ash", "ballad", "coral", "echo", "sage", "shimmer", "verse", "marin", "cedar"};

}  // namespace sonoria::org
