// sonoria: one binary, many subcommands. This is the one place errors become messages and
// exit codes (0 ok, 1 runtime failure, 2 usage, 3 config/data, 4 refused by policy).

#include <CLI/CLI.hpp>
#include <algorithm>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/version_text.hpp"
#include "core/did_you_mean.hpp"
#include "core/error.hpp"

namespace {

std::vector<std::string> subcommand_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) names.push_back(sub->get_name());
  return names;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace sonoria;
  CLI::App app{"sonoria: an AI phone receptionist and voice-agent gateway", "sonoria"};
  app.require_subcommand(1);
  // --version --verbose adds the linked libraries; CLI11 answers --version before it parses the
  // rest, so --verbose is looked for among the words first.
  const bool verbose = std::find_if(argv + 1, argv + argc, [](const char* a) { return std::string_view(a) == "--verbose"; }) !=
                       argv + argc;
  app.set_version_flag("-V,--version", [verbose] { return cli::version_text(verbose); });
  app.footer(
      "Exit codes: 0 ok, 1 runtime failure, 2 usage error, 3 configuration or data error, 4 refused by policy.\n"
      "Configuration: --config, $SONORIA_CONFIG, or $XDG_CONFIG_HOME/sonoria/sonoria.toml. See sonoria(1).");

  cli::Context context;
  app.add_option("--config", context.config_path, "Configuration file (default $XDG_CONFIG_HOME/sonoria/sonoria.toml)");
  app.add_option("--db", context.db_path, "Database path (overrides database.path and $SONORIA_DB)");
  app.add_option("--log-level", context.log_level, "debug | info | warn | error");
  app.add_option("--log-format", context.log_format, "text | json");

  cli::register_init(app, context);
  cli::register_config(app, context);
  cli::register_migrate(app, context);
  cli::register_org(app, context);
  cli::register_prompt(app, context);
  cli::register_kb(app, context);
  cli::register_serve(app, context);
  cli::register_doctor(app, context);
  cli::register_sms(app, context);
  cli::register_call(app, context);
  cli::register_export(app, context);
  cli::register_analytics(app, context);
  cli::register_calls(app, context);
  cli::register_backup(app, context);
  cli::register_db(app, context);
  cli::register_cleanup(app, context);
  cli::register_simulate(app, context);
  cli::register_chat(app, context);
  cli::register_webhooks(app, context);
  cli::register_appointments(app, context);
  cli::register_user(app, context);
  cli::register_complete(app, context);

  // An unknown first word reads to CLI11 as a missing subcommand; name it and suggest instead.
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--config" || a == "--db" || a == "--log-level" || a == "--log-format") {
      ++i;
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    auto names = subcommand_names(app);
    if (std::find(names.begin(), names.end(), a) == names.end()) {
      std::cerr << "sonoria: error: unknown command \"" << a << "\"" << did_you_mean(a, names)
                << "\nRun 'sonoria --help' for the list of commands.\n";
      return static_cast<int>(ExitCode::usage);
    }
    break;
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "sonoria: error: " << e.what() << "\nRun 'sonoria --help' for usage.\n";
    return static_cast<int>(ExitCode::usage);
  } catch (const UserError& e) {
    std::cerr << "sonoria: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << "sonoria: error: " << e.what() << "\n";
    return static_cast<int>(ExitCode::failure);
  }
  return 0;
}
