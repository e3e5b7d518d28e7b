// The appointment book on the phone (booking.mode = "built_in", examples/physio-clinic.toml):
// a caller asks for a time, books it and gets the confirmation text; calls again to move it and
// to cancel it; two callers racing for one slot get one booking and one alternative. Then the
// owner's side: the REST API and the iCalendar feed.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include <fstream>
#include <thread>

#include "core/booking/appointment_book.hpp"
#include "core/booking/appointment_json.hpp"
#include "core/booking/availability.hpp"
#include "core/booking/icalendar.hpp"
#include "core/gcal/calendar_client.hpp"
#include "core/gcal/calendar_protocol.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "core/tools/booking_tools.hpp"
#include "core/twilio/base64.hpp"
#include "core/twilio/form.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_google_calendar.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

using test::k_account;
using test::k_public;
using test::k_token;
using test::silence_bytes;
using test::speech_bytes;
const std::string k_clinic = "+15550004000";


fakes::ScriptedReply reply(std::string text, int audio_ms = 300,
                           std::vector<fakes::ScriptedFunctionCall> calls = {}) {
  fakes::ScriptedReply r;
  r.text = std::move(text);
  r.audio_ms = audio_ms;
  r.chunk_ms = 100;
  r.function_calls = std::move(calls);
  return r;
}

using test::next_weekday;

const std::string k_park_calendar = "elena.park@harborphysio.example";
const std::string k_tom_calendar = "c_tom-reyes@group.calendar.google.com";

struct Clinic {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  fakes::FakeTwilioRest rest{k_account, k_token};
  std::unique_ptr<fakes::FakeGoogleCalendar> google;
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> daemon;
  std::string base;

  // `in_google`: the clinic keeps its book in Google Calendar (one calendar per practitioner).
  explicit Clinic(bool in_google = false) {
    settings = test::loopback_settings(dir, engine, k_public, k_token);
    settings.calls.stream_timeout = 2s;
    settings.twilio.account_sid = k_account;
    settings.twilio.api_base_url = rest.base_url();
    settings.api.tokens = {"owner-api-token"};
    auto profile = org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml");
    if (in_google) {
      google = std::make_unique<fakes::FakeGoogleCalendar>();
      google->add_calendar(k_park_calendar);
      google->add_calendar(k_tom_calendar);
      const auto key = dir / "service-account.json";
      std::ofstream(key) << google->service_account_json();
      settings.google.credentials_file = key.string();
      settings.google.api_url = google->api_url();
      settings.google.timeout = 2s;  // a failing Google gives up sooner than the default 6 s
      profile.booking.mode = "google";
      profile.team[0].calendar_id = k_park_calendar;
      profile.team[1].calendar_id = k_tom_calendar;
    }
    {
      db::Database database(settings.database, db::SchemaCheck::none);
      database.migrate();
      database.orgs().upsert(profile);
    }
    daemon = std::make_unique<daemon::Daemon>(settings);
    daemon->start();
    base = "http://127.0.0.1:" + std::to_string(daemon->port());
  }
  ~Clinic() {
    daemon->request_stop();
    daemon->wait();
  }

  void answer(fakes::FakeTwilioCaller& caller, int session) {
    auto r = caller.post_voice_webhook(base + "/twilio/voice", k_public + "/twilio/voice");
    REQUIRE(r.status == 200);
    REQUIRE(engine.wait_for_server_event(session, "session.updated"));
    REQUIRE(caller.open_stream().ok);
    // The caller hears the whole greeting (300 ms) before saying anything.
    const std::size_t greeting = 300 * 8;
    REQUIRE(caller.wait_for([&] { return caller.stream().heard().size() + caller.stream().buffered_bytes() >= greeting; }));
    for (int i = 0; i < 100 && caller.stream().heard().size() < greeting; ++i) caller.send_silence(100);
    REQUIRE(caller.stream().heard().size() >= greeting);
  }

