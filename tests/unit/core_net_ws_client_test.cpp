#include "core/net/ws_client.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <map>
#include <mutex>
#include <sys/socket.h>
#include <thread>
#include <vector>

namespace net = sonoria::net;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

// A blocking Beast WebSocket server on 127.0.0.1 with one thread per connection. It echoes text,
// and obeys a few commands: "close:<code>" closes with that code and reason "asked",
// "binary" sends a binary frame then the text "after binary". GET /refuse is answered 401.
class EchoServer {
 public:
  EchoServer() : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
  }

  ~EchoServer() {
    stopping_ = true;
    beast::error_code ignored;
    tcp::socket poke(io_);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ignored);
    accept_thread_.join();
    {
      // Connections a test left open must not block the join below.
      std::lock_guard lock(mutex_);
      for (const int fd : open_sockets_) ::shutdown(fd, SHUT_RDWR);
    }
    for (auto& t : connection_threads_) t.join();
  }

  std::string url(const std::string& path = "/echo") const {
    return "ws://127.0.0.1:" + std::to_string(port_) + path;
  }

  std::map<std::string, std::string> last_headers() const {
    std::lock_guard lock(mutex_);
    return last_headers_;
  }
  std::string last_target() const {
    std::lock_guard lock(mutex_);
    return last_target_;
  }
  int last_close_code() const { return last_close_code_; }
  int echoed() const { return echoed_; }

 private:
  void accept_loop() {
    for (;;) {
      tcp::socket socket(io_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_) return;
      if (ec) continue;
      {
        std::lock_guard lock(mutex_);
        open_sockets_.push_back(socket.native_handle());
      }
      connection_threads_.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
  }

  void serve(tcp::socket socket) {
    const int fd = socket.native_handle();
    auto ws = std::make_unique<websocket::stream<tcp::socket>>(std::move(socket));
    talk(*ws);
    // Forget the descriptor before closing it, so the destructor never shuts down a reused one.
    std::lock_guard lock(mutex_);
    std::erase(open_sockets_, fd);
    ws.reset();
  }

  void talk(websocket::stream<tcp::socket>& ws) {
    tcp::socket& socket = ws.next_layer();
    beast::error_code ec;
    beast::flat_buffer buffer;
    http::request<http::string_body> request;
    http::read(socket, buffer, request, ec);
    if (ec) return;
    {
      std::lock_guard lock(mutex_);
      last_target_ = std::string(request.target());
      last_headers_.clear();
      for (const auto& field : request) last_headers_[std::string(field.name_string())] = std::string(field.value());
    }
    if (request.target() == "/refuse") {
      http::response<http::string_body> refusal{http::status::unauthorized, request.version()};
      refusal.set(http::field::content_type, "application/json");
      refusal.body() = R"({"error":"bad key"})";
      refusal.keep_alive(false);
      refusal.prepare_payload();
      http::write(socket, refusal, ec);
      return;
    }
    ws.accept(request, ec);
    if (ec) return;
    for (;;) {
      beast::flat_buffer message;
      ws.read(message, ec);
      if (ec) {
        if (ec == websocket::error::closed) last_close_code_ = ws.reason().code;
        return;
      }
      const std::string text = beast::buffers_to_string(message.data());
      if (text.rfind("close:", 0) == 0) {
        ws.close(websocket::close_reason(static_cast<websocket::close_code>(std::stoi(text.substr(6))), "asked"), ec);
        // Drain until the client's close reply, which ends the handshake.
        while (!ec) ws.read(message, ec);
        return;
      }
      if (text == "mute") {
        // Stops reading: no more echoes, and no pongs either (Beast answers pings as it reads).
        std::this_thread::sleep_for(1500ms);
        return;
      }
      if (text == "binary") {
        ws.binary(true);
        ws.write(asio::buffer(std::string("\x01\x02", 2)), ec);
        ws.text(true);
        ws.write(asio::buffer(std::string("after binary")), ec);
        continue;
      }
      ws.text(true);
      ws.write(message.data(), ec);
      ++echoed_;
      if (ec) return;
    }
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread accept_thread_;
  std::vector<std::thread> connection_threads_;
  mutable std::mutex mutex_;
  std::map<std::string, std::string> last_headers_;
  std::string last_target_;
  std::vector<int> open_sockets_;
  std::atomic<int> last_close_code_{0};
  std::atomic<int> echoed_{0};
};

// A TCP listener that completes connections (in the kernel's backlog) but never answers.
struct SilentServer {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  std::string url() const { return "ws://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()) + "/"; }
};

std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();  // closed again when the acceptor goes
}

// The client under test, on a strand of an io_context this thread runs until a condition holds.
struct Harness {
  explicit Harness(net::WsClientOptions options = {})
      : client(net::WsClient::create(asio::make_strand(io), std::move(options))) {
    client->on_message([this](std::string_view text) { messages.emplace_back(text); });
    client->on_close([this](int code, std::string reason) {
      ++close_count;
      close_code = code;
      close_reason = std::move(reason);
    });
  }

  void connect(const std::string& url, net::WsClient::Headers headers = {}, std::chrono::milliseconds timeout = 5s) {
    asio::post(client->executor(), [this, url, headers, timeout] {
      client->connect(url, headers, timeout, [this](std::error_code ec, std::string text) {
        opened = true;
        open_error = ec;
        open_text = std::move(text);
      });
    });
  }

  template <class F>
  void on_strand(F f) {
    asio::post(client->executor(), std::move(f));
  }

  // Runs the io_context until `done` holds; false after 10 s (a hang, reported by the CHECK).
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (io.stopped()) io.restart();
      io.run_one_for(50ms);
    }
    return true;
  }

  bool open_ok() { return run_until([this] { return opened; }) && !open_error; }

  asio::io_context io;
  std::shared_ptr<net::WsClient> client;
  bool opened = false;
  std::error_code open_error;
  std::string open_text;
  std::vector<std::string> messages;
  int close_count = 0;
  int close_code = 0;
  std::string close_reason;
};

}  // namespace

