// The Twilio REST client, `sonoria sms` and `sonoria call` against the fake Twilio REST server
// (protocols.md §4.7), which checks method, path, auth and form fields of every request.
#include <doctest/doctest.h>

#include <boost/asio/io_context.hpp>

#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/net/http_client.hpp"
#include "core/org/profile_toml.hpp"
#include "core/twilio/base64.hpp"
#include "core/twilio/rest_client.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

const std::string k_rest_account = "AC0123456789abcdef0123456789abcdef";
const std::string k_rest_token = "auth-token-secret";

twilio::RestAccount account_for(const fakes::FakeTwilioRest& fake, const std::string& token = k_rest_token) {
  return {fake.base_url(), k_rest_account, k_rest_account, token};
}

template <class Result>
Result run(const twilio::RestAccount& account, std::function<void(twilio::RestClient&, std::function<void(Result)>)> start,
           twilio::RestClientOptions options = {}) {
  boost::asio::io_context io;
  options.seed = 42;
  options.backoff_base = 5ms;
  options.backoff_cap = 40ms;
  auto client = twilio::RestClient::create(io.get_executor(), account, options);
  std::optional<Result> out;
  start(*client, [&](Result r) { out = std::move(r); });
  io.run();
  REQUIRE(out);
  return *out;
}

twilio::MessageResult send_sms(const twilio::RestAccount& account, const std::string& to, twilio::RestClientOptions options = {}) {
  return run<twilio::MessageResult>(
      account, [&](twilio::RestClient& c, auto done) { c.create_message({to, "+15550001000", "", "Your link", ""}, done); },
      options);
}

// A user of the CLI with a migrated database holding the yoga studio, pointed at the fake.
struct CliUser {
  test::TempDir home;
  fakes::FakeTwilioRest& fake;
  std::map<std::string, std::string> env;

  explicit CliUser(fakes::FakeTwilioRest& f, const std::string& extra_config = "") : fake(f) {
    auto config = home.write("sonoria.toml", "[server]\npublic_url = \"https://voice.example.com\"\n" + extra_config);
    env = {{"HOME", home.path().string()},
           {"SONORIA_CONFIG", config.string()},
           {"SONORIA_DB", (home / "sonoria.db").string()},
           {"TWILIO_ACCOUNT_SID", k_rest_account},
           {"TWILIO_AUTH_TOKEN", k_rest_token},
           {"SONORIA_TWILIO_API_BASE_URL", fake.base_url()}};
    REQUIRE(run({"migrate"}).exit_code == 0);
    auto imported = run({"org", "import", (test::source_dir() / "examples" / "yoga-studio.toml").string()});
    REQUIRE_MESSAGE(imported.exit_code == 0, imported.err);
  }
  test::CommandResult run(const std::vector<std::string>& args) { return test::run_sonoria(args, env); }
};

}  // namespace

TEST_CASE("a message is sent with Basic auth and Twilio's form fields, and its resource read back") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  auto result = send_sms(account_for(fake), "+14155551222");
  REQUIRE(result.ok());
  CHECK(result.value->sid.rfind("SM", 0) == 0);
  CHECK(result.value->status == "queued");
  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].method == "POST");
  CHECK(requests[0].target == "/2010-04-01/Accounts/" + k_rest_account + "/Messages.json");
  CHECK(requests[0].authenticated);
  CHECK(requests[0].content_type == "application/x-www-form-urlencoded");
  CHECK(requests[0].form == twilio::FormParams{{"To", "+14155551222"}, {"From", "+15550001000"}, {"Body", "Your link"}});
}

TEST_CASE("an API key authenticates with the account SID still in the path") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  fake.add_api_key("SK0123456789abcdef0123456789abcdef", "key-secret");
  twilio::RestAccount account{fake.base_url(), k_rest_account, "SK0123456789abcdef0123456789abcdef", "key-secret"};
  REQUIRE(send_sms(account, "+14155551222").ok());
  CHECK(fake.requests()[0].auth_user == "SK0123456789abcdef0123456789abcdef");
}

