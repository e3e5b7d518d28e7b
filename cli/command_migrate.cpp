// sonoria migrate [--status]: apply pending schema migrations, or list applied and pending ones.
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/db/migrations.hpp"

namespace sonoria::cli {

void register_migrate(CLI::App& app, Context& context) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending database migrations (each in its own transaction)");
  auto status_only = std::make_shared<bool>(false);
  cmd->add_flag("--status", *status_only, "List applied and pending migrations without changing anything");
  cmd->callback([&context, status_only] {
    auto database = context.open_database(db::SchemaCheck::none);
    database.check_integrity();  // a damaged file is not "up to date"
    if (*status_only) {
      std::cout << "database: " << database.location() << "\n";
      for (const auto& m : database.migration_status()) {
        std::cout << std::setw(4) << m.version << "  " << std::left << std::setw(8)
                  << (m.applied_at ? "applied" : "pending") << std::right << "  "
                  << (m.applied_at ? *m.applied_at : std::string(24, ' ')) << "  " << m.name << "\n";
      }
      return;
    }
    auto applied = database.migrate();
    if (applied.empty()) {
      std::cout << database.location() << ": up to date (schema version " << database.schema_version() << ")\n";
      return;
    }
    for (const auto& m : applied) std::cout << "applied " << m.version << ": " << m.name << "\n";
    std::cout << database.location() << ": now at schema version " << database.schema_version() << "\n";
  });
}

}  // namespace sonoria::cli