  // The caller says something and lets the line run until the engine has answered `outputs` tools.
  // The caller says something and lets the line run until the engine has answered `outputs`
  // tools (false after 15 s). Safe on any thread.
  bool talk(fakes::FakeTwilioCaller& caller, int session, std::size_t outputs) {
    caller.send_audio(speech_bytes(400));
    caller.send_audio(silence_bytes(700));
    const auto deadline = std::chrono::steady_clock::now() + 15s;
    while (engine.session(session).function_outputs.size() < outputs && std::chrono::steady_clock::now() < deadline) {
      caller.send_audio(silence_bytes(50));
      std::this_thread::sleep_for(50ms);
    }
    return engine.session(session).function_outputs.size() >= outputs;
  }
  void talk_until(fakes::FakeTwilioCaller& caller, int session, std::size_t outputs) {
    REQUIRE(talk(caller, session, outputs));
  }

  std::vector<db::Appointment> book() {
    db::Database database(settings.database, db::SchemaCheck::require_current, true);
    db::AppointmentFilter all;
    all.limit = 1000;
    return database.appointments().list(all);
  }

  std::vector<std::string> texts_to(const std::string& number) {
    std::vector<std::string> out;
    for (const auto& m : rest.messages_created())
      if (m["to"] == number) out.push_back(m["body"].get<std::string>());
    return out;
  }
};

fakes::CallerOptions calling(const std::string& from) {
  fakes::CallerOptions options;
  options.from = from;
  options.to = k_clinic;
  return options;
}

std::string output_of(const fakes::FakeOpenAiRealtime& engine, int session, const std::string& call_id) {
  for (const auto& o : engine.session(session).function_outputs)
    if (o.call_id == call_id) return o.output;
  return "";
}

}  // namespace

TEST_CASE("a caller asks for a time, books it, is texted; calls again to move it, and again to cancel it") {
  Clinic c;
  const std::string monday = next_weekday(0);
  const std::string wednesday = next_weekday(2);
  const std::string caller_number = "+14157770001";

  // Call 1: "Do you have an assessment on Monday morning?" → check → book 09:00 → confirmation text.
  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Let me look.", 300,
                            {{"check_availability", R"({"service":"Initial assessment","date":")" + monday +
                                                        R"(","before":"12:00"})", "check_1"}}));
  c.engine.push_reply(reply("Monday at nine works. Booking it.", 300,
                            {{"book_appointment", R"({"service":"Initial assessment","start":")" + monday +
                                                      R"( 09:00","customer_name":"Ana Lima"})", "book_1"}}));
  c.engine.push_reply(reply("You're booked."));
  {
    fakes::FakeTwilioCaller caller(calling(caller_number));
    c.answer(caller, 0);
    c.talk_until(caller, 0, 2);
    const std::string offered = output_of(c.engine, 0, "check_1");
    CHECK(offered.find(monday + " 08:00") != std::string::npos);
    CHECK(offered.find(monday + " 12:00") != std::string::npos);
    CHECK(offered.find("Dr. Elena Park") != std::string::npos);
    CHECK(offered.find(monday + " 12:30") == std::string::npos);  // "before 12:00"
    const std::string booked = output_of(c.engine, 0, "book_1");
    CHECK(booked.find("\"status\":\"booked\"") != std::string::npos);
    CHECK(booked.find("text with the details is on its way") != std::string::npos);
    caller.hang_up();
  }
  auto appointments = c.book();
  REQUIRE(appointments.size() == 1);
  const db::Appointment first = appointments[0];
  CHECK(first.customer_phone == caller_number);  // from the call, not the model
  CHECK(first.customer_name == "Ana Lima");
  CHECK(first.team_member == "Dr. Elena Park");
  CHECK(first.location == "Midtown");
  CHECK(first.status == "booked");
  REQUIRE(c.rest.wait_for([&] { return c.texts_to(caller_number).size() == 1; }, 10s));
  const std::string confirmation = c.texts_to(caller_number)[0];
  CHECK(confirmation.find("Initial assessment with Dr. Elena Park") != std::string::npos);
  CHECK(confirmation.find("9:00 AM") != std::string::npos);
  CHECK(confirmation.find("Midtown (210 West 36th Street") != std::string::npos);

  // Call 2: find it, move it to Wednesday 09:00, then (call 3) cancel it.
  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Let me find it.", 300, {{"find_my_appointments", "{}", "find_2"}}));
  c.engine.push_reply(reply("Moving it.", 300,
                            {{"reschedule_appointment", R"({"appointment_id":")" + first.reference + R"(","new_start":")" +
                                                            wednesday + R"( 09:00"})", "move_2"}}));
  c.engine.push_reply(reply("Done, it is on Wednesday."));
  {
    fakes::FakeTwilioCaller caller(calling(caller_number));
    c.answer(caller, 1);
    c.talk_until(caller, 1, 2);
    CHECK(output_of(c.engine, 1, "find_2").find(first.reference) != std::string::npos);
    CHECK(output_of(c.engine, 1, "move_2").find("\"status\":\"moved\"") != std::string::npos);
    caller.hang_up();
  }
  appointments = c.book();
  REQUIRE(appointments.size() == 1);
  CHECK(appointments[0].reference == first.reference);
  CHECK(appointments[0].starts_at != first.starts_at);
  CHECK(booking::local_start_text(org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml"),
                                  appointments[0]) == wednesday + " 09:00");
  REQUIRE(c.rest.wait_for([&] { return c.texts_to(caller_number).size() == 2; }, 10s));
  CHECK(c.texts_to(caller_number)[1].find("is now on") != std::string::npos);

  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Cancelling.", 300,
                            {{"cancel_appointment", R"({"appointment_id":")" + first.reference + R"("})", "cancel_3"}}));
  c.engine.push_reply(reply("It is cancelled."));
  {
    // Another number cannot cancel it; the owner of the number can.
    fakes::FakeTwilioCaller stranger(calling("+14157779999"));
    c.answer(stranger, 2);
    c.talk_until(stranger, 2, 1);
    CHECK(output_of(c.engine, 2, "cancel_3").find("no appointment") != std::string::npos);
    stranger.hang_up();
  }
  CHECK(c.book()[0].status == "booked");
  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Cancelling.", 300,
                            {{"cancel_appointment", R"({"appointment_id":")" + first.reference + R"("})", "cancel_4"}}));
  c.engine.push_reply(reply("It is cancelled."));
  {
    fakes::FakeTwilioCaller caller(calling(caller_number));
    c.answer(caller, 3);
    c.talk_until(caller, 3, 1);
    CHECK(output_of(c.engine, 3, "cancel_4").find("\"status\":\"cancelled\"") != std::string::npos);
    caller.hang_up();
  }
  CHECK(c.book()[0].status == "cancelled");
  CHECK(c.book()[0].cancelled_by == "caller");
  REQUIRE(c.rest.wait_for([&] { return c.texts_to(caller_number).size() == 3; }, 10s));
  CHECK(c.texts_to(caller_number)[2].find("is cancelled") != std::string::npos);
}

