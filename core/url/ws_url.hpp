#pragma once
// Splitting a ws:// or wss:// URL into what a WebSocket client connects to (endpoint_url.hpp).

#include "core/url/endpoint_url.hpp"

namespace sonoria::url {

using WsUrl = EndpointUrl;

// The parts of `url`, or nullopt with `error` set to a sentence naming the URL and what is wrong
// ("…: scheme must be ws or wss").
inline std::optional<WsUrl> parse_ws_url(std::string_view url, std::string& error) {
  return parse_endpoint_url(url, {"ws", "wss", "a WebSocket URL"}, error);
}

// What is wrong with `url` (endpoint_url_problem), "" when nothing.
inline std::string ws_url_problem(std::string_view url) { return endpoint_url_problem(url, {"ws", "wss", "a WebSocket URL"}); }

}  // namespace sonoria::url
