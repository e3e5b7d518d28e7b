#include "core/db/call_queries.hpp"

#include "core/db/sql_dialect.hpp"

#include <algorithm>
#include <charconv>
#include <variant>

#include <nlohmann/json.hpp>

#include "core/db/engine_times.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {
namespace {

const char* const k_call_columns =
    "c.id, c.call_sid, c.organization_id, c.direction, c.from_number, c.to_number, c.status, c.twilio_status, "
    "c.started_at, c.answered_at, c.ended_at, c.duration_ms, c.twilio_duration_s, c.end_reason, c.stream_sid, "
    "c.turns, c.interruptions, c.tool_calls, c.input_tokens, c.output_tokens, c.input_audio_tokens, "
    "c.output_audio_tokens, c.cached_tokens, c.greeting_latency_ms, COALESCE(c.turn_latencies_ms, '[]'), "
    "c.finished_seq, c.engines, c.stages, c.summary_json, c.test_by, c.recording, c.recording_ms, c.drops";

// A JSON array of strings as the database holds it; anything else in it is skipped.
std::vector<std::string> parse_names_json(const std::string& text) {
  std::vector<std::string> out;
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

CallRow read_row(const Statement& s) {
  CallRow r;
  r.id = s.int64(0);
  r.call_sid = s.text(1);
  r.organization_id = s.optional_int64(2);
  r.direction = s.text(3);
  r.from_number = s.text(4);
  r.to_number = s.text(5);
  r.status = s.text(6);
  r.twilio_status = s.optional_text(7);
  r.started_at = s.text(8);
  r.answered_at = s.optional_text(9);
  r.ended_at = s.optional_text(10);
  r.duration_ms = s.optional_int64(11);
  r.twilio_duration_s = s.optional_int64(12);
  r.end_reason = s.optional_text(13);
  r.stream_sid = s.optional_text(14);
  r.turns = s.int64(15);
  r.interruptions = s.int64(16);
  r.tool_calls = s.int64(17);
  r.usage = Usage{s.int64(18), s.int64(19), s.int64(20), s.int64(21), s.int64(22)};
  r.greeting_latency_ms = s.optional_int64(23);
  r.turn_latencies_ms = s.text(24);
  r.finished_seq = s.optional_int64(25);
  r.engines = parse_engines_json(s.text(26));
  r.stages = parse_names_json(s.text(27));
  r.summary_json = s.optional_text(28);
  r.test_by = s.optional_text(29);
  r.recording = s.optional_text(30);
  r.recording_ms = s.optional_int64(31);
  if (const auto drops = s.optional_text(32)) {
    const auto j = nlohmann::json::parse(*drops, nullptr, /*allow_exceptions=*/false);
    if (j.is_object())
      for (const auto& [reason, n] : j.items())
        if (n.is_number_integer()) r.drops[reason] = n.get<int64_t>();
  }
  return r;
}

using Binding = std::variant<int64_t, std::string>;

// The WHERE clause for a query, with its bindings in order.
struct Where {
  std::string sql = " WHERE 1 = 1";
  std::vector<Binding> bindings;

  Where(const CallQuery& q, Dialect dialect) {
    auto add = [this](const std::string& clause, Binding b) {
      sql += clause;
      bindings.push_back(std::move(b));
    };
    if (q.started_from) add(" AND c.started_at >= ?", *q.started_from);
    if (q.started_before) add(" AND c.started_at < ?", *q.started_before);
    if (q.organization_id) add(" AND c.organization_id = ?", *q.organization_id);
    if (q.call_sid) add(" AND c.call_sid = ?", *q.call_sid);
    if (q.status) add(" AND c.status = ?", *q.status);
    if (q.direction) add(" AND c.direction = ?", *q.direction);
    if (q.engine) add(" AND " + json_array_has_field(dialect, "c.engines", "engine"), *q.engine);
    if (q.party) {
      add(" AND (" + text_contains(dialect, "c.from_number", "?"), *q.party);
      add(" OR " + text_contains(dialect, "c.to_number", "?") + ")", *q.party);
    }
    if (q.stage) add(" AND " + json_array_contains(dialect, "c.stages"), *q.stage);
    if (q.said)
      add(" AND EXISTS (SELECT 1 FROM transcript_entries t WHERE t.call_id = c.id AND " +
              text_contains(dialect, "lower(t.text)", "lower(?)") + ")",
          *q.said);
    if (q.test) sql += *q.test ? " AND c.test_by IS NOT NULL" : " AND c.test_by IS NULL";
    if (q.finished_only || q.finished_after_seq) sql += " AND c.finished_seq IS NOT NULL";
    if (q.finished_after_seq) add(" AND c.finished_seq > ?", *q.finished_after_seq);
  }

  int bind(Statement& s, int first = 1) const {
    int i = first;
    for (const auto& b : bindings) std::visit([&](const auto& v) { s.bind(i++, v); }, b);
    return i;
  }
};

}  // namespace

std::string encode_cursor(const ListCursor& cursor) { return cursor.started_at + "|" + std::to_string(cursor.id); }

std::optional<ListCursor> decode_cursor(std::string_view text) {
  auto bar = text.rfind('|');
  if (bar == std::string_view::npos) return std::nullopt;
  auto when = text.substr(0, bar);
  auto id_text = text.substr(bar + 1);
  if (!parse_timestamp(when)) return std::nullopt;
  int64_t id = 0;
  auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id_text.empty() || id < 0) return std::nullopt;
  return ListCursor{std::string(when), id};
}

