#include "core/net/ws_client.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/error.hpp"
#include "core/net/beast_ws_transport.ipp"
#include "core/net/tls_client_context.hpp"
#include "core/url/ws_url.hpp"

namespace sonoria::net {

using url::WsUrl;
using url::parse_ws_url;

namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
namespace http = boost::beast::http;
namespace asio = boost::asio;

namespace {

using ConnectDone = std::function<void(std::error_code, std::string, std::unique_ptr<WsTransport>)>;

constexpr std::size_t k_body_snippet = 200;

std::string body_snippet(const std::string& body) {
  std::string out = body.substr(0, k_body_snippet);
  for (char& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  if (body.size() > k_body_snippet) out += "…";
  return out;
}

// One connection attempt: resolve → TCP → (TLS) → WebSocket handshake, under one deadline.
class ConnectAttempt : public std::enable_shared_from_this<ConnectAttempt> {
 public:
  ConnectAttempt(const asio::any_io_executor& executor, WsUrl url, WsClient::Headers headers,
                 const WsClientOptions& options, ConnectDone done, AnyStream stream)
      : resolver_(executor),
        deadline_(executor),
        transport_(std::make_unique<BeastWsTransport>(std::move(stream))),
        url_(std::move(url)),
        headers_(std::move(headers)),
        options_(options),
        done_(std::move(done)) {}

  void run(std::chrono::milliseconds timeout) {
    timeout_ = timeout;
    deadline_.expires_after(timeout);
    deadline_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) self->stop(Stop::timed_out);
    });
    stage_ = "resolving " + url_.host;
    resolver_.async_resolve(url_.host, std::to_string(url_.port),
                            [self = this->shared_from_this()](beast::error_code ec, asio::ip::tcp::resolver::results_type results) {
                              self->on_resolve(ec, std::move(results));
                            });
  }

  // Abandons the attempt: close() before the connection opened.
  void cancel() { stop(Stop::cancelled); }

 private:
  enum class Stop { none, timed_out, cancelled };

  void stop(Stop why) {
    if (finished_ || stop_ != Stop::none) return;
    stop_ = why;
    resolver_.cancel();
    transport_->abort();  // the pending step completes with an error and reports through fail()
  }

  void on_resolve(beast::error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (ec) return fail(ec, "cannot resolve " + url_.host + ": " + ec.message());
    stage_ = "connecting to " + endpoint_text();
    beast::get_lowest_layer(stream()).async_connect(
        results, [self = this->shared_from_this()](beast::error_code connect_ec, const asio::ip::tcp::endpoint&) {
          self->on_connect(connect_ec);
        });
  }

  void on_connect(beast::error_code ec) {
    if (ec) return fail(ec, "cannot connect to " + endpoint_text() + ": " + ec.message());
    // Small real-time messages (20 ms audio frames) must leave at once, not wait for Nagle's
    // algorithm to pair them with an ACK: without this, latency grows by tens of milliseconds.
    beast::error_code ignored;
    beast::get_lowest_layer(stream()).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
    if (auto& tls = stream().next_layer(); tls.tls()) {
      if (!tls.verify_peer_as(url_.host)) {
        return fail(std::make_error_code(std::errc::invalid_argument),
                    "TLS setup for " + url_.host + " failed: the host name was refused for SNI");
      }
      stage_ = "negotiating TLS with " + endpoint_text();
      tls.async_handshake(asio::ssl::stream_base::client,
                          [self = this->shared_from_this()](beast::error_code tls_ec) { self->on_tls(tls_ec); });
    } else {
      do_handshake();
    }
  }

  void on_tls(beast::error_code ec) {
    if (ec) {
      std::string why = ec.message();
      why = tls_handshake_failure(stream().next_layer().native_handle(), why);
      return fail(ec, "TLS handshake with " + endpoint_text() + " failed: " + why);
    }
    do_handshake();
  }

