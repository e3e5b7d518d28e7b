#include "daemon/outbound_api.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>

#include "core/db/database.hpp"
#include "core/db/outbound_queries.hpp"
#include "core/db/records.hpp"
#include "core/twilio/rest_client.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/outbound.hpp"
#include "daemon/read_pool.hpp"

namespace sonoria::daemon {

void handle_outbound_api(Services& s, ReadPool& pool, const HttpRequest& request, HttpResponder respond) {
  auto body = nlohmann::json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("to") || !body["to"].is_string() ||
      !body.contains("org") || !(body["org"].is_string() || body["org"].is_number_integer()))
    return respond(api_error(400, "invalid_body",
                             "expected a JSON object {\"to\": \"+1…\", \"org\": \"id or slug\", \"machine_detection\": false}"));
  std::string to = body["to"].get<std::string>();
  std::string org = body["org"].is_string() ? body["org"].get<std::string>() : std::to_string(body["org"].get<int64_t>());
  bool machine_detection = body.value("machine_detection", false);

  bool queued = pool.post([&s, to, org, machine_detection, respond](db::Database& database) {
    auto profile = database.orgs().find_by_id_or_slug(org);
    if (!profile) return respond(api_error(404, "unknown_org", "no organization with id or slug \"" + org + "\""));
    OutboundFacts facts;
    facts.last_call_to_number = db::last_outbound_call_to(database.connection(), to);
    facts.calls_in_progress = db::calls_in_progress(database.connection());
    facts.now = db::now_ms();
    if (auto refusal = outbound_refusal(s.settings, to, facts)) return respond(api_error(422, "refused", *refusal));
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
