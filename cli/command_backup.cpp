// sonoria backup FILE: a consistent copy of the live database (SQLite online backup).
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/db/backup.hpp"

namespace sonoria::cli {

void register_backup(CLI::App& app, Context& context) {
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("backup", "Copy the database consistently, even while `sonoria serve` runs");
  cmd->add_option("FILE", *file, "Where to write the copy (replaced atomically)")->required();
  cmd->callback([&context, file] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    auto result = database.backup(*file);
    std::cout << "backed up " << database.location() << " to " << *file << " (";
    if (database.dialect() == db::Dialect::sqlite) std::cout << result.pages << " pages, ";
    else std::cout << result.rows << " records copied and verified, ";
    std::cout << result.bytes << " bytes; integrity_check " << result.integrity << ")\n";
  });
}

}  // namespace sonoria::cli
