#pragma once
// A few worker threads for database reads, so the REST API never touches the disk on an io
// thread. Each worker opens its own read-only connection (WAL: readers never block the writer)
// on first use and keeps it. The queue is bounded: post() refuses work instead of growing.
//
// Threading: post() from any thread; jobs run on a worker. A job that throws is caught and
// logged; the job must answer its own caller before throwing matters (see ApiRoutes).

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/config/settings.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

class ReadPool {
 public:
  using Job = std::function<void(db::Database&)>;

  ReadPool(config::DatabaseSettings settings, int threads = 2, std::size_t max_queued = 256);
  ~ReadPool();  // finishes the jobs already queued, then joins
  ReadPool(const ReadPool&) = delete;
  ReadPool& operator=(const ReadPool&) = delete;

  // False when the queue is full or the pool is stopping; the job is then not run.
  bool post(Job job);
  void stop();  // idempotent

 private:
  void run();

  config::DatabaseSettings settings_;
  std::size_t max_queued_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace sonoria::daemon
