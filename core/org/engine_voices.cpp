#include "core/org/engine_voices.hpp"

#include <algorithm>

#include "core/org/toml_text.hpp"

namespace sonoria::org {
namespace {

// Deepgram Aura-2 (English and Spanish) and the earlier Aura voices, as speak models
// ("aura-2-thalia-en"). https://developers.deepgram.com/docs/tts-models
constexpr std::array<std::string_view, 41> k_aura2_en = {
    "amalthea", "andromeda", "apollo",  "arcas",    "aries",   "asteria", "athena",  "atlas",
    "aurora",   "callista",  "cora",    "cordelia", "delia",   "draco",   "electra", "harmonia",
    "helena",   "hera",      "hermes",  "hyperion", "iris",    "janus",   "juno",    "jupiter",
    "luna",     "mars",      "minerva", "neptune",  "odysseus", "ophelia", "orion",  "orpheus",
    "pandora",  "phoebe",    "pluto",   "saturn",   "selene",  "thalia",  "theia",   "vesta", "zeus"};
constexpr std::array<std::string_view, 10> k_aura2_es = {"alvaro", "aquila", "carina", "celeste", "diana",
                                                         "estrella", "javier", "nestor", "selena", "sirio"};
constexpr std::array<std::string_view, 12> k_aura1_en = {"angus", "arcas", "asteria", "athena", "helios", "hera",
                                                         "luna",  "orion", "orpheus", "perseus", "stella", "zeus"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_deepgram_voice(std::string_view voice) {
  auto strip = [&](std::string_view prefix, std::string_view suffix, std::string_view& name) {
    if (!voice.starts_with(prefix) || !voice.ends_with(suffix) || voice.size() <= prefix.size() + suffix.size())
      return false;
    name = voice.substr(prefix.size(), voice.size() - prefix.size() - suffix.size());
    return true;
  };
  std::string_view name;
  if (strip("aura-2-", "-en", name)) return contains(k_aura2_en, name);
  if (strip("aura-2-", "-es", name)) return contains(k_aura2_es, name);
  if (strip("aura-", "-en", name)) return contains(k_aura1_en, name);
  return false;
}

}  // namespace

bool is_known_engine(std::string_view engine) { return contains(k_engines, engine); }

std::string_view engine_display_name(std::string_view engine) {
  if (engine == "openai") return "OpenAI";
  if (engine == "deepgram") return "Deepgram";
  if (engine == "ultravox") return "Ultravox";
  if (engine == "local") return "the local engine";
  return engine;
}

std::string voice_problem(std::string_view engine, std::string_view voice) {
  const std::string quoted = toml_quote(voice);
  if (engine == "openai") {
    if (contains(k_openai_voices, voice)) return {};
    std::string list;
    for (auto v : k_openai_voices) list += (list.empty() ? "" : ", ") + std::string(v);
    return quoted + " is not an OpenAI voice (expected one of " + list + ")";
  }
  if (engine == "deepgram") {
    if (is_deepgram_voice(voice)) return {};
    return quoted + " is not a Deepgram voice (expected an Aura speak model such as \"aura-2-thalia-en\", "
                    "\"aura-2-apollo-en\" or \"aura-2-celeste-es\")";
  }
  if (engine == "ultravox") {
    if (voice.empty() || voice.size() > 200)
      return quoted + " is not an Ultravox voice (expected a voice name or id from your Ultravox account, such as "
                      "\"Mark\")";
    if (contains(k_openai_voices, voice) || is_deepgram_voice(voice))
      return quoted + " is another engine's voice, not an Ultravox one (expected a voice name or id from your "
                      "Ultravox account, such as \"Mark\")";
    return {};
  }
  return {};
}

}  // namespace sonoria::org
