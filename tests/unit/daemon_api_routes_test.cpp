#include "daemon/api_routes.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <vector>

#include "tests/support/stderr_capture.hpp"

namespace sonoria::daemon {
namespace api_routes_test {

using sonoria::test::stderr_of;

HttpRequest request_for(const std::string& method, const std::string& path) {
  HttpRequest request;
  request.method = method;
  request.path = path;
  return request;
}

TEST_CASE("a route that fails inside the server answers the API's JSON 500, and the log says why") {
  std::vector<HttpResponse> answers;
  const HttpResponder reply = [&](HttpResponse r) { answers.push_back(std::move(r)); };
  const std::string logged = stderr_of([&] {
    answer_guarded(request_for("POST", "/api/calls"), reply, [] { throw std::runtime_error("the writer is gone"); });
  });
  REQUIRE(answers.size() == 1);
  CHECK(answers[0].status == 500);
  CHECK(answers[0].content_type.find("application/json") == 0);
  const auto body = nlohmann::json::parse(answers[0].body);
  CHECK(body["error"]["code"] == "internal");
  CHECK(body["error"]["message"].get<std::string>().find("the writer is gone") == std::string::npos);  // only in the log
  CHECK(logged.find("api.failed") != std::string::npos);
  CHECK(logged.find("the writer is gone") != std::string::npos);
  CHECK(logged.find("/api/calls") != std::string::npos);
}

TEST_CASE("a bad parameter answers 400 with the field and what was expected; a route that answers is left alone") {
  std::vector<HttpResponse> answers;
  const HttpResponder reply = [&](HttpResponse r) { answers.push_back(std::move(r)); };
  answer_guarded(request_for("GET", "/api/calls"), reply, [] {
    throw ApiBadRequest{"invalid_parameter", "limit \"0\" is not a page size", "limit", "a number from 1 to 1000"};
  });
  answer_guarded(request_for("GET", "/api/calls"), reply, [&] { reply(api_json(200, {{"calls", nlohmann::json::array()}})); });
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].status == 400);
  const auto error = nlohmann::json::parse(answers[0].body)["error"];
  CHECK(error["code"] == "invalid_parameter");
  CHECK(error["field"] == "limit");
  CHECK(error["expected"] == "a number from 1 to 1000");
  CHECK(error["message"] == "limit \"0\" is not a page size (expected a number from 1 to 1000)");
  CHECK(answers[1].status == 200);
}

}  // namespace api_routes_test
}  // namespace sonoria::daemon
