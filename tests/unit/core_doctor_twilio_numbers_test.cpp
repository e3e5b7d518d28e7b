// The doctor's verdict on an organization's numbers, from the account's IncomingPhoneNumbers as
// Twilio lists them.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/doctor/twilio_numbers.hpp"

using namespace sonoria::doctor;
using nlohmann::json;

namespace twilio_numbers_test {

json number(const std::string& e164, const std::string& voice, const std::string& status, const std::string& method = "POST") {
  return {{"sid", "PN" + std::string(32, 'a')}, {"phone_number", e164}, {"voice_url", voice}, {"voice_method", method},
          {"status_callback", status}, {"status_callback_method", "POST"}};
}

const std::string k_public = "https://voice.example.com";

TEST_CASE("a number pointing at this daemon passes") {
  auto f = check_numbers({{"lotus-yoga", "+15550001000"}},
                         json::array({number("+15550001000", k_public + "/twilio/voice", k_public + "/twilio/status")}), k_public);
  REQUIRE(f.checks.size() == 1);
  CHECK(f.checks[0].status == Status::ok);
  CHECK(f.checks[0].name == "number +15550001000");
  CHECK(f.fixes.empty());
}

TEST_CASE("a number not on the account fails, naming the organization and what to do") {
  auto f = check_numbers({{"lotus-yoga", "+15550001000"}}, json::array(), k_public);
  CHECK(f.checks[0].status == Status::failed);
  CHECK(f.checks[0].detail.find("lotus-yoga") != std::string::npos);
  CHECK(f.checks[0].fix.find("organization.phone_numbers") != std::string::npos);
  CHECK(f.fixes.empty());  // nothing --fix can do
}

TEST_CASE("a voice webhook pointing elsewhere fails, and --fix would set both URLs") {
  auto f = check_numbers({{"lotus-yoga", "+15550001000"}},
                         json::array({number("+15550001000", "https://old.example.com/voice", "")}), k_public);
  CHECK(f.checks[0].status == Status::failed);
  CHECK(f.checks[0].detail.find("https://old.example.com/voice") != std::string::npos);
  CHECK(f.checks[0].fix.find("--fix") != std::string::npos);
  REQUIRE(f.fixes.size() == 1);
  const auto& fields = f.fixes[0].fields;
  CHECK(fields == std::vector<std::pair<std::string, std::string>>{{"VoiceUrl", k_public + "/twilio/voice"},
                                                                    {"VoiceMethod", "POST"},
                                                                    {"StatusCallback", k_public + "/twilio/status"},
                                                                    {"StatusCallbackMethod", "POST"}});
}

TEST_CASE("the right webhook by GET is wrong too: sonoria takes POST") {
  auto f = check_numbers({{"lotus-yoga", "+15550001000"}},
                         json::array({number("+15550001000", k_public + "/twilio/voice", k_public + "/twilio/status", "GET")}),
                         k_public);
  CHECK(f.checks[0].status == Status::failed);
  CHECK(f.checks[0].detail.find("by GET") != std::string::npos);
}

TEST_CASE("only the status callback missing is a warning: calls still arrive") {
  auto f = check_numbers({{"lotus-yoga", "+15550001000"}},
                         json::array({number("+15550001000", k_public + "/twilio/voice", "")}), k_public);
  CHECK(f.checks[0].status == Status::warning);
  CHECK(f.checks[0].detail.find("nowhere") != std::string::npos);
  REQUIRE(f.fixes.size() == 1);
  CHECK(f.fixes[0].fields.size() == 2);
}

TEST_CASE("one check per answered number, in the organizations' order; a malformed list finds none") {
  auto f = check_numbers({{"a", "+15550000001"}, {"b", "+15550000002"}}, json{{"not", "a list"}}, k_public);
  REQUIRE(f.checks.size() == 2);
  CHECK(f.checks[0].name == "number +15550000001");
  CHECK(f.checks[1].status == Status::failed);
}

}  // namespace twilio_numbers_test
