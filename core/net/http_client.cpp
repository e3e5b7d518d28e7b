#include "core/net/http_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <strings.h>

#include "core/error.hpp"
#include "core/net/any_stream.hpp"
#include "core/url/http_url.hpp"
#include "core/net/tls_client_context.hpp"

namespace sonoria::net {

using url::HttpUrl;
using url::parse_http_url;

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace asio = boost::asio;

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), key.size()) == 0) return value;
  }
  return std::nullopt;
}

namespace {

// One request: resolve → TCP → (TLS) → write → read, under one deadline.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(const asio::any_io_executor& executor, HttpUrl url, HttpRequest request, const HttpClientOptions& options,
           HttpClient::Handler done, AnyStream stream)
      : resolver_(executor),
        deadline_(executor),
        stream_(std::move(stream)),
        url_(std::move(url)),
        options_(options),
        done_(std::move(done)) {
    request_.method_string(request.method);
    request_.target(url_.target);
    request_.version(11);
    request_.set(http::field::host, url_.host_header);
    request_.set(http::field::user_agent, options_.user_agent);
    for (auto& [name, value] : request.headers) request_.set(name, value);
    request_.body() = std::move(request.body);
    request_.keep_alive(false);
    request_.prepare_payload();
    parser_.body_limit(options_.max_body_bytes);
  }

  void run(std::chrono::milliseconds timeout) {
    timeout_ = timeout;
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->time_out();
    });
    stage_ = "resolving " + url_.host;
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = this->shared_from_this()](beast::error_code ec,
                                                              asio::ip::tcp::resolver::results_type results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

 private:
  void time_out() {
    if (finished_) return;
    timed_out_ = true;
    resolver_.cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  void on_resolve(beast::error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (ec) return fail(ec, "cannot resolve " + url_.host + ": " + ec.message());
    stage_ = "connecting to " + endpoint_text();
    beast::get_lowest_layer(stream_).async_connect(
        results, [self = this->shared_from_this()](beast::error_code connect_ec, const asio::ip::tcp::endpoint&) {
          self->on_connect(connect_ec);
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail(ec, "cannot connect to " + endpoint_text() + ": " + ec.message());
    beast::error_code ignored;  // a request is one write: send it without waiting for Nagle
    beast::get_lowest_layer(stream_).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    if (stream_.tls()) {
      if (!stream_.verify_peer_as(url_.host)) {
        return fail(std::make_error_code(std::errc::invalid_argument),
                    "TLS setup for " + url_.host + " failed: the host name was refused for SNI");
      }
      stage_ = "negotiating TLS with " + endpoint_text();
      stream_.async_handshake(asio::ssl::stream_base::client,
                              [self = this->shared_from_this()](beast::error_code tls_ec) { self->on_tls(tls_ec); });
    } else {
      do_write();
    }
  }

  void on_tls(beast::error_code ec) {
    if (ec)
      return fail(ec, "TLS handshake with " + endpoint_text() + " failed: " +
                          tls_handshake_failure(stream_.native_handle(), ec.message()));
    do_write();
  }

  void do_write() {
    stage_ = "sending the request to " + endpoint_text();
    written_ = true;
    http::async_write(stream_, request_, [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

  void on_write(beast::error_code ec) {
    if (ec) return fail(ec, "cannot send the request to " + endpoint_text() + ": " + ec.message());
    stage_ = "reading the response from " + endpoint_text();
    http::async_read(stream_, buffer_, parser_, [self = this->shared_from_this()](beast::error_code read_ec, std::size_t) {
      self->on_read(read_ec);
    });
  }

  void on_read(beast::error_code ec) {
    if (ec) return fail(ec, "no complete response from " + endpoint_text() + ": " + ec.message());
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    auto& message = parser_.get();
    HttpResponse response;
    response.status = static_cast<int>(message.result_int());
    for (const auto& field : message) response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    response.body = std::move(message.body());
    response.maybe_delivered = true;
    close_quietly();
    done_(std::move(response));
  }

  void fail(std::error_code ec, std::string text) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    if (timed_out_) {
      ec = std::make_error_code(std::errc::timed_out);
      text = "timed out after " + std::to_string(timeout_.count()) + " ms while " + stage_;
    }
    close_quietly();
    HttpResponse response;
    response.error = ec;
    response.error_text = std::move(text);
    response.maybe_delivered = written_;
    done_(std::move(response));
  }

  void close_quietly() {
    beast::error_code ignored;
    beast::get_lowest_layer(stream_).socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(stream_).socket().close(ignored);
  }

  std::string endpoint_text() const {
    const bool ipv6 = url_.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + url_.host + "]" : url_.host) + ":" + std::to_string(url_.port);
  }

  asio::ip::tcp::resolver resolver_;
  asio::steady_timer deadline_;
  AnyStream stream_;
  HttpUrl url_;
  HttpClientOptions options_;
  HttpClient::Handler done_;
  http::request<http::string_body> request_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  std::chrono::milliseconds timeout_{0};
  std::string stage_;
  bool timed_out_ = false;
  bool written_ = false;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<HttpClient> HttpClient::create(asio::any_io_executor executor, HttpClientOptions options) {
  return std::shared_ptr<HttpClient>(new HttpClient(std::move(executor), std::move(options)));
}

HttpClient::HttpClient(asio::any_io_executor executor, HttpClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

void HttpClient::request(HttpRequest request, std::chrono::milliseconds timeout, Handler done) {
  const auto report_later = [&](std::string text) {
    HttpResponse response;
    response.error = std::make_error_code(std::errc::invalid_argument);
    response.error_text = std::move(text);
    asio::post(executor_, [done = std::move(done), response = std::move(response)]() mutable { done(std::move(response)); });
  };
  std::string error;
  std::optional<HttpUrl> url = parse_http_url(request.url, error);
  if (!url) return report_later(error);
  if (url->tls) {
    std::shared_ptr<asio::ssl::context> tls;
    try {
      tls = client_tls_context(options_.ca_file);
    } catch (const DataError& e) {
      return report_later(e.what());
    }
    // The context is cached for the life of the process, so the stream may hold a reference.
    std::make_shared<Exchange>(executor_, std::move(*url), std::move(request), options_, std::move(done),
                               AnyStream(beast::tcp_stream(executor_), *tls))
        ->run(timeout);
  } else {
    std::make_shared<Exchange>(executor_, std::move(*url), std::move(request), options_, std::move(done),
                               AnyStream(beast::tcp_stream(executor_)))
        ->run(timeout);
  }
}

}  // namespace sonoria::net