CallPage SqlCallQueries::list(const CallQuery& query, const std::optional<ListCursor>& before, int limit) {
  limit = std::clamp(limit, 1, 1000);
  Where where(query, c_.dialect());
  std::string sql = std::string("SELECT ") + k_call_columns + " FROM calls c" + where.sql;
  if (before) sql += " AND (c.started_at < ? OR (c.started_at = ? AND c.id < ?))";
  sql += " ORDER BY c.started_at DESC, c.id DESC LIMIT ?";
  Statement s(c_, sql);
  int i = where.bind(s);
  if (before) {
    s.bind(i, before->started_at).bind(i + 1, before->started_at).bind(i + 2, before->id);
    i += 3;
  }
  s.bind(i, limit + 1);  // one more than asked says whether another page exists
  CallPage page;
  while (s.step()) {
    if (static_cast<int>(page.calls.size()) == limit) {
      const auto& last = page.calls.back();
      page.next = ListCursor{last.started_at, last.id};
      break;
    }
    page.calls.push_back(read_row(s));
  }
  return page;
}

void SqlCallQueries::for_each_call(const CallQuery& query, const std::function<void(const CallRow&)>& visit) {
  Where where(query, c_.dialect());
  Statement s(c_, std::string("SELECT ") + k_call_columns + " FROM calls c" + where.sql + " ORDER BY c.started_at, c.id");
  where.bind(s);
  while (s.step()) visit(read_row(s));
}

void SqlCallQueries::for_each_finished(const CallQuery& query, const std::function<bool(const CallRow&)>& visit) {
  ReadTransaction snapshot(c_);
  CallQuery q = query;
  q.finished_only = true;
  Where where(q, c_.dialect());
  Statement s(c_, std::string("SELECT ") + k_call_columns + " FROM calls c" + where.sql + " ORDER BY c.finished_seq");
  where.bind(s);
  while (s.step())
    if (!visit(read_row(s))) break;
}

std::optional<CallRow> SqlCallQueries::find(const std::string& call_sid) {
  Statement s(c_, std::string("SELECT ") + k_call_columns + " FROM calls c WHERE c.call_sid = ?");
  s.bind(1, call_sid);
  if (!s.step()) return std::nullopt;
  return read_row(s);
}

std::vector<TranscriptEntry> SqlCallQueries::transcript(const CallRow& call) {
  std::vector<TranscriptEntry> out;
  Statement s(c_,
              "SELECT sequence, offset_ms, speaker, text, generated_text, interrupted, item_id, stage "
              "FROM transcript_entries WHERE call_id = ? ORDER BY sequence");
  s.bind(1, call.id);
  while (s.step())
    out.push_back(TranscriptEntry{call.call_sid, s.int64(0), s.int64(1), s.text(2), s.text(3), s.optional_text(4),
                                  s.int64(5) != 0, s.optional_text(6), s.optional_text(7)});
  return out;
}

std::vector<CallEvent> SqlCallQueries::events(const CallRow& call) {
  std::vector<CallEvent> out;
  Statement s(c_, "SELECT at, offset_ms, kind, name, detail_json FROM call_events WHERE call_id = ? ORDER BY id");
  s.bind(1, call.id);
  while (s.step())
    out.push_back(CallEvent{call.call_sid, parse_timestamp(s.text(0)).value_or(TimePoint{}), s.optional_int64(1),
                            s.text(2), s.optional_text(3), s.optional_text(4)});
  return out;
}

std::map<std::string, int64_t> SqlCallQueries::tool_calls_by_name(const CallQuery& query) {
  Where where(query, c_.dialect());
  Statement s(c_,
              "SELECT COALESCE(e.name, '(unnamed)'), COUNT(*) FROM call_events e JOIN calls c ON c.id = e.call_id" +
                  where.sql + " AND e.kind = 'tool_call' GROUP BY 1");
  where.bind(s);
  std::map<std::string, int64_t> out;
  while (s.step()) out[s.text(0)] = s.int64(1);
  return out;
}

std::map<std::string, int64_t> SqlCallQueries::texts_by_purpose(const CallQuery& query) {
  Where where(query, c_.dialect());
  Statement s(c_,
              "SELECT m.purpose, COUNT(*) FROM messages m JOIN calls c ON c.id = m.call_id" + where.sql +
                  " AND m.status NOT IN ('failed', 'undelivered') GROUP BY 1");
  where.bind(s);
  std::map<std::string, int64_t> out;
  while (s.step()) out[s.text(0)] = s.int64(1);
  return out;
}

std::map<int64_t, std::string> SqlCallQueries::organization_timezones() {
  Statement s(c_, "SELECT id, timezone FROM organizations");
  std::map<int64_t, std::string> out;
  while (s.step()) out[s.int64(0)] = s.text(1);
  return out;
}

std::vector<std::string> SqlCallQueries::awaiting_summary(TimePoint since, int limit) {
  std::vector<std::string> out;
  Statement s(c_,
              "SELECT call_sid FROM calls WHERE summary_json IS NULL AND answered_at IS NOT NULL AND turns > 0 "
              "AND ended_at >= ? ORDER BY ended_at LIMIT ?");
  s.bind(1, format_timestamp(since)).bind(2, static_cast<int64_t>(limit));
  while (s.step()) out.push_back(s.text(0));
  return out;
}

}  // namespace sonoria::db
