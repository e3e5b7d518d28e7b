#include "core/simulate/load_summary.hpp"

#include <cmath>
#include <cstdio>

namespace sonoria::simulate {
namespace {

using ordered_json = nlohmann::ordered_json;

// Milliseconds with microsecond precision, so the JSON does not carry binary noise.
double exact_ms(double ms) { return std::round(ms * 1000.0) / 1000.0; }

ordered_json latency_json(const LatencySummary& s) {
  return ordered_json{{"count", s.count},
              {"p50", exact_ms(s.p50_ms)},
              {"p95", exact_ms(s.p95_ms)},
              {"p99", exact_ms(s.p99_ms)},
              {"max", exact_ms(s.max_ms)}};
}

// "  name                 value unit"
std::string value_row(const char* name, double value, const char* unit) {
  char text[96];
  std::snprintf(text, sizeof text, "  %-20s %.3f %s\n", name, value, unit);
  return text;
}

std::string latency_row(const char* name, const LatencySummary& s) {
  char text[160];
  std::snprintf(text, sizeof text, "  %-20s %9llu %10.3f %10.3f %10.3f %10.3f\n", name,
                static_cast<unsigned long long>(s.count), s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms);
  return text;
}

std::string row(const char* name, std::uint64_t value) {
  char text[96];
  std::snprintf(text, sizeof text, "  %-20s %llu\n", name, static_cast<unsigned long long>(value));
  return text;
}

}  // namespace

bool harness_kept_up(std::uint64_t ticks, std::uint64_t late_ticks, double max_tick_lag_ms) {
  return max_tick_lag_ms <= 20.0 && static_cast<double>(late_ticks) < 0.01 * static_cast<double>(ticks);
}

ordered_json to_json(const LoadSummary& s) {
  return ordered_json{
      {"calls",
       {{"offered", s.calls.offered}, {"connected", s.calls.connected}, {"completed", s.calls.completed},
        {"failed", s.calls.failed}}},
      {"duration_s", exact_ms(s.duration_s)},
      {"call_seconds", exact_ms(s.call_seconds)},
      {"greeting_ms", latency_json(s.greeting)},
      {"engine_to_caller_ms", latency_json(s.engine_to_caller)},
      {"frames",
       {{"sent", s.frames.sent}, {"received", s.frames.received}, {"probes_received", s.frames.probes_received},
        {"lost", s.frames.lost}, {"reordered", s.frames.reordered}}},
      {"marks_echoed", s.marks_echoed},
      {"clears", s.clears},
      {"empty_clears", s.empty_clears},
      {"errors",
       {{"webhook", s.errors.webhook}, {"stream", s.errors.stream}, {"closed_early", s.errors.closed_early},
        {"no_greeting", s.errors.no_greeting}}},
      {"harness",
       {{"cpu_ms", s.harness.cpu_ms}, {"ticks", s.harness.ticks}, {"late_ticks", s.harness.late_ticks},
        {"max_tick_lag_ms", exact_ms(s.harness.max_tick_lag_ms)}, {"kept_up", s.harness.kept_up}}}};
}

std::string to_table(const LoadSummary& s) {
  std::string out;
  out += "calls\n";
  out += row("offered", s.calls.offered);
  out += row("connected", s.calls.connected);
  out += row("completed", s.calls.completed);
  out += row("failed", s.calls.failed);
  out += value_row("duration", s.duration_s, "s");
  out += value_row("call time", s.call_seconds, "call-seconds");
  out += "latency (ms)               count        p50        p95        p99        max\n";
  out += latency_row("greeting", s.greeting);
  out += latency_row("engine to caller", s.engine_to_caller);
  out += "frames\n";
  out += row("sent", s.frames.sent);
  out += row("received", s.frames.received);
  out += row("probes received", s.frames.probes_received);
  out += row("lost", s.frames.lost);
  out += row("reordered", s.frames.reordered);
  out += row("marks echoed", s.marks_echoed);
  out += row("clears", s.clears);
  out += row("clears with nothing to clear", s.empty_clears);
  out += "errors\n";
  out += row("webhook", s.errors.webhook);
  out += row("stream", s.errors.stream);
  out += row("closed early", s.errors.closed_early);
  out += row("no greeting", s.errors.no_greeting);
  out += "harness\n";
  out += row("cpu ms", s.harness.cpu_ms);
  out += row("ticks", s.harness.ticks);
  out += row("late ticks (>5 ms)", s.harness.late_ticks);
  out += value_row("max tick lag", s.harness.max_tick_lag_ms, "ms");
  out += std::string("  ") + (s.harness.kept_up ? "the harness kept up: the load was offered as asked\n"
                                                 : "THE HARNESS FELL BEHIND: the offered load was not achieved\n");
  return out;
}

}  // namespace sonoria::simulate
