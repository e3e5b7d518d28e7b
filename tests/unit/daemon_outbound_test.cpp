#include "daemon/outbound.hpp"

#include <doctest/doctest.h>

namespace sonoria::daemon {
namespace outbound_test {

phone::Number number(std::string_view typed) {
  const phone::Parsed parsed = phone::parse(typed, "US");
  INFO(parsed.error);
  REQUIRE(parsed.number);
  return *parsed.number;
}

std::string refusal(const config::OutboundSettings& outbound, std::string_view typed) {
  return destination_refusal(outbound, number(typed)).value_or("");
}

TEST_CASE("by default nothing is reached but what is listed") {
  config::OutboundSettings outbound;
  CHECK(refusal(outbound, "(415) 555-0123").find("+14155550123 is a number in US, which calls.outbound.allowed_regions "
                                                 "does not include: add \"US\" there, or add the number to "
                                                 "calls.outbound.allowed_numbers") == 0);
  outbound.allowed_numbers = {"+14155550123"};
  CHECK(refusal(outbound, "(415) 555-0123").empty());
}

TEST_CASE("allow_us_canada is the United States and Canada, not every +1 number") {
  config::OutboundSettings outbound;
  outbound.allow_us_canada = true;
  CHECK(refusal(outbound, "+1 415 555 0123").empty());
  CHECK(refusal(outbound, "+1 416 555 0123").empty());  // Toronto
  CHECK(refusal(outbound, "+1 876 555 0123").find("is a number in JM") != std::string::npos);  // Jamaica
  CHECK(refusal(outbound, "+1 284 496 0123").find("is a number in VG") != std::string::npos);  // British Virgin Islands
  CHECK(refusal(outbound, "+1 900 555 0123").find("is a premium_rate number") != std::string::npos);
  CHECK(refusal(outbound, "+1 800 555 0123").find("is a toll_free number") != std::string::npos);
  CHECK(refusal(outbound, "+44 20 7946 0958").find("is a number in GB") != std::string::npos);
}

TEST_CASE("regions and types are the operator's to widen") {
  config::OutboundSettings outbound;
  outbound.allowed_regions = {"GB"};
  CHECK(refusal(outbound, "+44 20 7946 0958").empty());
  CHECK(refusal(outbound, "+44 7400 123456").empty());  // a UK mobile
  outbound.allowed_types = {"mobile"};
  CHECK(refusal(outbound, "+44 20 7946 0958").find("is a fixed_line number") != std::string::npos);
  CHECK(refusal(outbound, "+44 7400 123456").empty());
}

TEST_CASE("a fictional range is reached only when listed") {
  config::OutboundSettings outbound;
  outbound.allow_us_canada = true;
  CHECK(refusal(outbound, "+1 555 765 4321").find("+15557654321 is not assigned in any country's numbering plan") == 0);
  outbound.allowed_numbers = {"+15557654321"};
  CHECK(refusal(outbound, "+1 555 765 4321").empty());
}

TEST_CASE("a destination is read in the organization's country, else twilio.from's") {
  config::Settings settings;
  settings.twilio.from = "+442079460000";
  org::Profile profile;
  profile.organization.phone_numbers = {"+15550001000"};
  const phone::Parsed in_us = read_destination(settings, &profile, "(415) 555-0123");
  REQUIRE(in_us.number);
  CHECK(in_us.number->e164 == "+14155550123");
  const phone::Parsed in_gb = read_destination(settings, nullptr, "020 7946 0958");
  REQUIRE(in_gb.number);
  CHECK(in_gb.number->e164 == "+442079460958");
  CHECK(read_destination(settings, &profile, "555-1234").error.find("is a local number without its area code") !=
        std::string::npos);
}

TEST_CASE("a text nobody typed goes to an ordinary line in the organization's own country, anything else as calls.outbound allows") {
  config::Settings settings;  // the defaults: no region allowed for calls
  org::Profile profile;
  profile.organization.country = "US";
  const auto text = [&](std::string_view to) { return text_refusal(settings, profile, to).value_or(""); };
  CHECK(text("+14155550123").empty());  // a San Francisco caller
  CHECK(text("(415) 555-0123").empty());
  // The +1 numbers the toll fraud pays for: the Caribbean's and premium rate.
  CHECK(text("+18765550123").find("not texting: +18765550123 is a number in JM, which calls.outbound.allowed_regions") == 0);
  CHECK(text("+12844960123").find("is a number in VG") != std::string::npos);
  CHECK(text("+19005550123").find("is a premium_rate number, which calls.outbound.allowed_types") != std::string::npos);
  CHECK(text("+442079460958").find("is a number in GB") != std::string::npos);
  CHECK(text("+15551112222").find("is not assigned in any country's numbering plan") != std::string::npos);
  CHECK(text("555-1234").find("not texting: \"555-1234\" is a local number without its area code") == 0);

  SUBCASE("the line types the operator allows hold at home too") {
    settings.calls.outbound.allowed_types = {"mobile"};
    CHECK(text("+14155550123").find("is a fixed_line_or_mobile number") != std::string::npos);
  }
  SUBCASE("what calls.outbound allows, texts may reach") {
    settings.calls.outbound.allowed_regions = {"JM"};
    settings.calls.outbound.allowed_numbers = {"+15551112222"};
    CHECK(text("+18765550123").empty());
    CHECK(text("+15551112222").empty());
    CHECK_FALSE(text("+19005550123").empty());
  }
  SUBCASE("an organization whose country is not known gets only what calls.outbound allows") {
    profile.organization.country.clear();
    CHECK(text("+14155550123").find("is a number in US") != std::string::npos);
  }
}

TEST_CASE("the cooldown and capacity follow the destination's checks") {
  config::Settings settings;
  settings.calls.outbound.allowed_numbers = {"+14155550123"};
  settings.calls.max_concurrent = 2;
  OutboundFacts facts;
  facts.now = db::TimePoint(std::chrono::hours(1000));
  facts.last_call_to_number = facts.now - std::chrono::minutes(2);
  CHECK(outbound_refusal(settings, number("+14155550123"), facts).value_or("").find("was called 120 s ago") !=
        std::string::npos);
  facts.last_call_to_number.reset();
  facts.calls_in_progress = 2;
  CHECK(outbound_refusal(settings, number("+14155550123"), facts).value_or("").find("2 calls are in progress") == 0);
  facts.calls_in_progress = 1;
  CHECK_FALSE(outbound_refusal(settings, number("+14155550123"), facts));
}

}  // namespace outbound_test
}  // namespace sonoria::daemon
