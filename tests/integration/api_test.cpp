// The REST API of a running daemon: authentication, paging, details, analytics, CORS, limits.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/seed_calls.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

const std::string k_api_token = "test-api-token-0123456789abcdef";

struct ApiHarness {
  test::TempDir dir;
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> daemon;
  std::string base;
  std::vector<test::SeededCall> calls;

  explicit ApiHarness(std::vector<std::string> tokens = {k_api_token},
                      std::function<void(config::Settings&)> tweak = {}) {
    settings.database.path = (dir / "sonoria.db").string();
    settings.server.listen = "127.0.0.1:0";
    settings.server.threads = 2;
    settings.server.drain_timeout = 1s;
    settings.twilio.auth_token = "f1e2d3c4b5a697887766554433221100";
    settings.api.tokens = std::move(tokens);
    settings.api.cors_origins = {"https://dashboard.example.com"};
    settings.log.level = "error";
    if (tweak) tweak(settings);
    {
      db::Database database(settings.database, db::SchemaCheck::none);
      database.migrate();
      auto id = database.orgs().upsert(org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml"));
      test::SeedOptions o;
      o.calls = 250;
      o.organization_id = id;
      calls = test::seed_calls(database.calls(), o);
    }
    daemon = std::make_unique<daemon::Daemon>(settings);
    daemon->start();
    base = "http://127.0.0.1:" + std::to_string(daemon->port());
  }
  ~ApiHarness() {
    daemon->request_stop();
    daemon->wait();
  }
  test::HttpTestResponse get(const std::string& target, const std::string& token = k_api_token) {
    test::TestHeaders h;
    if (!token.empty()) h.emplace_back("Authorization", "Bearer " + token);
    return test::http_get(base + target, h);
  }
};

nlohmann::json body(const test::HttpTestResponse& r) { return nlohmann::json::parse(r.body); }

}  // namespace

TEST_CASE("the API refuses requests without a valid bearer token with a JSON 401") {
  ApiHarness h;
  for (const std::string& token : {std::string(), std::string("wrong"), k_api_token + "x"}) {
    auto r = h.get("/api/calls", token);
    CHECK(r.status == 401);
    CHECK(r.header("content-type") == "application/json");
    CHECK(body(r)["error"]["code"] == "unauthorized");
    CHECK(r.header("www-authenticate") == "Bearer");
  }
  CHECK(h.get("/api/calls").status == 200);
}

TEST_CASE("the API is not there at all when no tokens are configured") {
  ApiHarness h(std::vector<std::string>{});
  auto r = h.get("/api/calls");
  CHECK(r.status == 404);
  CHECK(body(r)["error"]["code"] == "not_found");
}

TEST_CASE("paging with the cursor walks every call exactly once, and filters narrow it") {
  ApiHarness h;
  std::vector<std::string> walked;
  std::string cursor;
  for (int pages = 0; pages < 20; ++pages) {
    auto r = h.get("/api/calls?limit=40" + (cursor.empty() ? "" : "&cursor=" + cursor));
    REQUIRE(r.status == 200);
    auto j = body(r);
    for (const auto& c : j["calls"]) walked.push_back(c["call_sid"]);
    if (j["next_cursor"].is_null()) break;
    cursor = j["next_cursor"].get<std::string>();
    // The cursor holds '|' and ':', which a client percent-encodes.
    for (auto [from, to] : {std::pair{"|", "%7C"}, std::pair{":", "%3A"}})
      for (size_t p; (p = cursor.find(from)) != std::string::npos;) cursor.replace(p, 1, to);
  }
  CHECK(walked.size() == 250);
  CHECK(std::set<std::string>(walked.begin(), walked.end()).size() == 250);
  auto failed = body(h.get("/api/calls?status=failed&org=lotus-yoga&limit=1000"));
  CHECK(failed["calls"].size() == 25);
  CHECK(failed["calls"][0]["organization"] == "lotus-yoga");
  auto bad = h.get("/api/calls?cursor=nonsense");
  CHECK(bad.status == 400);
  CHECK(body(bad)["error"]["code"] == "invalid_cursor");
  CHECK(body(bad)["error"]["field"] == "cursor");
  // Every 400 names the parameter and what it should have been.
  const auto since = body(h.get("/api/calls?since=yesterday"))["error"];
  CHECK(since["code"] == "invalid_parameter");
  CHECK(since["field"] == "since");
  CHECK(since["expected"] == "YYYY-MM-DD, an ISO time, or 7d/12h ago");
  CHECK(since["message"] == "since \"yesterday\" is not a time (expected YYYY-MM-DD, an ISO time, or 7d/12h ago)");
  const auto limit = body(h.get("/api/calls?limit=0"))["error"];
  CHECK(limit["field"] == "limit");
  CHECK(limit["expected"] == "a number from 1 to 1000");
  const auto engine = body(h.get("/api/calls?engine=vapi"))["error"];
  CHECK(engine["field"] == "engine");
  CHECK(engine["expected"] == "openai, deepgram or ultravox");
  CHECK(body(h.get("/api/calls?org=nobody"))["error"]["field"] == "org");
}

