#pragma once
// A small HTTP/1.1 server for fakes of REST peers, on http://127.0.0.1:<ephemeral port>: one
// request per connection and a handler that decides each answer (a PeerServer underneath, so a
// fake built on it compiles no Beast). While `refusing`, connections are closed before a request
// is read (a peer that is down).

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sonoria::fakes {

struct SimpleRequest {
  std::string method;
  std::string target;                // path and query as received
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  std::string path() const { return target.substr(0, target.find('?')); }
  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

struct SimpleResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0};  // before answering (or dropping)
  bool drop = false;                 // close without an answer
  std::function<void()> after;       // run once the answer is written (or dropped) and closed
};

class SimpleHttpServer {
 public:
  using Handler = std::function<SimpleResponse(const SimpleRequest&)>;

  // Starts listening. `handler` runs on the server's thread; a delayed answer keeps no other waiting.
  explicit SimpleHttpServer(Handler handler);
  ~SimpleHttpServer();  // stops the server and closes every connection, answered or not
  SimpleHttpServer(const SimpleHttpServer&) = delete;
  SimpleHttpServer& operator=(const SimpleHttpServer&) = delete;

  unsigned short port() const;
  std::string url() const;           // "http://127.0.0.1:<port>"
  void set_refusing(bool refusing);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
