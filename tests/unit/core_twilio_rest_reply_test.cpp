#include <doctest/doctest.h>

#include "core/twilio/rest_reply.hpp"

using namespace sonoria::twilio;

TEST_CASE("Twilio's error body becomes an error naming the code, the message and what to do") {
  auto e = parse_rest_error(400, R"({"code": 21211, "message": "The 'To' number 5551234567 is not a valid phone number.",
    "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})");
  CHECK(e.code == 21211);
  CHECK(e.describe() ==
        "Twilio error 21211 (HTTP 400): The 'To' number 5551234567 is not a valid phone number. The 'To' number is not "
        "a valid phone number: give it in E.164 form, e.g. +15551234567. (https://www.twilio.com/docs/errors/21211)");
  CHECK_FALSE(e.rate_limited());
  CHECK_FALSE(e.outcome_unknown());
}

TEST_CASE("trial accounts, bad credentials, unsubscribed and landline numbers get plain advice") {
  CHECK(parse_rest_error(400, R"({"code":21608,"message":"unverified"})").describe().find("trial account") != std::string::npos);
  CHECK(parse_rest_error(400, R"({"code":21219,"message":"unverified"})").describe().find("verified numbers") != std::string::npos);
  CHECK(parse_rest_error(401, R"({"code":20003,"message":"Authenticate"})").describe().find("twilio.auth_token") != std::string::npos);
  CHECK(parse_rest_error(400, R"({"code":21610,"message":"x"})").describe().find("STOP") != std::string::npos);
  CHECK(parse_rest_error(400, R"({"code":21614,"message":"x"})").describe().find("cannot receive text") != std::string::npos);
}

TEST_CASE("a body that is not JSON reads like twilio-node's synthetic message") {
  auto e = parse_rest_error(500, "Invalid JSON {{{");
  CHECK(e.message == "[HTTP 500] Failed to execute request");
  CHECK_FALSE(e.code);
  CHECK(e.outcome_unknown());
  auto odd = parse_rest_error(200, R"({message":test", "code:81022,"more_info": "x"})");
  CHECK(odd.message == "[HTTP 200] Failed to execute request");
}

TEST_CASE("the conformance fixtures' error bodies keep code and message") {
  CHECK(parse_rest_error(404, R"({"message":"Not Found","code":20404})").call_already_ended());
  auto conflict = parse_rest_error(409, R"({"message":"Conflict","code":40900})");
  CHECK(conflict.code == 40900);
  CHECK(conflict.describe() == "Twilio error 40900 (HTTP 409): Conflict");
  CHECK(parse_rest_error(429, R"({"code":20429,"message":"Too Many Requests"})").rate_limited());
  CHECK(parse_rest_error(429, "").rate_limited());
}

TEST_CASE("call and message resources are read from 201 bodies, numbers as strings or null") {
  auto call = parse_call_resource(R"({"sid":"CA1","status":"queued","to":"+15557654321","from":"+15550001000",
    "direction":"outbound-api","answered_by":null,"date_created":"Tue, 31 Aug 2010 20:36:28 +0000"})");
  REQUIRE(call);
  CHECK(call->sid == "CA1");
  CHECK(call->status == "queued");
  CHECK(call->answered_by.empty());
  auto message = parse_message_resource(R"({"sid":"SM1","status":"queued","to":"+1","from":"+2","body":"hi",
    "error_code":"30003","error_message":null})");
  REQUIRE(message);
  CHECK(message->error_code == 30003);
  CHECK_FALSE(parse_call_resource("[]"));
  CHECK_FALSE(parse_message_resource(R"({"status":"queued"})"));
  CHECK(parse_message_list(R"({"messages":[{"sid":"SM1"},{"nope":1},{"sid":"SM2"}]})").size() == 2);
}

TEST_CASE("backoff is full jitter under an exponential ceiling, capped, and honours Retry-After") {
  std::minstd_rand rng(7);
  for (int attempt = 0; attempt < 8; ++attempt) {
    auto d = backoff_delay(attempt, rng);
    CHECK(d.count() >= 0);
    CHECK(d.count() <= std::min(3000, 100 << attempt));
  }
  CHECK(backoff_delay(0, rng, std::string_view("2")).count() == 2000);
  CHECK(backoff_delay(0, rng, std::string_view("60")).count() == 3000);
}

TEST_CASE("RFC 2822 dates convert to epoch seconds, with their zone") {
  CHECK(parse_rfc2822("Tue, 31 Aug 2010 20:36:28 +0000") == 1283286988);
  CHECK(parse_rfc2822("31 Aug 2010 22:36:28 +0200") == 1283286988);
  CHECK_FALSE(parse_rfc2822("yesterday"));
  CHECK_FALSE(parse_rfc2822("Tue, 31 Foo 2010 20:36:28 +0000"));
}
