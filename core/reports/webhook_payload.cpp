#include "core/reports/webhook_payload.hpp"

namespace sonoria::reports {

nlohmann::json call_ended_payload(const db::WebhookDelivery& delivery, const CallDetail& call) {
  return {{"event", delivery.event},
          {"idempotency_key", delivery.idempotency_key},
          {"call", call_detail_json(call, /*with_events=*/false)}};
}

}  // namespace sonoria::reports
