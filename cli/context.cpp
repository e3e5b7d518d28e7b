#include "cli/context.hpp"

namespace sonoria::cli {

const config::LoadedSettings& Context::loaded() {
  if (!loaded_) loaded_ = load_fresh();
  return *loaded_;
}

config::LoadedSettings Context::load_fresh() const {
  config::LoadOptions options;
  options.environment = config::process_environment();
  if (!config_path.empty()) options.config_path = config_path;
  auto flag = [&](const std::string& key, const std::string& value, const std::string& name) {
    if (value.empty()) return;
    options.flags.emplace_back(key, value);
    options.flag_names[key] = name;
  };
  flag("database.path", db_path, "--db");
  flag("log.level", log_level, "--log-level");
  flag("log.format", log_format, "--log-format");
  for (const auto& [key, value] : extra_flags) flag(key, value, "--" + key.substr(key.rfind('.') + 1));
  return config::load_settings(options);
}

db::Database Context::open_database(db::SchemaCheck check, bool read_only) {
  return db::Database(settings().database, check, read_only);
}

org::Profile find_organization(db::Database& database, const std::string& key) {
  auto profile = database.orgs().find_by_id_or_slug(key);
  if (!profile) throw DataError("no organization with id or slug \"" + key + "\" (see `sonoria org list`)");
  return *profile;
}

}  // namespace sonoria::cli
