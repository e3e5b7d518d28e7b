#include "daemon/appointment_api.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include "core/booking/appointment_book.hpp"
#include "core/booking/appointment_json.hpp"
#include "core/booking/icalendar.hpp"
#include "core/db/database.hpp"
#include "core/tools/booking_tools.hpp"
#include "core/twilio/rest_client.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/google_book.hpp"
#include "daemon/log.hpp"
#include "daemon/outbound.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/read_pool.hpp"

namespace sonoria::daemon {
namespace {

using nlohmann::json;

std::string param(const std::map<std::string, std::string>& q, const char* name) {
  auto it = q.find(name);
  return it == q.end() ? std::string() : it->second;
}

int64_t local_midnight(const org::Profile& profile, const char* name, const std::string& text, int day_offset = 0) {
  const auto date = org::parse_date(text);
  if (!date) throw ApiBadRequest{"invalid_parameter", std::string(name) + " \"" + text + "\" is not a date", name, "YYYY-MM-DD"};
  return booking::local_day_start(profile, *date, day_offset);
}

// The customer hears of the owner's cancellation by text, from the organization's number.
void text_cancellation(Services& s, const org::Profile& profile, const db::Appointment& appointment) {
  const std::string from = profile.organization.phone_numbers.empty() ? s.settings.twilio.from
                                                                      : profile.organization.phone_numbers.front();
  const auto sms = tools::appointment_text(profile, {"", from}, appointment, "cancelled");
  if (!sms || from.empty()) return;
  if (auto refusal = text_refusal(s.settings, profile, sms->to)) {
    log_warn("appointment.not_texted", "", *refusal, {{"reference", appointment.reference}});
    return;
  }
  std::shared_ptr<twilio::RestClient> rest;
  try {
    rest = twilio::RestClient::create(s.io.get_executor(), twilio::rest_account_from(s.settings.twilio));
  } catch (const std::exception& e) {
    log_warn("appointment.not_texted", "", e.what(), {{"reference", appointment.reference}});
    return;
  }
  twilio::CreateMessage message{sms->to, from, "", sms->body, ""};
  rest->create_message(message, [&s, rest, sms = *sms, from, org = profile.id,
                                 reference = appointment.reference](twilio::MessageResult result) {
    db::MessageRecord record = tools::text_record(org, sms, from);
    if (result.ok()) {
      record.message_sid = result.value->sid;
      record.status = result.value->status;
    } else {
      record.status = "failed";
      record.error_message = result.error ? result.error->describe() : "no answer";
      log_warn("appointment.not_texted", "", *record.error_message, {{"reference", reference}});
    }
    s.writer.post(std::move(record));
  });
}

// booking.mode = "google": the cancelled appointment's event leaves the calendar.
void delete_event(Services& s, const db::Appointment& appointment) {
  auto client = gcal::CalendarClient::create(boost::asio::make_strand(s.io), s.settings.google, s.google->account,
                                             s.google->tokens);
  client->delete_event(appointment.calendar_id, appointment.event_id,
                       [client, reference = appointment.reference](gcal::CalendarResult<std::string> result) {
                         if (!result.ok())
                           log_error("appointment.calendar_not_updated", "",
                                     result.error ? result.error->explain() : "no answer", {{"reference", reference}});
                       });
}

}  // namespace

HttpResponse list_appointments(const std::map<std::string, std::string>& q, db::Database& database) {
  const std::string key = param(q, "org");
  if (key.empty()) throw ApiBadRequest{"missing_parameter", "org is required", "org", "an organization's id or slug"};
  const auto profile = database.orgs().find_by_id_or_slug(key);
  if (!profile) return api_error(404, "not_found", "no organization \"" + key + "\"");
  db::AppointmentFilter filter;
  filter.organization_id = profile->id;
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const std::string from = param(q, "from");
  filter.from = local_midnight(*profile, "from", from.empty() ? org::format_date(booking::local_today(*profile, now)) : from);
  if (const std::string to = param(q, "to"); !to.empty()) filter.to = local_midnight(*profile, "to", to, 1);
  filter.status = param(q, "status");
  if (!filter.status.empty() && filter.status != "booked" && filter.status != "cancelled")
    throw ApiBadRequest{"invalid_parameter", "status \"" + filter.status + "\" is not a status", "status",
                        "booked or cancelled"};
  filter.team_member = param(q, "member");
  filter.customer_phone = param(q, "phone");
  // An empty limit= means the default here.
  if (!param(q, "limit").empty()) filter.limit = api_limit(q, filter.limit);
  json list = json::array();
  for (const auto& a : database.appointments().list(filter)) list.push_back(booking::appointment_json(*profile, a));
  return api_json(200, {{"appointments", list}});
}

HttpResponse show_appointment(const std::string& reference, db::Database& database) {
  const auto a = database.appointments().find(0, reference);
  if (!a) return api_error(404, "not_found", "no appointment \"" + reference + "\"");
  const auto profile = database.orgs().find(a->organization_id);
  if (!profile) return api_error(404, "not_found", "no appointment \"" + reference + "\"");
  return api_json(200, booking::appointment_json(*profile, *a));
}

void cancel_appointment_as_owner(Services& s, const std::string& reference, bool notify,
                                 std::optional<int64_t> organization_id,
                                 std::function<void(const OwnerCancel&, db::Database*)> done) {
  const bool queued = s.writer.post_job([&s, reference, notify, organization_id, done](db::Database& database) {
    OwnerCancel result;
    try {
      const auto found = database.appointments().find(organization_id.value_or(0), reference);
      result.profile = found ? s.orgs.by_id_or_slug(std::to_string(found->organization_id)) : nullptr;
      if (!found || !result.profile) {
        result.status = 404;
        result.message = "no appointment \"" + reference + "\"";
      } else {
        booking::AppointmentBook book(database.appointments(), *result.profile);
        const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
        const auto cancelled = book.cancel(found->reference, "", now);
        if (cancelled.outcome != booking::Outcome::done) {
          result.status = 409;
          result.message = "appointment " + found->reference + " is " + found->status + " already";
        } else {
          result.status = 200;
          result.appointment = cancelled.appointment;
        }
      }
    } catch (const std::exception& e) {
      log_error("appointments.cancel_failed", "", e.what());
      result.status = 500;
      result.message = "the appointment could not be cancelled; see the server log";
    }
    done(result, &database);
    if (result.appointment && notify)
      boost::asio::post(s.io, [&s, profile = result.profile, appointment = *result.appointment] {
        text_cancellation(s, *profile, appointment);
      });
    if (result.appointment && !result.appointment->event_id.empty() && s.google)
      boost::asio::post(s.io, [&s, appointment = *result.appointment] { delete_event(s, appointment); });
  });
  if (!queued) done(OwnerCancel{503, "the server is busy; retry shortly", nullptr, std::nullopt}, nullptr);
}

std::variant<bool, HttpResponse> parse_cancel_body(const std::string& text) {
  if (text.empty()) return true;
  const auto body = json::parse(text, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return api_field_error("", "a JSON object such as {\"notify\": false}", "the body is not a JSON object");
  for (const auto& [key, value] : body.items())
    if (key != "notify")
      return api_field_error(key, "only \"notify\"", "\"" + key + "\" is not a field of a cancellation");
  const auto it = body.find("notify");
  if (it == body.end()) return true;
  if (!it->is_boolean()) return api_field_error("notify", "true or false", "notify is " + std::string(it->type_name()));
  return it->get<bool>();
}

void handle_appointment_cancel(Services& s, const std::string& reference, const HttpRequest& request,
                               HttpResponder respond) {
  auto parsed = parse_cancel_body(request.body);
  if (auto* refused = std::get_if<HttpResponse>(&parsed)) return respond(std::move(*refused));
  const bool notify = std::get<bool>(parsed);
  cancel_appointment_as_owner(s, reference, notify, std::nullopt, [respond, notify](const OwnerCancel& r, db::Database*) {
    if (r.status == 200) {
      json body = booking::appointment_json(*r.profile, *r.appointment);
      body["customer_texted"] = notify;
      return respond(api_json(200, body));
    }
    static const std::map<int, std::string> k_codes = {{404, "not_found"}, {409, "not_booked"}, {500, "internal"}, {503, "busy"}};
    HttpResponse response = api_error(r.status, k_codes.at(r.status), r.message);
    if (r.status == 503) response.headers.emplace_back("Retry-After", "1");
    respond(std::move(response));
  });
}

bool is_calendar_feed_path(const std::string& path) { return path.rfind("/calendar/", 0) == 0; }

void handle_calendar_feed(Services& s, const HttpRequest& request, HttpResponder respond) {
  HttpResponse not_found;
  not_found.status = 404;
  not_found.body = "no such calendar\n";
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse r;
    r.status = 405;
    r.body = "only GET\n";
    r.headers.emplace_back("Allow", "GET, HEAD");
    return respond(std::move(r));
  }
  const auto feed = booking::parse_feed_path(request.path);
  const auto profile = feed ? s.orgs.by_id_or_slug(feed->org_slug) : nullptr;
  if (!profile || profile->organization.slug != feed->org_slug) return respond(not_found);
  std::string member;
  if (!feed->member_slug.empty()) {
    for (const auto& t : profile->team)
      if (booking::member_slug(t.name) == feed->member_slug) member = t.name;
    if (member.empty()) return respond(not_found);
  }
  const std::string secret = s.orgs.signing_secret(profile->id);
  // No secret (an organization the daemon has not fully loaded yet): no feed, rather than a token
  // anyone could compute.
  if (secret.empty()) return respond(not_found);
  const std::string expected = booking::feed_token(secret, feed->org_slug, feed->member_slug);
  if (feed->token.size() != expected.size() ||
      CRYPTO_memcmp(feed->token.data(), expected.data(), expected.size()) != 0)
    return respond(not_found);
  const bool queued = s.reads.post([profile, member, respond](db::Database& database) {
    const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    db::AppointmentFilter filter;
    filter.organization_id = profile->id;
    filter.team_member = member;
    filter.from = now - 30 * 86400;  // recent ones too, cancellations included, so subscribers update
    filter.limit = 5000;
    HttpResponse r;
    try {
      r.body = booking::icalendar_feed(*profile, database.appointments().list(filter), member, now);
      r.content_type = "text/calendar; charset=utf-8";
      r.headers.emplace_back("Cache-Control", "private, max-age=300");
    } catch (const std::exception& e) {
      log_error("calendar.failed", "", e.what());
      r.status = 500;
      r.body = "the calendar could not be read\n";
    }
    respond(std::move(r));
  });
  if (!queued) {
    HttpResponse r;
    r.status = 503;
    r.body = "busy\n";
    r.headers.emplace_back("Retry-After", "5");
    respond(std::move(r));
  }
}

}  // namespace sonoria::daemon
