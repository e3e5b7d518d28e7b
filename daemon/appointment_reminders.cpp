#include "daemon/appointment_reminders.hpp"

#include <future>

#include "core/db/database.hpp"
#include "core/net/http_client.hpp"
#include "core/tools/booking_tools.hpp"
#include "core/twilio/rest_client.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/outbound.hpp"
#include "daemon/org_directory.hpp"

namespace sonoria::daemon {
namespace {

constexpr int k_batch = 20;
constexpr auto k_timeout = std::chrono::seconds(10);
// A text Twilio accepted may take a while to be listed as sent; recovery waits this long first.
constexpr auto k_recover_after = std::chrono::minutes(2);

}  // namespace

AppointmentReminders::AppointmentReminders(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer)
    : BackgroundWorker(settings.database, "reminder"), settings_(settings), orgs_(orgs), writer_(writer) {}

AppointmentReminders::~AppointmentReminders() { stop(); }

void AppointmentReminders::start_if_configured() {
  try {
    (void)twilio::rest_account_from(settings_.twilio);
  } catch (const std::exception& e) {
    log_info("reminder.disabled", "", std::string("appointment reminders are not sent: ") + e.what());
    return;
  }
  start();
}

// Runs `write` on the writer and waits for its answer (this worker's own thread, never an io
// thread); `fallback` when the writer is stopping or full, or the write failed.
template <class T>
T AppointmentReminders::on_writer(int64_t id, T fallback, std::function<T(db::AppointmentStore&)> write) {
  auto answered = std::make_shared<std::promise<T>>();
  auto answer = answered->get_future();
  if (!writer_.post_job([answered, id, fallback, write = std::move(write)](db::Database& database) {
        T result = fallback;
        try {
          result = write(database.appointments());
        } catch (const std::exception& e) {
          log_error("reminder.unrecorded", "", e.what(), {{"appointment", id}});
        }
        answered->set_value(std::move(result));
      }))
    return fallback;
  return answer.get();
}

bool AppointmentReminders::move(int64_t id, const std::string& from, const std::string& to) {
  return on_writer<bool>(id, false, [id, from, to](db::AppointmentStore& store) { return store.move_reminder(id, from, to); });
}

std::optional<db::Appointment> AppointmentReminders::claim(int64_t id, int64_t now) {
  return on_writer<std::optional<db::Appointment>>(
      id, std::nullopt, [id, now](db::AppointmentStore& store) { return store.claim_reminder(id, now); });
}

void AppointmentReminders::round(db::Database& database) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  // "sending" for a while: cut off mid-send (this worker sends one at a time, and finishes it).
  const std::string cut_off = db::format_timestamp(db::now_ms() - k_recover_after);
  for (const auto& appointment : database.appointments().reminders_in_flight(cut_off, k_batch)) {
    if (stopping()) return;
    if (appointment.status != "booked" || appointment.starts_at <= now) {
      move(appointment.id, "sending", "none");  // cancelled or over meanwhile: no reminder any more
      continue;
    }
    remind(appointment, /*recovering=*/true);
  }
  for (const auto& due : database.appointments().reminders_due(now, k_batch)) {
    if (stopping()) return;
    // The row as claimed, not as read: it may have been moved or cancelled since.
    if (const auto claimed = claim(due.id, now)) remind(*claimed, /*recovering=*/false);
  }
}

void AppointmentReminders::remind(const db::Appointment& appointment, bool recovering) {
  const std::string id = std::to_string(appointment.id);
  const auto profile = orgs_.by_id_or_slug(std::to_string(appointment.organization_id));
  if (!profile) {
    move(appointment.id, "sending", "failed");
    return;
  }
  const std::string from =
      profile->organization.phone_numbers.empty() ? settings_.twilio.from : profile->organization.phone_numbers.front();
  const auto sms = tools::appointment_text(*profile, {"", from}, appointment, "reminder");
  if (!sms || from.empty()) {
    log_warn("reminder.unsendable", "", "no number to text from or to", {{"appointment", id}});
    move(appointment.id, "sending", "failed");
    return;
  }
  if (auto refusal = text_refusal(settings_, *profile, sms->to)) {
    log_warn("reminder.unsendable", "", *refusal, {{"appointment", id}});
    move(appointment.id, "sending", "failed");
    return;
  }
  const auto account = twilio::rest_account_from(settings_.twilio);

  if (recovering) {
    // Did the cut-off attempt go out? Twilio lists the latest messages to the number, sent or
    // still queued.
    auto listed = send(twilio::http_request_of(twilio::list_messages_request(account, sms->to, "")), k_timeout);
    if (!listed) return;
    if (!listed->ok() || listed->status != 200) {
      log_warn("reminder.unverified", "", "could not check whether the reminder was sent; trying again later",
               {{"appointment", id}});
      return;  // still "sending": never risk a duplicate
    }
    for (const auto& m : twilio::parse_message_list(listed->body)) {
      if (m.to == sms->to && m.body == sms->body) {
        log_info("reminder.recovered", "", "", {{"appointment", id}, {"sid", m.sid}});
        move(appointment.id, "sending", "sent");
        return;
      }
    }
  }

  twilio::CreateMessage message;
  message.to = sms->to;
  message.from = from;
  message.body = sms->body;
  auto answer = send(twilio::http_request_of(twilio::create_message_request(account, message)), k_timeout);
  if (!answer) return;  // stopped: "sending" until the next daemon checks
  db::MessageRecord record = tools::text_record(appointment.organization_id, *sms, from);
  if (answer->ok() && answer->status >= 200 && answer->status < 300) {
    const auto resource = twilio::parse_message_resource(answer->body);
    record.message_sid = resource ? std::optional<std::string>(resource->sid) : std::nullopt;
    record.status = resource ? resource->status : "queued";
    writer_.post(std::move(record));
    move(appointment.id, "sending", "sent");
    log_info("reminder.sent", "", "", {{"appointment", id}});
    return;
  }
  if (!answer->ok() || answer->status >= 500) {
    // The outcome is unknown: left "sending", the next round checks Twilio's list first.
    log_warn("reminder.retry", "", answer->ok() ? "HTTP " + std::to_string(answer->status) : answer->error_text,
             {{"appointment", id}});
    return;
  }
  const auto error = twilio::parse_rest_error(answer->status, answer->body);
  record.status = "failed";
  record.error_code = error.code;
  record.error_message = error.describe();
  writer_.post(std::move(record));
  move(appointment.id, "sending", "failed");
  log_error("reminder.failed", "", error.describe(), {{"appointment", id}});
}

}  // namespace sonoria::daemon
