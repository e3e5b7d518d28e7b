// The appointment book's tools: offered with a book only (the booking ones only when the caller's
// number is known), arguments checked and parsed into a UseBook effect, the number from the call,
// the model's outputs, and the texts about an appointment.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/org/profile_toml.hpp"
#include "core/tools/booking_tools.hpp"
#include "core/tools/call_tools.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using nlohmann::json;

namespace {

org::Profile clinic() { return org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml"); }

const tools::CallParties k_parties{"+15557770001", "+15550004000"};

tools::UseBook effect_of(const tools::ToolOutcome& outcome) {
  REQUIRE(std::holds_alternative<tools::UseBook>(outcome.effect));
  return std::get<tools::UseBook>(outcome.effect);
}

}  // namespace

TEST_CASE("the book's tools are offered with a book, and the booking ones only with the caller's number") {
  const auto profile = clinic();
  tools::Registry registry;
  tools::add_call_tools(registry, profile, k_parties, {});
  const auto names = registry.names();
  for (const char* name : {"check_availability", "book_appointment", "find_my_appointments", "reschedule_appointment",
                           "cancel_appointment"})
    CHECK(std::find(names.begin(), names.end(), name) != names.end());
  CHECK(std::find(names.begin(), names.end(), "send_booking_link") == names.end());  // no links with a book

  tools::Registry withheld;
  tools::add_booking_tools(withheld, profile, {"", "+15550004000"});
  CHECK(withheld.names() == std::vector<std::string>{"check_availability"});

  auto link = profile;
  link.booking.mode = "link";
  tools::Registry none;
  tools::add_booking_tools(none, link, k_parties);
  CHECK(none.names().empty());

  // Services, people and locations are the profile's names, as enums.
  const auto schema = registry.session_tools();
  for (const auto& tool : schema) {
    if (tool["name"] != "check_availability") continue;
    CHECK(tool["parameters"]["properties"]["service"]["enum"] ==
          json::array({"Initial assessment", "Follow-up treatment", "Sports massage"}));
    CHECK(tool["parameters"]["properties"]["team_member"]["enum"] == json::array({"Dr. Elena Park", "Tom Reyes"}));
    CHECK(tool["parameters"]["properties"]["location"]["enum"] == json::array({"Midtown", "Brooklyn"}));
  }
}

TEST_CASE("arguments become a UseBook; the caller's number is the call's, whatever the model says") {
  const auto profile = clinic();
  tools::Registry registry;
  tools::add_booking_tools(registry, profile, k_parties);

  auto check = effect_of(registry.run("check_availability",
                                      R"({"service":"Sports massage","date":"2026-12-07","to_date":"2026-12-09","after":"12:00"})"));
  CHECK(check.action == tools::UseBook::Action::check);
  CHECK(check.query.service == "Sports massage");
  CHECK(check.days == 3);
  CHECK(check.query.earliest_minute == 720);
  CHECK(check.query.latest_minute == 1440);

  auto book = effect_of(registry.run("book_appointment",
                                     R"({"service":"Follow-up treatment","start":"2026-12-07 13:00","customer_name":"Ana"})"));
  CHECK(book.request.customer_phone == "+15557770001");
  CHECK(book.request.start.minute_of_day == 13 * 60);
  // The schema has no phone argument at all: a model inventing one is refused.
  CHECK(!registry.run("book_appointment", R"({"service":"Follow-up treatment","start":"2026-12-07 13:00","customer_name":"Ana","customer_phone":"+1999"})").ok);

  auto refused = registry.run("check_availability", R"({"service":"Sports massage","team_member":"Dr. Elena Park"})");
  CHECK(!refused.ok);
  CHECK(refused.output_json.find("Dr. Elena Park does not do Sports massage (Tom Reyes does).") != std::string::npos);
  CHECK(registry.run("check_availability", R"({"service":"Sports massage","date":"tomorrow"})").output_json.find(
            "is not a date (expected YYYY-MM-DD)") != std::string::npos);
  CHECK(registry.run("check_availability", R"({"service":"Sports massage","date":"2026-12-01","to_date":"2026-12-31"})")
            .output_json.find("14 days or fewer") != std::string::npos);
  CHECK(registry.run("book_appointment", R"({"service":"Sports massage","start":"Monday at ten","customer_name":"A"})")
            .output_json.find("is not a time from check_availability") != std::string::npos);
  CHECK(!registry.run("check_availability", R"({"service":"Pilates"})").ok);  // not one of the enum

  const auto today = tools::resolved_query(tools::UseBook{}, profile, booking::Instant{std::chrono::seconds{1765040400}});
  CHECK(today.first_day == *org::parse_date("2025-12-06"));  // 17:00Z is noon in New York
  CHECK(today.last_day == today.first_day);
}

TEST_CASE("what the model hears: slots in words, a booking with its reference and the text's fate, a taken slot") {
  const auto profile = clinic();
  tools::UseBook check;
  check.action = tools::UseBook::Action::check;
  check.query.service = "Initial assessment";
  tools::BookingAnswer answer;
  answer.offer.slots = {booking::Slot{{}, {}, {*org::parse_date("2026-12-07"), 9 * 60}, "member:Dr. Elena Park",
                                      "Dr. Elena Park", "Midtown"}};
  const auto offered = json::parse(tools::finish_booking_outcome({}, check, answer, profile).output_json);
  CHECK(offered["slots"][0]["start"] == "2026-12-07 09:00");
  CHECK(offered["slots"][0]["when"] == "Monday, December 7 at 9:00 AM");
  CHECK(offered["slots"][0]["team_member"] == "Dr. Elena Park");

  tools::UseBook book;
  book.action = tools::UseBook::Action::book;
  db::Appointment a;
  a.reference = "K7Q2XM";
  a.service = "Initial assessment";
  a.team_member = "Dr. Elena Park";
  a.location = "Midtown";
  a.starts_at = 1765202400;  // 2025-12-08 09:00 in New York
  a.ends_at = a.starts_at + 3600;
  a.customer_name = "Ana";
  a.customer_phone = "+15557770001";
  tools::BookingAnswer booked;
  booked.result.appointment = a;
  booked.text_sid = "SM1";
  const auto done = tools::finish_booking_outcome({}, book, booked, profile);
  CHECK(done.ok);
  const auto j = json::parse(done.output_json);
  CHECK(j["status"] == "booked");
  CHECK(j["appointment"]["appointment_id"] == "K7Q2XM");
  CHECK(j["appointment"]["when"] == "Monday, December 8 at 9:00 AM");
  CHECK(j["text"] == "A text with the details is on its way to the caller.");
  CHECK(done.transcript_note == "Booked Initial assessment on Monday, December 8 at 9:00 AM with Dr. Elena Park (K7Q2XM)");

  tools::BookingAnswer taken;
  taken.result.outcome = booking::Outcome::taken;
  const auto no = tools::finish_booking_outcome({}, book, taken, profile);
  CHECK(!no.ok);
  CHECK(json::parse(no.output_json)["alternatives"].empty());
}

TEST_CASE("texts about an appointment: the profile's template with the date and time in the caller's language") {
  auto profile = clinic();
  db::Appointment a;
  a.reference = "K7Q2XM";
  a.service = "Follow-up treatment";
  a.team_member = "Tom Reyes";
  a.location = "Brooklyn";
  a.starts_at = 1765202400;
  a.ends_at = a.starts_at + 1800;
  a.customer_name = "Ana";
  a.customer_phone = "+15557770001";
  const auto sms = tools::appointment_text(profile, k_parties, a, "confirmation");
  REQUIRE(sms);
  CHECK(sms->to == "+15557770001");
  CHECK(sms->purpose == "appointment_confirmation");
  CHECK(sms->body == "Hi Ana, you're booked for Follow-up treatment with Tom Reyes on Monday, December 8 at 9:00 AM, "
                     "Harbor Physiotherapy Brooklyn (45 Court Street, Brooklyn). To change it, call +15550004000.");
  profile.sms_templates.cancelled = "Su cita de {{service}} del {{date}} a las {{time}} está cancelada ({{reference}}).";
  profile.assistant.language = "es";
  CHECK(tools::appointment_text(profile, k_parties, a, "cancelled")->body ==
        "Su cita de Follow-up treatment del lunes 8 de diciembre a las 09:00 está cancelada (K7Q2XM).");
  // Without a template, a built-in English one.
  profile.sms_templates.reminder.clear();
  profile.assistant.language = "en";
  CHECK(tools::appointment_text(profile, k_parties, a, "reminder")->body ==
        "Harbor Physiotherapy: a reminder of your Follow-up treatment on Monday, December 8 at 9:00 AM with Tom Reyes, "
        "Brooklyn (45 Court Street, Brooklyn). Reference K7Q2XM.");
}