TEST_CASE("one call comes with its transcript and events; analytics and the prompt answer too") {
  ApiHarness h;
  const auto& seeded = h.calls[10];
  auto r = h.get("/api/calls/" + seeded.sid);
  REQUIRE(r.status == 200);
  auto j = body(r);
  CHECK(j["status"] == "completed");
  CHECK(j["turns"].size() == 4);
  CHECK(j["turns"][2]["text"] == seeded.turns[2].text);
  CHECK(j["tool_calls"][0]["name"] == "book_class");
  CHECK(j["events"][0]["kind"] == "tool_call");
  CHECK(body(h.get("/api/calls/CAnope"))["error"]["code"] == "not_found");

  auto a = body(h.get("/api/analytics?org=lotus-yoga"));
  CHECK(a["calls"]["total"] == 250);
  CHECK(a["calls"]["transfers"] == 25);
  CHECK(a["estimated_cost"]["usd"].is_string());

  auto p = h.get("/api/orgs/lotus-yoga/prompt");
  REQUIRE(p.status == 200);
  CHECK(body(p)["prompt"].get<std::string>().find("Lotus Yoga") != std::string::npos);
  CHECK(h.get("/api/orgs/nobody/prompt").status == 404);
}

TEST_CASE("CORS preflight is answered for allowed origins only, and a bad outbound body is a 400") {
  ApiHarness h;
  test::HttpTestConnection c(h.base);
  auto pre = c.request("OPTIONS", "/api/calls", {{"Origin", "https://dashboard.example.com"},
                                                 {"Access-Control-Request-Method", "GET"}});
  CHECK(pre.status == 204);
  CHECK(pre.header("access-control-allow-origin") == "https://dashboard.example.com");
  CHECK(pre.header("access-control-allow-headers").find("Authorization") != std::string::npos);
  auto evil = c.request("OPTIONS", "/api/calls", {{"Origin", "https://evil.example.com"}});
  CHECK(evil.status == 403);
  CHECK(evil.header("access-control-allow-origin").empty());
  auto got = c.request("GET", "/api/analytics", {{"Origin", "https://dashboard.example.com"},
                                                 {"Authorization", "Bearer " + k_api_token}});
  CHECK(got.status == 200);
  CHECK(got.header("access-control-allow-origin") == "https://dashboard.example.com");
  auto post = c.request("POST", "/api/calls", {{"Authorization", "Bearer " + k_api_token},
                                               {"Content-Type", "application/json"}}, "{\"to\":\"+15551234567\"}");
  CHECK(post.status == 400);
  CHECK(body(post)["error"]["code"] == "invalid_body");
  // Once answered with a plain-text 500 that nobody logged.
  auto typed = c.request("POST", "/api/calls", {{"Authorization", "Bearer " + k_api_token},
                                                {"Content-Type", "application/json"}},
                         R"({"to":"+15551234567","org":"lotus-yoga","machine_detection":"yes"})");
  CHECK(typed.status == 400);
  CHECK(typed.header("content-type") == "application/json");
  CHECK(body(typed)["error"]["field"] == "machine_detection");
  CHECK(body(typed)["error"]["expected"] == "true or false");
  // Refused from its head, before the body is read, with the API's JSON naming the setting.
  test::HttpTestConnection fresh(h.base);
  auto big = fresh.request("POST", "/api/calls", {{"Authorization", "Bearer " + k_api_token}}, std::string(20000, 'x'));
  CHECK(big.status == 413);
  CHECK(big.header("content-type") == "application/json");
  CHECK(body(big)["error"]["code"] == "too_large");
  CHECK(body(big)["error"]["message"] == "the request body is larger than 16 KiB (api.max_body_bytes)");
  // A browser client from an allowed origin can read why.
  test::HttpTestConnection browser(h.base);
  auto cross = browser.request("POST", "/api/calls", {{"Authorization", "Bearer " + k_api_token},
                                                      {"Origin", "https://dashboard.example.com"}}, std::string(20000, 'x'));
  CHECK(cross.status == 413);
  CHECK(cross.header("access-control-allow-origin") == "https://dashboard.example.com");
}

