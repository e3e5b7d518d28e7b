// The daemon's configuration file (core/config/loader.hpp): TOML a person types. Anything wrong
// is a DataError naming the file, line and key; nothing else may escape.
#include <string>

#include "core/config/loader.hpp"
#include "core/error.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::config_toml {

SONORIA_FUZZ_TARGET(config_toml) {
  // As load_settings starts: every key at its built-in default.
  config::LoadedSettings loaded;
  for (const auto& key : config::known_keys()) loaded.origins[key] = config::Origin{config::Source::built_in, "built-in default"};
  try {
    config::apply_config_toml(loaded, input, "fuzz.toml");
  } catch (const DataError& e) {
    FUZZ_CHECK(std::string_view(e.what()).find("fuzz.toml") != std::string_view::npos);
    return;
  }
  (void)config::render_settings(loaded);
}

}  // namespace sonoria::fuzz::config_toml
