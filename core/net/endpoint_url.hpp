#pragma once
// Splitting a URL into what a client connects to: TLS or not, host, port, request target and
// Host header. Shared by the HTTP and WebSocket clients (http_url.hpp, ws_url.hpp). Sans-I/O;
// callable from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::net {

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

}  // namespace sonoria::net
