#pragma once
// Delivers the webhooks queued in the database (webhook_deliveries, queued in the transaction that
// ends a call): at least once, each with its idempotency key, signed with the organization's
// secret, retried with a doubling delay (webhooks.retry_after, at most an hour) until
// webhooks.give_up_after, then "failed" (`sonoria webhooks retry` revives it). Because the queue
// is in the database, a restart or kill -9 loses nothing: the next daemon picks up what is due.
// A BackgroundWorker: a slow receiver never holds up a call. The outcome of each attempt goes to
// the database through the writer (WebhookAttempt).

#include <chrono>
#include <map>

#include "core/config/settings.hpp"
#include "core/db/stores.hpp"
#include "daemon/background_worker.hpp"

namespace sonoria::daemon {

class OrgDirectory;
class DbWriter;

class WebhookSender final : public BackgroundWorker {
 public:
  WebhookSender(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer);
  ~WebhookSender() override;

  // The wait before attempt `attempts` + 1 after `attempts` failed ones: retry_after doubled each
  // time, at most an hour.
  static std::chrono::milliseconds backoff(std::chrono::milliseconds retry_after, int64_t attempts);

 private:
  void round(db::Database& database) override;
  void deliver(db::Database& database, const db::WebhookDelivery& delivery);

  const config::Settings& settings_;
  OrgDirectory& orgs_;
  DbWriter& writer_;
  // Attempted, and the outcome not yet visible in the database: not attempted again before this.
  std::map<int64_t, std::chrono::steady_clock::time_point> settling_;
};

}  // namespace sonoria::daemon
