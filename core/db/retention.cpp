#include "core/db/retention.hpp"

#include <algorithm>
#include <vector>

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

namespace {

// Deletes the recording files of old calls, a batch at a time, then forgets them.
void delete_recordings(Connection& connection, const std::string& cutoff, const std::filesystem::path& directory,
                       int batch, RetentionCounts& counts) {
  int64_t after = 0;
  for (;;) {
    std::vector<std::pair<int64_t, std::string>> found;
    {
      Statement s(connection, "SELECT id, recording FROM calls WHERE recording IS NOT NULL AND id > ?2 AND id IN (" +
                                  k_old_calls + ") ORDER BY id LIMIT ?3");
      s.bind(1, cutoff).bind(2, after).bind(3, batch);
      while (s.step()) found.emplace_back(s.int64(0), s.text(1));
    }
    if (found.empty()) return;
    after = found.back().first;
    std::vector<int64_t> gone;
    for (const auto& [id, relative] : found) {
      const auto file = directory / relative;
      std::error_code ec;
      // ".." in a stored path would leave the directory: such a row is not followed.
      const bool inside = relative.find("..") == std::string::npos && !relative.empty() && relative.front() != '/';
      if (inside) std::filesystem::remove(file, ec);
      if (!inside || ec) {
        if (counts.recording_failures++ == 0)
          counts.first_failure = file.string() + ": " + (inside ? ec.message() : std::string("not under the recordings directory"));
        continue;
      }
      std::filesystem::remove(file.parent_path(), ec);  // the day's folder, once empty
      gone.push_back(id);
      ++counts.recordings;
    }
    Transaction tx(connection);
    for (const int64_t id : gone) {
      Statement s(connection, "UPDATE calls SET recording = NULL, recording_ms = NULL WHERE id = ?");
      s.bind(1, id);
      s.run();
    }
    tx.commit();
    ++counts.transactions;
    if (static_cast<int>(found.size()) < batch) return;
  }
}

}  // namespace

RetentionCounts apply_retention(Connection& connection, TimePoint cutoff, bool dry_run,
                                const std::filesystem::path& recordings, int batch) {
  batch = std::max(batch, 1);
  std::string at = format_timestamp(cutoff);
  RetentionCounts counts;
  counts.calls = count(connection,
                       "SELECT COUNT(*) FROM (" + k_old_calls +
                           ") old WHERE EXISTS (SELECT 1 FROM transcript_entries t WHERE t.call_id = old.id) "
                           "OR EXISTS (SELECT 1 FROM call_events e WHERE e.call_id = old.id) "
                           "OR EXISTS (SELECT 1 FROM messages m WHERE m.call_id = old.id)",
                       at);
  if (dry_run) {
    counts.recordings = count(connection, "SELECT COUNT(*) FROM calls WHERE recording IS NOT NULL AND id IN (" + k_old_calls + ")", at);
  } else {
    delete_recordings(connection, at, recordings, batch, counts);
  }
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