TEST_CASE("two callers racing for the same slot: one is booked, the other hears alternatives") {
  Clinic c;
  const std::string monday = next_weekday(0);
  const std::string args = R"({"service":"Sports massage","start":")" + monday + R"( 12:00","customer_name":"Racer"})";
  c.engine.push_reply(reply("Hello."));
  c.engine.push_reply(reply("Hello."));
  // Both callers ask at once: each one's reply books the same slot. The winner's confirmation text
  // is slow, so both bookings are under way before either caller's next reply is scripted.
  c.engine.push_reply(reply("Booking.", 200, {{"book_appointment", args, ""}}));
  c.engine.push_reply(reply("Booking.", 200, {{"book_appointment", args, ""}}));
  c.engine.push_reply(reply("Done."));
  c.engine.push_reply(reply("Done."));
  c.rest.delay_next(1, 1500ms, "Messages.json");
  fakes::FakeTwilioCaller a(calling("+14157770101"));
  fakes::FakeTwilioCaller b(calling("+14157770102"));
  c.answer(a, 0);
  c.answer(b, 1);
  bool a_answered = false;
  std::thread speak_a([&] { a_answered = c.talk(a, 0, 1); });
  const bool b_answered = c.talk(b, 1, 1);
  speak_a.join();
  REQUIRE(a_answered);
  REQUIRE(b_answered);
  const auto appointments = c.book();
  REQUIRE(appointments.size() == 1);
  CHECK(appointments[0].team_member == "Tom Reyes");
  const std::string out_a = c.engine.session(0).function_outputs.at(0).output;
  const std::string out_b = c.engine.session(1).function_outputs.at(0).output;
  const std::string& loser = appointments[0].customer_phone == "+14157770101" ? out_b : out_a;
  CHECK(loser.find("not free") != std::string::npos);
  CHECK(loser.find("\"alternatives\"") != std::string::npos);
  CHECK(loser.find(monday + " 13:00") != std::string::npos);  // the next start after 12:00-12:45 and its buffer
  a.hang_up();
  b.hang_up();
}

