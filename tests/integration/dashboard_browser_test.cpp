// The dashboard in a real headless Chromium, driven over WebDriver: an owner signs in with the
// form, lists and filters calls, opens one, and watches a call appear on the line and move to
// the stored calls when it ends — with the page's own script, under its CSP; edits the profile;
// and talks to the assistant through Chromium's fake microphone.
//
// SONORIA_SCREENSHOTS=DIR saves the pages the README shows (docs/screenshots/).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>

#include "core/audio/wav.hpp"

#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/integration/dashboard_harness.hpp"
#include "tests/support/webdriver.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

void maybe_screenshot(test::Browser& browser, const std::string& name) {
  const char* dir = std::getenv("SONORIA_SCREENSHOTS");
  if (dir && *dir) browser.screenshot(std::filesystem::path(dir) / (name + ".png"));
}

void sign_in(test::Browser& browser, const test::Dashboard& d, const std::string& user) {
  browser.go(d.origin + "/app/calls");
  // Not signed in: the sign-in page, which brings the owner back where they were going.
  browser.find("#f-username");
  CHECK(browser.url().find("/app/login?next=") != std::string::npos);
  browser.type("#f-username", user);
  browser.type("#f-password", test::k_password);
  browser.click("form[action='/app/login'] button[type=submit]");
  REQUIRE(browser.wait_until("return location.pathname === '/app/calls';"));
}

}  // namespace

TEST_CASE("browser: sign in, list and filter calls, open one, sign out") {
  test::Dashboard d;
  test::Browser browser;
  browser.go(d.origin + "/app/login");
  browser.type("#f-username", "ana");
  browser.type("#f-password", "wrong password");
  browser.click("button[type=submit]");
  CHECK(browser.text("#login-error") == "The username or password is not right.");
  maybe_screenshot(browser, "login");

  sign_in(browser, d, "ana");
  CHECK(browser.title() == "Calls · sonoria");
  CHECK(browser.text(".who") == "ana (owner)");
  const auto rows = browser.run("return document.querySelectorAll('#calls-table tbody tr').length;");
  CHECK(rows.get<int>() == 30);  // the studio's calls only (and one page holds them)
  // The page's script ran under the CSP: the live section says nobody is on the line.
  CHECK(browser.wait_until("return document.querySelector('#live-calls .empty') !== null;"));
  maybe_screenshot(browser, "calls");

  browser.run("document.getElementById('f-status').value = 'failed';");
  browser.click("form.filters button[type=submit]");
  REQUIRE(browser.wait_until("return location.search.includes('status=failed');"));
  const auto failed = browser.run(
      "return [...document.querySelectorAll('#calls-table tbody tr .status')].map(s => s.textContent);");
  REQUIRE(failed.size() == 3);
  for (const auto& s : failed) CHECK(s == "failed");

  browser.go(d.origin + "/app/calls");
  browser.click("#calls-table tbody tr:nth-child(2) td a");
  REQUIRE(browser.wait_until("return location.pathname.startsWith('/app/calls/CA');"));
  CHECK(browser.text("h1").rfind("Call to +", 0) == 0);  // the second newest of the seed is outbound
  CHECK(browser.exists("ol.transcript li.turn-caller"));
  maybe_screenshot(browser, "call");

  browser.go(d.origin + "/app/analytics?since=2026-05-20&until=2026-06-02");
  CHECK(browser.exists("figure#calls-per-day svg rect.bar"));
  maybe_screenshot(browser, "analytics");

  browser.click(".signout button");
  REQUIRE(browser.wait_until("return location.pathname === '/app/login';"));
  browser.go(d.origin + "/app/calls");
  CHECK(browser.wait_until("return location.pathname === '/app/login';"));
}

TEST_CASE("browser: a call appears on the line while it rings and joins the list when it ends") {
  test::Dashboard d;
  test::Browser browser;
  sign_in(browser, d, "ana");
  REQUIRE(browser.wait_until("return document.querySelector('#live-calls .empty') !== null;"));

  fakes::CallerOptions options;
  options.allow_insecure_stream_url = true;
  fakes::FakeTwilioCaller caller(options);
  REQUIRE(caller.post_voice_webhook(d.origin + "/twilio/voice", test::k_public + "/twilio/voice").status == 200);
  const std::string row = "#live-calls tr[data-sid='" + caller.call_sid() + "']";
  REQUIRE(browser.wait_until("return document.querySelector(\"" + row + "\") !== null;"));
  CHECK(browser.text(row + " td:nth-child(3)") == "+14155551222");
  REQUIRE(caller.open_stream().ok);
  maybe_screenshot(browser, "live-call");
  caller.hang_up();
  // Gone from the line, and the stored list (fetched again by the page) now starts with it.
  CHECK(browser.wait_until("return document.querySelector(\"" + row + "\") === null;", 15s));
  CHECK(browser.wait_until("return !!document.querySelector(\"#calls-table a[href='/app/calls/" + caller.call_sid() +
                           "']\");"));
}

