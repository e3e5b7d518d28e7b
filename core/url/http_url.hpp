#pragma once
// Splitting an http:// or https:// URL into what an HTTP client connects to (endpoint_url.hpp).

#include "core/url/endpoint_url.hpp"

namespace sonoria::url {

using HttpUrl = EndpointUrl;

// nullopt with `error` naming the URL and what is wrong (scheme not http/https, no host, user
// info, fragment, bad port).
inline std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
  return parse_endpoint_url(url, {"http", "https", "an HTTP URL"}, error);
}

// What is wrong with `url` (endpoint_url_problem), "" when nothing.
inline std::string http_url_problem(std::string_view url) { return endpoint_url_problem(url, {"http", "https", "an HTTP URL"}); }

}  // namespace sonoria::url