TEST_CASE("a client sends its headers and gets its messages echoed in order") {
  EchoServer server;
  Harness h;
  h.connect(server.url("/v1/realtime?model=gpt-realtime"), {{"Authorization", "Bearer sk-test"}, {"OpenAI-Beta", "realtime=v1"}});
  REQUIRE(h.open_ok());
  CHECK(server.last_target() == "/v1/realtime?model=gpt-realtime");
  const auto headers = server.last_headers();
  CHECK(headers.at("Authorization") == "Bearer sk-test");
  CHECK(headers.at("OpenAI-Beta") == "realtime=v1");
  CHECK(headers.at("User-Agent") == "sonoria");

  h.on_strand([&] {
    for (const char* text : {"one", "two", "three"}) CHECK(h.client->send_text(text));
  });
  REQUIRE(h.run_until([&] { return h.messages.size() == 3; }));
  CHECK(h.messages == std::vector<std::string>{"one", "two", "three"});
  CHECK(h.close_count == 0);
}

TEST_CASE("closing from our side reports our code once and the server sees it") {
  EchoServer server;
  Harness h;
  h.connect(server.url());
  REQUIRE(h.open_ok());
  h.on_strand([&] { h.client->close(1000, "bye"); });
  REQUIRE(h.run_until([&] { return h.close_count > 0; }));
  CHECK(h.close_code == 1000);
  CHECK(h.close_reason == "bye");
  h.on_strand([&] { h.client->close(); });
  h.io.poll();
  CHECK(h.close_count == 1);
  CHECK_FALSE(h.client->is_open());
}

TEST_CASE("a close from the server is reported with its code and reason, once") {
  EchoServer server;
  Harness h;
  h.connect(server.url());
  REQUIRE(h.open_ok());
  h.on_strand([&] { h.client->send_text("close:4001"); });
  REQUIRE(h.run_until([&] { return h.close_count > 0; }));
  CHECK(h.close_code == 4001);
  CHECK(h.close_reason == "asked");
  h.io.poll();
  CHECK(h.close_count == 1);
}

TEST_CASE("binary messages from the server are counted and not delivered") {
  EchoServer server;
  Harness h;
  h.connect(server.url());
  REQUIRE(h.open_ok());
  h.on_strand([&] { h.client->send_text("binary"); });
  REQUIRE(h.run_until([&] { return !h.messages.empty(); }));
  CHECK(h.messages == std::vector<std::string>{"after binary"});
  CHECK(h.client->ignored_binary_messages() == 1);
}

TEST_CASE("reading paused before opening delivers nothing until resumed, then everything in order") {
  EchoServer server;
  Harness h;
  h.on_strand([&] { h.client->pause_reading(); });
  h.connect(server.url());
  REQUIRE(h.open_ok());
  h.on_strand([&] {
    for (const char* text : {"a", "b", "c"}) h.client->send_text(text);
  });
  REQUIRE(h.run_until([&] { return server.echoed() == 3; }));
  h.io.poll();
  CHECK(h.messages.empty());
  h.on_strand([&] { h.client->resume_reading(); });
  REQUIRE(h.run_until([&] { return h.messages.size() == 3; }));
  CHECK(h.messages == std::vector<std::string>{"a", "b", "c"});
}

