#pragma once
// JSON as the engines' wire text: compact, and with invalid UTF-8 replaced rather than thrown on
// (a caller's words or a tool's output may hold anything).

#include <nlohmann/json.hpp>

#include <string>

namespace sonoria::engine {

inline std::string json_text(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace sonoria::engine
