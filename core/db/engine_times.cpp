#include "core/db/engine_times.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace sonoria::db {

std::string engines_json(const std::vector<EngineTime>& engines) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& e : engines) out.push_back({{"engine", e.engine}, {"ms", e.ms}});
  return out.dump();
}

std::vector<EngineTime> parse_engines_json(std::string_view text) {
  std::vector<EngineTime> out;
  const auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (!parsed.is_array()) return out;
  for (const auto& item : parsed) {
    if (!item.is_object()) continue;
    const auto engine = item.find("engine");
    const auto ms = item.find("ms");
    if (engine == item.end() || !engine->is_string() || ms == item.end() || !ms->is_number_integer()) continue;
    out.push_back({engine->get<std::string>(), ms->get<int64_t>()});
  }
  return out;
}

void add_engine_times(std::vector<EngineTime>& into, const std::vector<EngineTime>& more) {
  for (const auto& m : more) {
    auto it = std::find_if(into.begin(), into.end(), [&](const EngineTime& e) { return e.engine == m.engine; });
    if (it == into.end())
      into.push_back(m);
    else
      it->ms += m.ms;
  }
}

}  // namespace sonoria::db