TEST_CASE("429 is retried with backoff until it goes through") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  fake.rate_limit_next(2);
  auto result = send_sms(account_for(fake), "+14155551222");
  REQUIRE(result.ok());
  CHECK(result.attempts == 3);
  CHECK(fake.messages_created().size() == 1);
}

TEST_CASE("429 past the deadline gives up with the rate-limit error") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  fake.rate_limit_next(1000);
  twilio::RestClientOptions options;
  options.deadline = 300ms;
  auto result = send_sms(account_for(fake), "+14155551222", options);
  REQUIRE_FALSE(result.ok());
  CHECK(result.error->code == 20429);
  CHECK(result.attempts > 1);
}

TEST_CASE("a 400 is not retried and names Twilio's code and what to do") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  auto result = send_sms(account_for(fake), "5551234");
  REQUIRE_FALSE(result.ok());
  CHECK(result.attempts == 1);
  CHECK(result.error->code == 21211);
  CHECK(result.error->describe().find("E.164") != std::string::npos);
}

TEST_CASE("trial accounts and bad credentials are explained") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  fake.set_unverified_numbers({"+15553334444"});
  auto trial = send_sms(account_for(fake), "+15553334444");
  REQUIRE(trial.error);
  CHECK(trial.error->code == 21608);
  CHECK(trial.error->describe().find("trial account") != std::string::npos);
  auto bad = send_sms(account_for(fake, "wrong"), "+14155551222");
  REQUIRE(bad.error);
  CHECK(bad.error->code == 20003);
  CHECK(bad.error->http_status == 401);
  CHECK(bad.attempts == 1);
}

TEST_CASE("a 5xx on a create whose first attempt took effect is not sent twice") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  // The fake creates the message, then its answer is lost: simulate by a 500 on a later request
  // while checking: first create fails with 500 before taking effect, second succeeds.
  fake.fail_next(1, 500, true, "Messages.json");
  auto result = send_sms(account_for(fake), "+14155551222");
  REQUIRE(result.ok());
  CHECK(fake.messages_created().size() == 1);
  auto requests = fake.requests();
  REQUIRE(requests.size() == 3);  // failed create, verification list, create
  CHECK(requests[1].method == "GET");
  CHECK(requests[1].target.find("Messages.json?To=%2B14155551222") != std::string::npos);
}

TEST_CASE("a create whose answer was lost is found by listing instead of being repeated") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  REQUIRE(send_sms(account_for(fake), "+14155551222").ok());  // as if this answer had been lost…
  fake.drop_next(1, "Messages.json");
  // …the same message again after a dropped connection matches the earlier one by To and Body.
  auto result = send_sms(account_for(fake), "+14155551222");
  REQUIRE(result.ok());
  CHECK(result.recovered);
  CHECK(fake.messages_created().size() == 1);
}

TEST_CASE("updating a call to completed and with transfer TwiML reaches the fake as Twilio expects") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  fake.register_call("CA0123456789abcdef0123456789abcdef");
  twilio::UpdateCall transfer{"<Response><Dial callerId=\"+15550001000\" timeout=\"20\">+15557654321</Dial></Response>", "", ""};
  auto moved = run<twilio::CallResult>(account_for(fake), [&](twilio::RestClient& c, auto done) {
    c.update_call("CA0123456789abcdef0123456789abcdef", transfer, done);
  });
  REQUIRE(moved.ok());
  auto updates = fake.call_updates();
  REQUIRE(updates.size() == 1);
  CHECK(twilio::form_value(updates[0].form, "Twiml")->find("<Dial") != std::string::npos);
  fake.set_call_status("CA0123456789abcdef0123456789abcdef", "completed");
  auto ended = run<twilio::CallResult>(account_for(fake), [&](twilio::RestClient& c, auto done) {
    c.update_call("CA0123456789abcdef0123456789abcdef", {"", "", "completed"}, done);
  });
  REQUIRE(ended.error);
  CHECK(ended.error->call_already_ended());
}

