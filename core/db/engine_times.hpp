#pragma once
// The engines that served a call (db::EngineTime) as they are stored: a JSON array
// [{"engine":"openai","ms":61000}, …] in the calls.engines column.

#include <string>
#include <string_view>
#include <vector>

#include "core/db/records.hpp"

namespace sonoria::db {

std::string engines_json(const std::vector<EngineTime>& engines);
// Stored text → the list; entries that are not {"engine": string, "ms": integer} are skipped, and
// text that is not a JSON array gives an empty list (a damaged row still lists as a call).
std::vector<EngineTime> parse_engines_json(std::string_view text);

// Adds `more` to `into`: an engine already listed gets the time added, a new one is appended
// (the list stays in the order the engines first served the call).
void add_engine_times(std::vector<EngineTime>& into, const std::vector<EngineTime>& more);

}  // namespace sonoria::db
