// sonoria cleanup --older-than 90d: retention for transcripts, events, messages and recordings.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/audio/recording_file.hpp"
#include "core/config/duration.hpp"
#include "core/db/retention.hpp"
#include "core/error.hpp"

namespace sonoria::cli {
namespace {

struct CleanupOptions {
  std::string older_than;
  bool dry_run = false;
  int batch = 500;
};

}  // namespace

void register_cleanup(CLI::App& app, Context& context) {
  auto opts = std::make_shared<CleanupOptions>();
  auto* cmd = app.add_subcommand("cleanup", "Delete transcripts, events, messages and recordings of calls older than a cutoff");
  cmd->add_option("--older-than", opts->older_than, "Age cutoff, like 90d or 12h (calls that ended before it)")
      ->required();
  cmd->add_flag("--dry-run", opts->dry_run, "Count what would be deleted; change nothing");
  cmd->add_option("--batch", opts->batch, "Rows per transaction (default 500)")->check(CLI::Range(1, 100000));
  cmd->callback([&context, opts] {
    auto age = config::parse_duration(opts->older_than);
    if (!age || age->count() <= 0)
      throw UserError("--older-than \"" + opts->older_than + "\" is not a duration (expected like 90d, 12h or 30m)",
                      ExitCode::usage);
    auto cutoff = db::now_ms() - *age;
    auto database = context.open_database();
    auto counts = database.apply_retention(cutoff, opts->dry_run,
                                      audio::recordings_directory(context.settings().database.path), opts->batch);
    std::cout << (opts->dry_run ? "would delete" : "deleted") << " from " << counts.calls << " call"
              << (counts.calls == 1 ? "" : "s") << " that ended before " << db::format_timestamp(cutoff) << ": "
              << counts.transcript_entries << " transcript entries, " << counts.events << " events, "
              << counts.messages << " messages, " << counts.recordings << " recording"
              << (counts.recordings == 1 ? "" : "s");
    if (!opts->dry_run) std::cout << " (" << counts.transactions << " transactions)";
    std::cout << "\n";
    if (counts.recording_failures > 0)
      throw UserError(std::to_string(counts.recording_failures) + " recording" +
                          (counts.recording_failures == 1 ? "" : "s") + " could not be deleted and were kept (" +
                          counts.first_failure + ")",
                      ExitCode::failure);
  });
}

}  // namespace sonoria::cli
