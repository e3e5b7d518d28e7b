#include "core/phone/phone_number.hpp"

#include <doctest/doctest.h>

namespace sonoria::phone {
namespace phone_number_test {

std::string e164_of(std::string_view text, std::string_view region) {
  const Parsed parsed = parse(text, region);
  INFO(parsed.error);
  REQUIRE(parsed.number);
  return parsed.number->e164;
}

std::string error_of(std::string_view text, std::string_view region) {
  const Parsed parsed = parse(text, region);
  REQUIRE_FALSE(parsed.number);
  return parsed.error;
}

TEST_CASE("a number typed any way a person writes it reads as one E.164 number") {
  for (const char* typed : {"(415) 555-0123", "415-555-0123", "415.555.0123", "+1 415 555 0123", "+14155550123",
                            "1 (415) 555-0123", "  +1-415-555-0123  ", "011 1 415 555 0123"}) {
    CAPTURE(typed);
    CHECK(e164_of(typed, "US") == "+14155550123");
  }
  CHECK(e164_of("020 7946 0958", "GB") == "+442079460958");
  CHECK(e164_of("00 44 20 7946 0958", "DE") == "+442079460958");
  CHECK(e164_of("1-800-FLOWERS", "US") == "+18003569377");
}

TEST_CASE("the region is the default only: a number with + keeps its own country") {
  CHECK(e164_of("+44 20 7946 0958", "US") == "+442079460958");
  CHECK(e164_of("+1 416 555 0123", "GB") == "+14165550123");
}

TEST_CASE("a local number without its area code is refused, naming the expected form") {
  const std::string error = error_of("555-1234", "US");
  CHECK(error.find("\"555-1234\" is a local number without its area code") == 0);
  CHECK(error.find("(expected a number such as \"+1 201-555-0123\" or \"(201) 555-0123\")") != std::string::npos);
}

TEST_CASE("without a default region a number needs + and its country code") {
  CHECK(error_of("(415) 555-0123", "").find("has no country code (expected \"+\" and the country code") !=
        std::string::npos);
  CHECK(e164_of("+1 (415) 555-0123", "") == "+14155550123");
  CHECK(error_of("+999 123 4567", "").find("has an unknown country code") != std::string::npos);
  CHECK(error_of("415 555 0123", "XX").find("has no country code") != std::string::npos);
}

TEST_CASE("what cannot be dialled is refused with what is wrong") {
  CHECK(error_of("hello", "US").find("is not a phone number") != std::string::npos);
  CHECK(error_of("+1 415 555 0123 ext. 12", "US").find("has an extension") != std::string::npos);
  CHECK(error_of("+1 415 555 01234", "US").find("is too long for a number in US") != std::string::npos);
  CHECK(error_of("+44 20 79", "US").find("is too short for a number in GB (expected a number such as \"+44 ") != std::string::npos);
  CHECK(error_of(std::string(100, '1'), "US").find("is too long to be a phone number") != std::string::npos);
  CHECK(error_of("   ", "US").find("is empty") == 0);
}

TEST_CASE("a number E.164 cannot hold is refused, though the library finds it possible") {
  // Found by the phone_number fuzzer: in Japan "00" is no international prefix, so this is a
  // 16-digit national number to libphonenumber, +81 0 4420791800460958, and did not read back.
  CHECK(error_of("00.44 20 791-800-46 0958", "JP").find("is too long for a number in JP") != std::string::npos);
  // What is accepted is at most 15 digits and reads back as itself.
  const std::string kept = e164_of("0044 2079 4609", "JP");
  CHECK(kept == "+81004420794609");
  CHECK(e164_of(kept, "") == kept);
}

TEST_CASE("an error quotes control characters and clips a long input") {
  const std::string error = error_of("12\n\x01 ab\"c", "US");
  CHECK(error.find("\"12\\x0a\\x01 ab\\\"c\"") == 0);
}

TEST_CASE("region and type come from the numbering plan") {
  const Parsed us = parse("+1 415 555 2671", "");
  REQUIRE(us.number);
  CHECK(us.number->region == "US");
  CHECK(us.number->valid);
  CHECK(us.number->type == LineType::fixed_line_or_mobile);

  // +1 876 is Jamaica, +1 900 is premium rate: "+1" alone says neither.
  const Parsed jamaica = parse("+1 876 555 0123", "");
  REQUIRE(jamaica.number);
  CHECK(jamaica.number->region == "JM");
  const Parsed premium = parse("+1 900 555 0123", "");
  REQUIRE(premium.number);
  CHECK(premium.number->region == "US");
  CHECK(premium.number->type == LineType::premium_rate);
  const Parsed toll_free = parse("+1 800 555 0123", "");
  REQUIRE(toll_free.number);
  CHECK(toll_free.number->type == LineType::toll_free);
}

TEST_CASE("the fictional +1 555 range is well formed but belongs to no region") {
  const Parsed parsed = parse("+1 555 000 1000", "");
  REQUIRE(parsed.number);
  CHECK(parsed.number->e164 == "+15550001000");
  CHECK_FALSE(parsed.number->valid);
  CHECK(parsed.number->region.empty());
  CHECK(parsed.number->type == LineType::unknown);
  CHECK(region_of("+15550001000") == "US");  // the main region of +1, for a default
}

TEST_CASE("is_e164 accepts only the stored form") {
  CHECK(is_e164("+14155550123"));
  CHECK(is_e164("+15550001000"));
  CHECK_FALSE(is_e164("+1 415 555 0123"));
  CHECK_FALSE(is_e164("4155550123"));
  CHECK_FALSE(is_e164("+1415555012"));
  CHECK_FALSE(is_e164(""));
}

TEST_CASE("regions, type names and display") {
  CHECK(is_region("US"));
  CHECK(is_region("JM"));
  CHECK_FALSE(is_region("us"));
  CHECK_FALSE(is_region("ZZ"));
  CHECK_FALSE(is_region("USA"));
  CHECK(region_of("+442079460958") == "GB");
  CHECK(region_of("+44 20 7946 0958").empty());
  for (std::string_view name : line_type_names()) {
    REQUIRE(line_type_named(name));
    CHECK(name_of(*line_type_named(name)) == name);
  }
  CHECK_FALSE(line_type_named("landline"));
  CHECK(display("+14155550123") == "+1 415-555-0123");
}

}  // namespace phone_number_test
}  // namespace sonoria::phone
