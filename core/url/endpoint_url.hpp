#pragma once
// Splitting a URL into what a client connects to: TLS or not, host, port, request target and
// Host header, on Boost.URL. Shared by the HTTP and WebSocket clients (core/net, through
// http_url.hpp and ws_url.hpp) and by what checks a URL before they see it (a profile's webhooks
// and tools, an engine's join URL), so that a URL is refused where it is typed for the reasons it
// would fail where it is used. Sans-I/O; callable from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::url {

struct EndpointUrl {
  bool tls = false;                 // https:// or wss://
  std::string host;                 // as written, without IPv6 brackets: "api.openai.com", "::1"
  std::uint16_t port = 0;           // explicit port, else 80 / 443
  std::string target;               // path and query, percent-encoded as given; "/" when empty
  std::string host_header;          // "host" or "host:port" (brackets kept), for the Host header
};

struct EndpointScheme {
  std::string_view plain;           // "http" / "ws"
  std::string_view secure;          // "https" / "wss"
  std::string_view kind;            // "an HTTP URL" / "a WebSocket URL", for messages
};

// The parts of `url`, or nullopt with `error` set to a sentence naming the URL and what is wrong
// (scheme, missing host, bad port). User info and fragments are rejected: credentials travel in
// headers, never in a URL that may end up in a log, and a fragment is usually a pasting mistake.
std::optional<EndpointUrl> parse_endpoint_url(std::string_view url, const EndpointScheme& scheme, std::string& error);
// What is wrong with `url` as parse_endpoint_url reads it ("the host is missing"), or "" when it is
// fine: for checking a URL where it is typed (a profile), with the same rules as where it is used.
std::string endpoint_url_problem(std::string_view url, const EndpointScheme& scheme);

}  // namespace sonoria::url
