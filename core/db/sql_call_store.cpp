#include <nlohmann/json.hpp>

#include "core/db/call_queries.hpp"
#include "core/db/engine_times.hpp"
#include "core/db/sql_stores.hpp"

namespace sonoria::db {
namespace {

// Terminal statuses: once a call has one, status callbacks and late records never move it back.
constexpr const char* k_terminal_sql = "('completed','busy','failed','no-answer','canceled','rejected','interrupted')";

}  // namespace

bool is_terminal_status(std::string_view status) {
  for (auto s : {"completed", "busy", "failed", "no-answer", "canceled", "rejected", "interrupted"})
    if (status == s) return true;
  return false;
}

void SqlCallStore::write_batch(const std::vector<Record>& records) {
  Transaction tx(c_);
  write_batch_in_transaction(records);
  tx.commit();
}

void SqlCallStore::write_batch_in_transaction(const std::vector<Record>& records) {
  for (const auto& r : records) std::visit([this](const auto& rec) { apply(rec); }, r);
}

void SqlCallStore::apply(const CallOpened& r) {
  // A refusal is told by webhook only when this record is the call's first: an outbound call
  // placed earlier keeps its own course.
  bool existed = false;
  if (is_terminal_status(r.status)) {
    Statement known(c_, "SELECT 1 FROM calls WHERE call_sid = ?");
    known.bind(1, r.call_sid);
    existed = known.step();
  }
  // Twilio retries webhooks with the same CallSid: the first record wins.
  Statement s(c_,
              "INSERT INTO calls (call_sid, organization_id, direction, from_number, to_number, status, started_at, "
              "end_reason, ended_at, updated_at, test_by, owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              // A call placed from the command line has no daemon until one answers its webhook.
              "ON CONFLICT (call_sid) DO UPDATE SET owner = COALESCE(calls.owner, excluded.owner) "
              "WHERE calls.owner IS NULL AND excluded.owner IS NOT NULL");
  std::string at = format_timestamp(r.started_at);
  s.bind(1, r.call_sid).bind(2, r.organization_id).bind(3, r.direction).bind(4, r.from_number).bind(5, r.to_number);
  s.bind(6, r.status).bind(7, at).bind(8, r.end_reason);
  if (is_terminal_status(r.status)) s.bind(9, at); else s.bind_null(9);
  s.bind(10, at).bind(11, r.test_by);
  if (owner_.empty()) s.bind_null(12); else s.bind(12, owner_);
  s.run();
  if (is_terminal_status(r.status) && !existed && c_.changes() > 0)
    SqlWebhookStore::queue_call_ended(c_, r.call_sid, r.started_at);
}

void SqlCallStore::apply(const CallAnswered& r) {
  Statement s(c_,
              std::string("UPDATE calls SET status = 'in-progress', stream_sid = ?, answered_at = ?, updated_at = ? "
                          "WHERE call_sid = ? AND status NOT IN ") + k_terminal_sql);
  std::string at = format_timestamp(r.answered_at);
  s.bind(1, r.stream_sid).bind(2, at).bind(3, at).bind(4, r.call_sid);
  s.run();
}

void SqlCallStore::apply(const CallStatusReport& r) {
  // Out-of-order callbacks: only a newer sequence applies, and never over a terminal Twilio status.
  Statement s(c_,
              std::string("UPDATE calls SET twilio_status = ?, twilio_sequence = ?, "
                          "twilio_duration_s = COALESCE(?, twilio_duration_s), answered_by = COALESCE(?, answered_by), "
                          "updated_at = ? WHERE call_sid = ? AND (twilio_sequence IS NULL OR twilio_sequence < ?) "
                          "AND (twilio_status IS NULL OR twilio_status NOT IN ") + k_terminal_sql + ")");
  s.bind(1, r.twilio_status).bind(2, r.sequence).bind(3, r.duration_s).bind(4, r.answered_by);
  s.bind(5, format_timestamp(r.at)).bind(6, r.call_sid).bind(7, r.sequence);
  s.run();
  // A terminal callback for a call whose session never started (no stream) closes the call too.
  if (is_terminal_status(r.twilio_status)) {
    Statement close(c_,
                    "UPDATE calls SET status = ?, ended_at = COALESCE(ended_at, ?), "
                    "end_reason = COALESCE(end_reason, 'twilio_' || ?), updated_at = ? "
                    "WHERE call_sid = ? AND status = 'ringing'");
    std::string at = format_timestamp(r.at);
    close.bind(1, r.twilio_status == "completed" ? std::string("completed") : r.twilio_status);
    close.bind(2, at).bind(3, r.twilio_status).bind(4, at).bind(5, r.call_sid);
    close.run();
    if (c_.changes() > 0) SqlWebhookStore::queue_call_ended(c_, r.call_sid, r.at);
  }
}

void SqlCallStore::apply(const CallFinished& r) {
  Statement s(c_,
              "UPDATE calls SET status = ?, end_reason = ?, ended_at = ?, duration_ms = ?, turns = ?, interruptions = ?, "
              "tool_calls = ?, frames_in = ?, frames_out = ?, input_tokens = ?, output_tokens = ?, "
              "input_audio_tokens = ?, output_audio_tokens = ?, cached_tokens = ?, greeting_latency_ms = ?, "
              "turn_latencies_ms = ?, updated_at = ?, finished_seq = CASE WHEN ? <> 0 THEN NULL ELSE finished_seq END, "
              "engines = ?, stages = ?, drops = ? WHERE call_sid = ?");
  std::string at = format_timestamp(r.ended_at);
  s.bind(1, r.status).bind(2, r.end_reason).bind(3, at).bind(4, r.duration_ms).bind(5, r.turns);
  s.bind(6, r.interruptions).bind(7, r.tool_calls).bind(8, r.frames_in).bind(9, r.frames_out);
  s.bind(10, r.usage.input_tokens).bind(11, r.usage.output_tokens).bind(12, r.usage.input_audio_tokens);
  s.bind(13, r.usage.output_audio_tokens).bind(14, r.usage.cached_tokens).bind(15, r.greeting_latency_ms);
  s.bind(16, nlohmann::json(r.turn_latencies_ms).dump()).bind(17, at).bind(18, static_cast<int64_t>(r.reopened));
  s.bind(19, engines_json(r.engines)).bind(20, nlohmann::json(r.stages).dump());
  if (r.drops.empty()) s.bind_null(21);
  else s.bind(21, nlohmann::json(r.drops).dump());
  s.bind(22, r.call_sid);
  s.run();
  SqlWebhookStore::queue_call_ended(c_, r.call_sid, r.ended_at);
}

void SqlCallStore::apply(const CallSummarized& r) {
  Statement s(c_, "UPDATE calls SET summary_json = ? WHERE call_sid = ?");
  s.bind(1, r.summary_json).bind(2, r.call_sid);
  s.run();
}

void SqlCallStore::apply(const CallRecorded& r) {
  Statement s(c_, "UPDATE calls SET recording = ?, recording_ms = ? WHERE call_sid = ?");
  s.bind(1, r.path).bind(2, r.duration_ms).bind(3, r.call_sid);
  s.run();
}

void SqlCallStore::apply(const WebhookAttempt& r) {
  Statement s(c_,
              "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_status = ?, last_error = ?, "
              "payload = COALESCE(payload, ?), next_attempt_at = ?, "
              "delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END WHERE id = ?");
  const std::string at = format_timestamp(r.at);
  s.bind(1, r.status).bind(2, r.attempts);
  if (r.last_status) s.bind(3, static_cast<int64_t>(*r.last_status)); else s.bind_null(3);
  s.bind(4, r.last_error).bind(5, r.payload).bind(6, format_timestamp(r.next_attempt_at)).bind(7, r.status);
  s.bind(8, at).bind(9, r.id);
  s.run();
}

void SqlCallStore::apply(const TranscriptEntry& r) {
  // Re-sent entries (same call and sequence) replace the earlier text: the later one is final.
  Statement s(c_,
              "INSERT INTO transcript_entries (call_id, sequence, offset_ms, speaker, text, generated_text, interrupted, "
              "item_id, stage) SELECT id, ?, ?, ?, ?, ?, ?, ?, ? FROM calls WHERE call_sid = ? "
              "ON CONFLICT (call_id, sequence) DO UPDATE SET offset_ms = excluded.offset_ms, speaker = excluded.speaker, "
              "text = excluded.text, generated_text = excluded.generated_text, interrupted = excluded.interrupted, "
              "item_id = excluded.item_id, stage = excluded.stage");
  s.bind(1, r.sequence).bind(2, r.offset_ms).bind(3, r.speaker).bind(4, r.text).bind(5, r.generated_text);
  s.bind(6, static_cast<int64_t>(r.interrupted)).bind(7, r.item_id).bind(8, r.stage).bind(9, r.call_sid);
  s.run();
}

void SqlCallStore::apply(const CallEvent& r) {
  Statement s(c_,
              "INSERT INTO call_events (call_id, at, offset_ms, kind, name, detail_json) "
              "SELECT id, ?, ?, ?, ?, ? FROM calls WHERE call_sid = ?");
  s.bind(1, format_timestamp(r.at)).bind(2, r.offset_ms).bind(3, r.kind).bind(4, r.name).bind(5, r.detail_json);
  s.bind(6, r.call_sid);
  s.run();
}

void SqlCallStore::apply(const MessageRecord& r) {
  std::string at = format_timestamp(r.at);
  // With an intent, the intent's row and then its outcome are one row, whatever the order of
  // arrival; without one (texts recorded after they were sent), the SID is the key.
  const char* conflict = r.intent ? "ON CONFLICT (intent) WHERE intent IS NOT NULL DO UPDATE SET "
                                    "message_sid = COALESCE(excluded.message_sid, messages.message_sid), "
                                  : "ON CONFLICT (message_sid) DO UPDATE SET ";
  Statement s(c_,
              std::string("INSERT INTO messages (organization_id, call_id, message_sid, purpose, from_number, to_number, "
                          "body, status, error_code, error_message, created_at, updated_at, intent) "
                          "VALUES (?, (SELECT id FROM calls WHERE call_sid = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ") +
                  conflict +
                  "status = excluded.status, error_code = excluded.error_code, "
                  "error_message = excluded.error_message, updated_at = excluded.updated_at");
  s.bind(1, r.organization_id).bind(2, r.call_sid).bind(3, r.message_sid).bind(4, r.purpose).bind(5, r.from_number);
  s.bind(6, r.to_number).bind(7, r.body).bind(8, r.status).bind(9, r.error_code).bind(10, r.error_message);
  s.bind(11, at).bind(12, at).bind(13, r.intent);
  s.run();
}

int SqlCallStore::close_open_calls(Connection& c, const std::string& condition, const std::vector<std::string>& values,
                                   const std::string& reason, TimePoint now) {
  const std::string open = "status IN ('ringing', 'in-progress') AND (" + condition + ")";
  std::vector<std::string> closing;
  {
    Statement find(c, "SELECT call_sid FROM calls WHERE " + open);
    for (size_t i = 0; i < values.size(); ++i) find.bind(static_cast<int>(i + 1), values[i]);
    while (find.step()) closing.push_back(find.text(0));
  }
  const std::string at = format_timestamp(now);
  const int first = static_cast<int>(values.size()) + 1;
  for (const auto& sid : closing) {
    Statement s(c,
                "UPDATE calls SET status = 'interrupted', end_reason = COALESCE(end_reason, ?" + std::to_string(first) + "), "
                "ended_at = COALESCE(ended_at, ?" + std::to_string(first + 1) + "), updated_at = ?" + std::to_string(first + 1) + ", "
                // The counters a finished call would have had, from what was stored of it.
                "turns = (SELECT COUNT(*) FROM transcript_entries t WHERE t.call_id = calls.id), "
                "tool_calls = (SELECT COUNT(*) FROM call_events e WHERE e.call_id = calls.id AND e.kind = 'tool_call'), "
                "interruptions = (SELECT COUNT(*) FROM call_events e WHERE e.call_id = calls.id AND e.kind = 'interruption') "
                "WHERE call_sid = ?" + std::to_string(first + 2) + " AND " + open);
    for (size_t i = 0; i < values.size(); ++i) s.bind(static_cast<int>(i + 1), values[i]);
    s.bind(first, reason).bind(first + 1, at).bind(first + 2, sid);
    s.run();
    // Their end is told like any other: the daemon that answered them died before it could.
    if (c.changes() > 0) SqlWebhookStore::queue_call_ended(c, sid, now);
  }
  return static_cast<int>(closing.size());
}

int SqlCallStore::close_abandoned_calls(TimePoint now, const std::string& owner) {
  Transaction tx(c_);
  const int n = close_open_calls(c_,
                                 "owner IS NULL OR owner = ?1 OR NOT EXISTS (SELECT 1 FROM daemons d "
                                 "WHERE d.id = calls.owner AND d.lease_until >= ?2)",
                                 {owner, format_timestamp(now)}, "daemon_restart", now);
  tx.commit();
  return n;
}

std::optional<CallRow> SqlCallStore::find_call(const std::string& call_sid) {
  // One reader of call rows: the queries the reports use.
  return SqlCallQueries(c_).find(call_sid);
}

std::vector<TranscriptEntry> SqlCallStore::transcript(const std::string& call_sid) {
  std::vector<TranscriptEntry> out;
  Statement s(c_,
              "SELECT t.sequence, t.offset_ms, t.speaker, t.text, t.generated_text, t.interrupted, t.item_id, t.stage "
              "FROM transcript_entries t JOIN calls c ON c.id = t.call_id WHERE c.call_sid = ? ORDER BY t.sequence");
  s.bind(1, call_sid);
  while (s.step())
    out.push_back(TranscriptEntry{call_sid, s.int64(0), s.int64(1), s.text(2), s.text(3), s.optional_text(4),
                                  s.int64(5) != 0, s.optional_text(6), s.optional_text(7)});
  return out;
}

std::vector<CallEvent> SqlCallStore::events(const std::string& call_sid) {
  std::vector<CallEvent> out;
  Statement s(c_,
              "SELECT e.at, e.offset_ms, e.kind, e.name, e.detail_json FROM call_events e JOIN calls c ON c.id = e.call_id "
              "WHERE c.call_sid = ? ORDER BY e.id");
  s.bind(1, call_sid);
  while (s.step())
    out.push_back(CallEvent{call_sid, parse_timestamp(s.text(0)).value_or(TimePoint{}), s.optional_int64(1), s.text(2),
                            s.optional_text(3), s.optional_text(4)});
  return out;
}

std::vector<MessageRecord> SqlCallStore::messages(const std::string& call_sid) {
  std::vector<MessageRecord> out;
  Statement s(c_,
              "SELECT m.organization_id, m.message_sid, m.purpose, m.from_number, m.to_number, m.body, m.status, "
              "m.error_code, m.error_message, m.created_at, m.intent FROM messages m JOIN calls c ON c.id = m.call_id "
              "WHERE c.call_sid = ? ORDER BY m.id");
  s.bind(1, call_sid);
  while (s.step())
    out.push_back(MessageRecord{s.optional_int64(0), call_sid, s.optional_text(1), s.text(2), s.text(3), s.text(4),
                                s.text(5), s.text(6), s.optional_int64(7), s.optional_text(8),
                                parse_timestamp(s.text(9)).value_or(TimePoint{}), s.optional_text(10)});
  return out;
}

bool SqlCallStore::message_exists(const std::string& message_sid) {
  Statement s(c_, "SELECT 1 FROM messages WHERE message_sid = ?");
  s.bind(1, message_sid);
  return s.step();
}

std::vector<MessageRecord> SqlCallStore::unsettled_messages(TimePoint since, int limit) {
  std::vector<MessageRecord> out;
  Statement s(c_,
              "SELECT m.organization_id, c.call_sid, m.message_sid, m.purpose, m.from_number, m.to_number, m.body, m.status, "
              "m.error_code, m.error_message, m.created_at, m.intent FROM messages m LEFT JOIN calls c ON c.id = m.call_id "
              "WHERE m.created_at >= ? AND (m.status = 'sending' OR (m.message_sid IS NOT NULL AND m.status IN "
              "('queued', 'accepted', 'scheduled', 'sending'))) ORDER BY m.id LIMIT ?");
  s.bind(1, format_timestamp(since)).bind(2, static_cast<int64_t>(limit));
  while (s.step()) {
    MessageRecord r{s.optional_int64(0), s.optional_text(1), s.optional_text(2), s.text(3), s.text(4), s.text(5),
                    s.text(6), s.text(7), s.optional_int64(8), s.optional_text(9),
                    parse_timestamp(s.text(10)).value_or(TimePoint{}), s.optional_text(11)};
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sonoria::db
