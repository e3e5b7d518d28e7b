#pragma once
// Builds the effective Settings: built-in defaults < TOML file < environment < command-line
// flags. Every value remembers where it came from, for `sonoria config show`.
// Throws sonoria::DataError naming the file, line and key for anything invalid.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/config/url_password.hpp"

namespace sonoria::config {

enum class Source { built_in, file, environment, flag };

struct Origin {
  Source source = Source::built_in;
  std::string detail;  // "sonoria.toml:12", "OPENAI_API_KEY", "--db"
};

struct LoadOptions {
  std::optional<std::filesystem::path> config_path;     // --config; must exist when given
  std::map<std::string, std::string> environment;        // usually from environ()
  // Flag overrides by dotted key ("database.path" → value); `flag_names` says how the user
  // spelled each one ("--db") for messages and origins.
  std::vector<std::pair<std::string, std::string>> flags;
  std::map<std::string, std::string> flag_names;
};

struct LoadedSettings {
  Settings settings;
  std::map<std::string, Origin> origins;                 // by dotted key
  std::filesystem::path config_path;                     // the file read, or the default looked for
  bool config_file_found = false;
};

// The process environment as a map (for LoadOptions::environment).
std::map<std::string, std::string> process_environment();

// Where the config file is looked for when neither --config nor SONORIA_CONFIG is given.
std::filesystem::path default_config_path(const std::map<std::string, std::string>& environment);

// Where the database lives when nothing configures it: $XDG_DATA_HOME/sonoria/sonoria.db.
std::filesystem::path default_database_path(const std::map<std::string, std::string>& environment);

LoadedSettings load_settings(const LoadOptions& options);

// Parses TOML text as a config file (used by load_settings and tests); `source_name` is used
// in messages. Applies onto `loaded`.
void apply_config_toml(LoadedSettings& loaded, std::string_view text, const std::string& source_name);

// The dotted keys sonoria knows, in display order.
std::vector<std::string> known_keys();
bool is_secret_key(const std::string& key);

// One line per key: `engines.openai.api_key = "sk-…(redacted)"   # environment OPENAI_API_KEY`.
std::string render_settings(const LoadedSettings& loaded);

// The dotted keys whose values differ between two settings (a reload's changes).
std::vector<std::string> changed_keys(const Settings& before, const Settings& after);

// "sk-abc…" → "sk-…(redacted)", "" → "" (so an unset secret reads as unset).
std::string redact(const std::string& secret);
// redact_url_password(): database.url as `config show` and errors print it.

}  // namespace sonoria::config
