#pragma once
// The body of a call.ended webhook: what the business's system learns about a call, in the shape
// of the API's call detail (core/reports/call_json.hpp) — the record, its outcome, the transcript
// as heard with each turn's stage, and the tool calls — with the event's name, its idempotency key
// (the same on every retry) and when the call ended. Pure.

#include <nlohmann/json.hpp>

#include "core/db/stores.hpp"
#include "core/reports/call_json.hpp"

namespace sonoria::reports {

nlohmann::json call_ended_payload(const db::WebhookDelivery& delivery, const CallDetail& call);

}  // namespace sonoria::reports
