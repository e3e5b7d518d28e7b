#include "daemon/appointment_api.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace sonoria::daemon {
namespace appointment_api_test {

// The 400's error object.
nlohmann::json refusal(const std::string& body) {
  auto parsed = parse_cancel_body(body);
  const auto* response = std::get_if<HttpResponse>(&parsed);
  REQUIRE(response);
  CHECK(response->status == 400);
  return nlohmann::json::parse(response->body).at("error");
}

TEST_CASE("a cancellation's body: none or {} notifies the customer, notify false does not") {
  CHECK(std::get<bool>(parse_cancel_body("")) == true);
  CHECK(std::get<bool>(parse_cancel_body("{}")) == true);
  CHECK(std::get<bool>(parse_cancel_body(R"({"notify": true})")) == true);
  CHECK(std::get<bool>(parse_cancel_body(R"({"notify": false})")) == false);
}

TEST_CASE("a wrong cancellation body is a 400 naming the field and what was expected") {
  const auto typed = refusal(R"({"notify": "no"})");
  CHECK(typed["code"] == "invalid_body");
  CHECK(typed["field"] == "notify");
  CHECK(typed["expected"] == "true or false");
  CHECK(typed["message"] == "notify is string (expected true or false)");
  const auto unknown = refusal(R"({"notfy": false})");
  CHECK(unknown["field"] == "notfy");
  CHECK(unknown["expected"] == "only \"notify\"");
  const auto not_object = refusal("[true]");
  CHECK_FALSE(not_object.contains("field"));
  CHECK(not_object["message"].get<std::string>().find("the body is not a JSON object") == 0);
  CHECK(refusal("{\"notify\": tru").contains("expected"));
}

}  // namespace appointment_api_test
}  // namespace sonoria::daemon
