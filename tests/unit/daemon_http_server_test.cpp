#include "daemon/http_server.hpp"

#include <doctest/doctest.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/net/http_client.hpp"
#include "core/net/ws_client.hpp"
#include "tests/support/http_test_client.hpp"
#include "tests/support/temp_dir.hpp"

namespace asio = boost::asio;
namespace net = sonoria::net;
using sonoria::daemon::HttpBodyLimit;
using sonoria::daemon::HttpRequest;
using sonoria::daemon::HttpResponder;
using sonoria::daemon::HttpResponse;
using sonoria::daemon::HttpServer;
using sonoria::daemon::HttpServerOptions;
using sonoria::daemon::WsConnection;
using sonoria::daemon::WsRoute;
using sonoria::test::HttpTestConnection;
using sonoria::test::TestClientOptions;
using sonoria::test::WsTestClient;
using namespace std::chrono_literals;

namespace {

// The server on its own io_context, run by two threads like the daemon's pool.
// Points file descriptor 2 at a file while it lives (the daemon's log writes there).
class StderrToFile {
 public:
  explicit StderrToFile(const std::filesystem::path& path) {
    std::fflush(stderr);
    saved_ = ::dup(2);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ::dup2(fd, 2);
    ::close(fd);
  }
  ~StderrToFile() {
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
  }
  StderrToFile(const StderrToFile&) = delete;
  StderrToFile& operator=(const StderrToFile&) = delete;

 private:
  int saved_ = -1;
};

class RunningServer {
 public:
  RunningServer(HttpServerOptions options, const std::function<void(HttpServer&)>& configure)
      : server_(io_, std::move(options)) {
    configure(server_);
    server_.start();
    for (int i = 0; i < 2; ++i) threads_.emplace_back([this] { io_.run(); });
  }
  ~RunningServer() {
    work_.reset();
    io_.stop();
    for (auto& t : threads_) t.join();
  }

  HttpServer& server() { return server_; }
  std::string origin() const {
    return std::string(server_.serves_tls() ? "https" : "http") + "://127.0.0.1:" + std::to_string(server_.port());
  }
  std::string ws_url(const std::string& path, const std::string& host = "127.0.0.1") const {
    return std::string(server_.serves_tls() ? "wss" : "ws") + "://" + host + ":" + std::to_string(server_.port()) + path;
  }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  HttpServer server_;
  std::vector<std::thread> threads_;
};

// Answers POST /twilio/voice with 201 and what it saw; everything else 404.
void voice_route(HttpServer& server) {
  server.set_handler([](HttpRequest request, HttpResponder respond) {
    if (request.method == "POST" && request.path == "/twilio/voice") {
      const std::string seen = request.query + "|" + std::string(request.header("x-twilio-signature").value_or("")) +
                               "|" + request.remote_address;
      respond(HttpResponse{201, "application/xml", "<Response>" + request.body + "</Response>", {{"X-Seen", seen}}, {}});
      return;
    }
    respond(HttpResponse{404, "text/plain", "no route for " + request.path, {}, {}});
  });
}

// WebSocket echo on /ws for upgrades carrying "X-Token: good". "?close" closes at once with 4003.
struct EchoRoute {
  std::mutex mutex;
  std::condition_variable changed;
  std::string upgrade_target;
  std::vector<int> close_codes;

  void install(HttpServer& server) {
    server.add_websocket_route(
        "/ws", WsRoute{[](const HttpRequest& upgrade) { return upgrade.header("x-token") == "good"; },
                       [this](std::shared_ptr<WsConnection> connection) {
                         {
                           std::lock_guard lock(mutex);
                           upgrade_target = connection->upgrade_request().target;
                         }
                         // The handler holds the connection: the cycle ends when on_close has run.
                         connection->on_message([connection](std::string_view text) {
                           connection->send_text(std::string(text));
                         });
                         connection->on_close([this](int code, std::string) {
                           std::lock_guard lock(mutex);
                           close_codes.push_back(code);
                           changed.notify_all();
                         });
                         if (connection->upgrade_request().query == "close") connection->close(4003, "bye");
                       }});
  }

