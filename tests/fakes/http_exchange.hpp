#pragma once
// One blocking HTTP/1.1 request over plain TCP, for fakes that play a client (the Twilio caller
// posting webhooks) and for tests poking a fake server. Each call opens its own connection and
// io_context, so it may be called from any thread. Transport failures (refused, timeout, peer
// closed early) are returned in `error`, never thrown.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::fakes {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpCall {
  std::string method = "GET";
  std::string url;                 // http://host:port/path?query (https is not supported)
  HttpHeaders headers;             // sent as given (Host, Content-Length and User-Agent are added)
  std::string body;
  std::chrono::milliseconds timeout{5000};
};

struct HttpReply {
  int status = 0;                  // 0 when the exchange failed
  HttpHeaders headers;
  std::string body;
  std::string error;               // transport failure, empty on success

  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

HttpReply http_exchange(const HttpCall& call);

}  // namespace sonoria::fakes
