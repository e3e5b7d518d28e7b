#include "daemon/finished_call.hpp"

#include "daemon/admission.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"

namespace sonoria::daemon {

namespace {
std::string engines_text(const std::vector<db::EngineTime>& served) {
  std::string out;
  for (const auto& e : served) out += (out.empty() ? "" : ",") + e.engine;
  return out;
}
}  // namespace

void post_call_record(Services& s, const std::string& call_sid, db::Record record) {
  if (s.writer.post(std::move(record))) return;
  s.metrics.db_records_dropped++;
  log_error("db.queue_full", call_sid, "a call record was dropped: the database writer is behind");
}

void publish_finished_call(Services& s, const FinishedCall& call) {
  const auto& f = call.row;
  if (call.store) post_call_record(s, call.call_sid, f);
  // Kept for transferred calls alone, not the transcript of every call for the registry's 15 minutes.
  if (call.may_come_back && call.disposition && std::holds_alternative<call::Transfer>(*call.disposition)) {
    const auto& p = call.parties;
    s.calls.record_stage(call.call_sid, StageRecord{f, call.record.next_sequence(), p.started_at, call.record.said(),
                                                    false, p.from, p.to, p.direction});
  }

  for (auto ms : call.summary.turn_latencies_ms) s.metrics.turn_latency.observe(static_cast<double>(ms));
  if (f.greeting_latency_ms) s.metrics.greeting_latency.observe(static_cast<double>(*f.greeting_latency_ms));
  s.metrics.caller_frames_unforwarded += static_cast<uint64_t>(call.summary.frames_dropped);
  s.metrics.caller_frames_waited += static_cast<uint64_t>(call.summary.frames_waited);
  s.metrics.count_call_outcome(f.status);
  s.metrics.active_calls--;
  s.admission.release();
  log_info("call.finished", call.call_sid, call.problem,
           {{"status", f.status},
            {"reason", f.end_reason},
            {"engines", engines_text(f.engines)},
            {"duration_ms", f.duration_ms},
            {"turns", f.turns},
            {"interruptions", f.interruptions}});
  s.calls.finished(call.call_sid, call.disposition, call.action_expected);
}

}  // namespace sonoria::daemon
