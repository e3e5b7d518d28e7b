#pragma once
// One line per event, text or JSON (log.format), with the call SID when there is one.
// Thread-safe; writes to stderr. Never pass secrets or audio here.

#include <atomic>
#include <cstdint>
#include <type_traits>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace sonoria::daemon {

enum class LogLevel { debug = 0, info = 1, warn = 2, error = 3 };

// A field's value: text, or a number JSON logs write as a number ("duration_ms":61000, not
// "61000"), so that a log pipeline can sum and compare them without parsing strings.
class LogValue {
 public:
  LogValue(std::string_view text) : text_(text) {}
  LogValue(const std::string& text) : text_(text) {}
  LogValue(const char* text) : text_(text) {}
  template <typename Number>
    requires(std::is_integral_v<Number> && !std::is_same_v<Number, bool> && !std::is_same_v<Number, char>)
  LogValue(Number n) : kind_(Kind::integer), integer_(static_cast<int64_t>(n)) {}
  LogValue(double n) : kind_(Kind::real), real_(n) {}
  LogValue(bool b) : kind_(Kind::boolean), integer_(b ? 1 : 0) {}

  enum class Kind { text, integer, real, boolean };
  Kind kind() const { return kind_; }
  std::string_view text() const { return text_; }
  int64_t integer() const { return integer_; }
  double real() const { return real_; }

 private:
  Kind kind_ = Kind::text;
  std::string_view text_;
  int64_t integer_ = 0;
  double real_ = 0;
};

class Log {
 public:
  using Fields = std::initializer_list<std::pair<std::string_view, LogValue>>;

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
