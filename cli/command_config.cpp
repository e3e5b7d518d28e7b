// sonoria config show: the effective configuration, where each value came from, secrets redacted.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"

namespace sonoria::cli {

void register_config(CLI::App& app, Context& context) {
  auto* config = app.add_subcommand("config", "Inspect the configuration");
  config->require_subcommand(1);
  auto* show = config->add_subcommand("show", "Print the effective configuration and where each value came from");
  show->callback([&context] { std::cout << config::render_settings(context.loaded()); });
  auto* path = config->add_subcommand("path", "Print the path of the configuration file in use");
  path->callback([&context] {
    const auto& loaded = context.loaded();
    std::cout << loaded.config_path.string() << (loaded.config_file_found ? "" : " (not found; defaults in use)") << "\n";
  });
}

}  // namespace sonoria::cli
