#pragma once
// Blocking HTTP/1.1 and WebSocket clients for tests, plain or TLS. Unlike fakes/http_exchange
// (one request per connection), a connection here stays open, so keep-alive, pipelined closes
// and WebSocket close codes can be checked. Each object owns a private io_context; every wait is
// bounded by the timeout given at construction. Failures throw std::runtime_error with what
// failed — these are for test threads, which doctest reports.

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::test {

using TestHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpTestResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; a repeated header's values one per line
  std::string body;

  std::string header(const std::string& lower_case_name) const {
    const auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct TestClientOptions {
  std::chrono::milliseconds timeout{5000};  // per connect, write and read
  // For https:// and wss://: trust this PEM file (and nothing else). The host name is verified.
  std::string ca_file;
  // When set: offer only TLS 1.2 with these OpenSSL cipher suites (to check what a server refuses).
  std::string tls12_ciphers;
};

// One HTTP connection to `origin` ("http://127.0.0.1:8080" or "https://localhost:8443").
class HttpTestConnection {
 public:
  explicit HttpTestConnection(const std::string& origin, TestClientOptions options = {});
  ~HttpTestConnection();
  HttpTestConnection(const HttpTestConnection&) = delete;
  HttpTestConnection& operator=(const HttpTestConnection&) = delete;

  // Sends one request (Host, User-Agent and Content-Length are added) and reads the response.
  HttpTestResponse request(const std::string& method, const std::string& target, const TestHeaders& headers = {},
                           const std::string& body = {});
  // Sends bytes as they are (for malformed or truncated requests), then reads one response.
  HttpTestResponse send_raw(std::string_view bytes);
  // True when the server has closed the connection (the next read sees the end of the stream).
  bool closed_by_server();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection. `url` is absolute: "http://127.0.0.1:8080/twilio/voice?x=1".
HttpTestResponse http_post(const std::string& url, const TestHeaders& headers, const std::string& body,
                           TestClientOptions options = {});
HttpTestResponse http_get(const std::string& url, const TestHeaders& headers = {}, TestClientOptions options = {});

// A WebSocket to `url` ("ws://…" or "wss://…"). The constructor performs the handshake and throws
// if the server does not answer 101 (the message starts with "HTTP <status>").
class WsTestClient {
 public:
  explicit WsTestClient(const std::string& url, const TestHeaders& headers = {}, TestClientOptions options = {});
  ~WsTestClient();
  WsTestClient(const WsTestClient&) = delete;
  WsTestClient& operator=(const WsTestClient&) = delete;

  void send(std::string_view text);
  void send_binary(std::string_view bytes);
  // The next message (text or binary); throws when the connection closes instead.
  std::string receive();
  // Reads until the server's close frame; returns its code and reason (1006 and the error when the
  // connection ended without one). Messages arriving first are skipped.
  std::pair<int, std::string> receive_close();
  // Sends a close frame and waits for the server's answer.
  void close(int code = 1000, std::string_view reason = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The status a WebSocket upgrade to `url` is answered with: 101 when accepted (the connection is
// then closed at once), or the refusal's status (403, 404, …).
int ws_upgrade_status(const std::string& url, const TestHeaders& headers = {}, TestClientOptions options = {});

struct TestCertificate {
  std::filesystem::path cert_file;  // PEM; also usable as the CA file that trusts it
  std::filesystem::path key_file;   // PEM
};

// Writes a fresh self-signed certificate for the DNS name `dns_name` (EC P-256, valid for a day,
// no IP address in it) and its key into `dir`, for TLS servers in tests.
TestCertificate write_test_certificate(const std::filesystem::path& dir, const std::string& dns_name = "localhost");

}  // namespace sonoria::test
