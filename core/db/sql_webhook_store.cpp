#include "core/db/sql_dialect.hpp"
#include "core/db/sql_stores.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {
namespace {

const char* const k_webhook_columns =
    "id, organization_id, call_sid, event, url, idempotency_key, status, attempts, payload, last_status, "
    "COALESCE(last_error, ''), next_attempt_at, created_at, delivered_at";

WebhookDelivery read_delivery(const Statement& s) {
  WebhookDelivery d;
  d.id = s.int64(0);
  d.organization_id = s.int64(1);
  d.call_sid = s.text(2);
  d.event = s.text(3);
  d.url = s.text(4);
  d.idempotency_key = s.text(5);
  d.status = s.text(6);
  d.attempts = s.int64(7);
  d.payload = s.optional_text(8);
  d.last_status = s.optional_int64(9);
  d.last_error = s.text(10);
  d.next_attempt_at = s.text(11);
  d.created_at = s.text(12);
  d.delivered_at = s.optional_text(13);
  return d;
}

}  // namespace

void SqlWebhookStore::queue_call_ended(Connection& c, const std::string& call_sid, TimePoint now) {
  const std::string at = format_timestamp(now);
  // The URL is read from the stored profile in the same statement: no profile, no URL, no row.
  const std::string url = json_text(c.dialect(), "o.profile_json", "webhooks.call_end_url");
  Statement s(c,
              "INSERT INTO webhook_deliveries (organization_id, call_sid, event, url, idempotency_key, status, "
              "next_attempt_at, created_at) "
              "SELECT o.id, c.call_sid, 'call.ended', " + url + ", "
              "'call.ended:' || c.call_sid || ':' || COALESCE(c.finished_seq, 0), 'pending', ?, ? "
              "FROM calls c JOIN organizations o ON o.id = c.organization_id "
              "WHERE c.call_sid = ? AND COALESCE(" + url + ", '') <> '' "
              "ON CONFLICT (idempotency_key) DO NOTHING");
  s.bind(1, at).bind(2, at).bind(3, call_sid);
  s.run();
}

std::vector<WebhookDelivery> SqlWebhookStore::list(int64_t organization_id, const std::string& status, int limit) {
  std::vector<WebhookDelivery> out;
  Statement s(c_, std::string("SELECT ") + k_webhook_columns +
                      " FROM webhook_deliveries WHERE (? = 0 OR organization_id = ?) AND (? = '' OR status = ?) "
                      "ORDER BY id DESC LIMIT ?");
  s.bind(1, organization_id).bind(2, organization_id).bind(3, status).bind(4, status).bind(5, static_cast<int64_t>(limit));
  while (s.step()) out.push_back(read_delivery(s));
  return out;
}

std::vector<WebhookDelivery> SqlWebhookStore::due(TimePoint now, int limit) {
  std::vector<WebhookDelivery> out;
  Statement s(c_, std::string("SELECT ") + k_webhook_columns +
                      " FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ? "
                      "ORDER BY next_attempt_at, id LIMIT ?");
  s.bind(1, format_timestamp(now)).bind(2, static_cast<int64_t>(limit));
  while (s.step()) out.push_back(read_delivery(s));
  return out;
}

int SqlWebhookStore::retry(int64_t id, TimePoint now) {
  const std::string at = format_timestamp(now);
  // created_at restarts the day of retries; the attempts so far stay counted.
  Statement s(c_, id ? "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, created_at = ? "
                       "WHERE id = ? AND status <> 'delivered'"
                     : "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, created_at = ? "
                       "WHERE status = 'failed' AND ? = 0");
  s.bind(1, at).bind(2, at).bind(3, id);
  s.run();
  return c_.changes();
}

}  // namespace sonoria::db
