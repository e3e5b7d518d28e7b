// sonoria init: a starter config, a migrated database and the example yoga studio, so a new
// user has something to look at. Never overwrites an existing config or profile.
#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/embedded_files.hpp"
#include "core/files/atomic_file.hpp"
#include "core/files/private_directory.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"

namespace sonoria::cli {

void register_init(CLI::App& app, Context& context) {
  auto no_example = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand("init", "Write a starter config, create the database and import an example profile");
  cmd->add_flag("--no-example", *no_example, "Do not import the example yoga-studio profile");
  cmd->callback([&context, no_example] {
    auto env = config::process_environment();
    std::filesystem::path path = !context.config_path.empty() ? std::filesystem::path(context.config_path)
                                 : env.count("SONORIA_CONFIG") && !env["SONORIA_CONFIG"].empty()
                                     ? std::filesystem::path(env["SONORIA_CONFIG"])
                                     : config::default_config_path(env);
    if (std::filesystem::exists(path)) {
      std::cout << "config: " << path.string() << " exists; left unchanged\n";
    } else {
      std::error_code ec;
      if (path.has_parent_path()) files::create_private_directories(path.parent_path(), ec);
      files::write_file_atomically(path.string(), std::string(starter_config()));
      std::cout << "config: wrote " << path.string() << "\n";
    }
    context.config_path = path.string();

    auto database = context.open_database(db::SchemaCheck::none);
    auto applied = database.migrate();
    std::cout << "database: " << database.location() << " (schema version "
              << database.schema_version() << (applied.empty() ? ", already current)" : ", migrated)")
              << "\n";

    if (!*no_example) {
      auto profile = org::parse_profile_toml(example_profile(), "examples/yoga-studio.toml");
      if (auto existing = database.orgs().find_by_slug(profile.organization.slug)) {
        std::cout << "example: organization " << existing->id << " (" << profile.organization.slug
                  << ") exists; left unchanged\n";
      } else {
        int64_t id = database.orgs().upsert(profile, {"cli", "the example profile, by sonoria init"});
        std::cout << "example: imported organization " << id << " (" << profile.organization.slug << "): "
                  << profile.organization.name << "\n";
      }
    }
    std::cout << "\nNext: `sonoria serve` answers at once, with the local engine (no key needed); in another\n"
                 "      terminal `sonoria simulate --say \"What time do you open on Saturday?\"` plays a call.\n"
                 "      `sonoria prompt --org lotus-yoga` shows what a cloud engine will be told; set\n"
                 "      OPENAI_API_KEY (or DEEPGRAM_API_KEY, ULTRAVOX_API_KEY) and TWILIO_AUTH_TOKEN for real calls.\n";
  });
}

}  // namespace sonoria::cli
