#pragma once
// Read queries over call records for operators: listing with cursor paging, streaming finished
// calls in the order they finished (exports), per-call details, and the aggregates analytics
// needs. An interface so a PostgreSQL backend can sit beside SQLite.
//
// Threading: an object uses the Connection it is given; one thread at a time. Readers open
// their own connection (WAL), so they never block the daemon's writer. Failures throw
// UserError/DataError from the connection (the database is gone, corrupt, …).

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/db/records.hpp"
#include "core/db/connection.hpp"
#include "core/db/stores.hpp"

namespace sonoria::db {

// Filters; every set field narrows the result. Times are stored-form timestamps (timestamp.hpp).
struct CallQuery {
  std::optional<std::string> started_from;     // started_at >= this
  std::optional<std::string> started_before;   // started_at < this
  std::optional<int64_t> organization_id;
  std::optional<std::string> call_sid;
  std::optional<std::string> status;
  std::optional<std::string> direction;
  std::optional<std::string> engine;           // the engine served the call (also after a failover)
  std::optional<std::string> party;            // digits (or "+digits") found in the caller's or called number
  std::optional<std::string> stage;            // the call reached this stage of its flow
  std::optional<std::string> said;             // words said in the call (transcript), any case
  std::optional<bool> test;                    // true: test calls from the dashboard only; false: real calls only
  bool finished_only = false;                  // ended_at is set
  std::optional<int64_t> finished_after_seq;   // finished_seq > this (implies finished_only)
};

// Where a newest-first page stopped: the next page starts strictly before this call.
struct ListCursor {
  std::string started_at;
  int64_t id = 0;
};

struct CallPage {
  std::vector<CallRow> calls;
  std::optional<ListCursor> next;  // set when more calls match
};

// "2026-11-23T21:18:46.123Z|42" ⇄ cursor; nullopt for anything malformed (peer input).
std::string encode_cursor(const ListCursor& cursor);
std::optional<ListCursor> decode_cursor(std::string_view text);

class CallQueries {
 public:
  virtual ~CallQueries() = default;
  // Newest first by (started_at, id); at most `limit` (clamped to 1..1000).
  virtual CallPage list(const CallQuery& query, const std::optional<ListCursor>& before, int limit) = 0;
  // Every match, oldest first by (started_at, id), one row in memory at a time.
  virtual void for_each_call(const CallQuery& query, const std::function<void(const CallRow&)>& visit) = 0;
  // Finished matches in the order they finished (finished_seq ascending), inside one read
  // transaction so nested detail queries see the same snapshot. Stops when `visit` returns false.
  virtual void for_each_finished(const CallQuery& query, const std::function<bool(const CallRow&)>& visit) = 0;
  virtual std::optional<CallRow> find(const std::string& call_sid) = 0;
  virtual std::vector<TranscriptEntry> transcript(const CallRow& call) = 0;
  virtual std::vector<CallEvent> events(const CallRow& call) = 0;
  // tool_call events of the matching calls, counted by tool name.
  virtual std::map<std::string, int64_t> tool_calls_by_name(const CallQuery& query) = 0;
  // Texts sent from the matching calls (not failed or undelivered), by purpose.
  virtual std::map<std::string, int64_t> texts_by_purpose(const CallQuery& query) = 0;
  // Organization id → IANA time zone.
  virtual std::map<int64_t, std::string> organization_timezones() = 0;
  // Answered calls that ended at or after `since` with a transcript and no summary yet, oldest first.
  virtual std::vector<std::string> awaiting_summary(TimePoint since, int limit) = 0;
};

class SqlCallQueries : public CallQueries {
 public:
  explicit SqlCallQueries(Connection& connection) : c_(connection) {}
  CallPage list(const CallQuery& query, const std::optional<ListCursor>& before, int limit) override;
  void for_each_call(const CallQuery& query, const std::function<void(const CallRow&)>& visit) override;
  void for_each_finished(const CallQuery& query, const std::function<bool(const CallRow&)>& visit) override;
  std::optional<CallRow> find(const std::string& call_sid) override;
  std::vector<TranscriptEntry> transcript(const CallRow& call) override;
  std::vector<CallEvent> events(const CallRow& call) override;
  std::map<std::string, int64_t> tool_calls_by_name(const CallQuery& query) override;
  std::map<std::string, int64_t> texts_by_purpose(const CallQuery& query) override;
  std::map<int64_t, std::string> organization_timezones() override;
  std::vector<std::string> awaiting_summary(TimePoint since, int limit) override;

 private:
  Connection& c_;
};

}  // namespace sonoria::db
