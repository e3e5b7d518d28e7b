#pragma once
// An HTTP request as the daemon's routes see it, and the response they give back. Plain data:
// routes are plain functions of these, testable without a socket.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::daemon {

struct HttpRequest {
  std::string method;                          // "GET", "POST", …
  std::string target;                          // as sent: "/twilio/voice?x=1"
  std::string path;                            // target up to '?', not percent-decoded
  std::string query;                           // after '?', not decoded; "" when absent
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined with ", "
  std::string body;
  std::string remote_address;                  // the peer's IP address

  // The header's value, or nullopt. `name` must be lower-case.
  std::optional<std::string_view> header(const std::string& name) const {
    const auto it = headers.find(name);
    if (it == headers.end()) return std::nullopt;
    return std::string_view(it->second);
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";  // empty = no Content-Type header
  std::string body;
  // Added as given (Content-Length, Connection and Server are the server's own business).
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace sonoria::daemon
