#include "daemon/db_writer.hpp"

#include <chrono>

#include "core/db/database.hpp"
#include "core/db/sqlite.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"

namespace sonoria::daemon {
namespace {

std::unique_ptr<db::Database> open_writer_database(const config::DatabaseSettings& settings, const std::string& owner) {
  auto database = std::make_unique<db::Database>(settings, db::SchemaCheck::require_current);
  database->calls().set_owner(owner);
  // The writer appends rows and rarely reads back: SQLite's default cache (2 MiB) would fill with
  // pages written once, 5 KiB per call at 400 calls (scripts/bench).
  database->limit_cache(512);
  return database;
}

// A failure that may pass (the database locked, the disk full, …) rather than one the database
// would give for this record every time.
bool is_transient(const std::exception& e) {
  if (const auto* failure = dynamic_cast<const db::DatabaseError*>(&e)) return failure->transient();
  return dynamic_cast<const DataError*>(&e) == nullptr;  // not a statement's fault: try again
}

std::string call_of(const db::Record& record) {
  return std::visit(
      [](const auto& r) -> std::string {
        if constexpr (requires { r.call_sid; }) {
          if constexpr (std::is_same_v<std::decay_t<decltype(r.call_sid)>, std::string>) return r.call_sid;
          else return r.call_sid.value_or("");
        } else {
          return "";
        }
      },
      record);
}

}  // namespace

DbWriter::DbWriter(const config::DatabaseSettings& settings, Options options, Metrics* metrics)
    : settings_(settings), options_(options), metrics_(metrics),
      database_(open_writer_database(settings, options.owner)),
      journal_(db::journal_path_for(settings.path)),
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
  drained_.wait(lock, [&] { return settled_ >= target || !thread_.joinable(); });
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

DbWriter::Health DbWriter::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

void DbWriter::run() {
  std::vector<db::Record> batch;  // taken from the queue and not yet settled, in order
  batch.reserve(options_.max_batch);
  std::deque<Job> jobs;
  // Records a failed replay at start left behind: they go first.
  if (journal_.exists()) journaled_ = journal_.read().records.size();
  for (;;) {
    bool stop_now = false;
    {
      std::unique_lock lock(mutex_);
      if (health_.failing) {
        // Wait out the backoff; a stop or a job cuts it short.
        wake_.wait_for(lock, backoff_, [&] { return stopping_ || !jobs_.empty(); });
      } else {
        wake_.wait(lock, [&] {
          return stopping_ || !queue_.empty() || !jobs_.empty() || !batch.empty() || journaled_ > 0;
        });
        // Give a burst a moment to gather, so one transaction carries many records (a job, which
        // someone waits for, goes first and does not wait).
        if (!stopping_ && jobs_.empty() && batch.empty() && journaled_ == 0 && queue_.size() < options_.max_batch)
          wake_.wait_for(lock, options_.max_delay,
                         [&] { return stopping_ || !jobs_.empty() || queue_.size() >= options_.max_batch; });
      }
      if (stopping_ && queue_.empty() && jobs_.empty() && batch.empty() && journaled_ == 0) break;
      stop_now = stopping_;
      jobs.swap(jobs_);
      // The journal holds the oldest records: nothing newer is written before it.
      if (batch.empty() && journaled_ == 0) {
        while (!queue_.empty() && batch.size() < options_.max_batch) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
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
    bool ok = journaled_ == 0 || write_journal();
    if (ok && !batch.empty()) ok = write_batch(batch);
    if (!ok) {
      size_t in_memory = batch.size();
      {
        std::lock_guard lock(mutex_);
        in_memory += queue_.size();
      }
      // At stop, what the database would not take waits in the journal for the next start.
      if (stop_now || in_memory > options_.spill_after) spill(batch, stop_now);
      if (stop_now) {
        publish_gauges();
        break;
      }
    }
    publish_gauges();
    drained_.notify_all();
  }
  drained_.notify_all();
}

bool DbWriter::write_journal() {
  auto contents = journal_.read();
  if (contents.unreadable)
    log_warn("db.journal_unreadable", "", "lines of the write journal that are not records were skipped (a write cut short)",
             {{"journal", journal_.path()}, {"lines", contents.unreadable}});
  try {
    database_->calls().write_batch(contents.records);
  } catch (const std::exception& e) {
    if (is_transient(e)) {
      note_failure(e.what());
      return false;
    }
    // A record the database refuses for itself: the others go one by one, and the journal keeps
    // only what is still waiting when a fault interrupts that.
    for (size_t i = 0; i < contents.records.size(); ++i) {
      try {
        database_->calls().write_batch({contents.records[i]});
      } catch (const std::exception& one) {
        if (is_transient(one)) {
          std::vector<db::Record> rest(std::make_move_iterator(contents.records.begin() + static_cast<long>(i)),
                                       std::make_move_iterator(contents.records.end()));
          try {
            journal_.remove();
            journal_.append(rest);
            journaled_ = rest.size();
          } catch (const std::exception& rewrite) {
            log_error("db.journal_failed", "", rewrite.what());
          }
          note_failure(one.what());
          return false;
        }
        log_error("db.record_refused", call_of(contents.records[i]), one.what());
        if (metrics_) metrics_->db_records_refused++;
      }
    }
  }
  try {
    journal_.remove();
  } catch (const std::exception& e) {
    log_error("db.journal_failed", "", e.what());
  }
  log_info("db.journal_written", "", "records kept in the write journal are in the database",
           {{"records", contents.records.size()}});
  journaled_ = 0;
  note_success();
  return true;
}

bool DbWriter::write_batch(std::vector<db::Record>& batch) {
  size_t done = 0;
  try {
    database_->calls().write_batch(batch);
    done = batch.size();
  } catch (const std::exception& e) {
    if (is_transient(e)) {
      note_failure(e.what());
      return false;
    }
    // One bad record must not cost the others: one by one, dropping only what is refused.
    for (; done < batch.size(); ++done) {
      try {
        database_->calls().write_batch({batch[done]});
      } catch (const std::exception& one) {
        if (is_transient(one)) {
          batch.erase(batch.begin(), batch.begin() + static_cast<long>(done));
          {
            std::lock_guard lock(mutex_);
            settled_ += done;
          }
          note_failure(one.what());
          return false;
        }
        log_error("db.record_refused", call_of(batch[done]), one.what());
        if (metrics_) metrics_->db_records_refused++;
      }
    }
  }
  batch.clear();
  {
    std::lock_guard lock(mutex_);
    settled_ += done;
  }
  note_success();
  return true;
}

void DbWriter::spill(std::vector<db::Record>& batch, bool everything) {
  std::deque<db::Record> taken;
  {
    std::lock_guard lock(mutex_);
    taken.swap(queue_);
  }
  std::vector<db::Record> moving(std::make_move_iterator(batch.begin()), std::make_move_iterator(batch.end()));
  const size_t from_batch = moving.size();
  moving.insert(moving.end(), std::make_move_iterator(taken.begin()), std::make_move_iterator(taken.end()));
  batch.clear();
  try {
    journal_.append(moving);
    journaled_ += moving.size();
    std::lock_guard lock(mutex_);
    settled_ += moving.size();
    log_warn("db.journaled", "", "the database does not take writes: records wait in the write journal",
             {{"journal", journal_.path()}, {"records", moving.size()},
              {"in_journal", journaled_}});
    return;
  } catch (const std::exception& e) {
    if (everything) {
      // Stopping, and neither the database nor the journal takes them: this is the one loss.
      log_error("db.records_lost", "", std::string("records could not be written or journaled: ") + e.what(),
                {{"count", moving.size()}});
      if (metrics_) metrics_->db_records_lost += moving.size();
      std::lock_guard lock(mutex_);
      settled_ += moving.size();
      return;
    }
    log_error("db.journal_failed", "", std::string(e.what()) + "; records stay in memory");
  }
  // Back where they were, in order, ahead of anything posted meanwhile.
  batch.assign(std::make_move_iterator(moving.begin()), std::make_move_iterator(moving.begin() + static_cast<long>(from_batch)));
  std::lock_guard lock(mutex_);
  for (size_t i = moving.size(); i > from_batch; --i) queue_.push_front(std::move(moving[i - 1]));
}

void DbWriter::note_failure(const std::string& error) {
  std::lock_guard lock(mutex_);
  if (!health_.failing) {
    health_.failing = true;
    health_.since = std::chrono::system_clock::now();
    log_error("db.writes_failing", "", error + "; records are kept and retried until the database takes them");
  }
  health_.error = error;
  publish_gauges_locked();  // whoever sees `failing` sees what waits with it
  backoff_ = backoff_.count() == 0 ? options_.retry_first : std::min(backoff_ * 2, options_.retry_max);
}

void DbWriter::note_success() {
  std::lock_guard lock(mutex_);
  backoff_ = std::chrono::milliseconds(0);
  if (!health_.failing) return;
  health_.failing = false;
  health_.error.clear();
  publish_gauges_locked();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now() - health_.since);
  log_info("db.writes_recovered", "", "the database takes writes again; everything waiting is being written",
           {{"failed_for_s", seconds.count()}});
}

void DbWriter::publish_gauges() {
  std::lock_guard lock(mutex_);
  publish_gauges_locked();
}

void DbWriter::publish_gauges_locked() {
  health_.journaled = journaled_;
  health_.waiting = static_cast<size_t>(posted_ - settled_) + journaled_;  // journaled records count as settled
  if (metrics_) {
    metrics_->db_writes_failing = health_.failing ? 1 : 0;
    metrics_->db_records_waiting = static_cast<int64_t>(health_.waiting);
    metrics_->db_records_journaled = static_cast<int64_t>(journaled_);
  }
}

}  // namespace sonoria::daemon
