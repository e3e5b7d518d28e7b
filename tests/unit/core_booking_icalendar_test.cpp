// The appointment book's iCalendar feed, read back by libical (a real RFC 5545 parser): no parse
// errors, RFC 5546 PUBLISH restrictions met, the events' times, text escaping and line folding;
// and the feed's private path.
#include <doctest/doctest.h>
#include <libical/ical.h>

#include "core/booking/icalendar.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;

namespace {

db::Appointment appointment(const char* reference, int64_t starts_at, const char* status = "booked") {
  db::Appointment a;
  a.reference = reference;
  a.service = "Initial assessment";
  a.team_member = "Dr. Elena Park";
  a.location = "Midtown";
  a.starts_at = starts_at;
  a.ends_at = starts_at + 3600;
  a.busy_until = a.ends_at + 600;
  a.customer_name = "Ana, \"the runner\"; Lima \\ with a name long enough to fold the line — ünïcödé";
  a.customer_phone = "+15557770001";
  a.status = status;
  a.created_at = "2026-12-06T17:00:00.000Z";
  a.updated_at = "2026-12-06T17:05:00.000Z";
  return a;
}

int count_errors(icalcomponent* c) { return icalcomponent_count_errors(c); }

}  // namespace

TEST_CASE("the feed parses cleanly with libical and says what the book says") {
  const auto profile = org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml");
  const int64_t monday_9am = 1765152000 + 14 * 3600;  // 2025-12-08T14:00Z is 09:00 in New York
  const std::string text = booking::icalendar_feed(
      profile, {appointment("K7Q2XM", monday_9am), appointment("MNP346", monday_9am + 86400, "cancelled")}, "", 1765040400);

  // Lines end in CRLF and none is longer than 75 octets.
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    REQUIRE(end != std::string::npos);
    CHECK(end - start <= 75);
    start = end + 2;
  }

  icalcomponent* calendar = icalparser_parse_string(text.c_str());
  REQUIRE(calendar != nullptr);
  CHECK(icalcomponent_isa(calendar) == ICAL_VCALENDAR_COMPONENT);
  CHECK(count_errors(calendar) == 0);
  CHECK(icalrestriction_check(calendar) == 1);
  CHECK_MESSAGE(count_errors(calendar) == 0, std::string(icalcomponent_as_ical_string(calendar)));

  int events = 0;
  for (icalcomponent* e = icalcomponent_get_first_component(calendar, ICAL_VEVENT_COMPONENT); e;
       e = icalcomponent_get_next_component(calendar, ICAL_VEVENT_COMPONENT)) {
    ++events;
    const std::string uid = icalcomponent_get_uid(e);
    const icaltimetype dtstart = icalcomponent_get_dtstart(e);
    CHECK(icaltime_is_utc(dtstart));
    CHECK(icaltime_as_timet(dtstart) == (uid == "K7Q2XM@harbor-physio.sonoria" ? monday_9am : monday_9am + 86400));
    CHECK(icaltime_as_timet(icalcomponent_get_dtend(e)) - icaltime_as_timet(dtstart) == 3600);
    CHECK(std::string(icalcomponent_get_summary(e)) ==
          "Initial assessment – Ana, \"the runner\"; Lima \\ with a name long enough to fold the line — ünïcödé");
    CHECK(std::string(icalcomponent_get_location(e)) == "Midtown, 210 West 36th Street, 4th floor, New York");
    CHECK(icalcomponent_get_status(e) == (uid == "K7Q2XM@harbor-physio.sonoria" ? ICAL_STATUS_CONFIRMED : ICAL_STATUS_CANCELLED));
  }
  CHECK(events == 2);
  icalcomponent_free(calendar);

  // Without the owner's email: no organizer, so a plain calendar rather than a PUBLISH message.
  auto anonymous = profile;
  anonymous.organization.owner.email.clear();
  const std::string plain = booking::icalendar_feed(anonymous, {appointment("K7Q2XM", monday_9am)}, "", 1765040400);
  CHECK(plain.find("METHOD:") == std::string::npos);
  CHECK(plain.find("ORGANIZER") == std::string::npos);
  icalcomponent* parsed = icalparser_parse_string(plain.c_str());
  REQUIRE(parsed != nullptr);
  CHECK(count_errors(parsed) == 0);
  icalcomponent_free(parsed);
}

TEST_CASE("feed paths: a token per organization and member, parsed back, and member names as slugs") {
  CHECK(booking::member_slug("Dr. Elena Park") == "dr-elena-park");
  CHECK(booking::member_slug("  Tom  Reyes ") == "tom-reyes");
  const std::string path = booking::feed_path("secret-a", "harbor-physio", "dr-elena-park");
  const auto parsed = booking::parse_feed_path(path);
  REQUIRE(parsed);
  CHECK(parsed->org_slug == "harbor-physio");
  CHECK(parsed->member_slug == "dr-elena-park");
  CHECK(parsed->token == booking::feed_token("secret-a", "harbor-physio", "dr-elena-park"));
  CHECK(parsed->token.size() == 32);
  CHECK(booking::feed_token("secret-b", "harbor-physio", "dr-elena-park") != parsed->token);  // rotating revokes
  CHECK(booking::feed_token("secret-a", "harbor-physio", "") != parsed->token);
  CHECK(!booking::parse_feed_path("/calendar/abc.ics"));
  CHECK(!booking::parse_feed_path("/calendar/a/b/c/d.ics"));
  CHECK(!booking::parse_feed_path("/calendar/a//b.ics"));
  CHECK(!booking::parse_feed_path("/api/calls"));
}