TEST_CASE("browser: the owner mistypes the hours, reads why beside the field, corrects it, saves and rolls back") {
  test::Dashboard d;
  test::Browser browser;
  sign_in(browser, d, "ana");
  browser.click("nav a[href='/app/profile']");
  REQUIRE(browser.wait_until("return location.pathname === '/app/profile';"));
  const std::string monday = "[name='hours.monday']";
  const std::string parking = "[name='faqs[2].answer']";
  browser.clear(monday);
  browser.type(monday, "9am-5pm");
  browser.clear(parking);
  browser.type(parking, "Park behind the bakery on Elm Street.");
  browser.click("form.profile .save-bar button[type=submit]");

  // Back with the problem: listed first (and focused for a screen reader), and beside the input.
  REQUIRE(browser.wait_until("return document.getElementById('problems') !== null;"));
  CHECK(browser.run("return document.activeElement.id;") == "problems");
  CHECK(browser.run("return document.querySelector(\"" + monday + "\").getAttribute('aria-invalid');") == "true");
  const auto error = browser.run("return document.getElementById('f-hours.monday-error').textContent;");
  CHECK(error.get<std::string>().find("9am-5pm") != std::string::npos);
  // What was typed is still there, the good change with the bad.
  CHECK(browser.run("return document.querySelector(\"" + parking + "\").value;") == "Park behind the bakery on Elm Street.");
  maybe_screenshot(browser, "profile-error");

  browser.clear(monday);
  browser.type(monday, "07:00-12:00, 16:00-21:00");
  browser.type("#f-note", "parking moved");
  browser.click("form.profile .save-bar button[type=submit]");
  REQUIRE(browser.wait_until("return location.search.includes('notice=');"));
  CHECK(browser.text(".notice").find("Saved as version 2.") != std::string::npos);
  CHECK(browser.run("return document.querySelector(\"" + parking + "\").value;") == "Park behind the bakery on Elm Street.");
  browser.run("document.querySelector(\"" + parking + "\").scrollIntoView({block: 'center'});");
  maybe_screenshot(browser, "profile");

  // The versions, the change as a diff, and a roll back that asks first.
  browser.go(d.origin + "/app/profile/versions/2");
  CHECK(browser.exists("pre.diff"));
  CHECK(browser.text("pre.diff").find("behind the bakery") != std::string::npos);
  maybe_screenshot(browser, "profile-version");
  browser.go(d.origin + "/app/profile/versions/1");
  browser.click("form[data-confirm] button[type=submit]");
  CHECK(browser.dialog_text() == "Make version 1 the current profile? The next call uses it.");
  browser.accept_dialog();
  REQUIRE(browser.wait_until("return location.pathname === '/app/profile/versions' && location.search.includes('notice=');"));
  CHECK(browser.text(".notice").find("Saved as version 3.") != std::string::npos);

  browser.go(d.origin + "/app/profile/prompt?at=2026-12-25T10%3A00");
  CHECK(browser.text("#prompt").find("Lotus Yoga Studio") != std::string::npos);
  maybe_screenshot(browser, "prompt-preview");
}

namespace {

// What Chromium's fake microphone plays from the moment the page gets it: four seconds of
// silence (the greeting plays meanwhile), a second and a half of a voice-like tone (a 180 Hz
// fundamental with harmonics), then silence.
std::filesystem::path caller_wav(const std::filesystem::path& dir) {
  audio::PcmAudio pcm;
  pcm.sample_rate = 16000;
  const double pi = std::acos(-1.0);
  for (int i = 0; i < 16000 * 8; ++i) {
    const double t = i / 16000.0;
    double v = 0;
    if (t >= 4.0 && t < 5.5)
      for (int h = 1; h <= 4; ++h) v += std::sin(2 * pi * 180 * h * t) / h;
    pcm.samples.push_back(static_cast<int16_t>(v * 9000));
  }
  const auto file = dir / "caller.wav";
  audio::write_pcm_wav(file, pcm);
  return file;
}

fakes::ScriptedReply spoken(std::string text, int audio_ms) {
  fakes::ScriptedReply r;
  r.text = std::move(text);
  r.audio_ms = audio_ms;
  return r;
}

// µ-law bytes that are not silence (0xFF and 0x7F are ±0).
std::size_t loud_bytes(const std::string& ulaw) {
  std::size_t n = 0;
  for (unsigned char b : ulaw) n += (b & 0x7F) < 0x70;
  return n;
}

}  // namespace