TEST_CASE("the owner's side: the REST API lists, shows and cancels; the calendar feed is private and valid") {
  Clinic c;
  const std::string monday = next_weekday(0);
  int64_t org_id = 0;
  std::string reference;
  {
    db::Database database(c.settings.database, db::SchemaCheck::require_current);
    const auto profile = *database.orgs().find_by_slug("harbor-physio");
    org_id = profile.id;
    booking::AppointmentBook book(database.appointments(), profile);
    booking::BookRequest r;
    r.service = "Follow-up treatment";
    r.start = *booking::parse_local_date_time(monday + " 13:00");
    r.customer_name = "Ana, \"the runner\"; Lima";
    r.customer_phone = "+14157770001";
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    reference = book.book(r, now).appointment->reference;
  }
  test::HttpTestConnection http(c.base);
  const test::TestHeaders auth = {{"Authorization", "Bearer owner-api-token"}};
  auto list = http.request("GET", "/api/appointments?org=harbor-physio", auth, "");
  REQUIRE(list.status == 200);
  CHECK(list.body.find(reference) != std::string::npos);
  CHECK(http.request("GET", "/api/appointments", auth, "").status == 400);
  CHECK(http.request("GET", "/api/appointments?org=harbor-physio&from=tomorrow", auth, "").status == 400);
  auto show = http.request("GET", "/api/appointments/" + reference, auth, "");
  REQUIRE(show.status == 200);
  CHECK(show.body.find("\"start_local\":\"" + monday + " 13:00\"") != std::string::npos);
  CHECK(http.request("GET", "/api/appointments/" + reference, {}, "").status == 401);

  // The feed: the token is the key; a wrong one is indistinguishable from no calendar.
  std::string secret;
  {
    db::Database database(c.settings.database, db::SchemaCheck::require_current);
    secret = database.orgs().signing_secret(org_id);
  }
  const std::string path = booking::feed_path(secret, "harbor-physio", "");
  auto feed = http.request("GET", path, {}, "");
  REQUIRE(feed.status == 200);
  CHECK(feed.header("content-type").rfind("text/calendar", 0) == 0);
  CHECK(feed.body.find("UID:" + reference + "@harbor-physio.sonoria\r\n") != std::string::npos);
  CHECK(feed.body.find("SUMMARY:Follow-up treatment – Ana\\, \"the runner\"\\; Lima\r\n") != std::string::npos);
  CHECK(http.request("GET", "/calendar/00000000000000000000000000000000/harbor-physio.ics", {}, "").status == 404);
  const std::string park = booking::feed_path(secret, "harbor-physio", "dr-elena-park");
  CHECK(http.request("GET", park, {}, "").body.find(reference) != std::string::npos);
  CHECK(http.request("GET", booking::feed_path(secret, "harbor-physio", "tom-reyes"), {}, "").body.find(reference) ==
        std::string::npos);

  // The owner cancels; the customer is texted; the feed says CANCELLED.
  auto cancelled = http.request("POST", "/api/appointments/" + reference + "/cancel", auth, "{}");
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.body.find("\"cancelled_by\":\"owner\"") != std::string::npos);
  CHECK(http.request("POST", "/api/appointments/" + reference + "/cancel", auth, "{}").status == 409);
  REQUIRE(c.rest.wait_for([&] { return c.texts_to("+14157770001").size() == 1; }, 10s));
  CHECK(http.request("GET", path, {}, "").body.find("STATUS:CANCELLED") != std::string::npos);
}

namespace {

// Unix seconds of a local New York date and time.
int64_t new_york(const std::string& date, int hour, int minute = 0) {
  return booking::LocalClock("America/New_York")
      .instant_or_after({*org::parse_date(date), hour * 60 + minute})
      .time_since_epoch()
      .count();
}

}  // namespace

