#include "core/twilio/form.hpp"

#include <doctest/doctest.h>

using namespace sonoria::twilio;

TEST_CASE("a form body decodes plus as space and percent escapes as bytes") {
  const auto params = parse_form("Caller=%2B14158675309&Body=hello+world%21&Name=Ren%C3%A9e");
  REQUIRE(params);
  REQUIRE(params->size() == 3);
  CHECK((*params)[0] == std::pair<std::string, std::string>{"Caller", "+14158675309"});
  CHECK((*params)[1].second == "hello world!");
  CHECK((*params)[2].second == "Ren\xC3\xA9" "e");
}

TEST_CASE("empty values are kept because they still count in the signature") {
  const auto params = parse_form("CalledCity=&CalledCountry=US&Flag");
  REQUIRE(params);
  REQUIRE(params->size() == 3);
  CHECK((*params)[0] == std::pair<std::string, std::string>{"CalledCity", ""});
  CHECK((*params)[2] == std::pair<std::string, std::string>{"Flag", ""});
}

TEST_CASE("repeated names are all kept, in the order received") {
  const auto params = parse_form("Digits=5678&Sid=CA123&Digits=1234&Digits=1234");
  REQUIRE(params);
  REQUIRE(params->size() == 4);
  CHECK((*params)[0].second == "5678");
  CHECK((*params)[2].second == "1234");
  CHECK((*params)[3].second == "1234");
  CHECK(form_value(*params, "Digits") == "5678");
}

TEST_CASE("an empty body and empty pairs give no parameters") {
  CHECK(parse_form("")->empty());
  CHECK(parse_form("&&")->empty());
  const auto params = parse_form("a=1&&b=2&");
  REQUIRE(params);
  CHECK(params->size() == 2);
}

TEST_CASE("a value may contain '=' after the first one") {
  const auto params = parse_form("Token=abc==&x=a%3Db");
  REQUIRE(params);
  CHECK((*params)[0].second == "abc==");
  CHECK((*params)[1].second == "a=b");
}

TEST_CASE("malformed percent escapes make the whole body invalid") {
  for (const char* body : {"a=%zz", "a=%", "a=%4", "a=1&b=%G1", "%=1", "a=100%"}) {
    CAPTURE(body);
    CHECK_FALSE(parse_form(body).has_value());
  }
}

TEST_CASE("encoding escapes plus, ampersand and equals and writes a space as plus") {
  const FormParams params{{"To", "+15557654321"}, {"Body", "Hi & bye = ok"}, {"Url", "https://x.test/a?b=c"}};
  CHECK(encode_form(params) == "To=%2B15557654321&Body=Hi+%26+bye+%3D+ok&Url=https%3A%2F%2Fx.test%2Fa%3Fb%3Dc");
}

TEST_CASE("encoding keeps unreserved characters and escapes UTF-8 bytes") {
  CHECK(encode_form({{"a-b_c.d~e", "Ren\xC3\xA9" "e 1"}}) == "a-b_c.d~e=Ren%C3%A9e+1");
  CHECK(encode_form({}) == "");
  CHECK(encode_form({{"Empty", ""}}) == "Empty=");
}

TEST_CASE("encoding then parsing gives back the same pairs") {
  const FormParams params{{"From", "+1 (555) 000-1000"}, {"Body", "50% off & more\n\"quoted\""},
                          {"Empty", ""}, {"From", "again"}};
  CHECK(parse_form(encode_form(params)) == params);
}

TEST_CASE("form_value finds the first value of a name or nothing") {
  const FormParams params{{"CallSid", "CA1"}, {"To", "+1555"}};
  CHECK(form_value(params, "To") == "+1555");
  CHECK_FALSE(form_value(params, "to").has_value());
  CHECK_FALSE(form_value({}, "To").has_value());
}

TEST_CASE("a real-shaped inbound voice webhook body parses completely") {
  const auto params = parse_form(
      "AccountSid=AC00000000000000000000000000000001&ApiVersion=2010-04-01&CallSid=CA00000000000000000000000000000002"
      "&CallStatus=ringing&Called=%2B15550001000&CalledCity=&CalledCountry=US&CalledState=CA&CalledZip="
      "&Caller=%2B15551112222&CallerCity=&CallerCountry=US&CallerState=NY&CallerZip=&Direction=inbound"
      "&From=%2B15551112222&FromCity=&FromCountry=US&FromState=NY&FromZip=&StirVerstat=TN-Validation-Passed-A"
      "&To=%2B15550001000&ToCity=&ToCountry=US&ToState=CA&ToZip=");
  REQUIRE(params);
  CHECK(params->size() == 26);
  CHECK(form_value(*params, "From") == "+15551112222");
  CHECK(form_value(*params, "CalledCity") == "");
  CHECK(form_value(*params, "Direction") == "inbound");
}
