#pragma once
// Reading the local engine's messages (local_engine.hpp lists them), on both sides of the seam.

#include <nlohmann/json.hpp>

#include <string>

namespace sonoria::engine::local {

// The string at `key`, or "" when it is missing or not a string.
inline std::string string_field(const nlohmann::json& message, const char* key) {
  auto it = message.find(key);
  return it != message.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace sonoria::engine::local
