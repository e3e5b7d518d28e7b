#pragma once
// Splitting an http:// or https:// URL into what an HTTP client connects to. Sans-I/O; callable
// from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::net {

struct HttpUrl {
  bool tls = false;                 // https://
  std::string host;                 // without IPv6 brackets
  std::uint16_t port = 0;           // explicit, else 80 / 443
  std::string target;               // path and query as given, "/" when empty
  std::string host_header;          // "host" or "host:port", for the Host header
};

// nullopt with `error` naming the URL and what is wrong (scheme not http/https, no host, user
// info, fragment, bad port).
std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error);

}  // namespace sonoria::net