TEST_CASE("api.max_body_bytes, api.burst and api.requests_per_second are the API's limits") {
  ApiHarness h({k_api_token}, [](config::Settings& s) {
    s.api.max_body_bytes = 32 * 1024;
    s.api.burst = 5;
    s.api.requests_per_second = 1;
  });
  test::HttpTestConnection c(h.base);
  // 20,000 bytes are read now, and found to be no call.
  auto big = c.request("POST", "/api/calls", {{"Authorization", "Bearer " + k_api_token}}, std::string(20000, 'x'));
  CHECK(big.status == 400);
  CHECK(body(big)["error"]["code"] == "invalid_body");
  test::HttpTestConnection other(h.base);
  auto bigger = other.request("POST", "/api/calls", {{"Authorization", "Bearer " + k_api_token}}, std::string(40000, 'x'));
  CHECK(bigger.status == 413);
  CHECK(body(bigger)["error"]["message"] == "the request body is larger than 32 KiB (api.max_body_bytes)");
  // One request of the burst of five went to the first body (the refused one never reached the
  // API); four more at least, then 429.
  test::HttpTestConnection burst(h.base);
  int ok = 0, first_limited = -1;
  for (int i = 0; i < 12 && first_limited < 0; ++i) {
    const int status = burst.request("GET", "/api/orgs/lotus-yoga/prompt", {{"Authorization", "Bearer " + k_api_token}}).status;
    ok += status == 200;
    if (status == 429) first_limited = i;
  }
  CHECK(ok >= 4);
  CHECK(first_limited >= 4);
}

TEST_CASE("a burst beyond the limit is answered 429 with Retry-After") {
  ApiHarness h;
  test::HttpTestConnection c(h.base);
  int limited = 0;
  for (int i = 0; i < 80 && !limited; ++i) {
    auto r = c.request("GET", "/api/orgs/nobody/prompt", {{"Authorization", "Bearer " + k_api_token}});
    if (r.status == 429) {
      ++limited;
      CHECK(r.header("retry-after") == "1");
      CHECK(body(r)["error"]["code"] == "rate_limited");
    }
  }
  CHECK(limited == 1);
}

TEST_CASE("a malformed percent-escape in the path or the query is a 400 naming it; valid ones are decoded") {
  ApiHarness h;
  test::HttpTestConnection c(h.base);  // sends the target as it is (a URL parser would refuse it first)
  const test::TestHeaders auth = {{"Authorization", "Bearer " + k_api_token}};
  const auto query = c.request("GET", "/api/calls?org=%zz", auth);
  CHECK(query.status == 400);
  CHECK(body(query)["error"]["code"] == "invalid_query");
  CHECK(body(query)["error"]["message"].get<std::string>().find("%zz") != std::string::npos);
  CHECK(body(query)["error"]["field"] == "query");
  const auto path = c.request("GET", "/api/calls/CA%zz", auth);
  CHECK(path.status == 400);
  CHECK(body(path)["error"]["code"] == "invalid_path");
  CHECK(h.get("/api/orgs/lotus%2Dyoga/prompt").status == 200);
  CHECK(h.get("/api/calls?org=lotus%2Dyoga&limit=5").status == 200);
}

