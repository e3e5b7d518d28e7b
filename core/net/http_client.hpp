#pragma once
// One-shot outgoing HTTP/1.1 requests over http:// or https:// (REST peers such as Twilio). Runs
// on the executor its caller hands it — the call's strand in the daemon, a short-lived
// io_context in the CLI — and invokes the completion handler there, exactly once.
//
// TLS is verified against the system trust store (plus an optional CA file) with SNI and a host
// name check. Each request uses its own connection (REST calls here are rare and small), so
// requests may overlap freely.
//
// Threading: call request() on executor(), which must not run handlers concurrently (a strand,
// or an io_context run by one thread). Failures are values; nothing here throws.

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sonoria::net {

using HttpHeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method = "GET";
  std::string url;                  // http(s)://host[:port]/path?query
  HttpHeaderList headers;           // sent as given; Host, User-Agent and Content-Length are added
  std::string body;
};

struct HttpResponse {
  int status = 0;                   // 0 when the exchange failed (see error)
  HttpHeaderList headers;
  std::string body;
  // Empty on success. On failure a sentence for a log or a person: "cannot connect to
  // 127.0.0.1:9: Connection refused", "timed out after 5000 ms while reading the response from …".
  std::error_code error;
  std::string error_text;
  // True when the request may have reached the server (it was at least partly written): a
  // non-idempotent request that failed this way has an unknown outcome.
  bool maybe_delivered = false;

  bool ok() const { return !error; }
  // The first header named `name` (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

struct HttpClientOptions {
  std::string ca_file;              // extra trust anchors (PEM) besides the system store
  std::string user_agent = "sonoria";
  std::size_t max_body_bytes = 4 * 1024 * 1024;
};

class HttpClient : public std::enable_shared_from_this<HttpClient> {
 public:
  using Handler = std::function<void(HttpResponse)>;

  static std::shared_ptr<HttpClient> create(boost::asio::any_io_executor executor, HttpClientOptions options = {});

  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Sends `request` and reads the whole answer within `timeout`. `done` runs once on executor():
  // with any HTTP status (4xx/5xx are answers, not errors), or with `error` set — a bad URL or
  // CA file (invalid_argument), the timeout (timed_out), resolve/connect/TLS/read failures.
  void request(HttpRequest request, std::chrono::milliseconds timeout, Handler done);

 private:
  HttpClient(boost::asio::any_io_executor executor, HttpClientOptions options);

  boost::asio::any_io_executor executor_;
  HttpClientOptions options_;
};

}  // namespace sonoria::net