TEST_CASE("the HTTP client reports a refused connection and a bad URL as values") {
  boost::asio::io_context io;
  auto client = net::HttpClient::create(io.get_executor());
  std::vector<net::HttpResponse> answers;
  client->request({"GET", "http://127.0.0.1:1/x", {}, ""}, 2s, [&](net::HttpResponse r) { answers.push_back(r); });
  client->request({"GET", "ftp://example.com/", {}, ""}, 2s, [&](net::HttpResponse r) { answers.push_back(r); });
  io.run();
  REQUIRE(answers.size() == 2);
  for (const auto& a : answers) CHECK_FALSE(a.ok());
  bool saw_refused = false, saw_bad_url = false;
  for (const auto& a : answers) {
    saw_refused |= a.error_text.find("cannot connect to 127.0.0.1:1") != std::string::npos && !a.maybe_delivered;
    saw_bad_url |= a.error_text.find("scheme must be http or https") != std::string::npos;
  }
  CHECK(saw_refused);
  CHECK(saw_bad_url);
}

// The +1 555 numbers of these tests are fictional: texted only when listed.
const std::string k_texts_allowed = "[calls.outbound]\nallowed_numbers = [\"+14155551222\", \"+15553334444\"]\n";

TEST_CASE("sonoria sms sends from the organization's number, prints the SID and records the message") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  CliUser u(fake, k_texts_allowed);
  auto r = u.run({"sms", "--to", "+14155551222", "--body", "See you Tuesday", "--org", "lotus-yoga"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.rfind("SM", 0) == 0);
  CHECK(r.out.find(" queued") != std::string::npos);
  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(*twilio::form_value(requests[0].form, "From") == "+15550001000");
  CHECK(*twilio::form_value(requests[0].form, "Body") == "See you Tuesday");
  db::Database database({(u.home / "sonoria.db").string()}, db::SchemaCheck::require_current, true);
  db::Statement s(database.connection(), "SELECT purpose, status, to_number FROM messages");
  REQUIRE(s.step());
  CHECK(s.text(0) == "manual");
  CHECK(s.text(1) == "queued");
}

TEST_CASE("sonoria sms failures exit non-zero with Twilio's code and a plain explanation") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  fake.set_unverified_numbers({"+15553334444"});
  CliUser u(fake, k_texts_allowed);
  // Not a number is said before Twilio is asked (its own 21211 is explained above).
  auto invalid = u.run({"sms", "--to", "12345", "--body", "hi", "--org", "lotus-yoga"});
  CHECK(invalid.exit_code == 2);
  CHECK(invalid.err.find("--to: \"12345\" is too short for a number in US") != std::string::npos);
  auto unlisted = u.run({"sms", "--to", "+15559990000", "--body", "hi", "--org", "lotus-yoga"});
  CHECK(unlisted.exit_code == 4);
  CHECK(unlisted.err.find("not sending: +15559990000 is not assigned") != std::string::npos);
  CHECK(fake.request_count() == 0);
  auto trial = u.run({"sms", "--to", "+15553334444", "--body", "hi", "--org", "lotus-yoga"});
  CHECK(trial.exit_code == 1);
  CHECK(trial.err.find("21608") != std::string::npos);
  CHECK(trial.err.find("trial account") != std::string::npos);
  u.env["TWILIO_AUTH_TOKEN"] = "wrong";
  auto creds = u.run({"sms", "--to", "+14155551222", "--body", "hi", "--org", "lotus-yoga"});
  CHECK(creds.exit_code == 3);
  CHECK(creds.err.find("20003") != std::string::npos);
  CHECK(creds.err.find("wrong") == std::string::npos);
}

TEST_CASE("sonoria sms --dry-run prints the request with Authorization redacted and sends nothing") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  CliUser u(fake, k_texts_allowed);
  auto r = u.run({"sms", "--to", "+14155551222", "--body", "hi", "--org", "lotus-yoga", "--dry-run"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.find("POST " + fake.base_url() + "/Accounts/" + k_rest_account + "/Messages.json") != std::string::npos);
  CHECK(r.out.find("Authorization: Basic [redacted]") != std::string::npos);
  CHECK(r.out.find("To=+14155551222") != std::string::npos);
  CHECK(r.out.find(k_rest_token) == std::string::npos);
  CHECK(fake.request_count() == 0);
}