TEST_CASE("anonymous requests cannot use up a token's allowance; failed authentications are limited per client") {
  SUBCASE("from one address, 60 wrong tokens are slowed down, and the valid token still works") {
    ApiHarness h;
    test::HttpTestConnection c(h.base);
    int unauthorized = 0, limited = 0;
    for (int i = 0; i < 60; ++i) {
      const int status = c.request("GET", "/api/calls", {{"Authorization", "Bearer wrong"}}).status;
      unauthorized += status == 401;
      limited += status == 429;
    }
    CHECK(unauthorized >= config::ApiSettings{}.burst);
    CHECK(limited > 0);
    CHECK(unauthorized + limited == 60);
    CHECK(c.request("GET", "/api/calls", {{"Authorization", "Bearer " + k_api_token}}).status == 200);
  }
  SUBCASE("behind a trusted proxy each forwarded client has its own allowance; a forged hop does not help") {
    ApiHarness h({k_api_token}, [](config::Settings& s) { s.server.trusted_proxies = {"127.0.0.1"}; });
    test::HttpTestConnection c(h.base);
    int limited_a = 0;
    for (int i = 0; i < 60; ++i) {
      // Client A puts a different address in front each time; the proxy appends A's real one.
      const std::string forwarded = "198.51.100." + std::to_string(i) + ", 203.0.113.1";
      limited_a += c.request("GET", "/api/calls", {{"Authorization", "Bearer wrong"}, {"X-Forwarded-For", forwarded}})
                       .status == 429;
    }
    CHECK(limited_a > 0);
    CHECK(c.request("GET", "/api/calls", {{"Authorization", "Bearer wrong"}, {"X-Forwarded-For", "203.0.113.2"}})
              .status == 401);
  }
  SUBCASE("an untrusted peer's X-Forwarded-For is ignored: its failures are its own address's") {
    ApiHarness h;
    test::HttpTestConnection c(h.base);
    int limited = 0;
    for (int i = 0; i < 60; ++i) {
      limited += c.request("GET", "/api/calls",
                           {{"Authorization", "Bearer wrong"}, {"X-Forwarded-For", "198.51.100." + std::to_string(i)}})
                     .status == 429;
    }
    CHECK(limited > 0);
  }
}

TEST_CASE("POST /api/calls places an outbound call through Twilio with the CLI's checks") {
  fakes::FakeTwilioRest rest("AC00000000000000000000000000000001", "f1e2d3c4b5a697887766554433221100");
  test::TempDir unused;
  (void)unused;
  ApiHarness h({k_api_token}, [&](config::Settings& s) {
    s.twilio.account_sid = "AC00000000000000000000000000000001";
    s.twilio.api_base_url = rest.base_url();
    s.server.public_url = "https://voice.example.com";
    s.calls.outbound.allowed_numbers = {"+15557654321"};
  });
  test::HttpTestConnection c(h.base);
  test::TestHeaders auth = {{"Authorization", "Bearer " + k_api_token}, {"Content-Type", "application/json"}};
  auto placed = c.request("POST", "/api/calls", auth, R"({"to":"+15557654321","org":"lotus-yoga"})");
  REQUIRE(placed.status == 201);
  auto j = body(placed);
  CHECK(j["call_sid"].get<std::string>().rfind("CA", 0) == 0);
  CHECK(j["from"] == "+15550001000");
  REQUIRE(rest.calls_created().size() == 1);
  bool found_url = false;
  for (const auto& r : rest.requests())
    for (const auto& [k, v] : r.form)
      if (k == "Url") {
        found_url = true;
        CHECK(v.rfind("https://voice.example.com/twilio/voice?org=", 0) == 0);
      }
  CHECK(found_url);

  auto not_allowed = c.request("POST", "/api/calls", auth, R"({"to":"+15550000000","org":"lotus-yoga"})");
  CHECK(not_allowed.status == 422);
  CHECK(body(not_allowed)["error"]["code"] == "refused");
  // A number as the business writes it is read in its country; one without its area code is no number.
  auto local = c.request("POST", "/api/calls", auth, R"({"to":"555-1234","org":"lotus-yoga"})");
  CHECK(local.status == 400);
  CHECK(body(local)["error"]["field"] == "to");
  CHECK(body(local)["error"]["message"].get<std::string>().find("to: \"555-1234\" is a local number without its area code") == 0);
  CHECK(body(local)["error"]["expected"] == "a number such as \"+1 201-555-0123\" or \"(201) 555-0123\"");
  auto unknown = c.request("POST", "/api/calls", auth, R"({"to":"+15557654321","org":"nope"})");
  CHECK(unknown.status == 404);
  // The first call is recorded, so calling the same number again is within the cooldown.
  std::this_thread::sleep_for(200ms);
  auto again = c.request("POST", "/api/calls", auth, R"({"to":"+15557654321","org":"lotus-yoga"})");
  CHECK(again.status == 422);
  CHECK(body(again)["error"]["message"].get<std::string>().find("cooldown") != std::string::npos);
  CHECK(rest.calls_created().size() == 1);
}
