#include "core/simulate/load_runner.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

namespace sonoria::simulate {
namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t process_cpu_us() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto us = [](const timeval& t) {
    return static_cast<std::uint64_t>(t.tv_sec) * 1'000'000u + static_cast<std::uint64_t>(t.tv_usec);
  };
  return us(usage.ru_utime) + us(usage.ru_stime);
}

}  // namespace

struct LoadRunner::Shard {
  CallEnv env;
  LatencyStats engine_to_caller;
  LatencyStats greeting;
  LoadSummary totals;                    // counters only; latencies and harness are merged later
  std::vector<CallResult> results;
  Clock::time_point last_end{};
};

LoadRunner::LoadRunner(boost::asio::any_io_executor executor, CallPlan plan, LoadOptions options, EventLog* log)
    : base_plan_(std::move(plan)), options_(options), log_(log) {
  plan_ = std::make_shared<const CallPlan>(base_plan_);
  const unsigned count = std::max(1u, std::min<unsigned>(options_.shards, std::max<std::uint32_t>(1, options_.calls)));
  for (unsigned i = 0; i < count; ++i) {
    auto shard = std::make_unique<Shard>();
    // A strand wrapped in any_io_executor lives on the heap, and every asynchronous operation copies
    // it: measurable at 50 frames a second per call, so a single shard runs on the executor itself.
    shard->env.executor = count == 1 ? executor : boost::asio::make_strand(executor);
    shard->env.http = net::HttpClient::create(shard->env.executor);
    // Up to ten 2 ms phases: calls' frames leave spread over each 20 ms, as independent streams'
    // do, instead of in one burst that would queue them behind each other in the daemon.
    const int phases = static_cast<int>(std::clamp<std::uint32_t>(options_.calls / count, 1, 10));
    shard->env.ticker = Ticker::create(shard->env.executor, std::chrono::milliseconds(20), phases);
    shard->env.log = log_;
    shard->env.engine_to_caller = &shard->engine_to_caller;
    shards_.push_back(std::move(shard));
  }
}

LoadRunner::~LoadRunner() = default;

void LoadRunner::start() {
  started_ = Clock::now();
  cpu_at_start_us_ = process_cpu_us();
  const std::uint32_t calls = options_.calls;
  const std::size_t count = shards_.size();
  for (std::size_t s = 0; s < count; ++s) {
    Shard* shard = shards_[s].get();
    boost::asio::post(shard->env.executor, [this, shard, s, count, calls] {
      for (std::uint32_t i = static_cast<std::uint32_t>(s); i < calls; i += static_cast<std::uint32_t>(count)) {
        const auto when = started_ + std::chrono::duration_cast<Clock::duration>(options_.ramp * i / calls);
        shard->env.ticker->at(when, [this, shard, i] {
          CallParty party = plan_->party;
          if (options_.distinct_callers) party.from = caller_number(i);
          auto call = SimulatedCall::create(shard->env, plan_, std::move(party), i,
                                            [this, shard](CallResult result) { record(*shard, std::move(result)); });
          call->start();
        });
      }
    });
  }
}

void LoadRunner::record(Shard& shard, CallResult result) {
  LoadSummary& t = shard.totals;
  ++t.calls.offered;
  if (result.connected) ++t.calls.connected;
  if (result.completed) ++t.calls.completed;
  else ++t.calls.failed;
  t.call_seconds += result.stream_seconds;
  if (result.greeting_ms) shard.greeting.add_us(static_cast<std::int64_t>(*result.greeting_ms * 1000.0));
  t.frames.sent += static_cast<std::uint64_t>(result.leg.frames_sent);
  t.frames.received += static_cast<std::uint64_t>(result.leg.audio_frames_received);
  t.frames.probes_received += result.probes_received;
  t.frames.lost += result.probes_lost;
  t.frames.reordered += result.probes_reordered;
  t.marks_echoed += static_cast<std::uint64_t>(result.leg.marks_echoed);
  t.clears += static_cast<std::uint64_t>(result.leg.clears);
  t.empty_clears += static_cast<std::uint64_t>(result.leg.empty_clears);
  if (result.failure == Failure::webhook || result.failure == Failure::refused) ++t.errors.webhook;
  if (result.failure == Failure::stream || result.leg.rejected > 0) ++t.errors.stream;
  if (result.failure == Failure::closed_early) ++t.errors.closed_early;
  if (result.no_greeting) ++t.errors.no_greeting;
  shard.last_end = std::max(shard.last_end, Clock::now());
  if (options_.keep_results) shard.results.push_back(std::move(result));
}

LoadSummary LoadRunner::summary() const {
  LoadSummary out;
  LatencyStats greeting;
  LatencyStats engine_to_caller;
  Clock::time_point last_end = started_;
  for (const auto& shard : shards_) {
    const LoadSummary& t = shard->totals;
    out.calls.connected += t.calls.connected;
    out.calls.completed += t.calls.completed;
    out.calls.failed += t.calls.failed;
    out.call_seconds += t.call_seconds;
    out.frames.sent += t.frames.sent;
    out.frames.received += t.frames.received;
    out.frames.probes_received += t.frames.probes_received;
    out.frames.lost += t.frames.lost;
    out.frames.reordered += t.frames.reordered;
    out.marks_echoed += t.marks_echoed;
    out.clears += t.clears;
    out.empty_clears += t.empty_clears;
    out.errors.webhook += t.errors.webhook;
    out.errors.stream += t.errors.stream;
    out.errors.closed_early += t.errors.closed_early;
    out.errors.no_greeting += t.errors.no_greeting;
    greeting.merge(shard->greeting);
    engine_to_caller.merge(shard->engine_to_caller);
    last_end = std::max(last_end, shard->last_end);
    const TickerStats& ticks = shard->env.ticker->stats();
    out.harness.ticks += ticks.ticks;
    out.harness.late_ticks += ticks.late_ticks;
    out.harness.max_tick_lag_ms =
        std::max(out.harness.max_tick_lag_ms, static_cast<double>(ticks.max_lag.count()) / 1000.0);
  }
  out.calls.offered = options_.calls;
  // Calls that never reported (the run was cut short) count as failed.
  const auto reported = out.calls.completed + out.calls.failed;
  if (reported < out.calls.offered) out.calls.failed += out.calls.offered - reported;
  out.duration_s = std::chrono::duration<double>(last_end - started_).count();
  out.greeting = greeting.summary();
  out.engine_to_caller = engine_to_caller.summary();
  out.harness.cpu_ms = (process_cpu_us() - cpu_at_start_us_) / 1000;
  out.harness.kept_up = harness_kept_up(out.harness.ticks, out.harness.late_ticks, out.harness.max_tick_lag_ms);
  return out;
}

std::vector<CallResult> LoadRunner::results() const {
  std::vector<CallResult> out;
  for (const auto& shard : shards_) out.insert(out.end(), shard->results.begin(), shard->results.end());
  std::sort(out.begin(), out.end(), [](const CallResult& a, const CallResult& b) { return a.index < b.index; });
  return out;
}

}  // namespace sonoria::simulate
