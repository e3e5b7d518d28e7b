#include "daemon/outbound_api.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace outbound_api_test {

using sonoria::daemon::HttpResponse;
using sonoria::daemon::OutboundApiRequest;
using sonoria::daemon::parse_outbound_body;

nlohmann::json problem(const std::string& body) {
  const auto parsed = parse_outbound_body(body);
  REQUIRE(std::holds_alternative<HttpResponse>(parsed));
  const auto& response = std::get<HttpResponse>(parsed);
  CHECK(response.status == 400);
  CHECK(response.content_type == "application/json");
  return nlohmann::json::parse(response.body)["error"];
}

TEST_CASE("POST /api/calls: a valid body, with the org as a slug or an id") {
  auto parsed = parse_outbound_body(R"({"to":"+15551234567","org":"lotus-yoga","machine_detection":true})");
  REQUIRE(std::holds_alternative<OutboundApiRequest>(parsed));
  CHECK(std::get<OutboundApiRequest>(parsed).to == "+15551234567");
  CHECK(std::get<OutboundApiRequest>(parsed).org == "lotus-yoga");
  CHECK(std::get<OutboundApiRequest>(parsed).machine_detection);
  parsed = parse_outbound_body(R"({"to":"+15551234567","org":7})");
  REQUIRE(std::holds_alternative<OutboundApiRequest>(parsed));
  CHECK(std::get<OutboundApiRequest>(parsed).org == "7");
  CHECK_FALSE(std::get<OutboundApiRequest>(parsed).machine_detection);
}

TEST_CASE("POST /api/calls: each wrong field is named with what was expected") {
  auto e = problem(R"({"to":"+15551234567","org":"x","machine_detection":"yes"})");
  CHECK(e["code"] == "invalid_body");
  CHECK(e["field"] == "machine_detection");
  CHECK(e["expected"] == "true or false");
  e = problem(R"({"to":15551234567,"org":"x"})");
  CHECK(e["field"] == "to");
  CHECK(e["message"].get<std::string>().find("to is not a string") == 0);
  e = problem(R"({"to":"+15551234567"})");
  CHECK(e["field"] == "org");
  CHECK(e["message"].get<std::string>().find("org is missing") == 0);
  e = problem(R"({"to":"+15551234567","org":1.5})");
  CHECK(e["field"] == "org");
}

TEST_CASE("POST /api/calls: an unknown field suggests the nearest known one; a body that is not an object says so") {
  auto e = problem(R"({"to":"+15551234567","org":"x","machine_detecton":true})");
  CHECK(e["field"] == "machine_detecton");
  CHECK(e["message"].get<std::string>().find("did you mean \"machine_detection\"?") != std::string::npos);
  e = problem("not json");
  CHECK_FALSE(e.contains("field"));
  CHECK(e["message"].get<std::string>().find("the body is not JSON") == 0);
  e = problem("[1,2]");
  CHECK(e["message"].get<std::string>().find("the body is not a JSON object") == 0);
}

}  // namespace outbound_api_test
