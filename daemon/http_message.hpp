#pragma once
// An HTTP request as the daemon's routes see it, and the response they give back. Plain data:
// routes are plain functions of these, testable without a socket.

#include <functional>
#include <map>
#include <memory>
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

// The far end of a response that stays open (Server-Sent Events): whoever holds it writes text
// as it happens. Safe from any thread. Writes are queued (bounded: a client that stops reading
// is disconnected); write() returns false once the client is gone or the stream was closed, and
// the writer should then drop the sink.
class ResponseSink {
 public:
  virtual ~ResponseSink() = default;
  virtual bool write(std::string text) = 0;
  virtual void close() = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";  // empty = no Content-Type header
  std::string body;
  // Added as given (Content-Length, Connection and Server are the server's own business).
  std::vector<std::pair<std::string, std::string>> headers;
  // Set for a response that stays open: the head goes out (no length, "Connection: close"), then
  // the body if any, and this runs once with the sink for the rest. The connection is not reused.
  std::function<void(std::shared_ptr<ResponseSink>)> open_stream;
};

}  // namespace sonoria::daemon
