#include "core/tools/booking_tools.hpp"

#include <algorithm>

#include "core/booking/local_clock.hpp"
#include "core/booking/when_text.hpp"
#include "core/org/templates.hpp"

namespace sonoria::tools {
namespace {

using nlohmann::json;

constexpr int k_name_max = 100;
constexpr int k_max_days = 14;

const char* const k_default_confirmation =
    "{{org_name}}: you're booked for {{service}} on {{date}} at {{time}}{{with}}{{at}}. Reference {{reference}}.";
const char* const k_default_changed =
    "{{org_name}}: your {{service}} is moved to {{date}} at {{time}}{{with}}{{at}}. Reference {{reference}}.";
const char* const k_default_cancelled =
    "{{org_name}}: your {{service}} on {{date}} at {{time}} is cancelled. Reference {{reference}}.";
const char* const k_default_reminder =
    "{{org_name}}: a reminder of your {{service}} on {{date}} at {{time}}{{with}}{{at}}. Reference {{reference}}.";

json names_of(const auto& items) {
  json names = json::array();
  for (const auto& item : items) names.push_back(item.name);
  return names;
}

json string_property(const char* description, int max = k_name_max) {
  return {{"type", "string"}, {"maxLength", max}, {"description", description}};
}

json enum_property(const json& names, const char* description) {
  return {{"type", "string"}, {"enum", names}, {"description", description}};
}

// The optional team_member / location properties, only when there is a choice to make.
void add_choices(json& properties, const org::Profile& profile) {
  if (!profile.team.empty())
    properties["team_member"] = enum_property(names_of(profile.team), "Only if the caller asks for this person.");
  if (profile.organization.locations.size() > 1)
    properties["location"] =
        enum_property(names_of(profile.organization.locations), "Only if the caller asks for this location.");
}

json object_schema(json properties, std::vector<std::string> required) {
  json schema = {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}};
  if (!required.empty()) schema["required"] = required;
  return schema;
}

// "Tom Reyes does not do Initial assessment (Dr. Elena Park does)": the model can say so.
std::optional<std::string> check_member(const org::Profile& profile, const std::string& member, const std::string& service) {
  if (member.empty() || service.empty()) return std::nullopt;
  const auto columns = booking::columns_for(profile, service);
  if (std::any_of(columns.begin(), columns.end(), [&](const auto& c) { return c.team_member == member; }))
    return std::nullopt;
  std::string who;
  for (const auto& c : columns)
    if (!c.team_member.empty() && who.find(c.team_member) == std::string::npos) who += (who.empty() ? "" : ", ") + c.team_member;
  return member + " does not do " + service + (who.empty() ? std::string(".") : " (" + who + " does).");
}

json slot_json(const booking::Slot& slot, const org::Profile& profile) {
  json j = {{"start", booking::format_local(slot.local)},
            {"when", booking::when_text(slot.local, profile.assistant.language)}};
  if (!slot.team_member.empty()) j["team_member"] = slot.team_member;
  if (!slot.location.empty()) j["location"] = slot.location;
  return j;
}

json slots_json(const std::vector<booking::Slot>& slots, const org::Profile& profile) {
  json list = json::array();
  for (const auto& slot : slots) list.push_back(slot_json(slot, profile));
  return list;
}

json appointment_json(const db::Appointment& a, const org::Profile& profile) {
  const booking::LocalClock clock(profile.organization.timezone);
  const auto local = clock.local(booking::Instant{std::chrono::seconds{a.starts_at}});
  json j = {{"appointment_id", a.reference},
            {"service", a.service},
            {"start", booking::format_local(local)},
            {"when", booking::when_text(local, profile.assistant.language)},
            {"duration_minutes", (a.ends_at - a.starts_at) / 60}};
  if (!a.team_member.empty()) j["team_member"] = a.team_member;
  if (!a.location.empty()) j["location"] = a.location;
  return j;
}

std::optional<org::LocalDateTime> start_arg(const json& args, const char* name) {
  return booking::parse_local_date_time(string_arg(args, name));
}

std::string text_note(const BookingAnswer& answer) {
  if (answer.text_sid) return "A text with the details is on its way to the caller.";
  if (!answer.text_error.empty()) return "The text with the details could not be sent (" + answer.text_error + ").";
  return "";
}

}  // namespace