  // The close codes the server reported, once `count` connections have ended (at most 10 s).
  // Tests wait for this before tearing the server down, so no connection is cut mid-close.
  std::vector<int> wait_closed(std::size_t count) {
    std::unique_lock lock(mutex);
    changed.wait_for(lock, 10s, [&] { return close_codes.size() >= count; });
    return close_codes;
  }
};

// A core/net client on an io_context this thread runs until a condition holds.
struct ClientHarness {
  explicit ClientHarness(net::WsClientOptions options = {})
      : client(net::WsClient::create(asio::make_strand(io), std::move(options))) {
    client->on_message([this](std::string_view text) { messages.emplace_back(text); });
    client->on_close([this](int code, std::string) { close_code = code; });
  }

  bool open(const std::string& url, net::WsClient::Headers headers) {
    asio::post(client->executor(), [this, url, headers] {
      client->connect(url, headers, 5s, [this](std::error_code ec, std::string text) {
        opened = true;
        open_error = ec;
        open_text = std::move(text);
      });
    });
    return run_until([this] { return opened; }) && !open_error;
  }

  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (io.stopped()) io.restart();
      io.run_one_for(50ms);
    }
    return true;
  }

  asio::io_context io;
  std::shared_ptr<net::WsClient> client;
  bool opened = false;
  std::error_code open_error;
  std::string open_text;
  std::vector<std::string> messages;
  std::optional<int> close_code;
};

}  // namespace

TEST_CASE("a routed POST reaches the handler with its path, query, headers and body") {
  RunningServer s({}, voice_route);
  const auto response = sonoria::test::http_post(s.origin() + "/twilio/voice?attempt=1",
                                                 {{"X-Twilio-Signature", "c2lnbmF0dXJl"},
                                                  {"Content-Type", "application/x-www-form-urlencoded"}},
                                                 "From=%2B15551234567");
  CHECK(response.status == 201);
  CHECK(response.header("content-type") == "application/xml");
  CHECK(response.body == "<Response>From=%2B15551234567</Response>");
  CHECK(response.header("x-seen") == "attempt=1|c2lnbmF0dXJl|127.0.0.1");
  CHECK(response.header("server") == "sonoria");
}

TEST_CASE("an unknown path gets the handler's 404, and no handler at all means 404") {
  SUBCASE("the handler decides") {
    RunningServer s({}, voice_route);
    const auto response = sonoria::test::http_get(s.origin() + "/nowhere");
    CHECK(response.status == 404);
    CHECK(response.body == "no route for /nowhere");
  }
  SUBCASE("no handler") {
    RunningServer s({}, [](HttpServer&) {});
    CHECK(sonoria::test::http_get(s.origin() + "/").status == 404);
  }
}

TEST_CASE("two requests on one keep-alive connection are both answered") {
  RunningServer s({}, voice_route);
  HttpTestConnection connection(s.origin());
  const auto first = connection.request("POST", "/twilio/voice", {}, "a");
  const auto second = connection.request("POST", "/twilio/voice", {}, "b");
  CHECK(first.status == 201);
  CHECK(first.header("connection") != "close");
  CHECK(second.status == 201);
  CHECK(second.body == "<Response>b</Response>");
}

TEST_CASE("a request asking for Connection: close is answered and the connection closed") {
  RunningServer s({}, voice_route);
  HttpTestConnection connection(s.origin());
  const auto response = connection.request("POST", "/twilio/voice", {{"Connection", "close"}}, "x");
  CHECK(response.status == 201);
  CHECK(response.header("connection") == "close");
  CHECK(connection.closed_by_server());
}

