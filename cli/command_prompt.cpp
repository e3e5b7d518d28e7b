// sonoria prompt --org ID|SLUG [--at TIME] [--stage NAME]: the system prompt the engine will get.
#include <CLI/CLI.hpp>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/call/prompt_preview.hpp"
#include "core/call/stages.hpp"

namespace sonoria::cli {
namespace {

std::chrono::sys_seconds parse_at(const std::string& text, const std::string& timezone) {
  if (auto t = call::parse_preview_time(text, timezone)) return *t;
  throw UserError("--at: \"" + text +
                      "\" is not a time (expected 2026-12-24T10:00:00Z, 2026-12-24T10:00:00+01:00, or "
                      "2026-12-24T10:00 in the organization's local time)",
                  ExitCode::usage);
}

}  // namespace

void register_prompt(CLI::App& app, Context& context) {
  struct Options {
    std::string org;
    std::string at;
    bool outbound = false;
    std::string stage;
  };
  auto opts = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("prompt", "Render the system prompt an organization's assistant receives");
  cmd->add_option("--org", opts->org, "Organization id or slug")->required();
  cmd->add_option("--at", opts->at, "Render as of this time (default now)");
  cmd->add_flag("--outbound", opts->outbound, "Render the prompt for an outbound call");
  cmd->add_option("--stage", opts->stage, "Render the prompt of this stage of the call flow (with its tools)");
  cmd->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const auto profile = find_organization(database, opts->org);
    auto now = opts->at.empty() ? std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now())
                                : parse_at(opts->at, profile.organization.timezone);
    call::PromptPreview preview;
    preview.outbound = opts->outbound;
    preview.has_knowledge = !database.knowledge().documents(profile.id).empty();
    if (!opts->stage.empty()) {
      preview.stage = call::find_stage(profile.stages, opts->stage);
      if (!preview.stage) {
        std::string names;
        for (const auto& s : profile.stages) names += (names.empty() ? "" : ", ") + s.name;
        throw UserError("--stage: \"" + opts->stage + "\" is not a stage of " + profile.organization.slug +
                            (names.empty() ? " (it has no stages)" : " (expected one of " + names + ")"),
                        ExitCode::usage);
      }
    }
    const std::string text = call::preview_prompt(profile, now, preview);
    std::cout << text;
  });
}

}  // namespace sonoria::cli