booking::SlotQuery resolved_query(const UseBook& use, const org::Profile& profile, booking::Instant now) {
  booking::SlotQuery query = use.query;
  if (!query.first_day.ok()) query.first_day = booking::local_today(profile, now);
  query.last_day = std::chrono::year_month_day{std::chrono::sys_days{query.first_day} + std::chrono::days{std::max(1, use.days) - 1}};
  return query;
}

void add_booking_tools(Registry& registry, const org::Profile& profile, const CallParties& parties) {
  if (profile.booking.mode != org::k_booking_built_in && profile.booking.mode != org::k_booking_google) return;
  const json services = names_of(profile.services);

  json check_properties = {
      {"service", enum_property(services, "The service the caller wants.")},
      {"date", string_property("The first day to look at, YYYY-MM-DD (default: today).", 10)},
      {"to_date", string_property("The last day to look at, YYYY-MM-DD, at most 14 days after date (default: date).", 10)},
      {"after", string_property("Only times from HH:MM on (\"in the afternoon\": 12:00).", 5)},
      {"before", string_property("Only times up to HH:MM.", 5)}};
  add_choices(check_properties, profile);
  registry.add({"check_availability",
                "Find free appointment times in the appointment book. Always use it before offering or booking a "
                "time; never guess. Read the caller two or three of the times it returns, in its own words (\"when\").",
                object_schema(check_properties, {"service"})},
               [&profile](const json& args) {
                 UseBook use;
                 use.action = UseBook::Action::check;
                 use.query.service = string_arg(args, "service");
                 use.query.team_member = string_arg(args, "team_member");
                 use.query.location = string_arg(args, "location");
                 if (auto problem = check_member(profile, use.query.team_member, use.query.service))
                   return tool_failure(*problem);
                 const std::string date = string_arg(args, "date");
                 const std::string to_date = string_arg(args, "to_date");
                 if (!date.empty()) {
                   const auto first = org::parse_date(date);
                   if (!first) return tool_failure("date \"" + date + "\" is not a date (expected YYYY-MM-DD)");
                   use.query.first_day = *first;
                 }
                 if (!to_date.empty()) {
                   const auto last = org::parse_date(to_date);
                   if (!last) return tool_failure("to_date \"" + to_date + "\" is not a date (expected YYYY-MM-DD)");
                   if (!use.query.first_day.ok())
                     return tool_failure("to_date needs date, the first day to look at (YYYY-MM-DD)");
                   use.days = static_cast<int>((std::chrono::sys_days{*last} - std::chrono::sys_days{use.query.first_day}).count()) + 1;
                   if (use.days < 1) return tool_failure("to_date is before date");
                   if (use.days > k_max_days) return tool_failure("look at 14 days or fewer at a time (to_date is too far after date)");
                 }
                 for (const auto& [name, out] : {std::pair{"after", &use.query.earliest_minute}, std::pair{"before", &use.query.latest_minute}}) {
                   const std::string text = string_arg(args, name);
                   if (text.empty()) continue;
                   const auto minute = org::parse_hhmm(text);
                   if (!minute) return tool_failure(std::string(name) + " \"" + text + "\" is not a time (expected HH:MM, 24-hour)");
                   *out = *minute;
                 }
                 return tool_success({{"status", "looking"}}, use);
               });

  // The rest act on the caller's own appointments, known by their number.
  if (parties.caller_number.empty()) return;
  const std::string caller = parties.caller_number;

  json book_properties = {
      {"service", enum_property(services, "The service to book.")},
      {"start", string_property("The start exactly as check_availability gave it: YYYY-MM-DD HH:MM.", 16)},
      {"customer_name", string_property("The caller's name, as they gave it.")}};
  add_choices(book_properties, profile);
  registry.add({"book_appointment",
                "Book an appointment at a time check_availability returned, once the caller has chosen it and "
                "given their name. The caller's phone number is taken from the call. They get a confirmation text.",
                object_schema(book_properties, {"service", "start", "customer_name"})},
               [&profile, caller](const json& args) {
                 UseBook use;
                 use.action = UseBook::Action::book;
                 auto& r = use.request;
                 r.service = string_arg(args, "service");
                 r.team_member = string_arg(args, "team_member");
                 r.location = string_arg(args, "location");
                 r.customer_name = string_arg(args, "customer_name");
                 r.customer_phone = caller;
                 if (r.customer_name.empty()) return tool_failure("customer_name is empty: ask the caller for their name");
                 if (auto problem = check_member(profile, r.team_member, r.service)) return tool_failure(*problem);
                 const auto start = start_arg(args, "start");
                 if (!start) return tool_failure("start \"" + string_arg(args, "start") + "\" is not a time from check_availability (expected YYYY-MM-DD HH:MM)");
                 r.start = *start;
                 return tool_success({{"status", "booking"}}, use);
               });

  registry.add({"find_my_appointments",
                "Look up the caller's upcoming appointments (by the number they are calling from), e.g. before "
                "moving or cancelling one.",
                object_schema(json::object(), {})},
               [](const json&) {
                 UseBook use;
                 use.action = UseBook::Action::find;
                 return tool_success({{"status", "looking"}}, use);
               });

  json move_properties = {
      {"appointment_id", string_property("The appointment_id from find_my_appointments.", 12)},
      {"new_start", string_property("The new start exactly as check_availability gave it: YYYY-MM-DD HH:MM.", 16)}};
  add_choices(move_properties, profile);
  registry.add({"reschedule_appointment",
                "Move one of the caller's appointments to a new time that check_availability returned for the same "
                "service. They get a text with the new time.",
                object_schema(move_properties, {"appointment_id", "new_start"})},
               [](const json& args) {
                 UseBook use;
                 use.action = UseBook::Action::reschedule;
                 use.reference = string_arg(args, "appointment_id");
                 use.request.team_member = string_arg(args, "team_member");
                 use.request.location = string_arg(args, "location");
                 const auto start = start_arg(args, "new_start");
                 if (!start) return tool_failure("new_start \"" + string_arg(args, "new_start") + "\" is not a time from check_availability (expected YYYY-MM-DD HH:MM)");
                 use.request.start = *start;
                 return tool_success({{"status", "moving"}}, use);
               });

  registry.add({"cancel_appointment",
                "Cancel one of the caller's appointments once they have confirmed which one. They get a text.",
                object_schema({{"appointment_id", string_property("The appointment_id from find_my_appointments.", 12)}},
                              {"appointment_id"})},
               [](const json& args) {
                 UseBook use;
                 use.action = UseBook::Action::cancel;
                 use.reference = string_arg(args, "appointment_id");
                 return tool_success({{"status", "cancelling"}}, use);
               });
}