TEST_CASE("a body over the limit is answered 413 without reaching the handler") {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.body_limit = 1024;
  RunningServer s(options, [&](HttpServer& server) {
    server.set_handler([&](HttpRequest, HttpResponder respond) {
      ++calls;
      respond(HttpResponse{});
    });
  });
  SUBCASE("the whole body is sent") {
    HttpTestConnection connection(s.origin());
    const auto response = connection.request("POST", "/twilio/voice", {}, std::string(64 * 1024, 'x'));
    CHECK(response.status == 413);
    CHECK(response.body.find("larger than 1024 bytes") != std::string::npos);
    CHECK(connection.closed_by_server());
  }
  SUBCASE("only the head announcing it is sent") {
    HttpTestConnection connection(s.origin());
    const auto response =
        connection.send_raw("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    CHECK(response.status == 413);
    CHECK(connection.closed_by_server());
  }
  SUBCASE("a body exactly at the limit is fine") {
    CHECK(sonoria::test::http_post(s.origin() + "/", {}, std::string(1024, 'x')).status == 200);
  }
  CHECK(calls <= 1);
}

TEST_CASE("a path's own body limit, lower or higher than the server's, holds for announced and chunked bodies") {
  std::atomic<int> calls{0};
  HttpServerOptions options;
  options.body_limit = 4096;
  options.body_limit_for = [](std::string_view, std::string_view path, std::string_view) {
    HttpBodyLimit limit;
    if (path == "/small") {
      limit.bytes = 100;
      limit.setting = "api.max_body_bytes";
      limit.too_large = HttpResponse{413, "application/json", "{\"error\":\"too_large\"}", {}, {}};
    } else if (path == "/large") {
      limit.bytes = 10000;
      limit.setting = "dashboard.max_upload_bytes";
    }
    return limit;
  };
  RunningServer s(options, [&](HttpServer& server) {
    server.set_handler([&](HttpRequest, HttpResponder respond) {
      ++calls;
      respond(HttpResponse{});
    });
  });
  SUBCASE("lower: refused from the head, in the path's own words") {
    HttpTestConnection connection(s.origin());
    const auto response = connection.send_raw("POST /small?x=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n");
    CHECK(response.status == 413);
    CHECK(response.header("content-type") == "application/json");
    CHECK(response.body == "{\"error\":\"too_large\"}");
    CHECK(connection.closed_by_server());
    CHECK(calls == 0);
  }
  SUBCASE("lower, chunked: refused as the chunks pass the limit") {
    HttpTestConnection connection(s.origin());
    const auto response = connection.send_raw("POST /small HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                               "50\r\n" + std::string(80, 'a') + "\r\n50\r\n" + std::string(80, 'b') +
                                               "\r\n0\r\n\r\n");
    CHECK(response.status == 413);
    CHECK(calls == 0);
  }
  SUBCASE("at the lower limit, and the default for other paths") {
    CHECK(sonoria::test::http_post(s.origin() + "/small", {}, std::string(100, 'x')).status == 200);
    CHECK(sonoria::test::http_post(s.origin() + "/other", {}, std::string(4096, 'x')).status == 200);
    const auto over = sonoria::test::http_post(s.origin() + "/other", {}, std::string(4097, 'x'));
    CHECK(over.status == 413);
    CHECK(over.body == "the request body is larger than 4096 bytes (server.max_body_bytes)\n");
  }
  SUBCASE("higher: taken up to its own limit, refused beyond it naming its setting") {
    CHECK(sonoria::test::http_post(s.origin() + "/large", {}, std::string(10000, 'x')).status == 200);
    const auto over = sonoria::test::http_post(s.origin() + "/large", {}, std::string(10001, 'x'));
    CHECK(over.status == 413);
    CHECK(over.body == "the request body is larger than 10000 bytes (dashboard.max_upload_bytes)\n");
  }
}

TEST_CASE("a malformed request is answered 400 and the connection closed") {
  RunningServer s({}, voice_route);
  HttpTestConnection connection(s.origin());
  const auto response = connection.send_raw("GET /\x01 HTTP/1.1\r\nHost: x\r\n\r\n");
  CHECK(response.status == 400);
  CHECK(connection.closed_by_server());
}

TEST_CASE("requests a proxy could frame differently are refused and the connection closed (no smuggling)") {
  RunningServer s({}, voice_route);
  const auto refused = [&](const std::string& raw, int status, const std::string& says) {
    HttpTestConnection connection(s.origin());
    const auto response = connection.send_raw(raw);
    CHECK(response.status == status);
    CHECK(response.body.find(says) != std::string::npos);
    CHECK(connection.closed_by_server());
  };
  SUBCASE("a folded header") {
    refused("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nX-Twilio-Signature: abc\r\n def\r\nContent-Length: 0\r\n\r\n", 400,
            "obsolete line folding");
  }
  SUBCASE("a transfer coding that does not end in chunked") {
    refused("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n"
            "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
            400, "does not end in chunked");
  }
  SUBCASE("a transfer coding we do not implement") {
    refused("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501,
            "\"gzip\" is not supported");
  }
  SUBCASE("HTTP/1.1 without Host") {
    refused("POST /twilio/voice HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 400, "needs a Host header");
  }
  SUBCASE("two Host fields") {
    refused("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nHost: y\r\nContent-Length: 0\r\n\r\n", 400, "more than one Host");
  }
  SUBCASE("an unknown method") {
    refused("BREW /twilio/voice HTTP/1.1\r\nHost: x\r\n\r\n", 501, "method");
  }
  SUBCASE("a chunked body is still read") {
    HttpTestConnection connection(s.origin());
    const auto response =
        connection.send_raw("POST /twilio/voice HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    CHECK(response.status == 201);
    CHECK(response.body == "<Response>abc</Response>");
  }
}

TEST_CASE("a response given later from another thread reaches the client") {
  std::mutex mutex;
  std::vector<std::thread> responders;
  RunningServer s({}, [&](HttpServer& server) {
    server.set_handler([&](HttpRequest request, HttpResponder respond) {
      std::lock_guard lock(mutex);
      responders.emplace_back([respond, body = request.body] {
        respond(HttpResponse{200, "text/plain", "later: " + body, {}, {}});
        respond(HttpResponse{500, "text/plain", "a second answer is ignored", {}, {}});
      });
    });
  });
  HttpTestConnection connection(s.origin());
  CHECK(connection.request("POST", "/", {}, "one").body == "later: one");
  CHECK(connection.request("POST", "/", {}, "two").body == "later: two");
  std::lock_guard lock(mutex);
  for (auto& t : responders) t.join();
}

TEST_CASE("a handler that throws or never answers costs its request a 500, not the connection") {
  RunningServer s({}, [](HttpServer& server) {
    server.set_handler([](HttpRequest request, HttpResponder respond) {
      if (request.path == "/throw") throw std::runtime_error("route bug");
      if (request.path == "/forget") return;
      respond(HttpResponse{200, "text/plain", "fine", {}, {}});
    });
  });
  HttpTestConnection connection(s.origin());
  sonoria::test::TempDir dir;
  {
    // The route's exception is logged: a 500 nobody can trace is a bug report nobody can act on.
    StderrToFile captured(dir / "stderr.log");
    CHECK(connection.request("GET", "/throw").status == 500);
  }
  const std::string log = sonoria::test::read_file(dir / "stderr.log");
  CHECK(log.find("http.handler_failed") != std::string::npos);
  CHECK(log.find("route bug") != std::string::npos);
  CHECK(log.find("/throw") != std::string::npos);
  CHECK(connection.request("GET", "/forget").status == 500);
  CHECK(connection.request("GET", "/ok").body == "fine");
}

TEST_CASE("a WebSocket upgrade on a registered path is accepted and echoes through WsConnection") {
  EchoRoute route;
  RunningServer s({}, [&](HttpServer& server) { route.install(server); });
  {
    WsTestClient client(s.ws_url("/ws?call=CA1"), {{"X-Token", "good"}});
    client.send("hello");
    CHECK(client.receive() == "hello");
    client.send("again");
    CHECK(client.receive() == "again");
    client.close(1000);
  }
  CHECK(route.wait_closed(1) == std::vector<int>{1000});
  std::lock_guard lock(route.mutex);
  CHECK(route.upgrade_target == "/ws?call=CA1");
}

TEST_CASE("an upgrade the route refuses is answered 403; one on an unregistered path goes to the handler") {
  EchoRoute route;
  RunningServer s({}, [&](HttpServer& server) {
    route.install(server);
    voice_route(server);
  });
  CHECK(sonoria::test::ws_upgrade_status(s.ws_url("/ws"), {{"X-Token", "bad"}}) == 403);
  CHECK(sonoria::test::ws_upgrade_status(s.ws_url("/elsewhere"), {{"X-Token", "good"}}) == 404);
  CHECK(sonoria::test::ws_upgrade_status(s.ws_url("/ws"), {{"X-Token", "good"}}) == 101);
  CHECK(route.wait_closed(1).size() == 1);
}

TEST_CASE("a close from the server side reaches the client with its code and reason") {
  EchoRoute route;
  RunningServer s({}, [&](HttpServer& server) { route.install(server); });
  WsTestClient client(s.ws_url("/ws?close"), {{"X-Token", "good"}});
  const auto [code, reason] = client.receive_close();
  CHECK(code == 4003);
  CHECK(reason == "bye");
  CHECK(route.wait_closed(1) == std::vector<int>{4003});
}

TEST_CASE("a core/net WsClient talks to the server end to end") {
  EchoRoute route;
  RunningServer s({}, [&](HttpServer& server) { route.install(server); });
  ClientHarness h;
  REQUIRE(h.open(s.ws_url("/ws"), {{"X-Token", "good"}}));
  asio::post(h.client->executor(), [&] {
    for (int i = 0; i < 50; ++i) h.client->send_text("frame " + std::to_string(i));
  });
  REQUIRE(h.run_until([&] { return h.messages.size() == 50; }));
  CHECK(h.messages.front() == "frame 0");
  CHECK(h.messages.back() == "frame 49");
  asio::post(h.client->executor(), [&] { h.client->close(1000); });
  REQUIRE(h.run_until([&] { return h.close_code.has_value(); }));
  CHECK(*h.close_code == 1000);
  CHECK(route.wait_closed(1) == std::vector<int>{1000});
}

TEST_CASE("a refused upgrade gives the WsClient the server's status") {
  EchoRoute route;
  RunningServer s({}, [&](HttpServer& server) { route.install(server); });
  ClientHarness h;
  CHECK_FALSE(h.open(s.ws_url("/ws"), {{"X-Token", "bad"}}));
  CHECK(h.open_text.rfind("HTTP 403: forbidden", 0) == 0);
}

TEST_CASE("over TLS, clients that trust the certificate talk HTTPS and WSS to the server") {
  sonoria::test::TempDir dir;
  const auto cert = sonoria::test::write_test_certificate(dir.path(), "localhost");
  HttpServerOptions options;
  options.tls_cert_file = cert.cert_file.string();
  options.tls_key_file = cert.key_file.string();
  EchoRoute route;
  RunningServer s(options, [&](HttpServer& server) {
    route.install(server);
    voice_route(server);
  });
  REQUIRE(s.server().serves_tls());
  const std::string https = "https://localhost:" + std::to_string(s.server().port());

  SUBCASE("HTTPS with keep-alive") {
    TestClientOptions trusting;
    trusting.ca_file = cert.cert_file.string();
    HttpTestConnection connection(https, trusting);
    CHECK(connection.request("POST", "/twilio/voice", {}, "a").status == 201);
    CHECK(connection.request("POST", "/twilio/voice", {}, "b").body == "<Response>b</Response>");
  }
  SUBCASE("HTTPS from core/net's HttpClient: with the CA file it is answered, without it refused") {
    const auto post = [&](const std::string& ca_file) {
      asio::io_context io;
      net::HttpClientOptions client_options;
      client_options.ca_file = ca_file;
      net::HttpResponse answer;
      net::HttpClient::create(io.get_executor(), client_options)
          ->request(net::HttpRequest{"POST", https + "/twilio/voice", {}, "c"}, std::chrono::seconds(5),
                    [&](net::HttpResponse r) { answer = std::move(r); });
      io.run_for(std::chrono::seconds(10));
      return answer;
    };
    const net::HttpResponse trusted = post(cert.cert_file.string());
    CHECK(trusted.error_text == "");
    CHECK(trusted.status == 201);
    CHECK(trusted.body == "<Response>c</Response>");
    const net::HttpResponse untrusted = post("");
    CHECK(untrusted.status == 0);
    CHECK(untrusted.error_text.find("TLS handshake with localhost:") != std::string::npos);
    CHECK(untrusted.error_text.find("certificate verify failed") != std::string::npos);
  }
  SUBCASE("WSS from core/net with the CA file") {
    net::WsClientOptions trusting;
    trusting.ca_file = cert.cert_file.string();
    ClientHarness h(trusting);
    REQUIRE(h.open(s.ws_url("/ws", "localhost"), {{"X-Token", "good"}}));
    asio::post(h.client->executor(), [&] { h.client->send_text("secure"); });
    REQUIRE(h.run_until([&] { return !h.messages.empty(); }));
    CHECK(h.messages.front() == "secure");
    asio::post(h.client->executor(), [&] { h.client->close(1000); });
    REQUIRE(h.run_until([&] { return h.close_code.has_value(); }));
    CHECK(route.wait_closed(1) == std::vector<int>{1000});
  }
  SUBCASE("WSS without trusting the certificate is refused") {
    ClientHarness h;
    CHECK_FALSE(h.open(s.ws_url("/ws", "localhost"), {{"X-Token", "good"}}));
    CHECK(h.open_text.find("TLS handshake with localhost:") != std::string::npos);
    CHECK(h.open_text.find("certificate verify failed") != std::string::npos);
  }
  SUBCASE("WSS to a name the certificate does not carry is refused") {
    net::WsClientOptions trusting;
    trusting.ca_file = cert.cert_file.string();
    ClientHarness h(trusting);
    CHECK_FALSE(h.open(s.ws_url("/ws", "127.0.0.1"), {{"X-Token", "good"}}));
    CHECK(h.open_text.find("certificate verify failed") != std::string::npos);
  }
}

TEST_CASE("stop_accepting closes the listener and idle keep-alive connections") {
  RunningServer s({}, voice_route);
  HttpTestConnection idle(s.origin());
  CHECK(idle.request("POST", "/twilio/voice", {}, "x").status == 201);
  s.server().stop_accepting();
  CHECK(idle.closed_by_server());
  // The listener closes on its own strand, which may run after the idle connection's: wait for it.
  std::string refused;
  for (int i = 0; i < 100 && refused.empty(); ++i) {
    try {
      HttpTestConnection late(s.origin());
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } catch (const std::runtime_error& e) {
      refused = e.what();
    }
  }
  CHECK(refused.find("refused") != std::string::npos);
}

TEST_CASE("over TLS, only forward-secret AEAD suites are offered (TLS 1.2 clients with others are refused)") {
  sonoria::test::TempDir dir;
  const auto cert = sonoria::test::write_test_certificate(dir.path(), "localhost");
  HttpServerOptions options;
  options.tls_cert_file = cert.cert_file.string();
  options.tls_key_file = cert.key_file.string();
  RunningServer s(options, voice_route);
  const std::string https = "https://localhost:" + std::to_string(s.server().port());
  TestClientOptions client;
  client.ca_file = cert.cert_file.string();
  for (const std::string weak : {"ECDHE-ECDSA-AES128-SHA", "AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-SHA384"}) {
    CAPTURE(weak);
    client.tls12_ciphers = weak;
    CHECK_THROWS_WITH(HttpTestConnection(https, client), doctest::Contains("TLS handshake failed"));
  }
  client.tls12_ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256";
  CHECK(HttpTestConnection(https, client).request("POST", "/twilio/voice", {}, "x").status == 201);
  client.tls12_ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
  CHECK(HttpTestConnection(https, client).request("POST", "/twilio/voice", {}, "x").status == 201);
}

TEST_CASE("reload_tls(): a renewed certificate serves new connections; an unusable one is refused and the old one stays") {
  sonoria::test::TempDir dir;
  const auto first = sonoria::test::write_test_certificate(dir.path(), "localhost");
  const auto first_ca = dir / "first-ca.pem";
  std::filesystem::copy_file(first.cert_file, first_ca);
  HttpServerOptions options;
  options.tls_cert_file = first.cert_file.string();
  options.tls_key_file = first.key_file.string();
  RunningServer s(options, voice_route);
  const std::string https = "https://localhost:" + std::to_string(s.server().port());
  TestClientOptions trusting_first;
  trusting_first.ca_file = first_ca.string();
  HttpTestConnection kept(https, trusting_first);
  CHECK(kept.request("POST", "/twilio/voice", {}, "a").status == 201);

  // The renewal writes a new key and certificate over the same files.
  const auto renewed = sonoria::test::write_test_certificate(dir.path(), "localhost");
  REQUIRE(renewed.cert_file == first.cert_file);
  s.server().reload_tls();
  TestClientOptions trusting_renewed;
  trusting_renewed.ca_file = renewed.cert_file.string();
  CHECK(HttpTestConnection(https, trusting_renewed).request("POST", "/twilio/voice", {}, "b").status == 201);
  CHECK_THROWS_WITH(HttpTestConnection(https, trusting_first), doctest::Contains("certificate verify failed"));
  CHECK(kept.request("POST", "/twilio/voice", {}, "c").status == 201);  // open connections keep theirs

  dir.write(renewed.key_file.filename().string(), "not a key\n");
  CHECK_THROWS_WITH(s.server().reload_tls(), doctest::Contains("cannot be used"));
  CHECK(HttpTestConnection(https, trusting_renewed).request("POST", "/twilio/voice", {}, "d").status == 201);
}

TEST_CASE("start() reports unusable TLS files and busy ports in words") {
  asio::io_context io;
  sonoria::test::TempDir dir;
  SUBCASE("a missing certificate file names the file") {
    HttpServerOptions options;
    options.tls_cert_file = (dir / "missing.crt").string();
    options.tls_key_file = (dir / "missing.key").string();
    HttpServer server(io, options);
    CHECK_THROWS_WITH_AS(server.start(), doctest::Contains("missing.crt"), sonoria::DataError);
  }
  SUBCASE("a certificate without a key") {
    HttpServerOptions options;
    options.tls_cert_file = "server.crt";
    HttpServer server(io, options);
    CHECK_THROWS_WITH_AS(server.start(), doctest::Contains("both a certificate and a key"), sonoria::DataError);
  }
  SUBCASE("a key that does not belong to the certificate") {
    const auto one = sonoria::test::write_test_certificate(dir.path(), "one.test");
    const auto two = sonoria::test::write_test_certificate(dir.path(), "two.test");
    HttpServerOptions options;
    options.tls_cert_file = one.cert_file.string();
    options.tls_key_file = two.key_file.string();
    HttpServer server(io, options);
    CHECK_THROWS_WITH_AS(server.start(), doctest::Contains("two.test.key"), sonoria::DataError);
  }
  SUBCASE("a port already in use") {
    HttpServer first(io, {});
    first.start();
    HttpServerOptions options;
    options.port = first.port();
    HttpServer second(io, options);
    const std::string expected = "cannot listen on 127.0.0.1:" + std::to_string(first.port());
    CHECK_THROWS_WITH_AS(second.start(), doctest::Contains(expected.c_str()), sonoria::UserError);
  }
}

namespace {

int connect_loopback(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  return fd;
}

// True when the server closed the connection within `timeout` (recv sees EOF or a reset).
bool closed_by_server(int fd, std::chrono::milliseconds timeout) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return false;
  char byte;
  return ::recv(fd, &byte, 1, 0) <= 0;
}

// Sends a byte every 100 ms for up to `for_how_long`, as a slowloris client does; true when the
// server closed the connection meanwhile.
bool cut_while_trickling(int fd, std::chrono::milliseconds for_how_long) {
  for (auto waited = std::chrono::milliseconds(0); waited < for_how_long; waited += std::chrono::milliseconds(100)) {
    if (::send(fd, "X", 1, MSG_NOSIGNAL) != 1) return true;
    if (closed_by_server(fd, std::chrono::milliseconds(100))) return true;
  }
  return false;
}

// One whole request on a raw connection, and the head of its answer (its status line first).
std::string exchange_on(int fd, std::string_view request) {
  REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
  std::string answer;
  char chunk[4096];
  while (answer.find("\r\n\r\n") == std::string::npos) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got <= 0) break;
    answer.append(chunk, static_cast<std::size_t>(got));
  }
  return answer;
}

}  // namespace

