// The dashboard in a real headless Chromium, driven over WebDriver: an owner signs in with the
// form, lists and filters calls, opens one, and watches a call appear on the line and move to
// the stored calls when it ends — with the page's own script, under its CSP.
//
// SONORIA_SCREENSHOTS=DIR saves the pages the README shows (docs/screenshots/).
#include <doctest/doctest.h>

#include <cstdlib>

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
  CHECK(browser.text(row + " td:nth-child(3)") == "+15551112222");
  REQUIRE(caller.open_stream().ok);
  maybe_screenshot(browser, "live-call");
  caller.hang_up();
  // Gone from the line, and the stored list (fetched again by the page) now starts with it.
  CHECK(browser.wait_until("return document.querySelector(\"" + row + "\") === null;", 15s));
  CHECK(browser.wait_until("return !!document.querySelector(\"#calls-table a[href='/app/calls/" + caller.call_sid() +
                           "']\");"));
}
