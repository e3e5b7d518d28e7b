#include "tests/support/http_test_client.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>
#include <cstdio>
#include <functional>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <optional>
#include <stdexcept>
#include <variant>

#include "core/net/any_stream.hpp"
#include "core/url/ws_url.hpp"

namespace sonoria::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// Plain or TLS, one stream type: Beast's code is compiled once for both (see core/net/any_stream.hpp).
using net::AnyStream;

struct Origin {
  bool tls = false;
  std::string host;
  std::string port;
  std::string host_header;
  std::string target;
};

// Accepts http(s):// and ws(s):// alike: the WebSocket URL parser does the work for both.
Origin parse_origin(const std::string& url) {
  std::string as_ws = url;
  if (as_ws.rfind("http", 0) == 0) as_ws.replace(0, 4, "ws");
  std::string error;
  const auto parsed = url::parse_ws_url(as_ws, error);
  if (!parsed) throw std::runtime_error("test client: bad URL: " + error);
  return Origin{parsed->tls, parsed->host, std::to_string(parsed->port), parsed->host_header, parsed->target};
}

// Runs the io_context until `done` is set or the timeout passes; on timeout the socket is cut and
// the error is thrown.
void run_until(asio::io_context& io, const std::optional<beast::error_code>& done, std::chrono::milliseconds timeout,
               beast::tcp_stream& socket, const std::string& what) {
  io.restart();
  io.run_for(timeout);
  if (done) return;
  socket.close();
  io.restart();
  io.run();
  throw std::runtime_error("test client: " + what + " timed out");
}

// Starts an operation, runs the io_context until it completes (or cuts the socket and throws at
// the timeout) and returns its error code.
template <class Initiate>
beast::error_code await(asio::io_context& io, std::chrono::milliseconds timeout, beast::tcp_stream& socket,
                        const std::string& what, Initiate initiate) {
  std::optional<beast::error_code> done;
  initiate([&done](beast::error_code ec, auto&&...) { done = ec; });
  run_until(io, done, timeout, socket, what);
  return *done;
}

// A stream of any layering (TCP, TLS, WebSocket over either) with a bounded blocking wait.
template <class Stream>
struct Link {
  template <class... Args>
  Link(asio::io_context& io_context, std::chrono::milliseconds limit, Args&&... args)
      : io(io_context), timeout(limit), stream(std::forward<Args>(args)...) {}

  template <class Initiate>
  beast::error_code await(const std::string& what, Initiate initiate) {
    return sonoria::test::await(io, timeout, beast::get_lowest_layer(stream), what, std::move(initiate));
  }

  asio::io_context& io;
  std::chrono::milliseconds timeout;
  Stream stream;
};

// TCP connect, then the TLS handshake (SNI, host name verified) when `tcp_or_tls` is a TLS stream.
void open(asio::io_context& io, std::chrono::milliseconds timeout, AnyStream& tcp_or_tls, const Origin& origin) {
  beast::tcp_stream& socket = beast::get_lowest_layer(tcp_or_tls);
  tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(origin.host, origin.port);
  const auto ec = await(io, timeout, socket, "connect", [&](auto handler) { socket.async_connect(endpoints, handler); });
  if (ec) throw std::runtime_error("test client: cannot connect to " + origin.host_header + ": " + ec.message());
  if (tcp_or_tls.tls()) {
    if (!tcp_or_tls.verify_peer_as(origin.host)) throw std::runtime_error("test client: SNI refused " + origin.host);
    const auto tls_ec = await(io, timeout, socket, "TLS handshake", [&](auto handler) {
      tcp_or_tls.async_handshake(asio::ssl::stream_base::client, handler);
    });
    if (tls_ec) throw std::runtime_error("test client: TLS handshake failed: " + tls_ec.message());
  }
}

template <class R, class Variant, class F>
R visit_link(Variant& link, F&& f) {
  return std::visit(
      [&](auto& l) -> R {
        if constexpr (std::is_same_v<std::decay_t<decltype(l)>, std::monostate>) {
          throw std::runtime_error("test client: not connected");
        } else {
          return f(l);
        }
      },
      link);
}

asio::ssl::context make_tls_context(const TestClientOptions& options) {
  asio::ssl::context context(asio::ssl::context::tls_client);
  context.set_verify_mode(asio::ssl::verify_peer);
  if (!options.ca_file.empty()) context.load_verify_file(options.ca_file);
  if (!options.tls12_ciphers.empty()) {
    SSL_CTX_set_max_proto_version(context.native_handle(), TLS1_2_VERSION);
    if (SSL_CTX_set_cipher_list(context.native_handle(), options.tls12_ciphers.c_str()) != 1)
      throw std::runtime_error("test client: OpenSSL knows none of the ciphers " + options.tls12_ciphers);
  }
  return context;
}

HttpTestResponse to_response(http::response<http::string_body>& message) {
  HttpTestResponse response;
  response.status = static_cast<int>(message.result_int());
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // Repeated headers (Set-Cookie) are kept one per line, in the order received.
    auto [it, inserted] = response.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += "\n" + std::string(field.value());
  }
  response.body = std::move(message.body());
  return response;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HttpTestConnection

