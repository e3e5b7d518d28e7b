#include "core/simulate/twiml_text.hpp"

#include <doctest/doctest.h>

using namespace sonoria;
using namespace sonoria::simulate;

TEST_CASE("TwiML is described verb by verb, and a Dial becomes what would be dialled") {
  auto parsed = twilio::parse_twiml(R"(<Response><Say>Please hold.</Say>
    <Dial callerId="+15550001000" timeout="20"><Number>+15557654321</Number></Dial><Hangup/></Response>)");
  REQUIRE(parsed.twiml);
  CHECK(describe_twiml(*parsed.twiml) == "Say \"Please hold.\" · Dial +15557654321 · Hangup");
  REQUIRE(parsed.twiml->dial);
  CHECK(would_dial(*parsed.twiml->dial) == "would dial +15557654321 (caller ID +15550001000)");
}

TEST_CASE("a stream TwiML names the stream, its parameters and the action") {
  auto parsed = twilio::parse_twiml(R"(<Response><Connect action="https://v.example/twilio/connect-done">
    <Stream url="wss://v.example/twilio/media"><Parameter name="token" value="t"/></Stream></Connect></Response>)");
  REQUIRE(parsed.twiml);
  CHECK(describe_twiml(*parsed.twiml) ==
        "Connect Stream wss://v.example/twilio/media (1 parameter) then https://v.example/twilio/connect-done");
  auto reject = twilio::parse_twiml(R"(<Response><Reject reason="busy"/></Response>)");
  CHECK(describe_twiml(*reject.twiml) == "Reject (busy)");
  CHECK(describe_twiml(*twilio::parse_twiml("<Response/>").twiml).find("hangs up") != std::string::npos);
}
