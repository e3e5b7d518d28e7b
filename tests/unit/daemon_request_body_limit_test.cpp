#include "daemon/request_body_limit.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

namespace sonoria::daemon {

TEST_CASE("a request's body limit follows its path: the API's, the dashboard's forms and upload, else the server's") {
  config::Settings s;
  s.api.max_body_bytes = 20 * 1024;
  s.dashboard.max_form_bytes = 2 << 20;
  s.dashboard.max_upload_bytes = 9 << 20;

  SUBCASE("the API: its own limit, refused with its JSON problem") {
    for (const char* path : {"/api", "/api/calls", "/api/appointments/ABC/cancel"}) {
      const auto limit = request_body_limit(s, "POST", path);
      CHECK(limit.bytes == 20 * 1024);
      CHECK(limit.setting == "api.max_body_bytes");
      REQUIRE(limit.too_large);
      CHECK(limit.too_large->status == 413);
      CHECK(limit.too_large->content_type == "application/json");
      const auto problem = nlohmann::json::parse(limit.too_large->body);
      CHECK(problem["error"]["code"] == "too_large");
      CHECK(problem["error"]["message"] == "the request body is larger than 20 KiB (api.max_body_bytes)");
    }
  }
  SUBCASE("the dashboard: the document upload, and every other form") {
    CHECK(request_body_limit(s, "POST", "/app/knowledge").bytes == 9u << 20);
    CHECK(request_body_limit(s, "POST", "/app/knowledge").setting == "dashboard.max_upload_bytes");
    CHECK(request_body_limit(s, "POST", "/app/profile").bytes == 2u << 20);
    CHECK(request_body_limit(s, "POST", "/app/profile").setting == "dashboard.max_form_bytes");
    CHECK(request_body_limit(s, "POST", "/app/knowledge/remove").setting == "dashboard.max_form_bytes");
    CHECK(request_body_limit(s, "PUT", "/app/knowledge").setting == "dashboard.max_form_bytes");
    CHECK_FALSE(request_body_limit(s, "POST", "/app/profile").too_large);
  }
  SUBCASE("anything else, the webhooks included, keeps server.max_body_bytes (0 = the server's own)") {
    for (const char* path : {"/twilio/voice", "/", "/apix", "/application", "/metrics"}) {
      const auto limit = request_body_limit(s, "POST", path);
      CHECK(limit.bytes == 0);
      CHECK(limit.setting.empty());
      CHECK_FALSE(limit.too_large);
    }
  }
  SUBCASE("the API's 413 carries the CORS headers for an allowed origin, none for another") {
    s.api.cors_origins = {"https://dashboard.example.com"};
    const auto allowed = request_body_limit(s, "POST", "/api/calls", "https://dashboard.example.com");
    REQUIRE(allowed.too_large);
    CHECK(allowed.too_large->headers ==
          std::vector<std::pair<std::string, std::string>>{{"Access-Control-Allow-Origin", "https://dashboard.example.com"},
                                                           {"Vary", "Origin"}});
    CHECK(request_body_limit(s, "POST", "/api/calls", "https://evil.example.com").too_large->headers.empty());
    CHECK(request_body_limit(s, "POST", "/api/calls").too_large->headers.empty());
  }
  SUBCASE("a limit that is no whole number of KiB is said in bytes") {
    s.api.max_body_bytes = 5000;
    const auto problem = nlohmann::json::parse(request_body_limit(s, "POST", "/api/calls").too_large->body);
    CHECK(problem["error"]["message"] == "the request body is larger than 5000 bytes (api.max_body_bytes)");
  }
}

}  // namespace sonoria::daemon
