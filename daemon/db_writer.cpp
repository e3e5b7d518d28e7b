#include "daemon/db_writer.hpp"

#include <chrono>

#include "core/db/database.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {
namespace {

std::unique_ptr<db::Database> open_writer_database(const config::DatabaseSettings& settings) {
  auto database = std::make_unique<db::Database>(settings, db::SchemaCheck::require_current);
  // The writer appends rows and rarely reads back: SQLite's default cache (2 MiB) would fill with
  // pages written once, 5 KiB per call at 400 calls (scripts/bench).
  database->connection().limit_cache(512);
  return database;
}

}  // namespace

DbWriter::DbWriter(const config::DatabaseSettings& settings, Options options)
    : settings_(settings), options_(options),
      database_(open_writer_database(settings)),
      thread_([this] { run(); }) {}

DbWriter::~DbWriter() { flush_and_stop(); }

bool DbWriter::post(db::Record record) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= options_.max_queued) return false;
    queue_.push_back(std::move(record));
    ++posted_;
    // The writer needs waking only to start a batch or to cut one that is full; a wake-up per
    // record would cost a context switch each while it gathers a burst.
    wake = queue_.size() == 1 || queue_.size() == options_.max_batch;
  }
  if (wake) wake_.notify_one();
  return true;
}

bool DbWriter::post_job(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= options_.max_jobs) return false;
    jobs_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

void DbWriter::flush() {
  std::unique_lock lock(mutex_);
  uint64_t target = posted_;
  wake_.notify_one();
  drained_.wait(lock, [&] { return committed_ >= target || !thread_.joinable(); });
}

void DbWriter::flush_and_stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

size_t DbWriter::failed_batches() const {
  std::lock_guard lock(mutex_);
  return failed_batches_;
}

void DbWriter::run() {
  std::vector<db::Record> batch;
  batch.reserve(options_.max_batch);
  std::deque<Job> jobs;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || !jobs_.empty(); });
      if (queue_.empty() && jobs_.empty() && stopping_) break;
      // Give a burst a moment to gather, so one transaction carries many records (a job, which
      // someone waits for, goes first and does not wait).
      if (!stopping_ && jobs_.empty() && queue_.size() < options_.max_batch)
        wake_.wait_for(lock, options_.max_delay,
                       [&] { return stopping_ || !jobs_.empty() || queue_.size() >= options_.max_batch; });
      jobs.swap(jobs_);
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    for (Job& job : jobs) {
      try {
        job(*database_);
      } catch (const std::exception& e) {
        log_error("db.job_failed", "", e.what());
      }
    }
    jobs.clear();
    if (batch.empty()) continue;
    try {
      database_->calls().write_batch(batch);
    } catch (const std::exception& e) {
      // A failing batch (disk full, locked for too long) is retried record by record, so one bad
      // record does not cost the others.
      log_error("db.batch_failed", "", e.what(), {{"records", std::to_string(batch.size())}});
      size_t lost = 0;
      for (const auto& r : batch) {
        try {
          database_->calls().write_batch({r});
        } catch (const std::exception&) {
          ++lost;
        }
      }
      if (lost) log_error("db.records_lost", "", "records could not be written", {{"count", std::to_string(lost)}});
      std::lock_guard lock(mutex_);
      ++failed_batches_;
    }
    {
      std::lock_guard lock(mutex_);
      committed_ += batch.size();
    }
    drained_.notify_all();
    batch.clear();
  }
  drained_.notify_all();
}

}  // namespace sonoria::daemon
