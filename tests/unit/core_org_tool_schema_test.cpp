#include <doctest/doctest.h>

#include "core/org/tool_schema.hpp"

using namespace sonoria::org;
using nlohmann::json;

namespace {

json booking_schema() {
  return json::parse(R"({
    "type": "object",
    "properties": {
      "service": {"type": "string", "maxLength": 10, "description": "which class"},
      "people": {"type": "integer"},
      "price": {"type": "number"},
      "confirmed": {"type": "boolean"},
      "time": {"type": ["string", "null"]},
      "level": {"type": "string", "enum": ["beginner", "advanced"]}
    },
    "required": ["service"]
  })");
}

}  // namespace

TEST_CASE("arguments that fit the schema pass") {
  CHECK_FALSE(check_arguments(booking_schema(), json::parse(R"({"service":"yoga"})")));
  CHECK_FALSE(check_arguments(booking_schema(),
                              json::parse(R"({"service":"yoga","people":2,"price":12.5,"confirmed":true,"time":null,"level":"advanced"})")));
  CHECK_FALSE(check_arguments(booking_schema(), json::parse(R"({"service":"yoga","people":2.0})")));
  CHECK_FALSE(check_arguments(booking_schema(), json::parse(R"({"service":"yoga","extra":"allowed by default"})")));
}

TEST_CASE("a missing required argument is named") {
  CHECK(check_arguments(booking_schema(), json::object()) == "missing required argument \"service\"");
}

TEST_CASE("a wrong type names the argument, the expected type and the value") {
  CHECK(check_arguments(booking_schema(), json::parse(R"({"service":42})")) ==
        "argument \"service\" must be a string (got 42)");
  CHECK(check_arguments(booking_schema(), json::parse(R"({"service":"yoga","people":2.5})")) ==
        "argument \"people\" must be an integer (got 2.5)");
  CHECK(check_arguments(booking_schema(), json::parse(R"({"service":"yoga","confirmed":"yes"})")) ==
        "argument \"confirmed\" must be a boolean (got \"yes\")");
  CHECK(check_arguments(booking_schema(), json::parse(R"({"service":"yoga","time":5})")) ==
        "argument \"time\" must be a string or a null (got 5)");
}

TEST_CASE("an enum lists the allowed values") {
  CHECK(check_arguments(booking_schema(), json::parse(R"({"service":"yoga","level":"expert"})")) ==
        "argument \"level\" must be one of \"beginner\", \"advanced\" (got \"expert\")");
}

TEST_CASE("maxLength counts characters, not bytes") {
  CHECK_FALSE(check_arguments(booking_schema(), json::parse(R"({"service":"ééééééééé"})")));  // 9 chars, 18 bytes
  CHECK(check_arguments(booking_schema(), json::parse(R"({"service":"hatha flow yoga"})")) ==
        "argument \"service\" is too long (15 characters, at most 10)");
}

TEST_CASE("additionalProperties false rejects unknown arguments by name") {
  json closed = {{"type", "object"}, {"properties", {{"reason", {{"type", "string"}}}}}, {"additionalProperties", false}};
  CHECK(check_arguments(closed, json::parse(R"({"reasn":"x"})")) == "unknown argument \"reasn\" (expected: reason)");
  json none = {{"type", "object"}, {"additionalProperties", false}};
  CHECK(check_arguments(none, json::parse(R"({"x":1})")) == "unknown argument \"x\" (this tool takes none)");
}

TEST_CASE("arguments that are not an object are rejected, and huge values are shortened") {
  CHECK(check_arguments(booking_schema(), json::array()) == "arguments must be a JSON object (got [])");
  auto message = check_arguments(booking_schema(), json{{"service", std::string(500, 'x')}, {"people", std::string(500, 'y')}});
  REQUIRE(message);
  CHECK(message->size() < 200);
}

TEST_CASE("schemas outside the supported subset are reported") {
  CHECK_FALSE(check_schema(booking_schema()));
  CHECK(check_schema(json{{"type", "array"}}));
  CHECK(check_schema(json::parse(R"({"type":"object","properties":{"x":{"type":"date"}}})")) ==
        "property \"x\" has unsupported type \"date\"");
  CHECK(check_schema(json::parse(R"({"type":"object","properties":{"x":{"type":"string","maxLength":-1}}})")));
  CHECK(check_schema(json::parse(R"({"type":"object","required":"x"})")));
}