TEST_CASE("browser: the owner talks to the assistant from the dashboard, heard both ways, stored as a test call") {
  test::Dashboard d;
  d.engine.push_reply(spoken("Thank you for calling Lotus Yoga Studio, this is Ava.", 1200));
  d.engine.push_reply(spoken("On Saturday we open at eight in the morning.", 1500));
  d.engine.push_caller_transcript("What time do you open on Saturday?");
  test::BrowserOptions options;
  options.fake_microphone_wav = caller_wav(d.dir.path()).string();
  test::Browser browser(options);
  sign_in(browser, d, "ana");
  browser.click("nav a[href='/app/talk']");
  REQUIRE(browser.wait_until("return location.pathname === '/app/talk';"));
  browser.type("#f-from", "+15557654321");
  browser.click("#talk-start");
  REQUIRE(browser.wait_until("return document.getElementById('talk-status').textContent.startsWith('Connected');", 15s));

  // The greeting and the answer play in the page; the caller's voice reached the engine.
  REQUIRE(browser.wait_until("return parseFloat(document.getElementById('talk-heard').textContent) >= 2.6;", 20s));
  REQUIRE(d.engine.session_count() == 1);
  const auto session = d.engine.session(0);
  CHECK(loud_bytes(session.appended_audio) > 8000);  // a second of the tone, at least
  CHECK(session.responses_completed >= 2);
  CHECK(session.truncates.empty());  // nobody interrupted anybody
  maybe_screenshot(browser, "talk");

  browser.click("#talk-hangup");
  REQUIRE(browser.wait_until("return document.getElementById('talk-status').textContent === 'You hung up.';"));
  REQUIRE(browser.wait_until("return !document.getElementById('talk-record').hidden;"));
  browser.click("#talk-record a");
  REQUIRE(browser.wait_until("return location.pathname.startsWith('/app/calls/TE');"));
  CHECK(browser.text("h1") == "Test call by ana");
  REQUIRE(browser.wait_until("return document.querySelectorAll('ol.transcript li').length >= 3;"));
  CHECK(browser.text("ol.transcript").find("open at eight") != std::string::npos);

  // The record: the same call path as a phone call, marked as a test, kept out of analytics.
  db::Database database(d.settings.database, db::SchemaCheck::require_current, true);
  db::CallQuery tests;
  tests.test = true;
  const auto page = database.queries().list(tests, std::nullopt, 10);
  REQUIRE(page.calls.size() == 1);
  const auto& call = page.calls.front();
  CHECK(call.test_by == std::optional<std::string>("ana"));
  CHECK(call.from_number == "+15557654321");
  CHECK(call.organization_id == std::optional<int64_t>(d.studio));
  CHECK(call.status == "completed");
  CHECK(call.turns >= 2);
}

TEST_CASE("browser: every page fits a phone's screen: nothing wider than the window but a table scrolled in its box") {
  test::Dashboard d;
  test::BrowserOptions phone;
  phone.width = 390;
  phone.height = 844;
  test::Browser browser(phone);
  sign_in(browser, d, "ana");
  const std::vector<std::string> pages = {"/app/calls", "/app/calls/" + d.studio_calls[1].sid, "/app/analytics",
                                          "/app/appointments", "/app/profile", "/app/profile/versions",
                                          "/app/profile/prompt", "/app/knowledge", "/app/talk", "/app/audit"};
  for (const auto& path : pages) {
    browser.go(d.origin + path);
    REQUIRE(browser.wait_until("return document.readyState === 'complete';"));
    const auto width = browser.run("return [document.documentElement.scrollWidth, window.innerWidth];");
    CHECK_MESSAGE(width[0].get<int>() <= width[1].get<int>(),
                  path << ": " << width.dump() << " "
                       << browser.run("return [...document.querySelectorAll('body *')].filter(e => "
                                      "e.getBoundingClientRect().right > window.innerWidth && !e.closest('table')).slice(0, 4)"
                                      ".map(e => e.tagName + '.' + e.className + '#' + e.id);").dump());
  }
  browser.go(d.origin + "/app/calls");
  maybe_screenshot(browser, "calls-phone");
}
