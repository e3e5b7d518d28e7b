#pragma once
// The one database writer thread. Sessions post plain records (core/db/records.hpp) from any
// thread without blocking; the writer commits them in batches (every few milliseconds or N
// records) on its own connection.
//
// It never drops a record because the database cannot take it now (locked by another process,
// the disk full, the file gone read-only): the batch is kept and retried with backoff, records
// keep queueing in memory, and beyond `spill_after` of them they go, in order, to a journal file
// beside the database (core/db/record_journal.hpp). When the fault clears, the journal is written
// first, then the rest, in order, exactly once. At stop, whatever could not be written is left in
// the journal, and the next start writes it (Daemon's prepare_database). Only a record the
// database refuses for itself (a constraint: a bug) is dropped, logged and counted.
//
// Writes that must answer (book an appointment: did it work?) are jobs: a function run on the
// writer's connection between batches, which reports back itself (post to the caller's strand).

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/config/settings.hpp"
#include "core/db/record_journal.hpp"
#include "core/db/records.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

class Metrics;

class DbWriter {
 public:
  struct Options {
    size_t max_queued = 200'000;       // beyond this, post() refuses (and the caller counts a drop)
    size_t max_batch = 512;
    size_t max_jobs = 1024;
    std::chrono::milliseconds max_delay{25};  // a burst's records share one transaction
    // While writes fail: records waiting in memory beyond this many go to the journal.
    size_t spill_after = 20'000;
    std::chrono::milliseconds retry_first{100};  // backoff between attempts, doubling up to retry_max
    std::chrono::milliseconds retry_max{5000};
    // The daemon the calls it opens belong to (core/db/cluster_store.hpp); "" = none.
    std::string owner;
  };

  // What /readyz and /metrics say about writing now.
  struct Health {
    bool failing = false;                 // the last attempt failed
    std::string error;                    // its message (no secrets: SQLite's text and the path)
    std::chrono::system_clock::time_point since;  // when writes started failing
    size_t waiting = 0;                   // records not yet in the database (memory and journal)
    size_t journaled = 0;                 // … of which in the journal
  };

  // Opens its own connection (the schema must be current). Throws on failure to open. `metrics`
  // (may be null) gets the writer's gauges and counters.
  DbWriter(const config::DatabaseSettings& settings, Options options, Metrics* metrics = nullptr);
  ~DbWriter();

  // Never blocks on I/O; returns false when the queue is full. Callable from any thread.
  bool post(db::Record record);
  // Runs `job` on the writer thread with its database, before the next batch. False when too many
  // jobs wait or the writer is stopping; the job is then not run. A job that throws is logged.
  using Job = std::function<void(db::Database&)>;
  bool post_job(Job job);
  // Waits until everything posted so far is settled: in the database, in the journal, or refused
  // by the database (tests, shutdown). Any thread but the writer's.
  void flush();
  void flush_and_stop();
  Health health() const;

 private:
  void run();
  bool write_journal();                    // true when the journal is empty afterwards
  bool write_batch(std::vector<db::Record>& batch);  // true when nothing in `batch` waits any more
  void spill(std::vector<db::Record>& batch, bool everything);
  void note_failure(const std::string& error);
  void note_success();
  void publish_gauges();
  void publish_gauges_locked();  // mutex_ held

  config::DatabaseSettings settings_;
  Options options_;
  Metrics* metrics_ = nullptr;
  std::unique_ptr<db::Database> database_;
  db::RecordJournal journal_;
  size_t journaled_ = 0;  // records in the journal (writer thread; mirrored in health_)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<db::Record> queue_;
  std::deque<Job> jobs_;
  uint64_t posted_ = 0;
  uint64_t settled_ = 0;
  Health health_;
  std::chrono::milliseconds backoff_{0};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sonoria::daemon
