// date::parse trips a false -Wmaybe-uninitialized inside date.h at -O2 (GCC 12).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include "core/call/prompt_preview.hpp"

#include <date/tz.h>

#include <sstream>

#include "core/call/stages.hpp"
#include "core/prompt/system_prompt.hpp"
#include "core/tools/call_tools.hpp"

namespace sonoria::call {

std::string preview_prompt(const org::Profile& profile, std::chrono::sys_seconds now, const PromptPreview& preview) {
  prompt::PromptOptions options;
  options.outbound = preview.outbound;
  tools::Registry registry;
  tools::CallToolOptions tool_options;
  tool_options.has_knowledge = preview.has_knowledge;
  tools::add_call_tools(registry, profile,
                        {"+15550100000", profile.organization.phone_numbers.empty() ? std::string()
                                                                                     : profile.organization.phone_numbers.front()},
                        tool_options);
  options.tools = registry.names();
  std::string text = prompt::build_system_prompt(profile, now, options);
  if (!preview.stage || *preview.stage >= profile.stages.size()) return text;
  const std::size_t index = *preview.stage;
  engine::SessionConfig session;
  session.instructions = std::move(text);
  session.tools = nlohmann::json::array();
  for (const auto& name : options.tools) session.tools.push_back({{"type", "function"}, {"name", name}});
  session = stage_session(std::move(session), engine::Provider::openai, true, profile.stages, index,
                          index == profile.start_stage() ? "" : "(what the earlier stage passed on)");
  text = std::move(session.instructions);
  text += "\nTools offered in this stage:";
  for (const auto& tool : session.tools) text += " " + tool["name"].get<std::string>();
  text += "\n";
  return text;
}

std::optional<std::chrono::sys_seconds> parse_preview_time(const std::string& text, const std::string& timezone) {
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
      try {
        auto zoned = date::make_zoned(date::locate_zone(timezone), t, date::choose::earliest);
        return std::chrono::sys_seconds(zoned.get_sys_time());
      } catch (const std::exception&) {
        return std::nullopt;  // an unknown zone
      }
    }
  }
  return std::nullopt;
}

std::string local_minute_text(std::chrono::sys_seconds t, const std::string& timezone) {
  try {
    const auto zoned = date::make_zoned(date::locate_zone(timezone), std::chrono::floor<std::chrono::minutes>(t));
    return date::format("%FT%R", zoned.get_local_time());
  } catch (const std::exception&) {
    return {};
  }
}

}  // namespace sonoria::call
