// sonoria db copy: an installation moved between SQLite and PostgreSQL with every record,
// verified table by table (core/db/database_copy.hpp).
#include <CLI/CLI.hpp>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/config/loader.hpp"
#include "core/db/database_copy.hpp"

namespace sonoria::cli {

void register_db(CLI::App& app, Context& context) {
  auto* db = app.add_subcommand("db", "Move the database between SQLite and PostgreSQL");
  db->require_subcommand(1);
  struct Options {
    std::string from;
    std::string to;
  };
  auto opts = std::make_shared<Options>();
  auto* copy = db->add_subcommand(
      "copy", "Copy every record into a new, empty database (SQLite or PostgreSQL) and verify it table by table");
  copy->add_option("--from", opts->from,
                   "The database to copy: sqlite:PATH, a path, or postgresql://… (default: the configured one)");
  copy->add_option("--to", opts->to, "The new database: sqlite:PATH, a path, or postgresql://…")->required();
  copy->callback([&context, opts] {
    std::string from = opts->from;
    if (from.empty()) {
      const auto& settings = context.settings().database;
      from = settings.url.empty() ? settings.path : settings.url;
    }
    const auto started = std::chrono::steady_clock::now();
    auto source = db::open_copy_endpoint(from, false);
    auto target = db::open_copy_endpoint(opts->to, true);
    std::cout << "copying " << source->path() << " to " << target->path() << "\n";
    auto report = db::copy_database(*source, *target, [](const db::TableCopy& t) {
      std::cout << "  " << std::left << std::setw(22) << t.table << std::right << std::setw(10) << t.rows
                << (t.rows == 1 ? " row   verified\n" : " rows  verified\n");
    });
    const auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::cout << "copied " << report.rows() << " records in " << std::fixed << std::setprecision(1) << seconds
              << " s; every table matches the source, row for row\n";
    if (opts->to.rfind("postgres", 0) == 0)
      std::cout << "next: set database.url = \"" << config::redact_url_password(opts->to)
                << "\" (or SONORIA_DATABASE_URL) and restart `sonoria serve`\n";
  });
}

}  // namespace sonoria::cli