std::map<std::string, std::string> appointment_values(const org::Profile& profile, const CallParties& parties,
                                                      const db::Appointment& a) {
  auto values = template_values(profile, parties, json{{"customer_name", a.customer_name}, {"service", a.service}});
  const booking::LocalClock clock(profile.organization.timezone);
  const auto local = clock.local(booking::Instant{std::chrono::seconds{a.starts_at}});
  values["date"] = booking::date_text(local, profile.assistant.language);
  values["time"] = booking::time_text(local, profile.assistant.language);
  values["team_member"] = a.team_member;
  values["reference"] = a.reference;
  values["location"] = a.location;
  for (const auto& l : profile.organization.locations)
    if (l.name == a.location && !l.address.empty()) values["location"] = a.location + " (" + l.address + ")";
  // Only for the built-in texts.
  values["with"] = a.team_member.empty() ? "" : " with " + a.team_member;
  values["at"] = a.location.empty() ? "" : ", " + values["location"];
  return values;
}

std::optional<SendSms> appointment_text(const org::Profile& profile, const CallParties& parties,
                                        const db::Appointment& appointment, std::string_view kind) {
  if (appointment.customer_phone.empty()) return std::nullopt;
  const org::SmsTemplates& t = profile.sms_templates;
  std::string tmpl;
  if (kind == "confirmation") tmpl = t.confirmation.empty() ? k_default_confirmation : t.confirmation;
  else if (kind == "changed") tmpl = t.changed.empty() ? k_default_changed : t.changed;
  else if (kind == "cancelled") tmpl = t.cancelled.empty() ? k_default_cancelled : t.cancelled;
  else tmpl = t.reminder.empty() ? k_default_reminder : t.reminder;
  SendSms sms;
  sms.to = appointment.customer_phone;
  sms.body = org::render_template(tmpl, appointment_values(profile, parties, appointment));
  sms.purpose = "appointment_" + std::string(kind);
  sms.recipient = "you";
  return sms;
}

