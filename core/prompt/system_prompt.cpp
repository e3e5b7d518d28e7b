#include "core/prompt/system_prompt.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "core/org/schedule.hpp"

namespace sonoria::prompt {
namespace {

bool has_tool(const PromptOptions& o, const std::string& name) {
  return std::find(o.tools.begin(), o.tools.end(), name) != o.tools.end();
}

std::string language_name(const std::string& code) {
  static const std::map<std::string, std::string> names = {
      {"en", "English"}, {"es", "Spanish"}, {"fr", "French"},     {"de", "German"},   {"it", "Italian"},
      {"pt", "Portuguese"}, {"nl", "Dutch"}, {"pl", "Polish"},     {"sv", "Swedish"},  {"ja", "Japanese"},
      {"zh", "Chinese"},  {"ko", "Korean"}, {"hi", "Hindi"},       {"ar", "Arabic"},   {"tr", "Turkish"},
  };
  auto it = names.find(code);
  return it == names.end() ? code : it->second;
}

std::string hours_line(const std::vector<org::TimeRange>& ranges) {
  if (ranges.empty()) return "closed";
  std::string out;
  for (const auto& r : ranges) {
    if (!out.empty()) out += " and ";
    out += org::format_hhmm(r.open_minute) + "-" + org::format_hhmm(r.close_minute);
  }
  return out;
}

std::string closure_line(const org::Closure& c) {
  std::string when = c.from == c.to ? c.from : c.from + " to " + c.to;
  return when + (c.reason.empty() ? "" : ": " + c.reason);
}

void section(std::ostringstream& out, const std::string& title) { out << "\n# " << title << "\n"; }

void write_today(std::ostringstream& out, const org::Profile& p, std::chrono::sys_seconds now, int horizon) {
  auto status = org::day_status(p, now);
  section(out, "Today");
  out << "It is " << status.weekday << " " << status.local_date << ", " << status.local_time << " local time ("
      << p.organization.timezone << ").\n";
  if (status.closed_for) {
    out << "- " << p.organization.name << " is closed today" << (status.closed_for->reason.empty() ? "" : " (" + status.closed_for->reason + ")")
        << ".\n";
  } else if (status.open_now && status.open_until) {
    out << "- " << p.organization.name << " is open now, until " << org::format_hhmm(status.open_until->minute_of_day)
        << ".\n";
  } else {
    out << "- " << p.organization.name << " is closed right now.\n";
  }
  if (!status.open_now) {
    if (status.next_opening)
      out << "- It next opens " << org::format_local_date_time(*status.next_opening) << ".\n";
    else
      out << "- No upcoming opening is scheduled; offer to take a message.\n";
  }
  auto closures = org::upcoming_closures(p, now, horizon);
  if (!closures.empty()) {
    out << "- Upcoming closures (the business is closed all day on these dates):\n";
    for (const auto& c : closures) out << "  - " << closure_line(c) << "\n";
  }
}

void write_facts(std::ostringstream& out, const org::Profile& p) {
  const auto& o = p.organization;
  section(out, "Opening hours (local time)");
  for (int d = 0; d < 7; ++d) out << "- " << org::weekday_name(d) << ": " << hours_line(p.hours.days[d]) << "\n";

  if (!o.locations.empty()) {
    section(out, o.locations.size() == 1 ? "Location" : "Locations");
    for (const auto& l : o.locations) {
      out << "- " << l.name;
      if (!l.address.empty()) out << ", " << l.address;
      if (!l.phone.empty()) out << " (phone " << l.phone << ")";
      if (!l.notes.empty()) out << ". " << l.notes;
      out << "\n";
    }
  }

  if (!p.services.empty()) {
    section(out, "Services and prices");
    for (const auto& s : p.services) {
      out << "- " << s.name;
      if (s.duration_minutes > 0) out << " (" << s.duration_minutes << " min)";
      out << ": " << (s.price_cents == 0 ? std::string("free") : org::format_price(s.price_cents, s.currency));
      if (!s.description.empty()) out << ". " << s.description;
      out << "\n";
    }
  }
  if (!p.add_ons.empty()) {
    section(out, "Add-ons");
    for (const auto& a : p.add_ons) {
      out << "- " << a.name << ": " << org::format_price(a.price_cents, p.services.empty() ? "USD" : p.services[0].currency);
      if (!a.description.empty()) out << ". " << a.description;
      out << "\n";
    }
  }
  if (!p.team.empty()) {
    section(out, "Team");
    for (const auto& t : p.team) {
      out << "- " << t.name;
      if (!t.role.empty()) out << ", " << t.role;
      if (!t.bio.empty()) out << ". " << t.bio;
      out << "\n";
    }
  }
  if (!p.faqs.empty()) {
    section(out, "Frequently asked questions");
    for (const auto& f : p.faqs) out << "Q: " << f.question << "\nA: " << f.answer << "\n";
  }

  const auto& b = p.booking;
  const bool keeps_book = b.mode == org::k_booking_built_in || b.mode == org::k_booking_google;
  bool any_rules = b.min_notice_hours || b.max_advance_days || b.cancellation_notice_hours || !b.policies.empty() ||
                   !o.booking_url.empty() || keeps_book;
  if (any_rules) {
    section(out, "Booking rules and policies");
    if (keeps_book) {
      out << "- You book appointments yourself in the appointment book"
          << (b.mode == org::k_booking_google ? " (the team's Google Calendars)" : "")
          << ": free times come only from check_availability, which already applies the opening hours, who "
             "performs each service, the notice and advance limits. Appointments start every "
          << b.slot_minutes << " minutes.\n";
      for (const auto& t : p.team) {
        if (t.services.empty()) continue;
        out << "- " << t.name << " does: ";
        for (std::size_t i = 0; i < t.services.size(); ++i) out << (i ? ", " : "") << t.services[i];
        out << ".\n";
      }
      if (b.reminder_hours)
        out << "- Callers get a confirmation text, and a reminder " << b.reminder_hours << " hours before.\n";
    }
    if (b.min_notice_hours) out << "- Bookings need at least " << b.min_notice_hours << " hours' notice.\n";
    if (b.max_advance_days) out << "- Bookings can be made up to " << b.max_advance_days << " days ahead.\n";
    if (b.cancellation_notice_hours)
      out << "- Cancellations and changes need " << b.cancellation_notice_hours << " hours' notice.\n";
    for (const auto& policy : b.policies) out << "- " << policy << "\n";
    if (!o.booking_url.empty() && !keeps_book)
      out << "- Online booking: " << o.booking_url << " (text it; never spell it out).\n";
    if (!o.portal_url.empty()) out << "- Customer portal for changes: " << o.portal_url << "\n";
  }
  if (!o.website.empty()) {
    section(out, "Website");
    out << o.website << "\n";
  }
}

void write_tools(std::ostringstream& out, const org::Profile& p, const PromptOptions& opts) {
  section(out, "Tools: when to use each");
  if (has_tool(opts, "send_booking_link"))
    out << "- send_booking_link: when the caller wants to book. You cannot see the calendar: never invent or promise "
           "time slots; text the booking link instead, after the caller agrees, and say it is on its way.\n";
  if (has_tool(opts, "send_reschedule_link"))
    out << "- send_reschedule_link: when the caller wants to move an existing booking.\n";
  if (has_tool(opts, "send_cancellation_link"))
    out << "- send_cancellation_link: when the caller wants to cancel; mention the cancellation policy first.\n";
  if (has_tool(opts, "check_availability"))
    out << "- check_availability: whenever the caller wants an appointment or asks when one is free. Ask which "
           "service first (and a preferred day or time), then offer two or three of the times it returns, in its "
           "words. Never offer a time it did not return.\n";
  if (has_tool(opts, "book_appointment"))
    out << "- book_appointment: once the caller has chosen a time and given their name. Repeat the service, day and "
           "time before you book; afterwards say it is booked and a confirmation text is on its way.\n";
  else if (has_tool(opts, "check_availability"))
    out << "- The caller's number is withheld, so you cannot book for them: tell them the free times and offer to "
           "take a message so the team can call them back.\n";
  if (has_tool(opts, "find_my_appointments"))
    out << "- find_my_appointments: before moving or cancelling, to find which appointment the caller means.\n";
  if (has_tool(opts, "reschedule_appointment"))
    out << "- reschedule_appointment: to move one to a time check_availability returned for the same service.\n";
  if (has_tool(opts, "cancel_appointment"))
    out << "- cancel_appointment: after the caller confirms which appointment; mention the cancellation policy "
           "first. If it is refused, read them the reason.\n";
  if (has_tool(opts, "query_knowledge"))
    out << "- query_knowledge: for any question about the business that the facts above do not answer (policies, "
           "preparation, insurance, parking, how something works). Search before you answer, never guess; answer "
           "in your own words, briefly, and do not read out sources. If it finds nothing relevant, say so.\n";
  if (has_tool(opts, "notify_owner"))
    out << "- notify_owner: when the caller wants to leave a message or be called back, or asks something these "
           "facts do not answer. Ask for their name and message, read the message back briefly, then send it.\n";
  if (has_tool(opts, "transfer_call")) {
    out << "- transfer_call: when the caller asks for a person, when it is urgent, or after you have failed to help "
           "twice. Say you are transferring them before you call it.";
    if (p.fallback_numbers.empty()) {
      out << " No transfer number is configured: offer to take a message instead.";
    } else {
      out << " Targets:";
      for (size_t i = 0; i < p.fallback_numbers.size(); ++i)
        out << (i ? "," : "") << " \"" << p.fallback_numbers[i].name << "\"" << (i == 0 ? " (default)" : "");
      out << ".";
    }
    out << "\n";
  }
  if (has_tool(opts, "end_call"))
    out << "- end_call: when the conversation is finished or the caller says goodbye. Say a short goodbye first, "
           "then call it. Do not end the call while the caller is still asking something.\n";
  out << "If a tool reports an error, tell the caller plainly and offer another way (a message or a transfer).\n";
}

}  // namespace

std::string build_system_prompt(const org::Profile& p, std::chrono::sys_seconds now, const PromptOptions& opts) {
  const auto& o = p.organization;
  const auto& a = p.assistant;
  std::ostringstream out;
  out << "# Role and objective\n";
  out << "You are " << a.name << ", the phone receptionist for " << o.name;
  if (!o.industry.empty()) out << " (" << o.industry << ")";
  out << ". " << (opts.outbound ? "You placed this call on behalf of " + o.name + ". " : "")
      << "Help callers with questions about " << o.name << " using only the facts below, help them book, change or "
      << "cancel appointments, take messages for the owner, and connect them with a person when needed.\n";

  section(out, "Personality and tone");
  if (!a.personality.empty()) out << a.personality << "\n";
  out << "- Speak " << language_name(a.language) << ". Keep answers short: one or two sentences, then let the caller "
      << "speak. Ask one question at a time.\n"
      << "- This is a phone call: no lists, markdown or emoji; say prices and times the way people say them.\n"
      << "- If you did not understand, ask the caller to repeat rather than guessing.\n";

  section(out, "Honesty");
  out << "- You are an AI assistant. If anyone asks whether they are talking to a person, a robot or an AI, say "
         "truthfully that you are an AI assistant for "
      << o.name << ".\n";
  if (opts.outbound) out << "- Say that you are an AI assistant calling for " << o.name << " at the start of the call.\n";
  out << "- Never invent facts: prices, hours, availability, staff or policies not listed here. If you do not know, "
         "say so and offer to take a message.\n";

  write_today(out, p, now, opts.closure_horizon_days);
  write_facts(out, p);
  write_tools(out, p, opts);
  return out.str();
}

std::string greeting_instruction(const org::Profile& p, bool outbound) {
  if (outbound)
    return "Greet the person who answered: say you are " + p.assistant.name + ", an AI assistant calling for " +
           p.organization.name + ", and ask whether now is a good time.";
  if (!p.assistant.greeting.empty())
    return "Greet the caller by saying exactly: \"" + p.assistant.greeting + "\"";
  return "Greet the caller warmly: thank them for calling " + p.organization.name + ", say you are " + p.assistant.name +
         ", and ask how you can help.";
}

std::string after_unanswered_transfer(const org::Profile& p, std::string_view dial_status,
                                      const std::vector<std::pair<std::string, std::string>>& earlier) {
  std::string why = dial_status == "busy"        ? "the line was busy"
                    : dial_status == "no-answer" ? "nobody picked up"
                                                 : "the call could not be connected";
  std::ostringstream out;
  out << "\n\n# The call so far\n"
      << "You tried to transfer this caller to a person at " << p.organization.name << ", but " << why
      << ". The caller is back on the line with you now; there is no one else to transfer to.\n";
  if (!earlier.empty()) {
    out << "\nWhat was said before the transfer:\n";
    for (const auto& [speaker, text] : earlier)
      if (!text.empty()) out << "- " << speaker << ": " << text << "\n";
  }
  out << "\nTake a message: ask for the caller's name and what it is about (and a callback number if it is "
         "not the one they are calling from), repeat it back briefly, then use notify_owner to pass it on. "
         "Tell the caller someone will get back to them, say goodbye, and use end_call. Do not try to transfer "
         "the call again.\n";
  return out.str();
}

std::string after_unanswered_transfer_greeting(const org::Profile& p) {
  return "Tell the caller, in one or two short sentences, that nobody at " + p.organization.name +
         " could pick up right now, and offer to take a message so someone calls them back.";
}

}  // namespace sonoria::prompt
