#pragma once
// Splitting an http:// or https:// URL into what an HTTP client connects to (endpoint_url.hpp).

#include "core/net/endpoint_url.hpp"

namespace sonoria::net {

using HttpUrl = EndpointUrl;

// nullopt with `error` naming the URL and what is wrong (scheme not http/https, no host, user
// info, fragment, bad port).
inline std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
  return parse_endpoint_url(url, {"http", "https", "an HTTP URL"}, error);
}

}  // namespace sonoria::net
