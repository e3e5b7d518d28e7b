#pragma once
// The one database writer thread. Sessions post plain records (core/db/records.hpp) from any
// thread without blocking; the writer commits them in batches (every few milliseconds or N
// records) on its own connection. flush_and_stop() drains the queue before returning.
//
// Writes that must answer (book an appointment: did it work?) are jobs: a function run on the
// writer's connection between batches, which reports back itself (post to the caller's strand).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config/settings.hpp"
#include "core/db/records.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

class DbWriter {
 public:
  struct Options {
    size_t max_queued = 200'000;       // beyond this, post() refuses (and the caller counts a drop)
    size_t max_batch = 512;
    size_t max_jobs = 1024;
    std::chrono::milliseconds max_delay{25};  // a burst's records share one transaction
  };

  // Opens its own connection (the schema must be current). Throws on failure to open.
  DbWriter(const config::DatabaseSettings& settings, Options options);
  ~DbWriter();

  // Never blocks on I/O; returns false when the queue is full. Callable from any thread.
  bool post(db::Record record);
  // Runs `job` on the writer thread with its database, before the next batch. False when too many
  // jobs wait or the writer is stopping; the job is then not run. A job that throws is logged.
  using Job = std::function<void(db::Database&)>;
  bool post_job(Job job);
  // Waits until everything posted so far is committed (tests, shutdown). Any thread but the writer's.
  void flush();
  void flush_and_stop();
  size_t failed_batches() const;

 private:
  void run();

  config::DatabaseSettings settings_;
  Options options_;
  std::unique_ptr<db::Database> database_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable drained_;
  std::deque<db::Record> queue_;
  std::deque<Job> jobs_;
  uint64_t posted_ = 0;
  uint64_t committed_ = 0;
  size_t failed_batches_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sonoria::daemon
