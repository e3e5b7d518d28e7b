#include "core/org/profile_json.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::org;
using nlohmann::json;

namespace {

Profile example(const char* name) { return load_profile_file(sonoria::test::source_dir() / "examples" / name); }

std::string error_of(const std::string& text) {
  try {
    profile_from_json_text(text, "organizations row 4");
  } catch (const sonoria::DataError& error) {
    return error.what();
  }
  FAIL("the JSON was accepted");
  return {};
}

}  // namespace

TEST_CASE("both examples survive a trip through JSON text exactly, id included") {
  for (const char* name : {"yoga-studio.toml", "dental-clinic.toml", "hair-salon.toml", "insurance-agency.toml"}) {
    CAPTURE(name);
    Profile original = example(name);
    original.id = 42;
    CHECK(profile_from_json_text(profile_to_json_text(original), "row") == original);
    CHECK(json(original).get<Profile>() == original);
  }
}

TEST_CASE("values that are not valid still round-trip exactly") {
  Profile profile;
  profile.assistant.temperature = 0.1 + 0.2;
  profile.assistant.vad.threshold = 1e-300;
  profile.hours.days[3] = {{-5, 2000}, {600, 60}};
  profile.services.push_back({"x", -1, -999, "", "d"});
  profile.closures.push_back({"soon", "", ""});
  CHECK(profile_from_json_text(profile_to_json_text(profile), "row") == profile);
}

TEST_CASE("JSON keys mirror the struct members, with hours by weekday and prices in cents") {
  const json j = example("yoga-studio.toml");
  CHECK(j.at("organization").at("slug") == "lotus-yoga");
  CHECK(j.at("hours").at("monday").at(0) == json{{"open_minute", 420}, {"close_minute", 720}});
  CHECK(j.at("hours").at("sunday").size() == 1);
  CHECK(j.at("services").at(2).at("price_cents") == 9950);
  CHECK(j.at("assistant").at("vad").at("threshold") == 0.5);
  CHECK(j.at("closures").at(0).at("from") == "2026-12-24");
  CHECK(j.at("id") == 0);
}

TEST_CASE("absent and null keys keep their defaults") {
  const Profile p = profile_from_json_text(R"({"organization": {"slug": "a", "owner": null}, "services": [{"name": "x"}]})",
                                           "row");
  CHECK(p.organization.slug == "a");
  CHECK(p.assistant.voice.empty());  // the engine's default voice
  CHECK(p.assistant.vad.silence_duration_ms == 500);
  REQUIRE(p.services.size() == 1);
  CHECK(p.services[0].currency == "USD");
}

TEST_CASE("a value of the wrong type is reported with its path") {
  CHECK(error_of(R"({"services": [{"name": "a"}, {"price_cents": "12"}]})") ==
        "organizations row 4: profile JSON: services[1].price_cents: type must be number, but is string");
  CHECK(error_of(R"({"hours": {"monday": [{"open_minute": "9"}]}})") ==
        "organizations row 4: profile JSON: hours.monday[0].open_minute: type must be number, but is string");
  CHECK(error_of(R"({"organization": {"phone_numbers": "+15550001000"}})") ==
        "organizations row 4: profile JSON: organization.phone_numbers: type must be array, but is string");
  CHECK(error_of(R"({"assistant": 3})") ==
        "organizations row 4: profile JSON: assistant: type must be object, but is number");
}

TEST_CASE("text that is not a JSON object is a data error") {
  CHECK(error_of("[1, 2]") == "organizations row 4: profile JSON: type must be object, but is array");
  CHECK(error_of("{\"id\": ").rfind("organizations row 4: profile JSON: parse error", 0) == 0);
}

TEST_CASE("invalid UTF-8 is replaced instead of failing the write") {
  Profile profile;
  profile.organization.name = "bad \xff byte";
  const Profile back = profile_from_json_text(profile_to_json_text(profile), "row");
  CHECK(back.organization.name == "bad \xEF\xBF\xBD byte");
}
