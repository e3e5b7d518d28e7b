#pragma once
// Process metrics in Prometheus text format. Counters are atomics: any thread may update them.

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <tuple>
#include <mutex>
#include <string>

namespace sonoria::daemon {

// A fixed-bucket histogram of milliseconds.
// `value` scaled down by 10^decimals, written exactly and without trailing zeros:
// exact_decimal(1234567, 6) == "1.234567", exact_decimal(50, 3) == "0.05". Prometheus reads
// decimals; a double through a stream keeps six significant digits only.
std::string exact_decimal(uint64_t value, int decimals);

class LatencyHistogram {
 public:
  static constexpr std::array<double, 12> k_bounds_ms = {50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000, 10000};
  void observe(double ms);
  std::string render(const std::string& name, const std::string& help) const;

 private:
  std::array<std::atomic<uint64_t>, k_bounds_ms.size() + 1> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_us_{0};
};

class Metrics {
 public:
  std::atomic<int64_t> active_calls{0};
  std::atomic<uint64_t> frames_to_engine{0};
  std::atomic<uint64_t> frames_to_caller{0};
  std::atomic<uint64_t> dropped_frames{0};
  std::atomic<uint64_t> caller_frames_waited{0};
  std::atomic<uint64_t> caller_frames_unforwarded{0};
  std::atomic<uint64_t> recording_bytes_dropped{0};
  std::atomic<uint64_t> engine_errors{0};
  std::atomic<uint64_t> malformed_messages{0};
  std::atomic<uint64_t> webhook_signature_failures{0};
  std::atomic<uint64_t> db_records_dropped{0};
  std::atomic<int64_t> event_loop_lag_us{0};      // the largest lag of the last second
  std::atomic<int64_t> io_load_permille{0};       // the I/O threads' load over the last second
  std::atomic<int64_t> call_capacity{-1};         // calls they carry under calls.max_io_load_percent; -1 = no limit
  std::atomic<int64_t> open_descriptors{0};
  std::atomic<int64_t> descriptor_limit{0};
  std::atomic<uint64_t> overload_episodes{0};
  std::atomic<int64_t> db_writes_failing{0};       // 1 while the database does not take writes
  std::atomic<int64_t> db_records_waiting{0};      // not yet in the database (memory and journal)
  std::atomic<int64_t> db_records_journaled{0};    // … of which in the write journal
  std::atomic<uint64_t> db_records_refused{0};     // refused by the database itself (a bug), dropped
  std::atomic<uint64_t> db_records_lost{0};        // neither the database nor the journal took them at stop
  LatencyHistogram turn_latency;
  LatencyHistogram greeting_latency;

  void count_call_outcome(const std::string& outcome);  // completed, transferred, rejected_capacity, …
  // A call moved from one engine to another (or reconnected to the same one): reason is
  // connect_failed, lost, session_limit.
  void count_failover(const std::string& from, const std::string& to, const std::string& reason);
  std::string render() const;

 private:
  mutable std::mutex outcomes_mutex_;
  std::map<std::string, uint64_t> outcomes_;
  std::map<std::tuple<std::string, std::string, std::string>, uint64_t> failovers_;
};

}  // namespace sonoria::daemon
