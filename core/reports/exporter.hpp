#pragma once
// `sonoria export-transcripts` without the command line: streams the matching finished calls,
// in the order they finished, through an ExportWriter to stdout or to a file published
// atomically, optionally incrementally (export_state.hpp). One call's details are in memory at
// a time. Blocking (database reads, disk I/O): CLI side.
//
// Throws UserError/DataError (database, files, a bad state file).

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>

#include "core/db/call_queries.hpp"
#include "core/reports/export_writer.hpp"

namespace sonoria::reports {

struct ExportJob {
  db::CallQuery query;                   // finished calls only, whatever it says
  ExportFormat format = ExportFormat::jsonl;
  std::string out_path;                  // "" = write to the stream given to run_export
  std::string state_path;                // incremental; requires out_path
  // Organization id → IANA time zone: times in the organization's zone with their offset.
  // Empty (or an organization not in it): UTC as stored (`--utc`).
  std::map<int64_t, std::string> timezones;
  // Test seams, to stop a run at the two points that matter (throwing stands in for a kill):
  std::function<void()> before_publish;  // output complete and state "pending", before the rename
  std::function<void()> after_publish;   // output renamed into place, before the state commits
};

struct ExportSummary {
  int64_t calls = 0;
  int64_t watermark = 0;                 // last finished_seq exported (or the previous one)
  std::string recovered;                 // what an interrupted earlier run left: "", "rolled back", "adopted"
};

// `organizations`: id → slug, for the organization field.
ExportSummary run_export(db::CallQueries& queries, const std::map<int64_t, std::string>& organizations,
                         const ExportJob& job, std::ostream& out);

}  // namespace sonoria::reports