TEST_CASE("Google Calendar as the book: busy times from freeBusy, the booking as an event, moved and deleted") {
  Clinic c(/*in_google=*/true);
  const std::string monday = next_weekday(0);
  const std::string wednesday = next_weekday(2);
  const std::string caller_number = "+14157770001";
  // Dr. Park has a meeting in her own calendar on Monday 09:00-10:00.
  c.google->add_event(k_park_calendar, new_york(monday, 9), new_york(monday, 10), "Team meeting");

  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Let me look.", 300,
                            {{"check_availability", R"({"service":"Initial assessment","date":")" + monday +
                                                        R"(","before":"12:00"})", "check_1"}}));
  c.engine.push_reply(reply("Booking half past ten.", 300,
                            {{"book_appointment", R"({"service":"Initial assessment","start":")" + monday +
                                                      R"( 10:30","customer_name":"Ana Lima"})", "book_1"}}));
  c.engine.push_reply(reply("You're booked."));
  {
    fakes::FakeTwilioCaller caller(calling(caller_number));
    c.answer(caller, 0);
    c.talk_until(caller, 0, 2);
    const std::string offered = output_of(c.engine, 0, "check_1");
    INFO(offered);
    CHECK(offered.find(monday + " 10:30") != std::string::npos);
    // Her meeting, and the hour before it (60 minutes and the 10-minute buffer would run into it).
    CHECK(offered.find(monday + " 10:00") != std::string::npos);
    for (const char* busy : {" 08:00", " 08:30", " 09:00", " 09:30"})
      CHECK(offered.find(monday + busy) == std::string::npos);
    CHECK(output_of(c.engine, 0, "book_1").find("\"status\":\"booked\"") != std::string::npos);
    caller.hang_up();
  }
  auto appointment = c.book().at(0);
  REQUIRE(c.google->events(k_park_calendar).size() == 2);
  auto event = c.google->events(k_park_calendar)[1];
  CHECK(event.id == gcal::event_id_for(appointment.reference));
  CHECK(event.start == new_york(monday, 10, 30));
  CHECK(event.end == new_york(monday, 11, 30));
  CHECK(event.summary == "Initial assessment – Ana Lima");
  for (int i = 0; i < 100 && c.book().at(0).event_id.empty(); ++i) std::this_thread::sleep_for(20ms);
  CHECK(c.book().at(0).event_id == event.id);
  CHECK(c.book().at(0).calendar_id == k_park_calendar);
  CHECK(c.google->token_requests() == 1);  // one sign-in, shared by both requests

  // Call 2: the token has expired meanwhile (401 → a new one), Google is briefly unavailable (503,
  // retried), and the appointment moves to Wednesday 10:00 in the same calendar.
  c.google->expire_tokens();
  c.google->fail({"POST", "/freeBusy", 503, "backendError", 1});
  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Moving it.", 300,
                            {{"reschedule_appointment", R"({"appointment_id":")" + appointment.reference +
                                                            R"(","new_start":")" + wednesday + R"( 10:00"})", "move_2"}}));
  c.engine.push_reply(reply("Done."));
  {
    fakes::FakeTwilioCaller caller(calling(caller_number));
    c.answer(caller, 1);
    c.talk_until(caller, 1, 1);
    CHECK(output_of(c.engine, 1, "move_2").find("\"status\":\"moved\"") != std::string::npos);
    caller.hang_up();
  }
  CHECK(c.google->token_requests() == 2);
  event = c.google->events(k_park_calendar)[1];
  CHECK(event.start == new_york(wednesday, 10));
  CHECK(c.google->events(k_park_calendar).size() == 2);  // patched, not a second event

  // Call 3: cancelled: the event is deleted.
  c.engine.push_reply(reply("Harbor Physiotherapy, this is Nora."));
  c.engine.push_reply(reply("Cancelling.", 300,
                            {{"cancel_appointment", R"({"appointment_id":")" + appointment.reference + R"("})", "cancel_3"}}));
  c.engine.push_reply(reply("Cancelled."));
  {
    fakes::FakeTwilioCaller caller(calling(caller_number));
    c.answer(caller, 2);
    c.talk_until(caller, 2, 1);
    CHECK(output_of(c.engine, 2, "cancel_3").find("\"status\":\"cancelled\"") != std::string::npos);
    caller.hang_up();
  }
  CHECK(c.google->events(k_park_calendar)[1].status == "cancelled");
  CHECK(c.book().at(0).status == "cancelled");
}

