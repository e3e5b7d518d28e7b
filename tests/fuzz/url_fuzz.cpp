// What the URL reader (core/url) makes of any text: a URL typed into a profile or the config, or
// one a peer sends (Ultravox's joinUrl), read by the rules of the clients that will use it.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/engine/ultravox/call_api.hpp"
#include "core/url/http_url.hpp"
#include "core/url/ws_url.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace {

using namespace sonoria;

// Whatever reads, reads into something a client can connect to; the problem alone agrees.
void check_endpoint(const std::optional<url::EndpointUrl>& parsed, const std::string& error, const std::string& problem) {
  FUZZ_CHECK(parsed.has_value() == problem.empty());
  FUZZ_CHECK(parsed.has_value() == error.empty());
  if (!parsed) return;
  FUZZ_CHECK(!parsed->host.empty());
  FUZZ_CHECK(parsed->port != 0);
  FUZZ_CHECK(!parsed->target.empty() && parsed->target.front() == '/');
  FUZZ_CHECK(parsed->target.find('#') == std::string::npos);
  FUZZ_CHECK(!parsed->host_header.empty());
}

}  // namespace

SONORIA_FUZZ_TARGET(endpoint_url) {
  std::string error;
  const auto http = url::parse_http_url(input, error);
  check_endpoint(http, error, url::http_url_problem(input));
  error.clear();
  const auto ws = url::parse_ws_url(input, error);
  check_endpoint(ws, error, url::ws_url_problem(input));
  FUZZ_CHECK(!(http && ws));  // one scheme or the other

  // As Ultravox's joinUrl: accepted only when the socket can join it, with the API version added.
  const auto created = engine::ultravox::parse_create_call_response(
      201, nlohmann::json{{"joinUrl", std::string(input)}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  if (created.error.empty()) {
    const std::string join = engine::ultravox::join_url_for_socket(created.join_url);
    error.clear();
    FUZZ_CHECK(url::parse_ws_url(join, error).has_value());
    FUZZ_CHECK(join.find("apiVersion") != std::string::npos);
  }
}