struct HttpTestConnection::Impl {
  Impl(const std::string& url, const TestClientOptions& options)
      : origin(parse_origin(url)), tls_context(make_tls_context(options)) {
    auto& l = origin.tls ? link.emplace<Link<AnyStream>>(io, options.timeout, beast::tcp_stream(io), tls_context)
                         : link.emplace<Link<AnyStream>>(io, options.timeout, beast::tcp_stream(io));
    open(io, options.timeout, l.stream, origin);
  }

  template <class Stream>
  HttpTestResponse read_response(Link<Stream>& l) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    const auto ec = l.await("reading the response", [&](auto handler) { http::async_read(l.stream, buffer, parser, handler); });
    if (ec) throw std::runtime_error("test client: reading the response failed: " + ec.message());
    return to_response(parser.get());
  }

  asio::io_context io;
  Origin origin;
  asio::ssl::context tls_context;
  beast::flat_buffer buffer;
  std::variant<std::monostate, Link<AnyStream>> link;
};

HttpTestConnection::HttpTestConnection(const std::string& origin, TestClientOptions options)
    : impl_(std::make_unique<Impl>(origin, options)) {}

HttpTestConnection::~HttpTestConnection() = default;

HttpTestResponse HttpTestConnection::request(const std::string& method, const std::string& target,
                                             const TestHeaders& headers, const std::string& body) {
  http::request<http::string_body> message;
  message.method_string(method);
  message.target(target);
  message.version(11);
  message.set(http::field::host, impl_->origin.host_header);
  message.set(http::field::user_agent, "sonoria-test");
  for (const auto& [name, value] : headers) message.insert(name, value);
  message.body() = body;
  message.prepare_payload();
  return visit_link<HttpTestResponse>(impl_->link, [&](auto& l) {
    const auto ec = l.await("sending the request", [&](auto handler) { http::async_write(l.stream, message, handler); });
    if (ec) throw std::runtime_error("test client: sending the request failed: " + ec.message());
    return impl_->read_response(l);
  });
}

HttpTestResponse HttpTestConnection::send_raw(std::string_view bytes) {
  return visit_link<HttpTestResponse>(impl_->link, [&](auto& l) {
    const auto ec = l.await("sending", [&](auto handler) {
      asio::async_write(l.stream, asio::buffer(bytes.data(), bytes.size()), handler);
    });
    if (ec) throw std::runtime_error("test client: sending failed: " + ec.message());
    return impl_->read_response(l);
  });
}

bool HttpTestConnection::closed_by_server() {
  return visit_link<bool>(impl_->link, [&](auto& l) {
    const auto ec = l.await("waiting for the server to close",
                            [&](auto handler) { l.stream.async_read_some(impl_->buffer.prepare(1), handler); });
    return static_cast<bool>(ec);
  });
}

HttpTestResponse http_post(const std::string& url, const TestHeaders& headers, const std::string& body,
                           TestClientOptions options) {
  const Origin origin = parse_origin(url);
  HttpTestConnection connection(url, options);
  return connection.request("POST", origin.target, headers, body);
}

HttpTestResponse http_get(const std::string& url, const TestHeaders& headers, TestClientOptions options) {
  const Origin origin = parse_origin(url);
  HttpTestConnection connection(url, options);
  return connection.request("GET", origin.target, headers);
}

// ---------------------------------------------------------------------------------------------
// WsTestClient

struct WsTestClient::Impl {
  Impl(const std::string& url, const TestHeaders& headers, const TestClientOptions& options)
      : origin(parse_origin(url)), tls_context(make_tls_context(options)) {
    auto& l = origin.tls ? link.emplace<Link<websocket::stream<AnyStream>>>(io, options.timeout,
                                                                           AnyStream(beast::tcp_stream(io), tls_context))
                         : link.emplace<Link<websocket::stream<AnyStream>>>(io, options.timeout,
                                                                           AnyStream(beast::tcp_stream(io)));
    handshake(l, headers);
  }

  void handshake(Link<websocket::stream<AnyStream>>& l, const TestHeaders& headers) {
    open(io, l.timeout, l.stream.next_layer(), origin);
    l.stream.set_option(websocket::stream_base::decorator([headers](websocket::request_type& request) {
      for (const auto& [name, value] : headers) request.set(name, value);
    }));
    websocket::response_type response;
    const auto ec = l.await("the WebSocket handshake", [&](auto handler) {
      l.stream.async_handshake(response, origin.host_header, origin.target, handler);
    });
    if (ec == websocket::error::upgrade_declined) {
      refused_status = static_cast<int>(response.result_int());
      throw std::runtime_error("HTTP " + std::to_string(refused_status) + ": " + response.body());
    }
    if (ec) throw std::runtime_error("test client: WebSocket handshake failed: " + ec.message());
  }

  asio::io_context io;
  Origin origin;
  asio::ssl::context tls_context;
  beast::flat_buffer buffer;
  int refused_status = 0;
  std::variant<std::monostate, Link<websocket::stream<AnyStream>>> link;
};

