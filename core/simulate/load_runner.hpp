#pragma once
// Runs simulated calls (simulated_call.hpp): one, or N spread evenly over a ramp — the load
// generator of `sonoria simulate --calls N`. The calls are dealt round-robin to `shards`, each a
// strand with one Ticker (one 20 ms timer for all its calls), one HTTP client and its own
// statistics, so a run on several threads shares nothing but the io_context; the statistics are
// merged into a LoadSummary at the end.
//
// Threading: construct, then start() before running the io_context (from any number of threads);
// summary() and results() once the io_context has run out of work. The runner must outlive the run.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/simulate/event_log.hpp"
#include "core/simulate/load_summary.hpp"
#include "core/simulate/simulated_call.hpp"

namespace sonoria::simulate {

struct LoadOptions {
  std::uint32_t calls = 1;
  std::chrono::milliseconds ramp{0};   // call i starts at i × ramp / calls
  // One per thread that runs the io_context. With 1 the calls run on the executor itself (no
  // strand: cheaper, and the io_context must then be run by one thread); with more, each shard is
  // a strand.
  unsigned shards = 1;
  bool distinct_callers = false;       // From = caller_number(i) instead of the plan's
  bool keep_results = false;           // results() holds every CallResult (audio included)
};

class LoadRunner {
 public:
  // `plan` is every call's plan (call_sid left empty gives each call its own). `log` may be null.
  LoadRunner(boost::asio::any_io_executor executor, CallPlan plan, LoadOptions options, EventLog* log);
  ~LoadRunner();
  LoadRunner(const LoadRunner&) = delete;
  LoadRunner& operator=(const LoadRunner&) = delete;

  // Schedules the calls; they start when the io_context runs. Call once.
  void start();

  LoadSummary summary() const;
  // Every call's result, ordered by index (only with keep_results).
  std::vector<CallResult> results() const;

 private:
  struct Shard;
  void record(Shard& shard, CallResult result);

  CallPlan base_plan_;
  std::shared_ptr<const CallPlan> plan_;
  LoadOptions options_;
  EventLog* log_;
  std::vector<std::unique_ptr<Shard>> shards_;
  std::chrono::steady_clock::time_point started_{};
  std::uint64_t cpu_at_start_us_ = 0;
};

}  // namespace sonoria::simulate
