#pragma once
// The simulator's live log: one line per event, for people (text) or machines (JSON lines). Every
// event has a stable name and the milliseconds since the log's origin; JSON lines carry them as
// "event" and "t_ms" followed by the event's fields.
//
//   text:  "   0.84 s  greeting after 840 ms"
//   json:  {"event":"greeting","t_ms":840,"latency_ms":840}
//
// Levels: `detail` events (every mark echoed) appear only in JSON; `warning`s always; a log made
// `quiet` prints warnings only (the load generator, where 1000 calls would flood it).
// Thread-safe: lines are written whole under a mutex.

#include <chrono>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sonoria::simulate {

enum class LogFormat { text, json };
enum class LogLevel { detail, info, warning };

class EventLog {
 public:
  using Clock = std::chrono::steady_clock;

  EventLog(std::ostream& out, LogFormat format, Clock::time_point origin = Clock::now(), bool quiet = false);

  // Whether an event at `level` would be printed (check before building an expensive event).
  bool wants(LogLevel level) const;
  // Prints one event: `fields` (a JSON object, may be null) for JSON, `text` for people.
  void emit(LogLevel level, std::string_view event, nlohmann::ordered_json fields, std::string_view text);

  LogFormat format() const { return format_; }
  Clock::time_point origin() const { return origin_; }

 private:
  std::ostream& out_;
  LogFormat format_;
  Clock::time_point origin_;
  bool quiet_;
  std::mutex mutex_;
};

}  // namespace sonoria::simulate
