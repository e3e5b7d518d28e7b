#include "core/reports/exporter.hpp"

#include <memory>
#include <optional>

#include "core/error.hpp"
#include "core/files/atomic_file.hpp"
#include "core/reports/export_state.hpp"

namespace sonoria::reports {
namespace {

int64_t stream_calls(db::CallQueries& queries, const std::map<int64_t, std::string>& organizations,
                     const std::map<int64_t, std::string>& timezones, const db::CallQuery& query, ExportWriter& writer,
                     int64_t watermark) {
  std::map<int64_t, TimeDisplay> displays;
  for (const auto& [id, zone] : timezones) displays.emplace(id, TimeDisplay(zone));
  writer.begin();
  queries.for_each_finished(query, [&](const db::CallRow& call) {
    CallDetail detail;
    detail.call = call;
    if (call.organization_id) {
      auto it = organizations.find(*call.organization_id);
      if (it != organizations.end()) detail.organization = it->second;
      auto zone = displays.find(*call.organization_id);
      if (zone != displays.end()) detail.times = zone->second;
    }
    detail.transcript = queries.transcript(call);
    detail.events = queries.events(call);
    writer.write(detail);
    if (call.finished_seq && *call.finished_seq > watermark) watermark = *call.finished_seq;
    return true;
  });
  writer.end();
  return watermark;
}

}  // namespace

ExportSummary run_export(db::CallQueries& queries, const std::map<int64_t, std::string>& organizations,
                         const ExportJob& job, std::ostream& out) {
  ExportSummary summary;
  db::CallQuery query = job.query;
  query.finished_only = true;

  if (job.state_path.empty()) {
    if (job.out_path.empty()) {
      ExportWriter writer(out, job.format);
      summary.watermark = stream_calls(queries, organizations, job.timezones, query, writer, 0);
      summary.calls = writer.calls();
      if (!out) throw UserError("standard output: write failed");
      return summary;
    }
    files::AtomicFile file(job.out_path);
    ExportWriter writer(file.stream(), job.format);
    summary.watermark = stream_calls(queries, organizations, job.timezones, query, writer, 0);
    summary.calls = writer.calls();
    file.close();
    if (job.before_publish) job.before_publish();
    file.publish();
    if (job.after_publish) job.after_publish();
    return summary;
  }

  if (job.out_path.empty())
    throw UserError("--incremental needs --out FILE: only a file published atomically can be exported exactly once",
                    ExitCode::usage);
  IncrementalExport state(job.state_path);  // waits for an overlapping run, resolves a killed one
  summary.recovered = state.recovered();
  query.finished_after_seq = state.watermark();
  // One fixed temporary name per target: under the lock no other run uses it, and a killed
  // run's leftover is found (and removed) by the next.
  files::AtomicFile file(job.out_path, 0600, job.out_path + ".partial");
  ExportWriter writer(file.stream(), job.format);
  summary.watermark = stream_calls(queries, organizations, job.timezones, query, writer, state.watermark());
  summary.calls = writer.calls();
  file.close();
  state.prepare(summary.watermark, file.temp_path(), file.target_path());
  if (job.before_publish) job.before_publish();
  file.publish();
  if (job.after_publish) job.after_publish();
  state.commit();
  return summary;
}

}  // namespace sonoria::reports
