#include "core/twilio/twiml.hpp"

#include <doctest/doctest.h>

#include <stdexcept>

using namespace sonoria::twilio;

namespace {
std::string doc(const std::string& verbs) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>" + verbs + "</Response>";
}
}  // namespace

TEST_CASE("an empty response is a bare Response element") {
  CHECK(TwimlResponse{}.str() == doc(""));
}

TEST_CASE("the sonoria answer connects a stream with its per-call parameters and a fallback") {
  TwimlResponse response;
  response
      .connect_stream({.url = "wss://sonoria.example.com/twilio/media",
                       .name = "sonoria",
                       .status_callback = "https://sonoria.example.com/twilio/stream-status",
                       .status_callback_method = "POST",
                       .parameters = {{"token", "9f2c1a"}, {"org", "42"}},
                       .action = "https://sonoria.example.com/twilio/connect-done",
                       .method = "POST"})
      .say("Sorry, something went wrong. Goodbye.")
      .hangup();
  CHECK(response.str() ==
        doc("<Connect action=\"https://sonoria.example.com/twilio/connect-done\" method=\"POST\">"
            "<Stream url=\"wss://sonoria.example.com/twilio/media\" name=\"sonoria\" "
            "statusCallback=\"https://sonoria.example.com/twilio/stream-status\" statusCallbackMethod=\"POST\">"
            "<Parameter name=\"token\" value=\"9f2c1a\"/><Parameter name=\"org\" value=\"42\"/>"
            "</Stream></Connect><Say>Sorry, something went wrong. Goodbye.</Say><Hangup/>"));
}

TEST_CASE("optional attributes that are not set are left out") {
  TwimlResponse response;
  response.connect_stream({.url = "wss://h/twilio/media"});
  CHECK(response.str() == doc("<Connect><Stream url=\"wss://h/twilio/media\"/></Connect>"));
}

TEST_CASE("a parameter with an empty value is still written") {
  TwimlResponse response;
  response.connect_stream({.url = "wss://h/m", .parameters = {{"note", ""}}});
  CHECK(response.str() == doc("<Connect><Stream url=\"wss://h/m\"><Parameter name=\"note\" value=\"\"/></Stream></Connect>"));
}

TEST_CASE("say escapes its text and writes voice, language and loop") {
  TwimlResponse response;
  response.say("Tom & Jerry's <best> \"deal\"", {.voice = "Polly.Joanna", .language = "en-US", .loop = 2});
  CHECK(response.str() ==
        doc("<Say voice=\"Polly.Joanna\" language=\"en-US\" loop=\"2\">"
            "Tom &amp; Jerry&apos;s &lt;best&gt; &quot;deal&quot;</Say>"));
}

TEST_CASE("attribute values cannot break out of their quotes") {
  TwimlResponse response;
  response.connect_stream({.url = "wss://h/m", .parameters = {{"x\" evil=\"1", "a<b>&'c'"}}});
  CHECK(response.str() ==
        doc("<Connect><Stream url=\"wss://h/m\"><Parameter name=\"x&quot; evil=&quot;1\" "
            "value=\"a&lt;b&gt;&amp;&apos;c&apos;\"/></Stream></Connect>"));
}

TEST_CASE("line breaks survive as character references and stray control bytes are dropped") {
  CHECK(xml_escape("a\nb\tc\rd") == "a&#10;b&#9;c&#13;d");
  CHECK(xml_escape(std::string("a\x01" "b\x1F" "c\0d", 7)) == "abcd");
  CHECK(xml_escape("Ren\xC3\xA9" "e") == "Ren\xC3\xA9" "e");
}

TEST_CASE("a stream URL that Twilio would refuse is rejected") {
  TwimlResponse response;
  CHECK_THROWS_AS(response.connect_stream({.url = "https://h/twilio/media"}), std::invalid_argument);
  CHECK_THROWS_AS(response.connect_stream({.url = "ws://h/twilio/media"}), std::invalid_argument);
  CHECK_THROWS_AS(response.connect_stream({.url = "wss://h/twilio/media?token=abc"}), std::invalid_argument);
  CHECK_THROWS_AS(response.connect_stream({.url = "/twilio/media"}), std::invalid_argument);
  CHECK_THROWS_AS(response.connect_stream({.url = ""}), std::invalid_argument);
  // Nothing was written by the failed calls.
  CHECK(response.str() == doc(""));
  CHECK_NOTHROW(response.connect_stream({.url = "WSS://h/twilio/media"}));
}

