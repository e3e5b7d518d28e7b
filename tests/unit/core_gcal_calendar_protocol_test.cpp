// Google Calendar's wire: freeBusy requests and answers, event URLs, ids and bodies, and what each
// error means for a caller and for retrying.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/gcal/calendar_protocol.hpp"

using namespace sonoria;

TEST_CASE("freeBusy: the request, and the answer's busy times and errors per calendar") {
  const auto body = nlohmann::json::parse(gcal::freebusy_body({"a@group.calendar.google.com", "b"}, 1765202400,
                                                              1765288800, "America/New_York"));
  CHECK(body["timeMin"] == "2025-12-08T14:00:00Z");
  CHECK(body["timeMax"] == "2025-12-09T14:00:00Z");
  CHECK(body["items"][0]["id"] == "a@group.calendar.google.com");
  CHECK(body["timeZone"] == "America/New_York");
  CHECK(gcal::freebusy_url("https://www.googleapis.com/calendar/v3") == "https://www.googleapis.com/calendar/v3/freeBusy");

  const auto answer = gcal::read_freebusy(R"({"kind":"calendar#freeBusy","calendars":{
      "a":{"busy":[{"start":"2025-12-08T14:00:00Z","end":"2025-12-08T15:00:00Z"},
                   {"start":"2025-12-08T10:30:00-05:00","end":"2025-12-08T11:00:00-05:00"}]},
      "b":{"errors":[{"domain":"global","reason":"notFound"}],"busy":[]}}})");
  REQUIRE(answer);
  REQUIRE(answer->busy.at("a").size() == 2);
  CHECK(answer->busy.at("a")[0] == gcal::Interval{1765202400, 1765206000});
  CHECK(answer->busy.at("a")[1] == gcal::Interval{1765207800, 1765209600});  // 15:30Z-16:00Z
  CHECK(answer->errors.at("b") == "notFound");
  CHECK(!gcal::read_freebusy("{}"));
  // Whatever else arrives is not an answer, and never an exception.
  for (const char* odd : {R"({"calendars":{"a":{"errors":["x"]}}})", R"({"calendars":{"a":{"busy":[{"start":"2025-12-08T10:30:00+ab:00","end":"2025-12-08T11:00:00Z"}]}}})",
                          R"({"calendars":{"a":{"busy":[{"start":5,"end":null}]}}})", R"({"calendars":[]})", "null", ""}) {
    CAPTURE(odd);
    CHECK_NOTHROW(gcal::read_freebusy(odd));
  }
  const auto fraction = gcal::read_freebusy(R"({"calendars":{"a":{"busy":[{"start":"2025-12-08T14:00:00.000Z","end":"2025-12-08T09:30:00.5-05:00"}]}}})");
  REQUIRE(fraction);
  CHECK(fraction->busy.at("a")[0] == gcal::Interval{1765202400, 1765204200});
  CHECK(!gcal::read_freebusy(R"({"calendars":{"a":{"busy":[{"start":"yesterday"}]}}})"));
}

TEST_CASE("events: URLs with encoded ids, our own event ids, and the event body") {
  CHECK(gcal::events_url("https://g/calendar/v3", "elena@group.calendar.google.com") ==
        "https://g/calendar/v3/calendars/elena%40group.calendar.google.com/events");
  CHECK(gcal::events_url("https://g/calendar/v3", "c", "e/1") == "https://g/calendar/v3/calendars/c/events/e%2F1");
  // base32hex: 0-9 and a-v only, 5 to 1024 characters.
  const std::string id = gcal::event_id_for("K7Q2XM");
  CHECK(id == "sonoria4b375132584d");
  CHECK(id.find_first_not_of("0123456789abcdefghijklmnopqrstuv") == std::string::npos);

  org::Profile profile;
  profile.organization.timezone = "America/New_York";
  profile.organization.locations = {{"Midtown", "210 West 36th Street", "", "", std::nullopt, ""}};
  profile.assistant.name = "Nora";
  db::Appointment a;
  a.reference = "K7Q2XM";
  a.service = "Follow-up";
  a.customer_name = "Ana";
  a.customer_phone = "+15557770001";
  a.location = "Midtown";
  a.starts_at = 1765202400;
  a.ends_at = 1765204200;
  const auto event = nlohmann::json::parse(gcal::event_body(profile, a, true));
  CHECK(event["id"] == id);
  CHECK(event["start"]["dateTime"] == "2025-12-08T14:00:00Z");
  CHECK(event["end"]["dateTime"] == "2025-12-08T14:30:00Z");
  CHECK(event["start"]["timeZone"] == "America/New_York");
  CHECK(event["location"] == "Midtown, 210 West 36th Street");
  CHECK(event["extendedProperties"]["private"]["sonoria_reference"] == "K7Q2XM");
  CHECK(!nlohmann::json::parse(gcal::event_body(profile, a, false)).contains("id"));
}

TEST_CASE("errors: what is retried, what needs a new token, and what the assistant can say") {
  const auto rate = gcal::read_google_error(
      403, R"({"error":{"code":403,"message":"Rate Limit Exceeded","errors":[{"domain":"usageLimits","reason":"rateLimitExceeded"}]}})");
  CHECK(rate.reason == "rateLimitExceeded");
  CHECK(rate.retryable());
  const auto forbidden = gcal::read_google_error(403, R"({"error":{"code":403,"errors":[{"reason":"forbidden"}]}})");
  CHECK(!forbidden.retryable());
  CHECK(forbidden.explain().find("not shared with sonoria's service account") != std::string::npos);
  CHECK(gcal::read_google_error(404, "{}").explain().find("calendar_id") != std::string::npos);
  CHECK(gcal::read_google_error(429, "").retryable());
  CHECK(gcal::read_google_error(503, "<html>").retryable());
  CHECK(gcal::GoogleError{0, "transport", "refused"}.retryable());
  CHECK(gcal::read_google_error(401, "{}").needs_new_token());
  CHECK(!gcal::read_google_error(409, "{}").retryable());
  CHECK_NOTHROW(gcal::read_google_error(500, R"({"error":{"message":5,"errors":["x",1]}})"));
  CHECK(gcal::read_google_error(500, R"({"error":{"message":5,"errors":["x",1]}})").status == 500);
  const auto grant = gcal::read_google_error(400, R"({"error":"invalid_grant","error_description":"Invalid JWT"})");
  CHECK(grant.reason == "invalid_grant");
  CHECK(grant.message == "Invalid JWT");
}
