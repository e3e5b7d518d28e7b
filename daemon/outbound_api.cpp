#include "core/org/phone_numbers.hpp"
#include "daemon/outbound_api.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <algorithm>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/db/database.hpp"
#include "core/did_you_mean.hpp"
#include "core/db/records.hpp"
#include "core/twilio/rest_client.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/outbound.hpp"
#include "daemon/read_pool.hpp"

namespace sonoria::daemon {

std::variant<OutboundApiRequest, HttpResponse> parse_outbound_body(const std::string& text) {
  static const std::string k_shape = "{\"to\": \"+1…\", \"org\": \"id or slug\", \"machine_detection\": false}";
  const auto body = nlohmann::json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return api_field_error("", "a JSON object " + k_shape, body.is_discarded() ? "the body is not JSON" : "the body is not a JSON object");
  static const std::vector<std::string> k_fields = {"to", "org", "machine_detection"};
  for (const auto& [name, value] : body.items()) {
    if (std::find(k_fields.begin(), k_fields.end(), name) != k_fields.end()) continue;
    const std::string near = nearest_name(name, k_fields);
    return api_field_error(name, "only the fields to, org and machine_detection",
                           "unknown field \"" + name + "\"" + (near.empty() ? "" : " (did you mean \"" + near + "\"?)"));
  }
  OutboundApiRequest out;
  const auto to = body.find("to");
  if (to == body.end() || !to->is_string())
    return api_field_error("to", "the number to call as a string, e.g. \"+1 415 555 0123\"",
                           to == body.end() ? "to is missing" : "to is not a string");
  out.to = to->get<std::string>();
  const auto org = body.find("org");
  if (org == body.end() || !(org->is_string() || org->is_number_integer()))
    return api_field_error("org", "the organization's id (a number) or slug (a string)",
                           org == body.end() ? "org is missing" : "org is neither a number nor a string");
  out.org = org->is_string() ? org->get<std::string>() : std::to_string(org->get<int64_t>());
  if (const auto amd = body.find("machine_detection"); amd != body.end()) {
    if (!amd->is_boolean()) return api_field_error("machine_detection", "true or false", "machine_detection is not a boolean");
    out.machine_detection = amd->get<bool>();
  }
  return out;
}

void handle_outbound_api(Services& s, ReadPool& pool, const HttpRequest& request, HttpResponder respond) {
  auto parsed = parse_outbound_body(request.body);
  if (auto* problem = std::get_if<HttpResponse>(&parsed)) return respond(std::move(*problem));
  // Plain variables, not a structured binding: lambdas below capture them (clang 14, which
  // scripts/fuzz builds with, cannot capture bindings).
  const auto& body = std::get<OutboundApiRequest>(parsed);
  const std::string typed_to = body.to;
  const std::string org = body.org;
  const bool machine_detection = body.machine_detection;

  bool queued = pool.post([&s, typed_to, org, machine_detection, respond](db::Database& database) {
    auto profile = database.orgs().find_by_id_or_slug(org);
    if (!profile) return respond(api_error(404, "unknown_org", "no organization with id or slug \"" + org + "\""));
    // Read in the organization's country: "(415) 555-0123" for a US business.
    const phone::Parsed destination = read_destination(s.settings, &*profile, typed_to);
    if (!destination.number) {
      return respond(api_json(400, {{"error",
                                     {{"code", "invalid_body"},
                                      {"field", "to"},
                                      {"message", "to: " + destination.error},
                                      {"expected", phone::expected_form(org::default_region(profile->organization))}}}}));
    }
    const std::string to = destination.number->e164;
    OutboundFacts facts;
    facts.last_call_to_number = database.last_outbound_call_to(to);
    facts.calls_in_progress = database.calls_in_progress();
    facts.now = db::now_ms();
    if (auto refusal = outbound_refusal(s.settings, *destination.number, facts)) return respond(api_error(422, "refused", *refusal));
    if (outbound_caller_id(s.settings, *profile).empty())
      return respond(api_error(422, "no_caller_id", "the organization has no phone number and twilio.from is not set"));
    twilio::RestAccount account;
    try {
      account = twilio::rest_account_from(s.settings.twilio);
    } catch (const std::exception& e) {
      return respond(api_error(503, "twilio_not_configured", e.what()));
    }
    auto call = outbound_call(s.settings, *profile, to, machine_detection);
    int64_t org_id = profile->id;
    // The REST request runs on the io_context; only this job's thread did disk reads.
    boost::asio::post(s.io, [&s, account, call, org_id, machine_detection, respond] {
      auto client = twilio::RestClient::create(boost::asio::make_strand(s.io), account);
      client->create_call(call, [&s, client, call, org_id, machine_detection, respond](twilio::CallResult result) {
        if (!result.ok()) {
          std::string message = result.error ? result.error->describe() : "no answer from Twilio";
          log_warn("outbound.failed", "", message, {{"to", call.to}});
          return respond(api_error(502, "twilio_error", message));
        }
        const auto& placed = *result.value;
        // Recorded now so the cooldown and capacity see it even if it is never answered.
        s.writer.post(db::CallOpened{placed.sid, org_id, "outbound", call.from, call.to, "ringing", db::now_ms(), std::nullopt, std::nullopt});
        s.writer.post(db::CallEvent{placed.sid, db::now_ms(), std::nullopt, "outbound_placed",
                                    machine_detection ? std::optional<std::string>("machine_detection") : std::nullopt,
                                    std::nullopt});
        log_info("outbound.placed", placed.sid, "", {{"to", call.to}, {"from", call.from}});
        HttpResponse r;
        r.status = 201;
        r.content_type = "application/json";
        r.body = nlohmann::json{{"call_sid", placed.sid}, {"status", placed.status}, {"to", call.to}, {"from", call.from}}
                     .dump();
        respond(r);
      });
    });
  });
  if (!queued) respond(api_error(503, "busy", "the server is busy; try again shortly"));
}

}  // namespace sonoria::daemon