TEST_CASE("one address holding many idle connections is refused more at accept; requests in progress and streams do not count") {
  HttpServerOptions options;
  options.max_waiting_per_address = 8;
  RunningServer running(options, voice_route);
  std::vector<int> idle;
  for (int i = 0; i < 8; ++i) idle.push_back(connect_loopback(running.server().port()));
  // A slow client's ninth connection is closed at once, not kept for the request timeout.
  int ninth = connect_loopback(running.server().port());
  CHECK(closed_by_server(ninth, 2s));
  ::close(ninth);
  CHECK(running.server().refused_connections() == 1);
  for (int fd : idle) CHECK_FALSE(closed_by_server(fd, 0ms));  // the others are still served
  // Once one of them has sent its request, a new connection is admitted again.
  const std::string request = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
  ::send(idle[0], request.data(), request.size(), MSG_NOSIGNAL);
  char answer[64] = {};
  REQUIRE(::recv(idle[0], answer, sizeof answer - 1, 0) > 0);
  CHECK(std::string(answer).rfind("HTTP/1.1 201", 0) == 0);
  int again = connect_loopback(running.server().port());
  CHECK_FALSE(closed_by_server(again, 300ms));
  ::close(again);
  for (int fd : idle) ::close(fd);
}

TEST_CASE("a head over the byte or field limit is answered 431 naming the setting") {
  HttpServerOptions options;
  options.header_limit = 2048;
  options.max_header_fields = 20;
  RunningServer s(options, voice_route);
  SUBCASE("too many bytes") {
    HttpTestConnection connection(s.origin());
    const auto response = connection.send_raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
    CHECK(response.status == 431);
    CHECK(response.body.find("server.max_header_bytes") != std::string::npos);
    CHECK(connection.closed_by_server());
  }
  SUBCASE("too many fields") {
    std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
    for (int i = 0; i < 25; ++i) head += "X-F" + std::to_string(i) + ": 1\r\n";
    HttpTestConnection connection(s.origin());
    const auto response = connection.send_raw(head + "\r\n");
    CHECK(response.status == 431);
    CHECK(response.body.find("26 header fields (at most 20, server.max_header_fields)") != std::string::npos);
    CHECK(connection.closed_by_server());
  }
  SUBCASE("at the limits is fine") {
    std::string head = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n";
    for (int i = 0; i < 18; ++i) head += "X-F" + std::to_string(i) + ": 1\r\n";
    HttpTestConnection connection(s.origin());
    CHECK(connection.send_raw(head + "\r\n").status == 201);
  }
}