TEST_CASE("messages beyond the queue bound are dropped and counted") {
  EchoServer server;
  net::WsClientOptions options;
  options.limits.max_queued_bytes = 10;
  Harness h(options);
  h.connect(server.url());
  REQUIRE(h.open_ok());
  bool first = false;
  bool second = false;
  h.on_strand([&] {
    first = h.client->send_text("12345678");
    second = h.client->send_text("12345");  // the first is still being written
  });
  REQUIRE(h.run_until([&] { return !h.messages.empty(); }));
  CHECK(first);
  CHECK_FALSE(second);
  CHECK(h.client->dropped_messages() == 1);
  CHECK(h.messages == std::vector<std::string>{"12345678"});
}

TEST_CASE("connecting to a closed port fails with the address and the reason") {
  const std::uint16_t port = closed_port();
  Harness h;
  h.connect("ws://127.0.0.1:" + std::to_string(port) + "/");
  REQUIRE(h.run_until([&] { return h.opened; }));
  CHECK(h.open_error);
  CHECK(h.open_text.find("cannot connect to 127.0.0.1:" + std::to_string(port)) != std::string::npos);
  CHECK(h.open_text.find("refused") != std::string::npos);
  h.io.poll();
  CHECK(h.close_count == 0);  // a connection that never opened does not close
}

TEST_CASE("a refused upgrade reports the HTTP status and the start of the body") {
  EchoServer server;
  Harness h;
  h.connect(server.url("/refuse"));
  REQUIRE(h.run_until([&] { return h.opened; }));
  CHECK(h.open_error);
  CHECK(h.open_text == R"(HTTP 401: {"error":"bad key"})");
}

TEST_CASE("a server that never answers the handshake is reported as timed out") {
  SilentServer silent;
  Harness h;
  h.connect(silent.url(), {}, 200ms);
  REQUIRE(h.run_until([&] { return h.opened; }));
  CHECK(h.open_error == std::errc::timed_out);
  CHECK(h.open_text.find("timed out after 200 ms while upgrading to WebSocket at 127.0.0.1:") != std::string::npos);
}

TEST_CASE("close() during the connection attempt abandons it") {
  SilentServer silent;
  Harness h;
  h.connect(silent.url());
  h.on_strand([&] { h.client->close(); });
  REQUIRE(h.run_until([&] { return h.opened; }));
  CHECK(h.open_error == std::errc::operation_canceled);
  CHECK(h.open_text.find("closed before the connection") != std::string::npos);
}

TEST_CASE("a bad URL or a second connect() is reported through on_open") {
  Harness h;
  SUBCASE("bad URL") {
    h.connect("https://api.openai.com/v1/realtime");
    REQUIRE(h.run_until([&] { return h.opened; }));
    CHECK(h.open_error == std::errc::invalid_argument);
    CHECK(h.open_text.find("scheme must be ws or wss") != std::string::npos);
  }
  SUBCASE("unreadable CA file") {
    net::WsClientOptions options;
    options.ca_file = "/nonexistent/ca.pem";
    Harness with_ca(options);
    with_ca.connect("wss://127.0.0.1:1/");
    REQUIRE(with_ca.run_until([&] { return with_ca.opened; }));
    CHECK(with_ca.open_error == std::errc::invalid_argument);
    CHECK(with_ca.open_text.find("/nonexistent/ca.pem") != std::string::npos);
  }
  SUBCASE("second connect") {
    EchoServer server;
    h.connect(server.url());
    REQUIRE(h.open_ok());
    std::error_code second;
    h.on_strand([&] {
      h.client->connect(server.url(), {}, 1s, [&](std::error_code ec, std::string) { second = ec; });
    });
    REQUIRE(h.run_until([&] { return static_cast<bool>(second); }));
    CHECK(second == std::errc::already_connected);
  }
}

namespace {

net::WsClientOptions with_idle_timeout(std::chrono::milliseconds idle) {
  net::WsClientOptions options;
  options.limits.idle_timeout = idle;
  return options;
}

}  // namespace

TEST_CASE("a quiet server that still answers pings keeps the connection") {
  EchoServer server;
  Harness h(with_idle_timeout(200ms));
  h.connect(server.url());
  REQUIRE(h.open_ok());
  const auto until = std::chrono::steady_clock::now() + 1s;  // five idle timeouts without a message
  h.run_until([&] { return std::chrono::steady_clock::now() > until; });
  CHECK(h.close_count == 0);
  h.on_strand([&] { CHECK(h.client->send_text("still here")); });
  REQUIRE(h.run_until([&] { return h.messages.size() == 1; }));
}

TEST_CASE("a server that stops answering is dropped with 1006 after the idle timeout") {
  EchoServer server;
  Harness h(with_idle_timeout(200ms));
  h.connect(server.url());
  REQUIRE(h.open_ok());
  const auto muted = std::chrono::steady_clock::now();
  h.on_strand([&] { CHECK(h.client->send_text("mute")); });
  REQUIRE(h.run_until([&] { return h.close_count > 0; }));
  CHECK(h.close_code == 1006);
  CHECK(h.close_reason.find("silent") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - muted >= 200ms);
}