TEST_CASE("sonoria call dials with the voice URL and status callbacks, then refuses within the cooldown") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  CliUser u(fake, "[calls.outbound]\nallowed_numbers = [\"+15557654321\"]\ncooldown = \"5m\"\n");
  auto r = u.run({"call", "+15557654321", "--org", "lotus-yoga", "--machine-detection"});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  CHECK(r.out.rfind("CA", 0) == 0);
  auto requests = fake.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].target == "/2010-04-01/Accounts/" + k_rest_account + "/Calls.json");
  CHECK(*twilio::form_value(requests[0].form, "Url") == "https://voice.example.com/twilio/voice?org=1");
  CHECK(*twilio::form_value(requests[0].form, "StatusCallback") == "https://voice.example.com/twilio/status");
  CHECK(*twilio::form_value(requests[0].form, "MachineDetection") == "DetectMessageEnd");
  CHECK(*twilio::form_value(requests[0].form, "From") == "+15550001000");

  auto again = u.run({"call", "+15557654321", "--org", "lotus-yoga"});
  CHECK(again.exit_code == 4);
  CHECK(again.err.find("calls.outbound.cooldown is 5m") != std::string::npos);
  CHECK(fake.request_count() == 1);
}

TEST_CASE("sonoria call refuses numbers outside the allow-list and malformed numbers, without dialling") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  CliUser u(fake);
  auto r = u.run({"call", "+15557654321", "--org", "lotus-yoga"});
  CHECK(r.exit_code == 4);
  CHECK(r.err.find("+15557654321 is not assigned in any country's numbering plan") != std::string::npos);
  CHECK(r.err.find("listed in calls.outbound.allowed_numbers") != std::string::npos);
  auto us = u.run({"call", "(415) 555-0123", "--org", "lotus-yoga"});
  CHECK(us.exit_code == 4);
  CHECK(us.err.find("+14155550123 is a number in US, which calls.outbound.allowed_regions does not include") !=
        std::string::npos);
  auto bad = u.run({"call", "555-1234", "--org", "lotus-yoga"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("NUMBER: \"555-1234\" is a local number without its area code (expected a number such as "
                     "\"+1 201-555-0123\" or \"(201) 555-0123\")") != std::string::npos);
  CHECK(fake.request_count() == 0);
}

TEST_CASE("\"US and Canada\" means those two countries' ordinary lines, read as the business writes them") {
  fakes::FakeTwilioRest fake(k_rest_account, k_rest_token);
  CliUser u(fake, "[calls.outbound]\nallow_us_canada = true\ncooldown = \"0s\"\n");
  // Jamaica and premium rate share +1 with the US: both refused, nothing dialled.
  auto jamaica = u.run({"call", "+1 876 555 0123", "--org", "lotus-yoga"});
  CHECK(jamaica.exit_code == 4);
  CHECK(jamaica.err.find("+18765550123 is a number in JM") != std::string::npos);
  auto premium = u.run({"call", "1-900-555-0123", "--org", "lotus-yoga"});
  CHECK(premium.exit_code == 4);
  CHECK(premium.err.find("+19005550123 is a premium_rate number, which calls.outbound.allowed_types does not include") !=
        std::string::npos);
  auto sms = u.run({"sms", "--to", "+1 876 555 0123", "--body", "hi", "--org", "lotus-yoga"});
  CHECK(sms.exit_code == 4);
  CHECK(sms.err.find("not sending: +18765550123 is a number in JM") != std::string::npos);
  CHECK(fake.request_count() == 0);

  auto toronto = u.run({"call", "(416) 555-0123", "--org", "lotus-yoga"});
  REQUIRE_MESSAGE(toronto.exit_code == 0, toronto.err);
  REQUIRE(fake.calls_created().size() == 1);
  CHECK(fake.calls_created()[0]["to"] == "+14165550123");
}
