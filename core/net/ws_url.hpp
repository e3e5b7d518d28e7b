#pragma once
// Splitting a ws:// or wss:// URL into what a WebSocket client connects to. Sans-I/O; callable
// from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::net {

struct WsUrl {
  bool tls = false;        // wss://
  std::string host;        // as written, without IPv6 brackets: "api.openai.com", "::1"
  std::uint16_t port = 0;  // explicit port, else 80 (ws) or 443 (wss)
  std::string target;      // path and query, percent-encoded as given; "/" when empty
  std::string host_header; // "host" or "host:port" (brackets kept), for the Host header
};

// The parts of `url`, or nullopt with `error` set to a sentence naming the URL and what is wrong
// ("…: scheme must be ws or wss"). User info and fragments are rejected: a WebSocket URL has no
// use for them and a fragment there is usually a pasting mistake.
std::optional<WsUrl> parse_ws_url(std::string_view url, std::string& error);

}  // namespace sonoria::net