  void do_handshake() {
    transport_->configure(options_.limits);
    transport_->bound_handshake(false);  // the attempt's own deadline covers it
    stream().set_option(websocket::stream_base::decorator(
        [headers = headers_, user_agent = options_.user_agent](websocket::request_type& request) {
          request.set(http::field::user_agent, user_agent);
          for (const auto& [name, value] : headers) request.set(name, value);
        }));
    stage_ = "upgrading to WebSocket at " + endpoint_text();
    stream().async_handshake(response_, url_.host_header, url_.target,
                             [self = this->shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
  }

  void on_handshake(beast::error_code ec) {
    if (ec == websocket::error::upgrade_declined) {
      return fail(ec, "HTTP " + std::to_string(response_.result_int()) + ": " + body_snippet(response_.body()));
    }
    if (ec) return fail(ec, "WebSocket handshake with " + endpoint_text() + " failed: " + ec.message());
    if (stop_ != Stop::none) return fail(std::make_error_code(std::errc::operation_canceled), "");
    finished_ = true;
    deadline_.cancel();
    transport_->bound_handshake(true);  // from now on it bounds the close handshake
    done_({}, {}, std::move(transport_));
  }

  void fail(std::error_code ec, std::string text) {
    if (finished_) return;
    finished_ = true;
    deadline_.cancel();
    transport_->abort();
    if (stop_ == Stop::timed_out) {
      ec = std::make_error_code(std::errc::timed_out);
      text = "timed out after " + std::to_string(timeout_.count()) + " ms while " + stage_;
    } else if (stop_ == Stop::cancelled) {
      ec = std::make_error_code(std::errc::operation_canceled);
      text = "closed before the connection to " + endpoint_text() + " opened";
    }
    done_(ec, std::move(text), nullptr);
  }

  std::string endpoint_text() const {
    const bool ipv6 = url_.host.find(':') != std::string::npos;
    return (ipv6 ? "[" + url_.host + "]" : url_.host) + ":" + std::to_string(url_.port);
  }
  BeastWsTransport::Stream& stream() { return transport_->stream(); }

  asio::ip::tcp::resolver resolver_;
  asio::steady_timer deadline_;
  std::unique_ptr<BeastWsTransport> transport_;
  websocket::response_type response_;
  WsUrl url_;
  WsClient::Headers headers_;
  WsClientOptions options_;
  ConnectDone done_;
  std::chrono::milliseconds timeout_{0};
  std::string stage_;
  Stop stop_ = Stop::none;
  bool finished_ = false;
};

std::function<void()> start_attempt(const asio::any_io_executor& executor, WsUrl url, WsClient::Headers headers,
                                    const WsClientOptions& options, std::chrono::milliseconds timeout, ConnectDone done,
                                    AnyStream stream) {
  auto attempt = std::make_shared<ConnectAttempt>(executor, std::move(url), std::move(headers), options,
                                                  std::move(done), std::move(stream));
  attempt->run(timeout);
  return [weak = std::weak_ptr(attempt)] {
    if (auto live = weak.lock()) live->cancel();
  };
}

}  // namespace

std::shared_ptr<WsClient> WsClient::create(asio::any_io_executor executor, WsClientOptions options) {
  return std::shared_ptr<WsClient>(new WsClient(std::move(executor), std::move(options)));
}

WsClient::WsClient(asio::any_io_executor executor, WsClientOptions options)
    : executor_(std::move(executor)), options_(std::move(options)) {}

WsClient::~WsClient() {
  if (channel_) asio::post(executor_, [channel = channel_] { channel->close(k_close_going_away); });
}

void WsClient::connect(std::string url, Headers headers, std::chrono::milliseconds timeout, OpenHandler on_open) {
  const auto report_later = [this, &on_open](std::errc code, std::string text) {
    asio::post(executor_, [on_open = std::move(on_open), code, text = std::move(text)] {
      on_open(std::make_error_code(code), text);
    });
  };
  if (connect_called_) return report_later(std::errc::already_connected, "connect() was already called on this client");
  connect_called_ = true;

  std::string error;
  std::optional<WsUrl> parsed = parse_ws_url(url, error);
  if (!parsed) return report_later(std::errc::invalid_argument, error);
  std::shared_ptr<asio::ssl::context> tls;
  if (parsed->tls) {
    try {
      tls = client_tls_context(options_.ca_file);
    } catch (const DataError& e) {
      return report_later(std::errc::invalid_argument, e.what());
    }
  }

  on_open_ = std::move(on_open);
  ConnectDone done = [self = shared_from_this()](std::error_code ec, std::string text,
                                                 std::unique_ptr<WsTransport> transport) {
    self->on_connected(ec, std::move(text), std::move(transport));
  };
  // The context is cached for the life of the process, so the stream may hold a plain reference.
  AnyStream stream = tls ? AnyStream(beast::tcp_stream(executor_), *tls) : AnyStream(beast::tcp_stream(executor_));
  cancel_connect_ = start_attempt(executor_, std::move(*parsed), std::move(headers), options_, timeout, std::move(done),
                                  std::move(stream));
}

void WsClient::on_connected(std::error_code ec, std::string error_text, std::unique_ptr<WsTransport> transport) {
  cancel_connect_ = nullptr;
  OpenHandler on_open = std::move(on_open_);
  on_open_ = nullptr;
  if (ec) {
    if (on_open) on_open(ec, std::move(error_text));
    return;
  }
  channel_ = WsChannel::create(executor_, std::move(transport), options_.limits);
  channel_->on_message(std::move(on_message_));
  if (on_binary_) channel_->on_binary(std::move(on_binary_));
  channel_->on_close(std::move(on_close_));
  channel_->on_write_done(std::move(on_write_done_));
  if (options_.coalesce) channel_->coalesce_droppable(options_.coalesce);
  if (paused_) channel_->pause_reading();
  if (on_open) on_open({}, {});
  channel_->start();
}

void WsClient::on_message(WsChannel::MessageHandler handler) {
  if (channel_) return channel_->on_message(std::move(handler));
  on_message_ = std::move(handler);
}

void WsClient::on_binary(WsChannel::MessageHandler handler) {
  if (channel_) return channel_->on_binary(std::move(handler));
  on_binary_ = std::move(handler);
}

void WsClient::on_close(WsChannel::CloseHandler handler) {
  if (channel_) return channel_->on_close(std::move(handler));
  on_close_ = std::move(handler);
}

void WsClient::on_write_done(WsChannel::WriteDoneHandler handler) {
  if (channel_) return channel_->on_write_done(std::move(handler));
  on_write_done_ = std::move(handler);
}

bool WsClient::send_text(std::string text, SendMode mode, AudioLength audio) {
  return channel_ ? channel_->send_text(std::move(text), mode, audio) : false;
}

bool WsClient::send_binary(std::string data, SendMode mode, AudioLength audio) {
  return channel_ ? channel_->send_binary(std::move(data), mode, audio) : false;
}

void WsClient::close(int code, std::string reason) {
  if (channel_) return channel_->close(code, std::move(reason));
  if (cancel_connect_) cancel_connect_();
}

void WsClient::pause_reading() {
  paused_ = true;
  if (channel_) channel_->pause_reading();
}

void WsClient::resume_reading() {
  paused_ = false;
  if (channel_) channel_->resume_reading();
}

}  // namespace sonoria::net
