#include "core/url/endpoint_url.hpp"

#include <doctest/doctest.h>

#include "core/url/http_url.hpp"

namespace endpoint_url_test {

using namespace sonoria::url;

const EndpointScheme k_http{"http", "https", "an HTTP URL"};

TEST_CASE("an http URL: TLS from its scheme, in any case; port, target and Host header") {
  std::string error;
  const auto plain = parse_endpoint_url("http://hooks.example.com:8080/a/b?x=1&y=%20", k_http, error);
  REQUIRE(plain);
  CHECK_FALSE(plain->tls);
  CHECK(plain->port == 8080);
  CHECK(plain->target == "/a/b?x=1&y=%20");
  CHECK(plain->host_header == "hooks.example.com:8080");
  const auto upper = parse_endpoint_url("HTTPS://hooks.example.com", k_http, error);
  REQUIRE(upper);
  CHECK(upper->tls);
  CHECK(upper->port == 443);
  CHECK(upper->target == "/");
}

TEST_CASE("the problem alone, for checking a URL where it is typed; the sentence for where it is used") {
  CHECK(http_url_problem("https://crm.example.com/claims").empty());
  CHECK(http_url_problem("https://crm.example.com:65536/") == "port \"65536\" is not between 1 and 65535");
  CHECK(http_url_problem("https://me:pw@crm.example.com/") == "user info (user@host) is not supported");
  CHECK(http_url_problem("wss://crm.example.com/") == "scheme must be http or https, not \"wss\"");
  CHECK(http_url_problem("crm.example.com/claims") == "expected http(s)://host[:port]/path");
  CHECK(http_url_problem("https://crm.example.com/a b") == "expected http(s)://host[:port]/path");
  CHECK(http_url_problem("https://crm.example.com:") == "port \"\" is not between 1 and 65535");
  // Found by the fuzzer: Boost.URL takes what follows a bracketed host for a path without its
  // '/', which would go out as an absolute-form target (a request for another host).
  CHECK(http_url_problem("http://[::1]https://xn-:-b90c0") ==
        "\"https://xn-:-b90c0\" follows the host (expected [:port], then '/', '?' or the end)");
  CHECK(http_url_problem("http://[::1]evil.example/x") ==
        "\"evil.example/x\" follows the host (expected [:port], then '/', '?' or the end)");
  CHECK(http_url_problem("http://crm.example.com:80a/x") ==
        "\"a/x\" follows the host (expected [:port], then '/', '?' or the end)");
  CHECK(http_url_problem("http://[::1]/x").empty());
  CHECK(http_url_problem("http://[::1]?x=1").empty());
  std::string error;
  CHECK_FALSE(parse_http_url("https://crm.example.com:65536/", error));
  CHECK(error == "\"https://crm.example.com:65536/\" is not an HTTP URL: port \"65536\" is not between 1 and 65535");
}

}  // namespace endpoint_url_test
