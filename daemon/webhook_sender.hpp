#pragma once
// Delivers the webhooks queued in the database (webhook_deliveries, queued in the transaction that
// ends a call): at least once, each with its idempotency key, signed with the organization's
// secret, retried with a doubling delay (webhooks.retry_after, at most an hour) until
// webhooks.give_up_after, then "failed" (`sonoria webhooks retry` revives it). Because the queue
// is in the database, a restart or kill -9 loses nothing: the next daemon picks up what is due.
//
// Its own thread, its own read-only connection and io_context: a slow receiver never holds up a
// call. The outcome of each attempt goes to the database through the writer (WebhookAttempt).

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "core/config/settings.hpp"
#include "core/db/stores.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

class OrgDirectory;
class DbWriter;

class WebhookSender {
 public:
  WebhookSender(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer);
  ~WebhookSender();
  void start();
  void stop();  // idempotent; joins
  // Something was queued: look now rather than at the next tick.
  void wake();

  // The wait before attempt `attempts` + 1 after `attempts` failed ones: retry_after doubled each
  // time, at most an hour.
  static std::chrono::milliseconds backoff(std::chrono::milliseconds retry_after, int64_t attempts);

 private:
  void run();
  void deliver(db::Database& database, const db::WebhookDelivery& delivery);

  const config::Settings& settings_;
  OrgDirectory& orgs_;
  DbWriter& writer_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool stopping_ = false;
  void* sending_ = nullptr;          // the io_context of the request under way (stop() ends it)
  bool woken_ = false;
  // Attempted, and the outcome not yet visible in the database: not attempted again before this.
  std::map<int64_t, std::chrono::steady_clock::time_point> settling_;
};

}  // namespace sonoria::daemon
