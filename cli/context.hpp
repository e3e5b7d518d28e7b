#pragma once
// What every subcommand shares: the global options and the settings they lead to, loaded once
// and only when a command asks (so `sonoria --help` works with a broken config file).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/config/loader.hpp"
#include "core/db/database.hpp"

namespace sonoria::cli {

struct Context {
  std::string config_path;      // --config
  std::string db_path;          // --db
  std::string log_level;        // --log-level
  std::string log_format;       // --log-format
  // Settings a subcommand's own flags override (dotted key, value), applied as flags.
  std::vector<std::pair<std::string, std::string>> extra_flags;

  // The effective settings; throws DataError for a bad config.
  const config::LoadedSettings& loaded();
  // Reads the configuration again, from the same file, environment and flags (a daemon's reload).
  config::LoadedSettings load_fresh() const;
  const config::Settings& settings() { return loaded().settings; }
  // Opens the database with the schema this build knows (run `sonoria migrate` otherwise).
  db::Database open_database(db::SchemaCheck check = db::SchemaCheck::require_current, bool read_only = false);

 private:
  std::optional<config::LoadedSettings> loaded_;
};

// The organization with this id or slug; throws DataError pointing at `sonoria org list` otherwise.
org::Profile find_organization(db::Database& database, const std::string& key);

}  // namespace sonoria::cli