ToolOutcome finish_booking_outcome(const ToolOutcome& provisional, const UseBook& use, const BookingAnswer& answer,
                                   const org::Profile& profile) {
  ToolOutcome out;
  if (!answer.error.empty()) {
    out = tool_failure("The appointment book cannot be used right now (" + answer.error +
                       "). Apologise and offer to take a message for the team instead.");
    out.repeat_key = provisional.repeat_key;
    return out;
  }
  const auto& result = answer.result;
  switch (use.action) {
    case UseBook::Action::check: {
      json fields = {{"service", use.query.service}, {"slots", slots_json(answer.offer.slots, profile)}};
      if (answer.offer.slots.empty())
        fields["note"] = "Nothing is free in the next " + std::to_string(booking::AppointmentBook::k_look_ahead_days) +
                         " days after the days asked for. Say so, and offer to take a message for the team.";
      else if (answer.offer.looked_further)
        fields["note"] = "Nothing is free on the day(s) asked for; these are the next free times.";
      out = tool_success(std::move(fields));
      break;
    }
    case UseBook::Action::find: {
      json list = json::array();
      for (const auto& a : answer.appointments) list.push_back(appointment_json(a, profile));
      json fields = {{"appointments", list}};
      if (list.empty()) fields["note"] = "No upcoming appointments are booked from this phone number.";
      out = tool_success(std::move(fields));
      break;
    }
    case UseBook::Action::book:
    case UseBook::Action::reschedule:
    case UseBook::Action::cancel: {
      if (result.outcome == booking::Outcome::taken) {
        json j = {{"ok", false},
                  {"error", "That time is not free (it may just have been taken)."},
                  {"alternatives", slots_json(result.alternatives, profile)}};
        if (result.alternatives.empty()) j["note"] = "Nothing else is free that week: suggest another day with check_availability.";
        out = {j.dump(-1, ' ', false, json::error_handler_t::replace), NoEffect{}, false};
        break;
      }
      if (result.outcome != booking::Outcome::done) {
        out = tool_failure(result.message);
        break;
      }
      const db::Appointment& a = *result.appointment;
      const char* status = use.action == UseBook::Action::book ? "booked"
                           : use.action == UseBook::Action::reschedule ? "moved" : "cancelled";
      json fields = {{"status", status}, {"appointment", appointment_json(a, profile)}};
      if (result.before) fields["was"] = appointment_json(*result.before, profile)["when"];
      if (const auto note = text_note(answer); !note.empty()) fields["text"] = note;
      if (use.action == UseBook::Action::book && !profile.booking.policies.empty()) fields["policies"] = profile.booking.policies;
      out = tool_success(std::move(fields));
      const std::string who = a.team_member.empty() ? "" : " with " + a.team_member;
      out.transcript_note = std::string(status == std::string("booked") ? "Booked " : status == std::string("moved") ? "Moved " : "Cancelled ") +
                            a.service + " on " + booking::describe_start(profile, a) + who + " (" + a.reference + ")";
      break;
    }
  }
  out.repeat_key = provisional.repeat_key;
  return out;
}

}  // namespace sonoria::tools
