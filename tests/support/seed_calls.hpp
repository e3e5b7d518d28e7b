#pragma once
// Seeds a database with many calls of known shape, through the real CallStore (as the daemon
// writes them), for tests of exports, analytics, paging and retention. Header-only: only test
// executables that link sonoria_db include it.
//
// Call i (0-based) of a seed:
//   sid "CA" + 32 digits of (first + i); started at start + i × 37 min; direction outbound when
//   i % 4 == 0; status by i % 10: 0–6 completed, 7 failed (never answered), 8 transferred,
//   9 still in progress (no end); answered 2 s after start unless failed; duration
//   (i % 60 + 1) s; interruptions i % 3; turn latencies [100 + (i % 7) × 10, 300]; usage
//   input 1000 (audio 800, cached 100), output 500 (audio 400); four turns with commas, quotes,
//   newlines and non-ASCII text; a tool_call "book_class" when i % 5 == 0 and "send_sms" when
//   i % 7 == 0; one message per call.

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "core/db/records.hpp"
#include "core/db/stores.hpp"

namespace sonoria::test {

struct SeededCall {
  std::string sid;
  int index = 0;
  db::TimePoint started_at;
  std::string direction;
  std::string status;
  bool answered = false;
  bool ended = false;
  int64_t duration_ms = 0;
  int64_t interruptions = 0;
  std::vector<int64_t> latencies;
  std::vector<std::string> tools;
  std::vector<db::TranscriptEntry> turns;
};

struct SeedOptions {
  int calls = 300;
  int first = 0;                         // numbering offset, to seed more calls later
  db::TimePoint start = db::TimePoint{} + std::chrono::hours(24 * 20600);  // 2026-05-27
  std::optional<int64_t> organization_id;
  int batch = 50;                        // calls per write_batch
};

inline std::string seeded_sid(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "CA%032d", n);
  return buf;
}

inline SeededCall seeded_call(int i, const SeedOptions& o) {
  using namespace std::chrono_literals;
  SeededCall c;
  int n = o.first + i;
  c.index = n;
  c.sid = seeded_sid(n);
  c.started_at = o.start + std::chrono::minutes(37) * n;
  c.direction = n % 4 == 0 ? "outbound" : "inbound";
  int k = n % 10;
  c.status = k <= 6 ? "completed" : k == 7 ? "failed" : k == 8 ? "transferred" : "in-progress";
  c.answered = k != 7;
  c.ended = k != 9;
  c.duration_ms = (n % 60 + 1) * 1000;
  c.interruptions = n % 3;
  c.latencies = {100 + (n % 7) * 10, 300};
  if (n % 5 == 0) c.tools.push_back("book_class");
  if (n % 7 == 0) c.tools.push_back("send_sms");
  const std::vector<std::pair<std::string, std::string>> lines = {
      {"assistant", "Thanks for calling, how can I help?"},
      {"caller", "Hi, \"quick\" question, call " + std::to_string(n) + ", please"},
      {"assistant", "Sure —\nwe open at 7:00,\r\nand close at 21:00. Ça va?"},
      {"caller", "Great, thanks"},
  };
  for (size_t t = 0; t < lines.size(); ++t) {
    db::TranscriptEntry e;
    e.call_sid = c.sid;
    e.sequence = static_cast<int64_t>(t);
    e.offset_ms = static_cast<int64_t>(t) * 2500 + 150;
    e.speaker = lines[t].first;
    e.text = lines[t].second;
    e.interrupted = t == 2 && n % 3 == 1;
    c.turns.push_back(e);
  }
  return c;
}

inline std::vector<db::Record> seeded_records(const SeededCall& c, const SeedOptions& o) {
  using namespace std::chrono_literals;
  std::vector<db::Record> r;
  db::CallOpened opened;
  opened.call_sid = c.sid;
  opened.organization_id = o.organization_id;
  opened.direction = c.direction;
  opened.from_number = c.direction == "inbound" ? "+1555200" + std::to_string(1000 + c.index % 9000) : "+15550001000";
  opened.to_number = c.direction == "inbound" ? "+15550001000" : "+1555300" + std::to_string(1000 + c.index % 9000);
  opened.started_at = c.started_at;
  r.push_back(opened);
  if (c.answered) r.push_back(db::CallAnswered{c.sid, "MZ" + c.sid.substr(2), c.started_at + 2s});
  for (const auto& t : c.turns) r.push_back(t);
  int64_t offset = 1000;
  for (const auto& tool : c.tools)
    r.push_back(db::CallEvent{c.sid, c.started_at + 3s, offset += 1000, "tool_call", tool,
                              "{\"name\":\"" + tool + "\",\"arguments\":\"{\\\"day\\\":\\\"monday\\\"}\"}"});
  db::MessageRecord m;
  m.organization_id = o.organization_id;
  m.call_sid = c.sid;
  m.message_sid = "SM" + c.sid.substr(2);
  m.purpose = "booking_link";
  m.from_number = "+15550001000";
  m.to_number = "+15552001000";
  m.body = "Book here: https://example.com";
  m.status = "sent";
  m.at = c.started_at + 5s;
  r.push_back(m);
  if (c.ended) {
    db::CallFinished f;
    f.call_sid = c.sid;
    f.status = c.status;
    f.end_reason = c.status == "failed" ? "engine_failed" : c.status == "transferred" ? "transferred" : "caller_hung_up";
    f.ended_at = c.started_at + std::chrono::milliseconds(c.duration_ms);
    f.duration_ms = c.duration_ms;
    f.turns = static_cast<int64_t>(c.turns.size());
    f.interruptions = c.interruptions;
    f.tool_calls = static_cast<int64_t>(c.tools.size());
    f.usage = db::Usage{1000, 500, 800, 400, 100};
    f.turn_latencies_ms = c.latencies;
    r.push_back(f);
  }
  return r;
}

// Writes the calls in batches of `batch` calls, as the writer thread would.
inline std::vector<SeededCall> seed_calls(db::CallStore& store, const SeedOptions& o = {}) {
  std::vector<SeededCall> calls;
  std::vector<db::Record> batch;
  for (int i = 0; i < o.calls; ++i) {
    calls.push_back(seeded_call(i, o));
    auto records = seeded_records(calls.back(), o);
    batch.insert(batch.end(), records.begin(), records.end());
    if ((i + 1) % o.batch == 0 || i + 1 == o.calls) {
      store.write_batch(batch);
      batch.clear();
    }
  }
  return calls;
}

}  // namespace sonoria::test
