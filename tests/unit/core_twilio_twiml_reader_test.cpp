#include "core/twilio/twiml_reader.hpp"

#include <doctest/doctest.h>

using namespace sonoria::twilio;

TEST_CASE("the XML under TwiML: entities, character references, CDATA and comments read as text") {
  auto xml = parse_xml("<?xml version=\"1.0\"?>\n<!-- c --><Say a='1 &amp; 2'>caf&#233; &#x263A; <![CDATA[<b>]]><!-- x --></Say>");
  REQUIRE(xml.root);
  CHECK(xml.root->name == "Say");
  CHECK(xml.root->attribute("a") == "1 & 2");
  CHECK(xml.root->text == "caf\xC3\xA9 \xE2\x98\xBA <b>");
}

TEST_CASE("broken XML is reported with its line") {
  CHECK(parse_xml("<Response>\n<Say>hi</Sya>\n</Response>").error == "line 2: </Sya> closes <Say>");
  CHECK(parse_xml("<Response a=\"1\" a=\"2\"/>").error.find("duplicate attribute") != std::string::npos);
  CHECK(parse_xml("<Response>\n<Say>caf\xE9</Say>\n</Response>").error.rfind("line 2: ", 0) == 0);  // Latin-1, not UTF-8
  CHECK(parse_xml("<Response>\n<Say>hi</Say>\n").error.rfind("line 3: ", 0) == 0);                 // never closed
  CHECK(parse_xml("<Response/>\n<Response/>").error.rfind("line 2: ", 0) == 0);                       // two roots
  CHECK(parse_xml("").error == "line 1: expected the root element");
  // Entity expansion needs a DTD, which is refused before any entity is defined.
  CHECK(parse_xml("<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><r>&b;</r>")
            .error.find("DOCTYPE") != std::string::npos);
  CHECK(parse_xml("<Response>&nbsp;</Response>").error.find("unknown entity") != std::string::npos);
  CHECK(parse_xml("<!DOCTYPE x><Response/>").error.find("DOCTYPE") != std::string::npos);
}

TEST_CASE("the verbs after </Connect> are what Twilio runs when the stream ends without an action") {
  auto parsed = parse_twiml(
      R"(<Response><Connect><Stream url="wss://h.example/media"/></Connect><Say>Sorry.</Say><Hangup/></Response>)");
  REQUIRE(parsed.twiml);
  CHECK(parsed.twiml->connect->action.empty());
  CHECK(parsed.twiml->verbs_after_connect() == std::vector<std::string>{"Say", "Hangup"});
  CHECK(stream_url_problem("ws://h/media", false)->find("31923") != std::string::npos);
  CHECK_FALSE(stream_url_problem("ws://h/media", true));
  CHECK(stream_url_problem("wss:///media", false)->find("no host") != std::string::npos);
}
