#pragma once
// What both sides of the local engine's seam share: reading its messages (local_engine.hpp lists
// them), and the tool names a session offers.

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "core/engine/session_config.hpp"

namespace sonoria::engine::local {

// The string at `key`, or "" when it is missing or not a string.
inline std::string string_field(const nlohmann::json& message, const char* key) {
  auto it = message.find(key);
  return it != message.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The tool names of a session's tools (function schemas), as the engine is told them.
inline std::vector<std::string> tool_names(const SessionConfig& session) {
  std::vector<std::string> names;
  if (!session.tools.is_array()) return names;
  for (const auto& tool : session.tools)
    if (tool.is_object())
      if (auto it = tool.find("name"); it != tool.end() && it->is_string()) names.push_back(it->get<std::string>());
  return names;
}

}  // namespace sonoria::engine::local
