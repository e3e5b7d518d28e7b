#pragma once
// The appointment book's tools (booking.mode built_in or google):
//   check_availability(service, date?, to_date?, after?, before?, team_member?, location?)
//   book_appointment(service, start, customer_name, team_member?, location?)
//   find_my_appointments()
//   reschedule_appointment(appointment_id, new_start, team_member?, location?)
//   cancel_appointment(appointment_id)
// The caller's number comes from the call, never from the model: the last four are offered only
// when it is known. The handlers check and parse the arguments (services, people and locations
// are enums of the profile's names) and ask for the work (a UseBook effect); the daemon does it
// off the event loop and calls finish_booking_outcome() with what happened.

#include <optional>
#include <string>
#include <vector>

#include "core/booking/appointment_book.hpp"
#include "core/org/profile.hpp"
#include "core/tools/messaging.hpp"
#include "core/tools/registry.hpp"

namespace sonoria::tools {

// Adds the tools when the profile keeps a book; `profile` must outlive the registry.
void add_booking_tools(Registry& registry, const org::Profile& profile, const CallParties& parties);

// What the daemon found or did for a UseBook effect.
struct BookingAnswer {
  booking::AppointmentBook::Offer offer;          // check
  booking::BookResult result;                     // book, reschedule, cancel
  std::vector<db::Appointment> appointments;      // find
  std::optional<std::string> text_sid;            // the caller was texted about the change
  std::string text_error;                         // … or could not be ("" = not attempted or sent)
  std::string error;                              // the book could not be used at all (a sentence)
};

ToolOutcome finish_booking_outcome(const ToolOutcome& provisional, const UseBook& use, const BookingAnswer& answer,
                                   const org::Profile& profile);

// The text telling the caller about a change (confirmation, changed, cancelled) or reminding them,
// from the profile's template or a built-in one; nullopt when there is no number to text.
std::optional<SendSms> appointment_text(const org::Profile& profile, const CallParties& parties,
                                        const db::Appointment& appointment, std::string_view kind);

// The placeholder values of an appointment's texts ({{date}}, {{time}}, {{team_member}}, …).
std::map<std::string, std::string> appointment_values(const org::Profile& profile, const CallParties& parties,
                                                      const db::Appointment& appointment);

}  // namespace sonoria::tools

namespace sonoria::tools {
// The check's query with "from today" resolved on the business's clock at `now`.
booking::SlotQuery resolved_query(const UseBook& use, const org::Profile& profile, booking::Instant now);
}  // namespace sonoria::tools