TEST_CASE("a client sending its request slowly (slowloris) is cut at the request timeout, and others are served") {
  HttpServerOptions options;
  options.request_timeout = 500ms;
  RunningServer running(options, voice_route);
  const int slow = connect_loopback(running.server().port());
  const std::string part = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\n";
  ::send(slow, part.data(), part.size(), MSG_NOSIGNAL);
  CHECK(sonoria::test::http_post(running.origin() + "/twilio/voice", {}, "").status == 201);
  // A byte now and then does not keep the connection: the timeout covers the whole head.
  CHECK(cut_while_trickling(slow, 5s));
  ::close(slow);
}

TEST_CASE("a kept-alive connection may wait idle_timeout for its next request, which is then due within request_timeout") {
  HttpServerOptions options;
  options.request_timeout = 500ms;
  options.idle_timeout = 20s;
  RunningServer running(options, voice_route);
  const int fd = connect_loopback(running.server().port());
  const std::string request = "POST /twilio/voice HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
  CHECK(exchange_on(fd, request).rfind("HTTP/1.1 201", 0) == 0);
  // Quiet for longer than a request may take: still open, the next request is served.
  CHECK_FALSE(closed_by_server(fd, 1500ms));
  CHECK(exchange_on(fd, request).rfind("HTTP/1.1 201", 0) == 0);
  // Once the next request has begun, trickling it keeps the connection no longer than
  // request_timeout, however long the idle allowance.
  const std::string part = "POST /twilio/voice HTTP/1.1\r\n";
  ::send(fd, part.data(), part.size(), MSG_NOSIGNAL);
  CHECK(cut_while_trickling(fd, 5s));
  ::close(fd);
}

