#include <doctest/doctest.h>

#include "core/twilio/base64.hpp"
#include "core/twilio/rest_request.hpp"
#include "tests/support/error_of.hpp"

using namespace sonoria;
using namespace sonoria::twilio;

namespace {

RestAccount account() {
  return {"https://api.twilio.com/2010-04-01", "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
          "token"};
}

}  // namespace

TEST_CASE("a call is created by POSTing PascalCase form fields to the account's Calls.json") {
  CreateCall call;
  call.to = "+15558675310";
  call.from = "+15017122661";
  call.url = "https://voice.example.com/twilio/voice?org=3";
  call.status_callback = "https://voice.example.com/twilio/status";
  call.status_callback_events = {"initiated", "ringing", "answered", "completed"};
  call.machine_detection = "Enable";
  auto r = create_call_request(account(), call);
  CHECK(r.method == "POST");
  CHECK(r.url == "https://api.twilio.com/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Calls.json");
  CHECK(r.path == "/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Calls.json");
  CHECK(*form_value(r.form, "To") == "+15558675310");
  CHECK(*form_value(r.form, "From") == "+15017122661");
  CHECK(*form_value(r.form, "Url") == "https://voice.example.com/twilio/voice?org=3");
  CHECK(*form_value(r.form, "MachineDetection") == "Enable");
  int events = 0;
  for (const auto& [name, value] : r.form) events += name == "StatusCallbackEvent";
  CHECK(events == 4);
  CHECK(r.body().find("To=%2B15558675310") != std::string::npos);
  CHECK(r.body().find("StatusCallbackEvent=initiated&StatusCallbackEvent=ringing") != std::string::npos);
}

TEST_CASE("basic auth uses the account SID and token, or an API key with the account still in the path") {
  config::TwilioSettings s;
  s.account_sid = "AC123";
  s.auth_token = "secret-token";
  auto a = rest_account_from(s);
  auto r = create_message_request(a, {"+15551112222", "+15550001000", "", "hi", ""});
  CHECK(r.authorization == "Basic " + base64_encode("AC123:secret-token"));
  s.api_key_sid = "SK999";
  s.api_key_secret = "key-secret";
  auto k = rest_account_from(s);
  auto kr = create_message_request(k, {"+15551112222", "+15550001000", "", "hi", ""});
  CHECK(kr.authorization == "Basic " + base64_encode("SK999:key-secret"));
  CHECK(kr.url.find("/Accounts/AC123/Messages.json") != std::string::npos);
}

TEST_CASE("missing or misplaced credentials are configuration errors naming the setting") {
  config::TwilioSettings s;
  CHECK(test::error_of([&] { rest_account_from(s); }).find("twilio.account_sid is not set") != std::string::npos);
  s.account_sid = "SK123";
  CHECK(test::error_of([&] { rest_account_from(s); }).find("does not start with AC") != std::string::npos);
  s.account_sid = "AC123";
  CHECK(test::error_of([&] { rest_account_from(s); }).find("no Twilio credentials") != std::string::npos);
  s.api_key_sid = "SK1";
  CHECK(test::error_of([&] { rest_account_from(s); }).find("api_key_secret is empty") != std::string::npos);
}

TEST_CASE("a described request shows method, URL and fields but never the secret") {
  auto r = create_message_request(account(), {"+15551112222", "+15550001000", "", "Book here: https://x.test", ""});
  auto text = r.describe();
  CHECK(text.find("POST https://api.twilio.com/2010-04-01/Accounts/") != std::string::npos);
  CHECK(text.find("Body=Book here: https://x.test") != std::string::npos);
  CHECK(text.find("[redacted]") != std::string::npos);
  CHECK(text.find("token") == std::string::npos);
  CHECK(text.find(base64_encode("ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:token")) == std::string::npos);
}

TEST_CASE("an update carries Twiml or Status; a trailing slash on the base URL is ignored") {
  auto a = account();
  a.base_url = "http://127.0.0.1:9000/2010-04-01/";
  auto r = update_call_request(a, "CA1", {"<Response><Hangup/></Response>", "", ""});
  CHECK(r.url == "http://127.0.0.1:9000/2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Calls/CA1.json");
  CHECK(*form_value(r.form, "Twiml") == "<Response><Hangup/></Response>");
  auto h = update_call_request(a, "CA1", {"", "", "completed"});
  CHECK(h.form == FormParams{{"Status", "completed"}});
}

TEST_CASE("listing recent resources filters by number and day") {
  auto r = list_messages_request(account(), "+15551112222", "2026-11-23");
  CHECK(r.method == "GET");
  CHECK(r.url.find("Messages.json?To=%2B15551112222&DateSent%3E=2026-11-23") != std::string::npos);
  auto c = list_calls_request(account(), "+15551112222", "2026-11-23");
  CHECK(c.url.find("Calls.json?To=%2B15551112222&StartTime%3E=2026-11-23") != std::string::npos);
}
