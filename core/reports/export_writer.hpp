#pragma once
// Writes exported calls to a stream in one of four formats, one call at a time (nothing is kept
// between calls, so a year of calls needs one call's memory):
// - jsonl: one JSON object per line (call_detail_json);
// - json:  one JSON array of those objects;
// - csv:   RFC 4180 (CRLF line ends, fields quoted when they hold a comma, quote, CR or LF, quotes
//          doubled), a header row, then one row per turn; a call without turns gets one row with
//          empty turn fields so it is not lost;
// - txt:   a readable conversation per call.
// Pure formatting; the caller owns the stream. One writer per thread.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "core/reports/call_json.hpp"

namespace sonoria::reports {

enum class ExportFormat { jsonl, json, csv, txt };

std::optional<ExportFormat> parse_export_format(std::string_view name);

// RFC 4180: the field as it goes in a record.
std::string csv_field(std::string_view value);
// The CSV columns, in order.
const std::vector<std::string>& csv_columns();

class ExportWriter {
 public:
  ExportWriter(std::ostream& out, ExportFormat format);
  void begin();                       // header / opening bracket
  void write(const CallDetail& call);
  void end();                         // closing bracket; flushes
  int64_t calls() const { return calls_; }

 private:
  std::ostream& out_;
  ExportFormat format_;
  int64_t calls_ = 0;
};

}  // namespace sonoria::reports
