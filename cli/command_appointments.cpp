// sonoria appointments list|show|cancel: the appointment book (booking.mode built_in or google).
#include <CLI/CLI.hpp>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/context.hpp"
#include "cli/peer_requests.hpp"
#include "core/booking/appointment_book.hpp"
#include "core/booking/appointment_json.hpp"
#include "core/booking/icalendar.hpp"
#include "core/booking/local_clock.hpp"
#include "core/db/timestamp.hpp"
#include "core/error.hpp"
#include "core/org/phone_numbers.hpp"
#include "core/phone/phone_number.hpp"
#include "core/tools/booking_tools.hpp"

namespace sonoria::cli {
namespace {

struct AppointmentOptions {
  std::string org;
  std::string from;
  std::string to;
  std::string status;
  std::string member;
  std::string phone;
  int limit = 100;
  bool json = false;
  std::string reference;
  bool no_text = false;
};

// A local date of the organization (its midnight) as Unix seconds.
// When a local date (the option's value) begins, `day_offset` days on, as Unix seconds.
int64_t local_midnight(const org::Profile& profile, const std::string& option, const std::string& text, int day_offset = 0) {
  const auto date = org::parse_date(text);
  if (!date) throw UserError(option + ": \"" + text + "\" is not a date (expected YYYY-MM-DD)", ExitCode::usage);
  return booking::local_day_start(profile, *date, day_offset);
}

}  // namespace

void register_appointments(CLI::App& app, Context& context) {
  auto opts = std::make_shared<AppointmentOptions>();
  auto* cmd = app.add_subcommand("appointments", "The appointment book: list, show and cancel appointments");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "List an organization's appointments by start time (from today by default)");
  list->add_option("--org", opts->org, "Organization id or slug")->required();
  list->add_option("--from", opts->from, "First local date, YYYY-MM-DD (default: today)");
  list->add_option("--to", opts->to, "Last local date, YYYY-MM-DD");
  list->add_option("--status", opts->status, "booked | cancelled (default: both)")
      ->check(CLI::IsMember({"booked", "cancelled"}));
  list->add_option("--member", opts->member, "Only this team member's");
  list->add_option("--phone", opts->phone, "Only this customer's number (\"(415) 555-0123\" in the organization's country)");
  list->add_option("--limit", opts->limit, "How many (default 100)")->check(CLI::Range(1, 100000));
  list->add_flag("--json", opts->json, "Machine-readable output");
  list->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const auto profile = find_organization(database, opts->org);
    db::AppointmentFilter filter;
    filter.organization_id = profile.id;
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    filter.from = opts->from.empty()
                      ? local_midnight(profile, "--from", org::format_date(booking::local_today(profile, now)))
                      : local_midnight(profile, "--from", opts->from);
    if (!opts->to.empty()) filter.to = local_midnight(profile, "--to", opts->to, 1);  // through that day
    filter.status = opts->status;
    filter.team_member = opts->member;
    if (!opts->phone.empty()) {
      const phone::Parsed parsed = phone::parse(opts->phone, org::default_region(profile.organization));
      if (!parsed.number) throw UserError("--phone: " + parsed.error, ExitCode::usage);
      filter.customer_phone = parsed.number->e164;
    }
    filter.limit = opts->limit;
    const auto rows = database.appointments().list(filter);
    if (opts->json) {
      auto out = nlohmann::json::array();
      for (const auto& a : rows) out.push_back(booking::appointment_json(profile, a));
      std::cout << out.dump(2) << "\n";
      return;
    }
    if (rows.empty()) {
      std::cout << "no appointments\n";
      return;
    }
    std::cout << std::left << std::setw(8) << "REF" << std::setw(18) << "START" << std::setw(10) << "STATUS"
              << std::setw(24) << "SERVICE" << std::setw(20) << "WITH" << std::setw(12) << "WHERE"
              << "CUSTOMER\n";
    for (const auto& a : rows)
      std::cout << std::setw(8) << a.reference << std::setw(18) << booking::local_start_text(profile, a) << std::setw(10) << a.status
                << std::setw(24) << a.service << std::setw(20) << (a.team_member.empty() ? "-" : a.team_member)
                << std::setw(12) << (a.location.empty() ? "-" : a.location) << a.customer_name << " "
                << a.customer_phone << "\n";
  });

  auto* show = cmd->add_subcommand("show", "Show one appointment");
  show->add_option("REFERENCE", opts->reference, "The appointment's reference, e.g. K7Q2XM")->required();
  show->add_flag("--json", opts->json, "Machine-readable output");
  show->callback([&context, opts] {
    auto database = context.open_database(db::SchemaCheck::require_current, true);
    const auto a = database.appointments().find(0, opts->reference);
    if (!a) throw DataError("no appointment \"" + opts->reference + "\" (see `sonoria appointments list`)");
    const auto profile = find_organization(database, std::to_string(a->organization_id));
    const auto j = booking::appointment_json(profile, *a);
    if (opts->json) {
      std::cout << j.dump(2) << "\n";
      return;
    }
    for (const auto& [key, value] : j.items())
      std::cout << std::left << std::setw(16) << key << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
  });

  auto* feed = cmd->add_subcommand("feed", "Print the private calendar feed URL (iCalendar) to subscribe to in "
                                              "Google, Apple or Outlook calendars");
  feed->add_option("--org", opts->org, "Organization id or slug")->required();
  feed->add_option("--member", opts->member, "The feed of this team member only");
  feed->callback([&context, opts] {
    auto database = context.open_database();
    const auto profile = find_organization(database, opts->org);
    std::string member;
    if (!opts->member.empty()) {
      std::string names;
      for (const auto& t : profile.team) {
        if (t.name == opts->member) member = booking::member_slug(t.name);
        names += (names.empty() ? "" : ", ") + t.name;
      }
      if (member.empty())
        throw DataError("--member: \"" + opts->member + "\" is not on " + profile.organization.slug +
                        "'s team (expected one of " + (names.empty() ? "nobody: it has no [[team]]" : names) + ")");
    }
    const std::string secret = database.orgs().signing_secret(profile.id);
    const std::string& base = context.settings().server.public_url;
    std::cout << (base.empty() ? "http://HOST" : base) << booking::feed_path(secret, profile.organization.slug, member)
              << "\n";
    std::cerr << "Anyone with this URL can read the appointments: share it like a password. "
                 "`sonoria org secret --rotate` replaces every feed URL of the organization.\n";
  });

  auto* cancel = cmd->add_subcommand("cancel", "Cancel an appointment (as the owner: no notice period) and text the customer");
  cancel->add_option("REFERENCE", opts->reference, "The appointment's reference")->required();
  cancel->add_flag("--no-text", opts->no_text, "Do not text the customer");
  cancel->callback([&context, opts] {
    auto database = context.open_database();
    const auto found = database.appointments().find(0, opts->reference);
    if (!found) throw DataError("no appointment \"" + opts->reference + "\" (see `sonoria appointments list`)");
    const auto profile = find_organization(database, std::to_string(found->organization_id));
    booking::AppointmentBook book(database.appointments(), profile);
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    const auto result = book.cancel(found->reference, "", now);
    if (result.outcome != booking::Outcome::done)
      throw DataError("appointment " + found->reference + " is " + found->status + " already");
    std::cout << "cancelled " << result.appointment->reference << " (" << result.appointment->service << ", "
              << booking::local_start_text(profile, *result.appointment) << ")\n";
    if (!result.appointment->event_id.empty()) {
      // booking.mode = "google": the event goes from the calendar too.
      const std::string error = delete_calendar_event(context.settings().google, result.appointment->calendar_id,
                                                      result.appointment->event_id);
      if (error.empty()) std::cout << "removed from the calendar " << result.appointment->calendar_id << "\n";
      else std::cerr << "the calendar event was not removed (remove it by hand): " << error << "\n";
    }
    if (opts->no_text) return;
    const std::string from = profile.organization.phone_numbers.empty() ? context.settings().twilio.from
                                                                        : profile.organization.phone_numbers.front();
    const auto sms = tools::appointment_text(profile, {"", from}, *result.appointment, "cancelled");
    if (!sms || from.empty()) return;
    twilio::MessageResult sent;
    try {
      sent = send_text_message(twilio::rest_account_from(context.settings().twilio), {sms->to, from, "", sms->body, ""});
    } catch (const std::exception& e) {
      std::cerr << "the customer was not texted: " << e.what() << "\n";
      return;
    }
    db::MessageRecord record = tools::text_record(profile.id, *sms, from);
    record.status = sent.ok() ? sent.value->status : "failed";
    if (sent.ok()) record.message_sid = sent.value->sid;
    else record.error_message = sent.error ? sent.error->describe() : "no answer from Twilio";
    database.calls().write_batch({record});
    if (sent.ok()) std::cout << "texted " << sms->to << " (" << sent.value->sid << ")\n";
    else std::cerr << "the customer was not texted: " << record.error_message.value_or("") << "\n";
  });
}

}  // namespace sonoria::cli
