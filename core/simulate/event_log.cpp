#include "core/simulate/event_log.hpp"

#include <cstdio>

namespace sonoria::simulate {

EventLog::EventLog(std::ostream& out, LogFormat format, Clock::time_point origin, bool quiet)
    : out_(out), format_(format), origin_(origin), quiet_(quiet) {}

bool EventLog::wants(LogLevel level) const {
  if (level == LogLevel::warning) return true;
  if (quiet_) return false;
  return level == LogLevel::info || format_ == LogFormat::json;
}

void EventLog::emit(LogLevel level, std::string_view event, nlohmann::ordered_json fields, std::string_view text) {
  if (!wants(level)) return;
  const auto t_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - origin_).count();
  std::string line;
  if (format_ == LogFormat::json) {
    nlohmann::ordered_json j;
    j["event"] = event;
    j["t_ms"] = t_ms;
    if (fields.is_object())
      for (auto& [key, value] : fields.items()) j[key] = std::move(value);
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "%8.2f s  ", static_cast<double>(t_ms) / 1000.0);
    line = stamp;
    if (level == LogLevel::warning) line += "warning: ";
    line += text;
  }
  std::lock_guard lock(mutex_);
  out_ << line << '\n' << std::flush;
}

}  // namespace sonoria::simulate