namespace http_server_test {

// Sends all of `bytes`; false when the connection failed first (a reset, for instance).
bool send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// Everything the server sends until it ends the stream; `reset` says whether it ended with a reset.
std::string receive_to_end(int fd, bool& reset) {
  std::string received;
  char chunk[4096];
  for (;;) {
    const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
    if (got > 0) {
      received.append(chunk, static_cast<std::size_t>(got));
      continue;
    }
    reset = got < 0;
    return received;
  }
}

}  // namespace http_server_test

TEST_CASE("a message over the limit is closed with 1009 while the peer is still sending it, and the peer reads the close frame") {
  // What a Twilio media stream sending one huge frame meets: the server refuses the frame from its
  // header, and must let the rest arrive (discarded) rather than reset the connection, which would
  // fail the peer's write before it reads the close frame.
  EchoRoute route;
  HttpServerOptions options;
  options.websocket.max_message_bytes = 64 * 1024;
  RunningServer s(options, [&](HttpServer& server) { route.install(server); });
  const int fd = connect_loopback(s.server().port());
  REQUIRE(http_server_test::send_all(
      fd, "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nX-Token: good\r\n\r\n"));
  std::string head;
  char byte = 0;
  while (head.find("\r\n\r\n") == std::string::npos && ::recv(fd, &byte, 1, 0) == 1) head += byte;
  REQUIRE(head.rfind("HTTP/1.1 101", 0) == 0);

  // A masked text frame of 32 MiB, more than the socket buffers hold: the server has refused it
  // long before this side has written it all. The mask is zero, so the payload goes as written.
  const std::uint64_t length = std::uint64_t{32} << 20;
  std::string frame = "\x81\xFF";
  for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((length >> shift) & 0xFF);
  frame += std::string(4, '\0');
  frame += std::string(length, 'a');
  CHECK(http_server_test::send_all(fd, frame));

  bool reset = false;
  const std::string received = http_server_test::receive_to_end(fd, reset);
  CHECK_FALSE(reset);
  REQUIRE(received.size() >= 4);
  CHECK(static_cast<unsigned char>(received[0]) == 0x88);  // a close frame, unmasked
  CHECK(((static_cast<unsigned char>(received[2]) << 8) | static_cast<unsigned char>(received[3])) == 1009);
  ::close(fd);
  CHECK(route.wait_closed(1) == std::vector<int>{1009});
}
