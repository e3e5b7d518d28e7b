#include "daemon/metrics.hpp"

#include <algorithm>
#include <sstream>

#include "core/db/sqlite.hpp"
#include "daemon/heap_usage.hpp"

namespace sonoria::daemon {

std::string exact_decimal(uint64_t value, int decimals) {
  std::string digits = std::to_string(value);
  if (decimals <= 0) return digits;
  const auto places = static_cast<std::size_t>(decimals);
  if (digits.size() <= places) digits.insert(0, places + 1 - digits.size(), '0');
  digits.insert(digits.size() - places, 1, '.');
  while (digits.back() == '0') digits.pop_back();
  if (digits.back() == '.') digits.pop_back();
  return digits;
}

void LatencyHistogram::observe(double ms) {
  size_t i = 0;
  while (i < k_bounds_ms.size() && ms > k_bounds_ms[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_us_.fetch_add(static_cast<uint64_t>(ms * 1000), std::memory_order_relaxed);
}

std::string LatencyHistogram::render(const std::string& name, const std::string& help) const {
  std::ostringstream out;
  out << "# HELP " << name << " " << help << "\n# TYPE " << name << " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < k_bounds_ms.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    out << name << "_bucket{le=\"" << exact_decimal(static_cast<uint64_t>(k_bounds_ms[i]), 3) << "\"} " << cumulative << "\n";
  }
  cumulative += buckets_[k_bounds_ms.size()].load(std::memory_order_relaxed);
  out << name << "_bucket{le=\"+Inf\"} " << cumulative << "\n";
  // Exact: six significant digits (the stream's default) lose rate()'s precision as the sum grows.
  out << name << "_sum " << exact_decimal(sum_us_.load(), 6) << "\n";
  out << name << "_count " << count_.load() << "\n";
  return out.str();
}

void Metrics::count_call_outcome(const std::string& outcome) {
  std::lock_guard lock(outcomes_mutex_);
  ++outcomes_[outcome];
}

void Metrics::count_failover(const std::string& from, const std::string& to, const std::string& reason) {
  std::lock_guard lock(outcomes_mutex_);
  ++failovers_[{from, to, reason}];
}

std::string Metrics::render() const {
  std::ostringstream out;
  auto gauge = [&](const char* name, const char* help, int64_t v) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n" << name << " " << v << "\n";
  };
  auto counter = [&](const char* name, const char* help, uint64_t v) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " counter\n" << name << " " << v << "\n";
  };
  gauge("sonoria_active_calls", "Calls with a live media stream or a pending one.", active_calls.load());
  {
    std::lock_guard lock(outcomes_mutex_);
    out << "# HELP sonoria_calls_total Calls by outcome.\n# TYPE sonoria_calls_total counter\n";
    for (const auto& [outcome, n] : outcomes_) out << "sonoria_calls_total{outcome=\"" << outcome << "\"} " << n << "\n";
    out << "# HELP sonoria_engine_failovers_total Calls moved to another engine connection, by engines and reason.\n"
           "# TYPE sonoria_engine_failovers_total counter\n";
    for (const auto& [key, n] : failovers_)
      out << "sonoria_engine_failovers_total{from=\"" << std::get<0>(key) << "\",to=\"" << std::get<1>(key)
          << "\",reason=\"" << std::get<2>(key) << "\"} " << n << "\n";
  }
  counter("sonoria_frames_to_engine_total", "Caller audio frames relayed to the engine.", frames_to_engine.load());
  counter("sonoria_frames_to_caller_total", "Assistant audio messages relayed to Twilio.", frames_to_caller.load());
  counter("sonoria_dropped_frames_total", "Audio frames dropped by a full write queue.", dropped_frames.load());
  counter("sonoria_caller_frames_waited_total",
          "Caller audio frames held until the call's engine session was ready, then relayed.", caller_frames_waited.load());
  counter("sonoria_caller_frames_unforwarded_total",
          "Caller audio frames no engine received (over 2 s before its session was ready, during a reconnect, or malformed).",
          caller_frames_unforwarded.load());
  counter("sonoria_recording_bytes_dropped_total", "Call recording audio (bytes) not written: the disk was slow, full or failing.",
          recording_bytes_dropped.load());
  counter("sonoria_engine_errors_total", "Errors reported by or about the speech engine.", engine_errors.load());
  counter("sonoria_malformed_messages_total", "Malformed messages from a peer, logged and dropped.",
          malformed_messages.load());
  counter("sonoria_webhook_signature_failures_total", "Twilio requests refused for a bad signature.",
          webhook_signature_failures.load());
  counter("sonoria_db_records_dropped_total", "Records the database writer could not queue.", db_records_dropped.load());
  out << "# HELP sonoria_event_loop_lag_seconds How late the event loop ran a timer, the most in the last second.\n"
         "# TYPE sonoria_event_loop_lag_seconds gauge\nsonoria_event_loop_lag_seconds "
      << exact_decimal(static_cast<uint64_t>(std::max<int64_t>(0, event_loop_lag_us.load())), 6) << "\n";
  out << "# HELP sonoria_io_load Share of the last second the I/O threads were busy (running or waiting for a CPU).\n"
         "# TYPE sonoria_io_load gauge\nsonoria_io_load "
      << exact_decimal(static_cast<uint64_t>(std::max<int64_t>(0, io_load_permille.load())), 3) << "\n";
  gauge("sonoria_call_capacity", "Calls the I/O threads carry under calls.max_io_load_percent, as estimated now (-1: no limit).",
        call_capacity.load());
  gauge("sonoria_open_descriptors", "File descriptors open (counted each second).", open_descriptors.load());
  gauge("sonoria_descriptor_limit", "The process's file descriptor limit (RLIMIT_NOFILE).", descriptor_limit.load());
  counter("sonoria_overload_episodes_total", "Times new calls started going to the fallback because of overload.",
          overload_episodes.load());
  gauge("sonoria_db_writes_failing", "1 while the database does not take writes (locked, disk full, read-only).",
        db_writes_failing.load());
  gauge("sonoria_db_records_waiting", "Records not yet in the database (in memory and in the write journal).",
        db_records_waiting.load());
  gauge("sonoria_db_records_journaled", "Records waiting in the write journal beside the database.",
        db_records_journaled.load());
  gauge("sonoria_sqlite_memory_bytes", "Memory SQLite holds: page caches, prepared statements, schemas.",
        db::memory_in_use());
  const HeapUsage heap = heap_usage();
  gauge("sonoria_heap_in_use_bytes", "Bytes in live allocations (the allocator's count, SQLite's included).",
        static_cast<int64_t>(heap.in_use));
  gauge("sonoria_heap_free_bytes", "Bytes the allocator holds free for reuse, not returned to the system.",
        static_cast<int64_t>(heap.free));
  counter("sonoria_db_records_refused_total", "Records the database refused for themselves (logged and dropped).",
          db_records_refused.load());
  counter("sonoria_db_records_lost_total", "Records neither the database nor the write journal took at shutdown.",
          db_records_lost.load());
  out << turn_latency.render("sonoria_turn_latency_seconds",
                             "Caller stops speaking to first assistant audio played, per turn.");
  out << greeting_latency.render("sonoria_greeting_latency_seconds", "Stream start to first greeting audio.");
  return out.str();
}

}  // namespace sonoria::daemon
