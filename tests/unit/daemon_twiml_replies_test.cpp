#include <doctest/doctest.h>

#include "daemon/twiml_replies.hpp"

using namespace sonoria;
using namespace sonoria::daemon;

namespace {

org::Profile yoga() {
  org::Profile p;
  p.organization.name = "Lotus Yoga";
  p.assistant.language = "en";
  p.fallback_numbers = {{"front desk", "+15557654321"}};
  return p;
}

}  // namespace

TEST_CASE("an admitted call is answered with a stream carrying its token, and the connect action") {
  auto xml = stream_twiml("https://voice.example.com", "abc123", "CA1");
  CHECK(xml.find("<Connect action=\"https://voice.example.com/twilio/connect-done\" method=\"POST\">") != std::string::npos);
  CHECK(xml.find("<Stream url=\"wss://voice.example.com/twilio/media\"") != std::string::npos);
  CHECK(xml.find("<Parameter name=\"token\" value=\"abc123\"/>") != std::string::npos);
}

TEST_CASE("a plain-HTTP development daemon gets a ws:// stream URL") {
  auto xml = stream_twiml("http://127.0.0.1:8080", "t", "CA1");
  CHECK(xml.find("<Stream url=\"ws://127.0.0.1:8080/twilio/media\"") != std::string::npos);
}

TEST_CASE("refusals are spoken politely, then hung up") {
  auto p = yoga();
  auto busy = refusal_twiml("capacity", &p);
  CHECK(busy.find("All of our lines are busy") != std::string::npos);
  CHECK(busy.find("Lotus Yoga") != std::string::npos);
  CHECK(busy.find("<Hangup/>") != std::string::npos);
  CHECK(refusal_twiml("unknown_number", nullptr).find("not set up to take calls") != std::string::npos);
  CHECK(refusal_twiml("rate_limited", &p).find("several calls from your number") != std::string::npos);
}

TEST_CASE("after the stream: hang up, transfer, or apologise and fall back — never silence") {
  auto p = yoga();
  SUBCASE("hang up") {
    CHECK(after_stream_twiml(call::Disposition{call::Hangup{}}, &p, "https://v.example", "+15550001000") ==
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>");
  }
  SUBCASE("transfer dials the number with the business's caller ID") {
    auto xml = after_stream_twiml(call::Disposition{call::Transfer{"+15551230000"}}, &p, "https://v.example", "+15550001000");
    CHECK(xml.find("<Dial callerId=\"+15550001000\"") != std::string::npos);
    CHECK(xml.find("<Number>+15551230000</Number>") != std::string::npos);
    CHECK(xml.find("action=\"https://v.example/twilio/dial-done\"") != std::string::npos);
  }
  SUBCASE("engine failure apologises and transfers to the fallback") {
    auto xml = after_stream_twiml(call::Disposition{call::Fallback{"engine down"}}, &p, "https://v.example", "+15550001000");
    CHECK(xml.find("technical trouble") != std::string::npos);
    CHECK(xml.find("<Number>+15557654321</Number>") != std::string::npos);
  }
  SUBCASE("no decision and no fallback number: apologise and hang up") {
    org::Profile bare;
    auto xml = after_stream_twiml(std::nullopt, &bare, "https://v.example", "");
    CHECK(xml.find("technical trouble") != std::string::npos);
    CHECK(xml.find("<Hangup/>") != std::string::npos);
    CHECK(xml.find("<Dial") == std::string::npos);
  }
}

TEST_CASE("an unanswered transfer is not dead air") {
  auto p = yoga();
  CHECK(after_dial_twiml("no-answer", &p).find("<Say") != std::string::npos);
  CHECK(after_dial_twiml("completed", &p) == "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Hangup/></Response>");
}

TEST_CASE("while shutting down, callers are handed to the fallback number with no way back to the daemon") {
  auto p = yoga();
  SUBCASE("a new caller is welcomed and dialled through") {
    auto xml = handoff_twiml(&p, "+15550001000", false);
    CHECK(xml.find("Thank you for calling Lotus Yoga") != std::string::npos);
    CHECK(xml.find("<Number>+15557654321</Number>") != std::string::npos);
    CHECK(xml.find("callerId=\"+15550001000\"") != std::string::npos);
    CHECK(xml.find("action=") == std::string::npos);
  }
  SUBCASE("a call still running at the drain deadline is told why") {
    auto xml = handoff_twiml(&p, "+15550001000", true);
    CHECK(xml.find("I have to pass you on now") != std::string::npos);
    CHECK(xml.find("<Number>+15557654321</Number>") != std::string::npos);
    CHECK(xml.find("action=") == std::string::npos);
  }
  SUBCASE("without a fallback number: a polite goodbye, never silence") {
    org::Profile bare = yoga();
    bare.fallback_numbers.clear();
    CHECK(handoff_twiml(&bare, "", false).find("All of our lines are busy") != std::string::npos);
    auto mid = handoff_twiml(&bare, "", true);
    CHECK(mid.find("Please call Lotus Yoga again in a few minutes") != std::string::npos);
    CHECK(mid.find("<Hangup/>") != std::string::npos);
  }
  SUBCASE("a transfer decided during the drain has no dial action either") {
    auto xml = after_stream_twiml(call::Disposition{call::Transfer{"+15551230000"}}, &p, "", "+15550001000");
    CHECK(xml.find("<Number>+15551230000</Number>") != std::string::npos);
    CHECK(xml.find("action=") == std::string::npos);
  }
}
