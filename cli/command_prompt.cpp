// sonoria prompt --org ID|SLUG [--at TIME] [--stage NAME]: the system prompt the engine will get.
// date::parse trips a false -Wmaybe-uninitialized inside date.h at -O2 (GCC 12).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <CLI/CLI.hpp>
#include <date/tz.h>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "core/error.hpp"
#include "core/call/stages.hpp"
#include "core/org/tool_names.hpp"
#include "core/prompt/system_prompt.hpp"
#include "core/tools/call_tools.hpp"

namespace sonoria::cli {
namespace {

// "2026-12-24T10:00:00Z" / "…+01:00" are instants; "2026-12-24T10:00[:SS]" is the
// organization's local time.
std::chrono::sys_seconds parse_at(const std::string& text, const std::string& timezone) {
  for (const char* fmt : {"%FT%TZ", "%FT%T%Ez", "%FT%RZ", "%FT%R%Ez"}) {
    std::istringstream in(text);
    std::chrono::sys_seconds t;
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) return t;
  }
  for (const char* fmt : {"%FT%T", "%FT%R", "%F %R"}) {
    std::istringstream in(text);
    date::local_seconds t;
    in >> date::parse(fmt, t);
    if (!in.fail() && in.peek() == std::char_traits<char>::eof()) {
      auto zoned = date::make_zoned(date::locate_zone(timezone), t, date::choose::earliest);
      return std::chrono::sys_seconds(zoned.get_sys_time());
    }
  }
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
    prompt::PromptOptions options;
    options.outbound = opts->outbound;
    // The tools of a call from a caller whose number is known, on a daemon that can text.
    tools::Registry registry;
    tools::CallToolOptions tool_options;
    tool_options.has_knowledge = !database.knowledge().documents(profile.id).empty();
    tools::add_call_tools(registry, profile,
                          {"+15550100000", profile.organization.phone_numbers.empty() ? std::string()
                                                                                       : profile.organization.phone_numbers.front()},
                          tool_options);
    options.tools = registry.names();
    std::string text = prompt::build_system_prompt(profile, now, options);
    if (!opts->stage.empty()) {
      auto index = call::find_stage(profile.stages, opts->stage);
      if (!index) {
        std::string names;
        for (const auto& s : profile.stages) names += (names.empty() ? "" : ", ") + s.name;
        throw UserError("--stage: \"" + opts->stage + "\" is not a stage of " + profile.organization.slug +
                            (names.empty() ? " (it has no stages)" : " (expected one of " + names + ")"),
                        ExitCode::usage);
      }
      engine::SessionConfig session;
      session.instructions = std::move(text);
      session.tools = nlohmann::json::array();
      for (const auto& name : options.tools) session.tools.push_back({{"type", "function"}, {"name", name}});
      session = call::stage_session(std::move(session), engine::Provider::openai, true, profile.stages, *index,
                                    *index == profile.start_stage() ? "" : "(what the earlier stage passed on)");
      text = std::move(session.instructions);
      text += "\nTools offered in this stage:";
      for (const auto& tool : session.tools) text += " " + tool["name"].get<std::string>();
      text += "\n";
    }
    std::cout << text;
  });
}

}  // namespace sonoria::cli
