#include "core/reports/export_writer.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::reports {
namespace {

// [m:ss.s] from the call's start.
std::string offset_label(int64_t ms) {
  if (ms < 0) ms = 0;
  int64_t tenths = ms / 100;
  int64_t minutes = tenths / 600;
  int64_t secs = (tenths % 600) / 10;
  return "[" + std::to_string(minutes) + ":" + (secs < 10 ? "0" : "") + std::to_string(secs) + "." +
         std::to_string(tenths % 10) + "]";
}

void write_csv_record(std::ostream& out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) out << (i ? "," : "") << csv_field(fields[i]);
  out << "\r\n";
}

template <typename T>
std::string text_or_empty(const std::optional<T>& v) {
  if (!v) return "";
  if constexpr (std::is_same_v<T, std::string>) return *v;
  else return std::to_string(*v);
}

}  // namespace

std::optional<ExportFormat> parse_export_format(std::string_view name) {
  if (name == "jsonl") return ExportFormat::jsonl;
  if (name == "json") return ExportFormat::json;
  if (name == "csv") return ExportFormat::csv;
  if (name == "txt") return ExportFormat::txt;
  return std::nullopt;
}

std::string csv_field(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = {
      "call_sid",   "organization", "direction", "from",     "to",       "started_at", "ended_at",
      "duration_ms", "status",      "end_reason", "tool_calls", "sequence", "speaker",  "offset_ms",
      "text",       "interrupted", "stage"};
  return columns;
}

ExportWriter::ExportWriter(std::ostream& out, ExportFormat format) : out_(out), format_(format) {}

void ExportWriter::begin() {
  if (format_ == ExportFormat::json) out_ << "[";
  if (format_ == ExportFormat::csv) write_csv_record(out_, csv_columns());
}

void ExportWriter::write(const CallDetail& d) {
  const auto& c = d.call;
  switch (format_) {
    case ExportFormat::jsonl:
      out_ << call_detail_json(d).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      break;
    case ExportFormat::json:
      out_ << (calls_ ? ",\n" : "\n")
           << call_detail_json(d).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      break;
    case ExportFormat::csv: {
      std::string tools;
      for (const auto& t : tool_calls_of(d.events)) tools += (tools.empty() ? "" : ";") + t.name;
      std::vector<std::string> meta = {c.call_sid,    d.organization, c.direction,
                                       c.from_number, c.to_number,    d.times.show(c.started_at),
                                       c.ended_at ? d.times.show(*c.ended_at) : std::string(), text_or_empty(c.duration_ms), c.status,
                                       text_or_empty(c.end_reason), tools};
      if (d.transcript.empty()) {
        auto row = meta;
        row.insert(row.end(), {"", "", "", "", "", ""});
        write_csv_record(out_, row);
      }
      for (const auto& t : d.transcript) {
        auto row = meta;
        row.insert(row.end(), {std::to_string(t.sequence), t.speaker, std::to_string(t.offset_ms), t.text,
                               t.interrupted ? "true" : "false", t.stage.value_or("")});
        write_csv_record(out_, row);
      }
      break;
    }
    case ExportFormat::txt: {
      if (calls_) out_ << "\n";
      out_ << "=== Call " << c.call_sid << " · " << (d.organization.empty() ? "(no organization)" : d.organization)
           << " · " << c.direction << " · " << c.from_number << " → " << c.to_number << "\n";
      out_ << "Started " << d.times.show(c.started_at) << ", ended "
           << (c.ended_at ? d.times.show(*c.ended_at) : std::string("(in progress)"));
      if (c.duration_ms) out_ << ", " << format_call_duration(*c.duration_ms);
      out_ << "; " << c.status;
      if (c.end_reason) out_ << " (" << *c.end_reason << ")";
      out_ << "\n";
      if (!c.engines.empty()) {
        out_ << "Engines:";
        for (size_t i = 0; i < c.engines.size(); ++i)
          out_ << (i ? ", then " : " ") << c.engines[i].engine << " (" << format_call_duration(c.engines[i].ms) << ")";
        out_ << "\n";
      }
      if (!c.drops.empty()) {
        out_ << "Audio not relayed:";
        bool first = true;
        for (const auto& [reason, n] : c.drops) {
          out_ << (first ? " " : ", ") << n << " frames " << reason;
          first = false;
        }
        out_ << "\n";
      }
      if (!c.stages.empty()) {
        out_ << "Stages:";
        for (size_t i = 0; i < c.stages.size(); ++i) out_ << (i ? " → " : " ") << c.stages[i];
        out_ << "\n";
      }
      auto tools = tool_calls_of(d.events);
      if (!tools.empty()) {
        out_ << "Tools:";
        for (size_t i = 0; i < tools.size(); ++i)
          out_ << (i ? ", " : " ") << tools[i].name << (tools[i].stage ? " (in " + *tools[i].stage + ")" : "");
        out_ << "\n";
      }
      if (c.summary_json) {
        const auto summary = nlohmann::json::parse(*c.summary_json, nullptr, false);
        if (summary.is_object() && summary.contains("summary") && summary["summary"].is_string())
          out_ << "Summary: " << summary["summary"].get<std::string>()
               << (summary.value("follow_up_needed", false) ? " (follow-up needed)" : "") << "\n";
      }
      out_ << "Usage: " << c.usage.input_tokens << " input tokens, " << c.usage.output_tokens << " output tokens\n";
      if (d.transcript.empty()) out_ << "(no conversation recorded)\n";
      std::optional<std::string> stage;
      for (const auto& t : d.transcript) {
        // Each stage of the call flow opens with a line naming it.
        if (t.stage && t.stage != stage) out_ << "-- stage " << *t.stage << " --\n";
        stage = t.stage;
        std::string speaker = t.speaker == "caller" ? "Caller" : t.speaker == "assistant" ? "Assistant" : "System";
        out_ << offset_label(t.offset_ms) << " " << speaker << ": " << t.text;
        if (t.interrupted) out_ << " [interrupted]";
        out_ << "\n";
      }
      break;
    }
  }
  ++calls_;
}

void ExportWriter::end() {
  if (format_ == ExportFormat::json) out_ << (calls_ ? "\n]\n" : "]\n");
  out_.flush();
}

}  // namespace sonoria::reports
