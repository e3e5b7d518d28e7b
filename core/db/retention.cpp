#include "core/db/retention.hpp"

#include <algorithm>

namespace sonoria::db {
namespace {

// The calls whose data may go: ended before the cutoff and in a final state.
const std::string k_old_calls =
    "SELECT id FROM calls WHERE ended_at IS NOT NULL AND ended_at < ?1 AND status NOT IN ('ringing', 'in-progress')";

struct Target {
  const char* table;
  std::string condition;  // selects the rows to delete; ?1 is the cutoff
};

const Target k_targets[] = {
    {"transcript_entries", "call_id IN (" + k_old_calls + ")"},
    {"call_events", "call_id IN (" + k_old_calls + ")"},
    {"messages", "(call_id IN (" + k_old_calls + ") OR (call_id IS NULL AND created_at < ?1))"},
};

int64_t count(Connection& c, const std::string& sql, const std::string& cutoff) {
  Statement s(c, sql);
  s.bind(1, cutoff);
  s.step();
  return s.int64(0);
}

}  // namespace

RetentionCounts apply_retention(Connection& connection, TimePoint cutoff, bool dry_run, int batch) {
  batch = std::max(batch, 1);
  std::string at = format_timestamp(cutoff);
  RetentionCounts counts;
  counts.calls = count(connection,
                       "SELECT COUNT(*) FROM (" + k_old_calls +
                           ") old WHERE EXISTS (SELECT 1 FROM transcript_entries t WHERE t.call_id = old.id) "
                           "OR EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = old.id) "
                           "OR EXISTS (SELECT 1 FROM messages m WHERE m.call_id = old.id)",
                       at);
  int64_t* totals[] = {&counts.transcript_entries, &counts.events, &counts.messages};
  for (size_t i = 0; i < std::size(k_targets); ++i) {
    const auto& t = k_targets[i];
    if (dry_run) {
      *totals[i] = count(connection, std::string("SELECT COUNT(*) FROM ") + t.table + " WHERE " + t.condition, at);
      continue;
    }
    std::string sql = std::string("DELETE FROM ") + t.table + " WHERE id IN (SELECT id FROM " + t.table + " WHERE " +
                      t.condition + " LIMIT ?2)";
    for (;;) {
      Transaction tx(connection);
      Statement s(connection, sql);
      s.bind(1, at).bind(2, batch);
      s.run();
      int changed = connection.changes();
      tx.commit();
      ++counts.transactions;
      *totals[i] += changed;
      if (changed < batch) break;
    }
  }
  return counts;
}

}  // namespace sonoria::db
