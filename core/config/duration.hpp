#pragma once
// Durations as people write them in config and on the command line: "500ms", "30s", "15m",
// "2h", "7d", and combinations like "1h30m".

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::config {

// Parses a duration; nullopt for anything else (no unit, negative, unknown unit, overflow).
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// The shortest exact spelling: 90000ms → "1m30s", 0 → "0s".
std::string format_duration(std::chrono::milliseconds d);

}  // namespace sonoria::config