TEST_CASE("a parameter over Twilio's 500-character limit is rejected") {
  TwimlResponse response;
  const std::string value(500 - 5 - 1, 'v');
  CHECK_NOTHROW(response.connect_stream({.url = "wss://h/m", .parameters = {{"token", value}}}));
  CHECK_THROWS_AS(response.connect_stream({.url = "wss://h/m", .parameters = {{"token", value + "v"}}}),
                  std::invalid_argument);
  CHECK_THROWS_AS(response.connect_stream({.url = "wss://h/m", .parameters = {{"", "x"}}}), std::invalid_argument);
}

TEST_CASE("a transfer dials a number with caller ID, limits and callbacks") {
  TwimlResponse response;
  response.say("Transferring you now.")
      .dial({.numbers = {{.number = "+15557654321",
                          .status_callback = "https://sonoria.example.com/twilio/status",
                          .status_callback_event = "initiated ringing answered completed"}},
             .caller_id = "+15550001000",
             .timeout = 20,
             .time_limit = 3600,
             .answer_on_bridge = true,
             .action = "https://sonoria.example.com/twilio/dial-done",
             .method = "POST"})
      .say("Sorry, nobody is available. Goodbye.");
  CHECK(response.str() ==
        doc("<Say>Transferring you now.</Say>"
            "<Dial callerId=\"+15550001000\" timeout=\"20\" timeLimit=\"3600\" answerOnBridge=\"true\" "
            "action=\"https://sonoria.example.com/twilio/dial-done\" method=\"POST\">"
            "<Number statusCallbackEvent=\"initiated ringing answered completed\" "
            "statusCallback=\"https://sonoria.example.com/twilio/status\">+15557654321</Number></Dial>"
            "<Say>Sorry, nobody is available. Goodbye.</Say>"));
}

TEST_CASE("a dial without numbers or with a bad limit is rejected") {
  TwimlResponse response;
  CHECK_THROWS_AS(response.dial({}), std::invalid_argument);
  CHECK_THROWS_AS(response.dial({.numbers = {{.number = ""}}}), std::invalid_argument);
  CHECK_THROWS_AS(response.dial({.numbers = {{.number = "+1555"}}, .timeout = 0}), std::invalid_argument);
  CHECK_THROWS_AS(response.dial({.numbers = {{.number = "+1555"}}, .time_limit = -1}), std::invalid_argument);
  CHECK_THROWS_AS(response.dial({.numbers = {{.number = "+1555"}}, .method = "PUT"}), std::invalid_argument);
  CHECK(response.dial({.numbers = {{.number = "+1555"}}, .answer_on_bridge = false}).str() ==
        doc("<Dial answerOnBridge=\"false\"><Number>+1555</Number></Dial>"));
}

TEST_CASE("pause, hangup, reject and redirect write their verbs") {
  TwimlResponse response;
  response.pause().pause(3).hangup();
  CHECK(response.str() == doc("<Pause length=\"1\"/><Pause length=\"3\"/><Hangup/>"));
  CHECK(TwimlResponse{}.reject().str() == doc("<Reject reason=\"rejected\"/>"));
  CHECK(TwimlResponse{}.reject(RejectReason::busy).str() == doc("<Reject reason=\"busy\"/>"));
  CHECK(TwimlResponse{}.redirect("https://h/next?a=1&b=2", "POST").str() ==
        doc("<Redirect method=\"POST\">https://h/next?a=1&amp;b=2</Redirect>"));
  CHECK(TwimlResponse{}.redirect("https://h/next").str() == doc("<Redirect>https://h/next</Redirect>"));
}

TEST_CASE("values Twilio would refuse for pause, say and redirect are rejected") {
  TwimlResponse response;
  CHECK_THROWS_AS(response.pause(0), std::invalid_argument);
  CHECK_THROWS_AS(response.say("x", {.loop = -1}), std::invalid_argument);
  CHECK_THROWS_AS(response.redirect(""), std::invalid_argument);
  CHECK_THROWS_AS(response.redirect("https://h/x", "post"), std::invalid_argument);
  CHECK(response.say("loop forever", {.loop = 0}).str() == doc("<Say loop=\"0\">loop forever</Say>"));
}