WsTestClient::WsTestClient(const std::string& url, const TestHeaders& headers, TestClientOptions options)
    : impl_(std::make_unique<Impl>(url, headers, options)) {}

WsTestClient::~WsTestClient() = default;

void WsTestClient::send(std::string_view text) {
  visit_link<void>(impl_->link, [&](auto& l) {
    l.stream.text(true);
    const auto ec = l.await("sending", [&](auto handler) { l.stream.async_write(asio::buffer(text.data(), text.size()), handler); });
    if (ec) throw std::runtime_error("test client: sending failed: " + ec.message());
  });
}

void WsTestClient::send_binary(std::string_view bytes) {
  visit_link<void>(impl_->link, [&](auto& l) {
    l.stream.binary(true);
    const auto ec = l.await("sending", [&](auto handler) { l.stream.async_write(asio::buffer(bytes.data(), bytes.size()), handler); });
    l.stream.text(true);
    if (ec) throw std::runtime_error("test client: sending failed: " + ec.message());
  });
}

std::string WsTestClient::receive() {
  return visit_link<std::string>(impl_->link, [&](auto& l) {
    impl_->buffer.consume(impl_->buffer.size());
    const auto ec = l.await("receiving", [&](auto handler) { l.stream.async_read(impl_->buffer, handler); });
    if (ec) throw std::runtime_error("test client: the connection ended instead of a message: " + ec.message());
    return beast::buffers_to_string(impl_->buffer.data());
  });
}

std::pair<int, std::string> WsTestClient::receive_close() {
  return visit_link<std::pair<int, std::string>>(impl_->link, [&](auto& l) {
    for (;;) {
      impl_->buffer.consume(impl_->buffer.size());
      const auto ec = l.await("waiting for the close frame", [&](auto handler) { l.stream.async_read(impl_->buffer, handler); });
      if (!ec) continue;
      if (ec == websocket::error::closed) {
        return std::pair<int, std::string>(static_cast<int>(l.stream.reason().code), std::string(l.stream.reason().reason.c_str()));
      }
      return std::pair<int, std::string>(1006, ec.message());
    }
  });
}

void WsTestClient::close(int code, std::string_view reason) {
  visit_link<void>(impl_->link, [&](auto& l) {
    websocket::close_reason frame(static_cast<std::uint16_t>(code));
    frame.reason.assign(reason.data(), std::min(reason.size(), frame.reason.max_size()));
    const auto ec = l.await("closing", [&](auto handler) { l.stream.async_close(frame, handler); });
    if (ec) throw std::runtime_error("test client: closing failed: " + ec.message());
  });
}

int ws_upgrade_status(const std::string& url, const TestHeaders& headers, TestClientOptions options) {
  try {
    WsTestClient client(url, headers, options);
    client.close();
    return 101;
  } catch (const std::runtime_error& e) {
    const std::string text = e.what();
    if (text.rfind("HTTP ", 0) == 0) return std::stoi(text.substr(5));
    throw;
  }
}

// ---------------------------------------------------------------------------------------------
// Test certificates

namespace {

template <class T, void (*Free)(T*)>
struct OpenSslFree {
  void operator()(T* p) const { Free(p); }
};
using KeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using CertPtr = std::unique_ptr<X509, OpenSslFree<X509, X509_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, OpenSslFree<X509_EXTENSION, X509_EXTENSION_free>>;

void check(bool ok, const char* step) {
  if (!ok) throw std::runtime_error(std::string("test certificate: ") + step + " failed");
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, cert, cert, nullptr, nullptr, 0);
  ExtPtr extension(X509V3_EXT_conf_nid(nullptr, &context, nid, value.c_str()));
  check(extension != nullptr, "building an extension");
  check(X509_add_ext(cert, extension.get(), -1) == 1, "adding an extension");
}

void write_pem(const std::filesystem::path& path, const std::function<int(FILE*)>& write) {
  FILE* file = std::fopen(path.c_str(), "w");
  check(file != nullptr, "opening the output file");
  const int written = write(file);
  std::fclose(file);
  check(written == 1, "writing PEM");
}

}  // namespace

TestCertificate write_test_certificate(const std::filesystem::path& dir, const std::string& dns_name) {
  KeyPtr key(EVP_EC_gen("P-256"));
  check(key != nullptr, "generating a key");
  CertPtr cert(X509_new());
  check(cert != nullptr, "allocating a certificate");
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  check(X509_set_pubkey(cert.get(), key.get()) == 1, "setting the public key");
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(dns_name.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  add_extension(cert.get(), NID_subject_alt_name, "DNS:" + dns_name);
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "signing");

  TestCertificate out{dir / (dns_name + ".crt"), dir / (dns_name + ".key")};
  write_pem(out.cert_file, [&](FILE* file) { return PEM_write_X509(file, cert.get()); });
  write_pem(out.key_file, [&](FILE* file) {
    return PEM_write_PrivateKey(file, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
  return out;
}

}  // namespace sonoria::test
