#pragma once
// One line per event, text or JSON (log.format), with the call SID when there is one.
// Thread-safe; writes to stderr. Never pass secrets or audio here.

#include <atomic>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sonoria::daemon {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

class Log {
 public:
  using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

  // Configures the process-wide logger; "text" or "json", and the minimum level.
  static void configure(std::string_view level, std::string_view format);
  static bool enabled(LogLevel level) { return static_cast<int>(level) >= min_level_.load(); }

  // `event` is a short stable name ("call.admitted"); `call_sid` may be empty.
  static void write(LogLevel level, std::string_view event, std::string_view call_sid, std::string_view message,
                    Fields fields = {});

 private:
  static std::atomic<int> min_level_;
  static std::atomic<bool> json_;
};

inline void log_debug(std::string_view e, std::string_view sid, std::string_view m, Log::Fields f = {}) {
  if (Log::enabled(LogLevel::debug)) Log::write(LogLevel::debug, e, sid, m, f);
}
inline void log_info(std::string_view e, std::string_view sid, std::string_view m, Log::Fields f = {}) {
  if (Log::enabled(LogLevel::info)) Log::write(LogLevel::info, e, sid, m, f);
}
inline void log_warn(std::string_view e, std::string_view sid, std::string_view m, Log::Fields f = {}) {
  if (Log::enabled(LogLevel::warn)) Log::write(LogLevel::warn, e, sid, m, f);
}
inline void log_error(std::string_view e, std::string_view sid, std::string_view m, Log::Fields f = {}) {
  if (Log::enabled(LogLevel::error)) Log::write(LogLevel::error, e, sid, m, f);
}

}  // namespace sonoria::daemon