TEST_CASE("Google Calendar errors become sentences the assistant can say, and a refused event is no booking") {
  Clinic c(/*in_google=*/true);
  const std::string monday = next_weekday(0);
  // The calendar was never shared with the service account: 403 forbidden on freeBusy.
  c.google->fail({"POST", "/freeBusy", 403, "forbidden", 1});
  // Then the event insert keeps failing (500) until the tool's deadline.
  c.google->fail({"POST", "/events", 500, "backendError", 100});
  c.engine.push_reply(reply("Hello."));
  c.engine.push_reply(reply("Let me look.", 300,
                            {{"check_availability", R"({"service":"Sports massage","date":")" + monday + R"("})", "check_1"}}));
  c.engine.push_reply(reply("Booking.", 300,
                            {{"book_appointment", R"({"service":"Sports massage","start":")" + monday +
                                                      R"( 13:00","customer_name":"Ana"})", "book_1"}}));
  c.engine.push_reply(reply("Sorry."));
  fakes::FakeTwilioCaller caller(calling("+14157770001"));
  c.answer(caller, 0);
  c.talk_until(caller, 0, 2);
  const std::string refused = output_of(c.engine, 0, "check_1");
  CHECK(refused.find("\"ok\":false") != std::string::npos);
  CHECK(refused.find("not shared with sonoria's service account") != std::string::npos);
  CHECK(refused.find("take a message") != std::string::npos);
  const std::string failed = output_of(c.engine, 0, "book_1");
  CHECK(failed.find("\"ok\":false") != std::string::npos);
  CHECK(failed.find("busy or failing") != std::string::npos);
  caller.hang_up();
  // Nothing is booked that the calendar does not have, and the caller was not texted.
  for (int i = 0; i < 50 && !c.book().empty(); ++i) std::this_thread::sleep_for(20ms);
  CHECK(c.book().empty());
  CHECK(c.texts_to("+14157770001").empty());
}

namespace {

// An appointment in the clinic's book straight through the store, with its reminder in `state`.
db::Appointment stored_appointment(Clinic& c, const std::string& phone, int64_t reminder_at, const std::string& state) {
  db::Database database(c.settings.database, db::SchemaCheck::require_current);
  const auto profile = *database.orgs().find_by_slug("harbor-physio");
  db::Appointment a;
  a.organization_id = profile.id;
  a.service = "Follow-up treatment";
  a.team_member = "Tom Reyes";
  a.location = "Brooklyn";
  a.resource = "member:Tom Reyes";
  // Each test number its own hour of Tom's day, so that they never overlap.
  a.starts_at = reminder_at + 24 * 3600 + std::stoi(phone.substr(phone.size() - 2)) * 7200;
  a.ends_at = a.starts_at + 1800;
  a.busy_until = a.ends_at + 600;
  a.customer_name = "Ana";
  a.customer_phone = phone;
  a.reminder_at = reminder_at;
  a.reminder_state = state;
  database.appointments().insert(a);
  if (state == "sending") {
    // Claimed three minutes ago by a daemon that is gone.
    db::Statement s(database.connection(), "UPDATE appointments SET updated_at = ? WHERE id = ?");
    s.bind(1, db::format_timestamp(db::now_ms() - std::chrono::minutes(3))).bind(2, a.id);
    s.run();
  }
  return a;
}

std::string reminder_body(const db::Appointment& a) {
  const auto profile = org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml");
  return tools::appointment_text(profile, {"", k_clinic}, a, "reminder")->body;
}

std::string reminder_state(Clinic& c, const std::string& reference) {
  db::Database database(c.settings.database, db::SchemaCheck::require_current, true);
  return database.appointments().find(0, reference)->reminder_state;
}

}  // namespace

TEST_CASE("a reminder is sent once when due, and one cut off mid-send is neither lost nor sent twice after a restart") {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto c = std::make_unique<Clinic>();
  // Due now, pending: sent.
  const auto due = stored_appointment(*c, "+14157770201", now - 5, "pending");
  // Not due for an hour: not sent.
  const auto later = stored_appointment(*c, "+14157770202", now + 3600, "pending");
  REQUIRE(c->rest.wait_for([&] { return c->texts_to("+14157770201").size() == 1; }, 10s));
  CHECK(c->texts_to("+14157770201")[0] == reminder_body(due));
  for (int i = 0; i < 100 && reminder_state(*c, due.reference) != "sent"; ++i) std::this_thread::sleep_for(20ms);
  CHECK(reminder_state(*c, due.reference) == "sent");
  CHECK(c->texts_to("+14157770202").empty());
  CHECK(reminder_state(*c, later.reference) == "pending");

  // A daemon stopped between claiming two reminders and recording their sends: one of the texts
  // had gone out (Twilio lists it), the other had not.
  c->daemon->request_stop();
  c->daemon->wait();
  const auto went_out = stored_appointment(*c, "+14157770203", now - 60, "sending");
  const auto did_not = stored_appointment(*c, "+14157770204", now - 60, "sending");
  fakes::HttpCall create;
  create.method = "POST";
  create.url = c->rest.base_url() + "/Accounts/" + k_account + "/Messages.json";
  create.headers = {{"Authorization", "Basic " + twilio::base64_encode(k_account + ":" + k_token)},
                    {"Content-Type", "application/x-www-form-urlencoded"}};
  create.body = twilio::encode_form({{"To", "+14157770203"}, {"From", k_clinic}, {"Body", reminder_body(went_out)}});
  REQUIRE(fakes::http_exchange(create).status == 201);

  c->daemon = std::make_unique<daemon::Daemon>(c->settings);
  c->daemon->start();
  REQUIRE(c->rest.wait_for([&] { return c->texts_to("+14157770204").size() == 1; }, 10s));
  for (int i = 0; i < 100 && reminder_state(*c, went_out.reference) != "sent"; ++i) std::this_thread::sleep_for(20ms);
  CHECK(reminder_state(*c, went_out.reference) == "sent");
  std::this_thread::sleep_for(1500ms);  // a round or two more: nothing is sent again
  CHECK(c->texts_to("+14157770203").size() == 1);
  CHECK(c->texts_to("+14157770204").size() == 1);
  CHECK(c->texts_to("+14157770201").size() == 1);
  CHECK(reminder_state(*c, did_not.reference) == "sent");
}

TEST_CASE("the Google client: a sign-in shared by requests, an event id used again is restored, a gone event is deleted") {
  fakes::FakeGoogleCalendar google;
  google.add_calendar("c1");
  test::TempDir dir;
  config::GoogleSettings settings;
  settings.api_url = google.api_url();
  settings.timeout = 2s;
  const auto account = gcal::read_service_account(google.service_account_json(), "key.json");
  boost::asio::io_context io;
  auto client = gcal::CalendarClient::create(io.get_executor(), settings, account, std::make_shared<gcal::TokenCache>());
  auto run = [&](auto start) {
    std::optional<gcal::CalendarResult<std::string>> out;
    start([&](gcal::CalendarResult<std::string> r) { out = std::move(r); });
    io.restart();
    io.run();
    REQUIRE(out);
    return *out;
  };
  const std::string body =
      R"({"id":"sonoria4b375132584d","summary":"A","start":{"dateTime":"2027-01-11T18:00:00Z"},"end":{"dateTime":"2027-01-11T18:30:00Z"}})";
  auto inserted = run([&](auto done) { client->insert_event("c1", body, done); });
  REQUIRE(inserted.ok());
  CHECK(*inserted.value == "sonoria4b375132584d");
  CHECK(run([&](auto done) { client->delete_event("c1", "sonoria4b375132584d", done); }).ok());
  CHECK(google.events("c1")[0].status == "cancelled");
  // The same appointment booked there again: Google answers 409 (ids of deleted events stay taken).
  const std::string moved = R"({"id":"sonoria4b375132584d","summary":"A","start":{"dateTime":"2027-01-12T18:00:00Z"},"end":{"dateTime":"2027-01-12T18:30:00Z"}})";
  auto again = run([&](auto done) { client->insert_event("c1", moved, done); });
  REQUIRE(again.ok());
  CHECK(google.events("c1").size() == 1);
  CHECK(google.events("c1")[0].status == "confirmed");
  CHECK(google.events("c1")[0].start == 1799776800);  // 2027-01-12T18:00Z
  // Deleting it twice: the second finds it gone (410), which is what was wanted.
  CHECK(run([&](auto done) { client->delete_event("c1", "sonoria4b375132584d", done); }).ok());
  CHECK(run([&](auto done) { client->delete_event("c1", "sonoria4b375132584d", done); }).ok());
  CHECK(google.token_requests() == 1);
  // A calendar nobody shared: not retried, explained.
  google.fail({"POST", "/events", 403, "forbidden", 1});
  const auto refused = run([&](auto done) { client->insert_event("c1", body, done); });
  REQUIRE(refused.error);
  CHECK(refused.error->explain().find("not shared") != std::string::npos);
}
