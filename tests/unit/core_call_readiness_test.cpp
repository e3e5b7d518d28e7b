#include <doctest/doctest.h>

#include "core/call/readiness.hpp"

using namespace sonoria;

namespace readiness_test {

config::Settings signed_with_token() {
  config::Settings s;
  s.twilio.validate_signatures = true;
  s.twilio.auth_token = "token";
  s.local.last_resort = false;  // the cases below are about the cloud engines' keys
  return s;
}

org::Profile with_engines(std::vector<std::string> engines) {
  org::Profile p;
  p.assistant.engines = std::move(engines);
  return p;
}

}  // namespace readiness_test

using namespace readiness_test;

TEST_CASE("signatures required without an auth token: not ready, and the setting is named") {
  auto s = signed_with_token();
  s.engine.api_key = "sk";
  s.twilio.auth_token.clear();
  const auto studio = with_engines({"openai"});
  const auto why = call::configuration_blocker(s, {&studio});
  CHECK(why.find("twilio.auth_token is not set") != std::string::npos);
  s.twilio.validate_signatures = false;  // a local test
  CHECK(call::configuration_blocker(s, {&studio}).empty());
}

TEST_CASE("no organization: nothing to answer") {
  auto s = signed_with_token();
  s.engine.api_key = "sk";
  CHECK(call::configuration_blocker(s, {}).find("sonoria org import") != std::string::npos);
}

TEST_CASE("no organization with an engine it can connect to: not ready, with each engine's missing key") {
  auto s = signed_with_token();
  const auto studio = with_engines({});  // the default, OpenAI
  const auto clinic = with_engines({"deepgram"});
  const auto why = call::configuration_blocker(s, {&studio, &clinic});
  CHECK(why.find("engines.openai.api_key is not set") != std::string::npos);
  CHECK(why.find("engines.deepgram.api_key is not set") != std::string::npos);
  SUBCASE("one organization that can answer is enough") {
    s.deepgram.api_key = "dg";
    CHECK(call::configuration_blocker(s, {&studio, &clinic}).empty());
  }
  SUBCASE("a later engine in an assistant's order is enough (it takes over from the first)") {
    s.engine.api_key = "sk";
    const auto insurer = with_engines({"deepgram", "openai"});
    CHECK(call::configuration_blocker(s, {&insurer}).empty());
  }
}

TEST_CASE("no key at all, but the local engine is every assistant's last resort: ready") {
  auto s = signed_with_token();
  s.local.last_resort = true;
  const auto studio = with_engines({});
  CHECK(call::configuration_blocker(s, {&studio}).empty());
  SUBCASE("unless it cannot run here: then its problem is named too") {
    const auto why = call::configuration_blocker(s, {&studio}, "the local engine's acoustic model is not in /x");
    CHECK(why.find("engines.openai.api_key is not set") != std::string::npos);
    CHECK(why.find("acoustic model is not in /x") != std::string::npos);
  }
}
