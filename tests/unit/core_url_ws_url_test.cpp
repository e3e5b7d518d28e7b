#include "core/url/ws_url.hpp"

#include <doctest/doctest.h>

using sonoria::url::parse_ws_url;

TEST_CASE("a wss URL without a port connects to 443 and keeps its path and query") {
  std::string error;
  const auto url = parse_ws_url("wss://api.openai.com/v1/realtime?model=gpt-realtime", error);
  REQUIRE(url);
  CHECK(url->tls);
  CHECK(url->host == "api.openai.com");
  CHECK(url->port == 443);
  CHECK(url->target == "/v1/realtime?model=gpt-realtime");
  CHECK(url->host_header == "api.openai.com");
}

TEST_CASE("a ws URL with an explicit port puts the port in the Host header") {
  std::string error;
  const auto url = parse_ws_url("ws://127.0.0.1:8081/twilio/media", error);
  REQUIRE(url);
  CHECK_FALSE(url->tls);
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == 8081);
  CHECK(url->host_header == "127.0.0.1:8081");
  CHECK(url->target == "/twilio/media");
}

TEST_CASE("a URL with no path asks for /") {
  std::string error;
  const auto url = parse_ws_url("ws://example.com", error);
  REQUIRE(url);
  CHECK(url->port == 80);
  CHECK(url->target == "/");
}

TEST_CASE("an IPv6 host loses its brackets for connecting but keeps them in the Host header") {
  std::string error;
  const auto url = parse_ws_url("ws://[::1]:9000/x", error);
  REQUIRE(url);
  CHECK(url->host == "::1");
  CHECK(url->host_header == "[::1]:9000");
}

TEST_CASE("URLs a WebSocket cannot use are rejected with the URL and the reason") {
  std::string error;
  SUBCASE("an http scheme") {
    CHECK_FALSE(parse_ws_url("https://api.openai.com/v1/realtime", error));
    CHECK(error.find("\"https://api.openai.com/v1/realtime\"") != std::string::npos);
    CHECK(error.find("scheme must be ws or wss") != std::string::npos);
  }
  SUBCASE("no host") {
    CHECK_FALSE(parse_ws_url("ws:///path", error));
    CHECK(error.find("host is missing") != std::string::npos);
  }
  SUBCASE("a port out of range") {
    CHECK_FALSE(parse_ws_url("ws://example.com:70000/", error));
    CHECK(error.find("\"70000\"") != std::string::npos);
  }
  SUBCASE("port zero") {
    CHECK_FALSE(parse_ws_url("ws://example.com:0/", error));
    CHECK(error.find("between 1 and 65535") != std::string::npos);
  }
  SUBCASE("a fragment") {
    CHECK_FALSE(parse_ws_url("wss://example.com/a#b", error));
    CHECK(error.find("fragment") != std::string::npos);
  }
  SUBCASE("user info") {
    CHECK_FALSE(parse_ws_url("wss://user:secret@example.com/", error));
    CHECK(error.find("user info") != std::string::npos);
  }
  SUBCASE("not a URL at all") {
    CHECK_FALSE(parse_ws_url("api.openai.com", error));
    CHECK(error.find("expected ws://") != std::string::npos);
  }
}
