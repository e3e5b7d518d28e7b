#include "daemon/log.hpp"

#include <chrono>
#include <cstdio>
#include <date/date.h>
#include <mutex>
#include <nlohmann/json.hpp>

namespace sonoria::daemon {

std::atomic<int> Log::min_level_{static_cast<int>(LogLevel::info)};
std::atomic<bool> Log::json_{false};

namespace {

const char* level_name(LogLevel l) {
  switch (l) {
    case LogLevel::debug: return "debug";
    case LogLevel::info: return "info";
    case LogLevel::warn: return "warn";
    case LogLevel::error: return "error";
  }
  return "info";
}

std::mutex& output_mutex() {
  static std::mutex m;
  return m;
}

// Text values with spaces or quotes are quoted, so lines stay parseable as key=value.
std::string text_value(std::string_view v) {
  bool plain = !v.empty() && v.find_first_of(" \"=\n\t") == std::string_view::npos;
  if (plain) return std::string(v);
  return nlohmann::json(std::string(v)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string text_of(const LogValue& v) {
  switch (v.kind()) {
    case LogValue::Kind::text: return text_value(v.text());
    case LogValue::Kind::integer: return std::to_string(v.integer());
    case LogValue::Kind::real: return nlohmann::json(v.real()).dump();
    case LogValue::Kind::boolean: return v.integer() ? "true" : "false";
  }
  return {};
}

}  // namespace

void Log::configure(std::string_view level, std::string_view format) {
  LogLevel l = LogLevel::info;
  if (level == "debug") l = LogLevel::debug;
  else if (level == "warn") l = LogLevel::warn;
  else if (level == "error") l = LogLevel::error;
  min_level_ = static_cast<int>(l);
  json_ = format == "json";
}

void Log::write(LogLevel level, std::string_view event, std::string_view call_sid, std::string_view message,
                Fields fields) {
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::string line;
  if (json_) {
    nlohmann::json j;
    j["ts"] = date::format("%FT%TZ", now);
    j["level"] = level_name(level);
    j["event"] = std::string(event);
    if (!call_sid.empty()) j["call_sid"] = std::string(call_sid);
    j["msg"] = std::string(message);
    for (const auto& [k, v] : fields) {
      auto& field = j[std::string(k)];
      switch (v.kind()) {
        case LogValue::Kind::text: field = std::string(v.text()); break;
        case LogValue::Kind::integer: field = v.integer(); break;
        case LogValue::Kind::real: field = v.real(); break;
        case LogValue::Kind::boolean: field = v.integer() != 0; break;
      }
    }
    line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  } else {
    line = date::format("%FT%TZ", now) + " " + level_name(level) + " " + std::string(event);
    if (!call_sid.empty()) line += " call=" + std::string(call_sid);
    if (!message.empty()) line += " " + std::string(message);
    for (const auto& [k, v] : fields) line += " " + std::string(k) + "=" + text_of(v);
  }
  line += "\n";
  std::lock_guard lock(output_mutex());
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sonoria::daemon
