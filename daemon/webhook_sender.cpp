#include "daemon/webhook_sender.hpp"

#include <algorithm>

#include "core/db/database.hpp"
#include "core/db/timestamp.hpp"
#include "core/net/http_client.hpp"
#include "core/reports/webhook_payload.hpp"
#include "core/tools/request_signature.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/org_directory.hpp"

namespace sonoria::daemon {
namespace {
constexpr int k_batch = 20;
constexpr auto k_settle = std::chrono::seconds(1);
constexpr auto k_summary_wait = std::chrono::minutes(2);
}  // namespace

WebhookSender::WebhookSender(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer)
    : BackgroundWorker(settings.database, "webhook"), settings_(settings), orgs_(orgs), writer_(writer) {}

WebhookSender::~WebhookSender() { stop(); }

std::chrono::milliseconds WebhookSender::backoff(std::chrono::milliseconds retry_after, int64_t attempts) {
  const std::chrono::milliseconds cap = std::chrono::hours(1);
  auto wait = retry_after;
  for (int64_t i = 1; i < attempts && wait < cap; ++i) wait *= 2;
  return std::min(wait, cap);
}

void WebhookSender::round(db::Database& database) {
  const auto now = std::chrono::steady_clock::now();
  std::erase_if(settling_, [&](const auto& entry) { return entry.second <= now; });
  for (const auto& delivery : database.webhooks().due(db::now_ms(), k_batch)) {
    if (stopping()) return;
    if (!settling_.count(delivery.id)) deliver(database, delivery);
  }
}

void WebhookSender::deliver(db::Database& database, const db::WebhookDelivery& delivery) {
  std::string body = delivery.payload.value_or("");
  if (body.empty()) {
    // Built once, at the first attempt, and kept: every retry sends the same bytes.
    reports::CallDetail detail;
    auto row = database.queries().find(delivery.call_sid);
    // The summary comes a few seconds after the call: the webhook waits for it, a little.
    if (row && settings_.summary.enabled() && !row->summary_json && row->answered_at && row->turns > 0 &&
        db::now_ms() - db::parse_timestamp(delivery.created_at).value_or(db::now_ms()) < k_summary_wait)
      return;
    if (row) {
      detail.call = *row;
      detail.transcript = database.queries().transcript(*row);
      detail.events = database.queries().events(*row);
    } else {
      detail.call.call_sid = delivery.call_sid;
    }
    if (auto profile = orgs_.by_id_or_slug(std::to_string(delivery.organization_id)))
      detail.organization = profile->organization.slug;
    body = reports::call_ended_payload(delivery, detail).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  net::HttpRequest request;
  request.method = "POST";
  request.url = delivery.url;
  request.body = body;
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Sonoria-Event", delivery.event},
                     {std::string(tools::k_idempotency_header), delivery.idempotency_key},
                     {"X-Sonoria-Call", delivery.call_sid}};
  if (const auto secret = orgs_.signing_secret(delivery.organization_id); !secret.empty()) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    request.headers.emplace_back(std::string(tools::k_signature_header), tools::signature_value(secret, now.count(), body));
  }
  auto answer = send(std::move(request), settings_.webhooks.timeout);
  if (!answer) return;  // stopped mid-attempt: unrecorded, the next daemon makes it
  const net::HttpResponse& response = *answer;

  db::WebhookAttempt attempt;
  attempt.id = delivery.id;
  attempt.attempts = delivery.attempts + 1;
  attempt.payload = body;
  attempt.at = db::now_ms();
  if (response.ok()) attempt.last_status = response.status;
  const bool delivered = response.ok() && response.status >= 200 && response.status < 300;
  attempt.last_error = delivered ? std::string()
                       : response.ok() ? "HTTP " + std::to_string(response.status)
                                       : response.error_text;
  const auto created = db::parse_timestamp(delivery.created_at).value_or(attempt.at);
  const auto next = attempt.at + backoff(settings_.webhooks.retry_after, attempt.attempts);
  attempt.next_attempt_at = next;
  if (delivered) attempt.status = "delivered";
  else if (next - created > settings_.webhooks.give_up_after) attempt.status = "failed";
  else attempt.status = "pending";
  const std::string id = std::to_string(delivery.id);
  const std::string attempts = std::to_string(attempt.attempts);
  if (delivered) {
    log_info("webhook.delivered", delivery.call_sid, "", {{"id", id}, {"event", delivery.event}, {"attempt", attempts}});
  } else if (attempt.status == "failed") {
    log_error("webhook.failed", delivery.call_sid, "given up after " + attempts + " attempts: " + attempt.last_error,
              {{"id", id}, {"event", delivery.event}});
  } else {
    log_warn("webhook.retry", delivery.call_sid, attempt.last_error,
             {{"id", id}, {"event", delivery.event}, {"attempt", attempts}});
  }
  // Not again before the database says when: the writer commits within moments.
  settling_[delivery.id] = std::chrono::steady_clock::now() +
                           std::max<std::chrono::steady_clock::duration>(next - attempt.at, k_settle);
  if (!writer_.post(std::move(attempt))) settling_.erase(delivery.id);  // not recorded: try again at once
}

}  // namespace sonoria::daemon
