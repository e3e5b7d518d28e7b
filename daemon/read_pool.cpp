#include "daemon/read_pool.hpp"

#include <memory>

#include "core/db/database.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {

ReadPool::ReadPool(config::DatabaseSettings settings, int threads, std::size_t max_queued)
    : settings_(std::move(settings)), max_queued_(max_queued) {
  for (int i = 0; i < std::max(threads, 1); ++i) threads_.emplace_back([this] { run(); });
}

ReadPool::~ReadPool() { stop(); }

bool ReadPool::post(Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || jobs_.size() >= max_queued_) return false;
    jobs_.push_back(std::move(job));
  }
  cv_.notify_one();
  return true;
}

void ReadPool::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void ReadPool::run() {
  std::unique_ptr<db::Database> database;
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    try {
      if (!database) database = std::make_unique<db::Database>(settings_, db::SchemaCheck::require_current, true);
      job(*database);
    } catch (const std::exception& e) {
      // The connection may be the problem (file replaced, disk gone): reopen next time.
      database.reset();
      log_error("api.read_failed", "", e.what());
    }
  }
}

}  // namespace sonoria::daemon
