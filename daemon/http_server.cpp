#include "daemon/http_server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>
#include <sys/socket.h>

#include "core/error.hpp"
#include "core/net/client_address.hpp"
#include "daemon/log.hpp"
#include "daemon/http_request_head.hpp"
#include "daemon/request_framing.hpp"
#include "core/net/beast_ws_transport.ipp"

namespace sonoria::daemon {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace detail {

// What the server's stop_accepting() may ask of a live HTTP connection.
class HttpSessionBase {
 public:
  virtual ~HttpSessionBase() = default;
  virtual void stop() = 0;  // any thread
};

struct HttpServerState {
  HttpServerOptions options;
  HttpHandler handler;
  std::map<std::string, WsRoute, std::less<>> ws_routes;
  // Swapped whole by reload_tls(); a connection's TLS state keeps the OpenSSL context it began
  // with alive (SSL_new holds a reference), so the old one may go while connections use it.
  std::shared_ptr<asio::ssl::context> tls;
  mutable std::mutex tls_mutex;
  std::shared_ptr<asio::ssl::context> current_tls() const {
    std::lock_guard lock(tls_mutex);
    return tls;
  }
  std::atomic<std::uint16_t> port{0};
  std::atomic<bool> stopping{false};

  std::mutex sessions_mutex;
  std::vector<std::weak_ptr<HttpSessionBase>> sessions;

  void track(const std::shared_ptr<HttpSessionBase>& session) {
    std::lock_guard lock(sessions_mutex);
    std::erase_if(sessions, [](const auto& weak) { return weak.expired(); });
    sessions.push_back(session);
  }

  // Connections from one address waiting for (the rest of) a request: a slow or idle client
  // holding many open is refused more at accept, before it exhausts descriptors (slowloris).
  // Requests being answered and WebSockets do not count.
  std::mutex waiting_mutex;
  std::map<std::string, int, std::less<>> waiting_by_address;
  std::atomic<std::uint64_t> refused{0};

  bool admit_connection(const std::string& address) {
    std::lock_guard lock(waiting_mutex);
    int& waiting = waiting_by_address[address];
    if (options.max_waiting_per_address > 0 && waiting >= options.max_waiting_per_address) {
      if (waiting == 0) waiting_by_address.erase(address);
      return false;
    }
    ++waiting;
    return true;
  }
  void enter_waiting(const std::string& address) {
    std::lock_guard lock(waiting_mutex);
    ++waiting_by_address[address];
  }
  void leave_waiting(const std::string& address) {
    std::lock_guard lock(waiting_mutex);
    auto it = waiting_by_address.find(address);
    if (it != waiting_by_address.end() && --it->second <= 0) waiting_by_address.erase(it);
  }

  void stop_sessions() {
    std::vector<std::weak_ptr<HttpSessionBase>> live;
    {
      std::lock_guard lock(sessions_mutex);
      live.swap(sessions);
    }
    for (const auto& weak : live) {
      if (auto session = weak.lock()) session->stop();
    }
  }
};

// Answers one request once: the first respond() wins, and a responder dropped unanswered
// answers 500 so that a forgetful handler cannot leave a client hanging.
class Responder {
 public:
  explicit Responder(std::function<void(HttpResponse)> deliver) : deliver_(std::move(deliver)) {}
  ~Responder() {
    if (!answered_.exchange(true)) deliver_(HttpResponse{500, "text/plain", "the request was not answered\n", {}, {}});
  }
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;

  void respond(HttpResponse response) {
    if (!answered_.exchange(true)) deliver_(std::move(response));
  }

 private:
  std::atomic<bool> answered_{false};
  std::function<void(HttpResponse)> deliver_;
};

constexpr std::chrono::seconds k_linger{2};

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == beast::error_code(http::error::bad_target).category();
}

// One HTTP connection: requests are read and answered one at a time (keep-alive), until an
// upgrade moves the stream into a WebSocket or the connection closes.
// Plain or TLS alike (net::AnyStream): Beast's HTTP and WebSocket code is compiled once for both.
class HttpSession final : public HttpSessionBase, public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::shared_ptr<HttpServerState> state, std::string remote_address, net::AnyStream stream)
      : state_(std::move(state)),
        options_(state_->options),
        remote_address_(std::move(remote_address)),
        limit_key_(net::limit_key(remote_address_)),
        stream_(std::move(stream)) {}
  // Admitted by the listener as waiting for its first request (HttpServerState::admit_connection).
  ~HttpSession() override { waiting(false); }

  void run() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->on_run(); });
  }

  void stop() override {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->on_stop(); });
  }

 private:
  enum class Phase { starting, reading, handling, writing, streaming, closing, upgraded };

  // The route's end of a streamed response; every write is posted to the session's strand. It
  // keeps the session alive: the connection lasts while the route holds the sink and the client
  // stays (dropping the sink ends the response).
  class Sink final : public ResponseSink {
   public:
    Sink(std::shared_ptr<HttpSession> session, std::shared_ptr<std::atomic<bool>> closed)
        : session_(std::move(session)), closed_(std::move(closed)) {}
    ~Sink() override { close(); }
    bool write(std::string text) override {
      if (*closed_) return false;
      asio::post(session_->stream_.get_executor(),
                 [session = session_, text = std::move(text)]() mutable { session->stream_write(std::move(text)); });
      return true;
    }
    void close() override {
      if (closed_->exchange(true)) return;
      asio::post(session_->stream_.get_executor(), [session = session_] { session->end_stream(); });
    }

   private:
    std::shared_ptr<HttpSession> session_;
    std::shared_ptr<std::atomic<bool>> closed_;
  };
  static constexpr std::size_t k_stream_queue_limit = 1 << 20;
  static constexpr std::size_t k_head_read = 4096;

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void on_run() {
    if (stream_.tls()) {
      phase_ = Phase::reading;
      lowest().expires_after(options_.request_timeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = shared_from_this()](beast::error_code ec) {
                                self->phase_ = Phase::starting;
                                if (ec) return self->do_close();
                                self->do_read();
                              });
    } else {
      do_read();
    }
  }

  void on_stop() {
    stopping_ = true;
    if (phase_ == Phase::streaming) return end_stream();
    // A connection waiting for a request is idle: cut it. One being answered closes after that.
    if (phase_ == Phase::reading) lowest().cancel();
  }

  // Whether this connection counts as waiting for a request from its address.
  void waiting(bool now) {
    if (now == waiting_) return;
    waiting_ = now;
    if (now) state_->enter_waiting(limit_key_);
    else state_->leave_waiting(limit_key_);
  }

  void do_read() {
    if (stopping_ || state_->stopping) return do_close();
    waiting(true);
    phase_ = Phase::reading;
    parser_.emplace();
    body_limit_ = options_.body_limit;
    path_limit_ = {};
    // Beast weighs a Content-Length against the limit as it reads the head, before the path's own
    // limit (which may be lower) is known; on_read_header does that instead.
    if (options_.body_limit_for) parser_->body_limit(boost::none);
    else parser_->body_limit(body_limit_);
    parser_->header_limit(static_cast<std::uint32_t>(std::min<std::size_t>(options_.header_limit, UINT32_MAX)));
    // The first request is due within request_timeout of the accept (the TLS handshake's timer,
    // set in on_run, runs on). A kept-alive connection may wait idle_timeout for its next request
    // to begin; from its first byte, request_timeout (read_head).
    idle_ = !first_request_ && buffer_.size() == 0;
    if (!first_request_ || !stream_.tls())
      lowest().expires_after(idle_ ? options_.idle_timeout : options_.request_timeout);
    read_head();
  }

  // Reads until the buffer holds the whole head, which is checked as sent (Beast's parser joins
  // folded lines, so they cannot be told apart after it), then has Beast parse it from the buffer.
  void read_head() {
    const auto bytes = buffer_.data();
    const std::string_view data(static_cast<const char*>(bytes.data()), bytes.size());
    const std::size_t end = data.find("\r\n\r\n");
    if (end == std::string_view::npos && data.size() <= options_.header_limit) {
      stream_.async_read_some(buffer_.prepare(k_head_read), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
        if (ec) {
          self->waiting(false);
          return self->on_read_error(ec);
        }
        self->buffer_.commit(n);
        if (self->idle_ && n > 0) {
          self->idle_ = false;
          self->lowest().expires_after(self->options_.request_timeout);
        }
        self->read_head();
      });
      return;
    }
    if (end != std::string_view::npos && has_obsolete_fold(data.substr(0, end + 4))) {
      waiting(false);
      return send_error(400, "a header continues on the next line (obsolete line folding); send each field on one line");
    }
    // A head over the limit is left to the parser, which reports it (431).
    http::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read_header(ec);
    });
  }

  void on_read_header(beast::error_code ec) {
    waiting(false);
    if (ec) return on_read_error(ec);
    {
      const auto& head = parser_->get();
      version_ = head.version();
      if (auto refusal = refuse_head(framing_of(head), options_.max_header_fields))
        return send_error(refusal->status, refusal->reason);
    }
    if (parser_->is_done()) return on_request();
    if (options_.body_limit_for) {
      const auto& head = parser_->get();
      std::string_view target(head.target().data(), head.target().size());
      const auto origin = head[http::field::origin];
      path_limit_ = options_.body_limit_for(std::string_view(head.method_string().data(), head.method_string().size()),
                                            target.substr(0, target.find('?')),
                                            std::string_view(origin.data(), origin.size()));
      if (path_limit_.bytes != 0) body_limit_ = path_limit_.bytes;
      if (const auto length = parser_->content_length(); length && *length > body_limit_) return refuse_too_large();
      parser_->body_limit(body_limit_);  // a chunked body, as it comes
    }
    lowest().expires_after(options_.request_timeout);
    http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code body_ec, std::size_t) {
      if (body_ec) return self->on_read_error(body_ec);
      self->on_request();
    });
  }

  void on_read_error(beast::error_code ec) {
    // The client went away, went quiet, or we are stopping: normal ends, nothing to answer.
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        !is_parse_error(ec)) {
      return do_close();
    }
    if (parser_->is_header_done()) version_ = parser_->get().version();
    if (ec == http::error::body_limit) return refuse_too_large();
    if (ec == http::error::header_limit) {
      return send_error(431, "the request head is larger than " + std::to_string(options_.header_limit) +
                             " bytes (server.max_header_bytes)");
    }
    send_error(400, "malformed HTTP request: " + ec.message());
  }

  // A 413 for a body over the request's limit, naming the setting (or in the path's own words).
  void refuse_too_large() {
    if (path_limit_.too_large) {
      keep_alive_ = false;
      phase_ = Phase::handling;
      return send(*path_limit_.too_large);
    }
    send_error(413, "the request body is larger than " + std::to_string(body_limit_) + " bytes (" +
                        (path_limit_.setting.empty() ? "server.max_body_bytes" : path_limit_.setting) + ")");
  }

  void send_error(int status, const std::string& text) {
    keep_alive_ = false;
    phase_ = Phase::handling;
    send(HttpResponse{status, "text/plain", text + "\n", {}, {}});
  }

  void on_request() {
    http::request<http::string_body> message = parser_->release();
    version_ = message.version();
    keep_alive_ = message.keep_alive();
    HttpRequest request = to_request(message, remote_address_);
    if (websocket::is_upgrade(message)) {
      const auto route = state_->ws_routes.find(request.path);
      if (route != state_->ws_routes.end()) return upgrade(std::move(message), std::move(request), route->second);
    }
    phase_ = Phase::handling;
    if (!state_->handler) return send(HttpResponse{404, "text/plain", "not found\n", {}, {}});

    auto responder = std::make_shared<Responder>([self = shared_from_this()](HttpResponse response) {
      asio::post(self->stream_.get_executor(),
                 [self, response = std::move(response)]() mutable { self->send(std::move(response)); });
    });
    const std::string path = request.path;
    try {
      state_->handler(std::move(request), [responder](HttpResponse response) { responder->respond(std::move(response)); });
    } catch (const std::exception& e) {
      // A route's bug costs this request, not the io thread every call shares.
      log_error("http.handler_failed", "", e.what(), {{"path", path}});
      responder->respond(HttpResponse{500, "text/plain", "internal error\n", {}, {}});
    }
  }

  // A header line break in a value would let whoever chose it add headers (or a body) of their
  // own: such a response is never sent, whatever route made it.
  static bool splits_headers(const HttpResponse& r) {
    auto bad = [](const std::string& s) { return s.find_first_of("\r\n") != std::string::npos; };
    if (bad(r.content_type)) return true;
    for (const auto& [name, value] : r.headers)
      if (bad(name) || bad(value)) return true;
    return false;
  }

  void send(HttpResponse response) {
    if (phase_ != Phase::handling) return;
    if (splits_headers(response)) response = HttpResponse{500, "text/plain", "internal error\n", {}, {}};
    if (response.open_stream) return start_stream(std::move(response));
    auto message = std::make_shared<http::response<http::string_body>>();
    const bool valid_status = response.status >= 100 && response.status <= 999;
    message->result(static_cast<unsigned>(valid_status ? response.status : 500));
    message->version(version_);
    for (const auto& [name, value] : response.headers) message->insert(name, value);
    message->set(http::field::server, "sonoria");
    if (!response.content_type.empty()) message->set(http::field::content_type, response.content_type);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !stopping_ && !state_->stopping);
    message->prepare_payload();

    phase_ = Phase::writing;
    lowest().expires_after(options_.request_timeout);
    http::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code ec, std::size_t) {
      if (ec || !message->keep_alive()) return self->do_close();
      self->first_request_ = false;
      self->do_read();
    });
  }

  // A response without a length that stays open; its body comes through a Sink.
  void start_stream(HttpResponse response) {
    phase_ = Phase::streaming;
    keep_alive_ = false;
    auto head = std::make_shared<http::response<http::empty_body>>();
    head->result(static_cast<unsigned>(response.status >= 100 && response.status <= 999 ? response.status : 500));
    head->version(version_);
    for (const auto& [name, value] : response.headers) head->insert(name, value);
    head->set(http::field::server, "sonoria");
    if (!response.content_type.empty()) head->set(http::field::content_type, response.content_type);
    head->keep_alive(false);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*head);
    lowest().expires_after(options_.request_timeout);
    stream_closed_ = std::make_shared<std::atomic<bool>>(false);
    if (!response.body.empty()) stream_write(std::move(response.body));
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), head, serializer,
                              open = std::move(response.open_stream)](beast::error_code ec, std::size_t) {
                               if (ec) return self->end_stream();
                               self->head_sent_ = true;
                               self->lowest().expires_never();
                               // The client says nothing more on this connection: anything it
                               // sends, or its closing, ends the response.
                               self->stream_.async_read_some(
                                   asio::buffer(self->stream_scratch_),
                                   [self](beast::error_code, std::size_t) { self->end_stream(); });
                               self->flush_stream();
                               try {
                                 open(std::make_shared<Sink>(self, self->stream_closed_));
                               } catch (const std::exception&) {
                                 self->end_stream();
                               }
                             });
  }

  void stream_write(std::string text) {
    if (phase_ != Phase::streaming) return;
    queued_bytes_ += text.size();
    // A client that stops reading gets disconnected rather than costing memory without bound.
    if (queued_bytes_ > k_stream_queue_limit) return end_stream();
    stream_queue_.push_back(std::move(text));
    flush_stream();
  }

  void flush_stream() {
    if (!head_sent_ || stream_writing_ || stream_queue_.empty() || phase_ != Phase::streaming) return;
    stream_writing_ = true;
    auto chunk = std::make_shared<std::string>(std::move(stream_queue_.front()));
    stream_queue_.pop_front();
    lowest().expires_after(options_.request_timeout);
    asio::async_write(stream_, asio::buffer(*chunk), [self = shared_from_this(), chunk](beast::error_code ec, std::size_t) {
      self->stream_writing_ = false;
      self->queued_bytes_ -= chunk->size();
      if (ec) return self->end_stream();
      self->lowest().expires_never();
      self->flush_stream();
    });
  }

  // No graceful close here: a read is pending, and whatever was not written is moot.
  void end_stream() {
    if (phase_ != Phase::streaming) return;
    phase_ = Phase::closing;
    if (stream_closed_) *stream_closed_ = true;
    stream_queue_.clear();
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  void upgrade(http::request<http::string_body> message, HttpRequest request, const WsRoute& route) {
    bool accepted = true;
    if (route.accept) {
      try {
        accepted = route.accept(request);
      } catch (const std::exception&) {
        return send_error(500, "internal error");
      }
    }
    if (!accepted) return send_error(403, "forbidden");

    phase_ = Phase::upgraded;  // the stream leaves this session now
    auto transport = std::make_unique<net::BeastWsTransport>(std::move(stream_));
    transport->configure(options_.websocket);
    transport->stream().set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "sonoria"); }));
    auto* socket = transport.get();
    auto upgrade_message = std::make_shared<http::request<http::string_body>>(std::move(message));
    socket->stream().async_accept(
        *upgrade_message, [state = state_, route = &route, upgrade_message, transport = std::move(transport),
                           request = std::move(request)](beast::error_code ec) mutable {
          if (ec) return;  // the client gave up mid-handshake; dropping the transport closes it
          const asio::any_io_executor executor = transport->stream().get_executor();
          auto channel = net::WsChannel::create(executor, std::move(transport), state->options.websocket);
          auto connection = std::make_shared<WsConnection>(channel, std::move(request));
          if (route->on_open) {
            try {
              route->on_open(std::move(connection));
            } catch (const std::exception&) {
              channel->close(net::k_close_internal_error, "internal error");
            }
          }
          channel->start();
        });
  }

  void do_close() {
    phase_ = Phase::closing;
    lowest().expires_after(k_linger);
    if (stream_.tls()) {
      stream_.async_shutdown([self = shared_from_this()](beast::error_code) {});
    } else {
      beast::error_code ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      do_drain();
    }
  }

  // Closing a socket with unread input makes the kernel send RST, which can destroy the response
  // (a 413 most of all) before the client reads it. So, after shutting down our side, read and
  // discard until the client closes too, for a bounded time.
  void do_drain() {
    buffer_.consume(buffer_.size());
    lowest().async_read_some(buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) self->do_drain();
    });
  }

  std::shared_ptr<HttpServerState> state_;
  const HttpServerOptions& options_;
  std::string remote_address_;
  std::string limit_key_;  // what its address's limits are counted by (an IPv6 address's /64)
  net::AnyStream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::size_t body_limit_ = 0;  // the current request's (HttpServerOptions::body_limit_for)
  HttpBodyLimit path_limit_;     // and what its path says about it
  Phase phase_ = Phase::starting;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool first_request_ = true;
  bool idle_ = false;    // kept alive, and no byte of the next request yet
  bool waiting_ = true;  // counted as waiting from the accept on
  bool stopping_ = false;
  std::shared_ptr<std::atomic<bool>> stream_closed_;
  std::array<char, 256> stream_scratch_{};
  std::deque<std::string> stream_queue_;
  std::size_t queued_bytes_ = 0;
  bool head_sent_ = false;
  bool stream_writing_ = false;
};

class HttpListener : public std::enable_shared_from_this<HttpListener> {
 public:
  HttpListener(asio::io_context& io, std::shared_ptr<HttpServerState> state)
      : io_(io), acceptor_(asio::make_strand(io)), retry_(acceptor_.get_executor()), state_(std::move(state)) {}

  // Throws UserError when the endpoint cannot be bound.
  void open(const tcp::endpoint& endpoint, const std::string& shown_as) {
    beast::error_code ec;
    const auto check = [&](const char* step) {
      if (ec) throw UserError("cannot listen on " + shown_as + ": " + step + ": " + ec.message());
    };
    acceptor_.open(endpoint.protocol(), ec);
    check("open");
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    check("set SO_REUSEADDR");
    acceptor_.bind(endpoint, ec);
    check("bind");
    acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    check("listen");
    state_->port = acceptor_.local_endpoint().port();
  }

  // A socket someone else bound and listens on (systemd). Throws UserError when it is not one.
  void adopt(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int accepting = 0;
    socklen_t accepting_length = sizeof accepting;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0 ||
        (address.ss_family != AF_INET && address.ss_family != AF_INET6) ||
        ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &accepting_length) != 0 || !accepting)
      throw UserError("the socket passed by systemd (fd " + std::to_string(fd) +
                      ") is not a listening TCP socket; check ListenStream= in the .socket unit");
    beast::error_code ec;
    acceptor_.assign(address.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
    if (ec) throw UserError("cannot use the socket passed by systemd: " + ec.message());
    state_->port = acceptor_.local_endpoint().port();
  }

  void run() {
    asio::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
  }

  void stop() {
    asio::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
      self->retry_.cancel();
    });
  }

 private:
  void do_accept() {
    acceptor_.async_accept(asio::make_strand(io_), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      self->on_accept(ec, std::move(socket));
    });
  }

  void on_accept(beast::error_code ec, tcp::socket socket) {
    if (!acceptor_.is_open()) return;
    if (ec) {
      // Typically out of file descriptors: pause briefly instead of spinning, and keep listening.
      retry_.expires_after(std::chrono::milliseconds(100));
      retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) self->do_accept();
      });
      return;
    }
    beast::error_code no_peer;
    const tcp::endpoint peer = socket.remote_endpoint(no_peer);
    std::string remote = no_peer ? std::string() : peer.address().to_string();
    if (!state_->admit_connection(net::limit_key(remote))) {
      // Closed at once: the descriptor is back before the next accept.
      const auto n = ++state_->refused;
      if (n == 1 || n % 1000 == 0)
        log_warn("http.too_many_waiting", "", "connections refused: too many from one address waiting for a request",
                 {{"remote", remote}, {"refused", n},
                  {"limit", state_->options.max_waiting_per_address}});
      beast::error_code ignored;
      socket.close(ignored);
      return do_accept();
    }
    // Media streams carry a small frame every 20 ms each way: send each at once (no Nagle delay).
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    if (const auto tls = state_->current_tls()) {
      start(std::make_shared<HttpSession>(state_, std::move(remote),
                                          net::AnyStream(beast::tcp_stream(std::move(socket)), *tls)));
    } else {
      start(std::make_shared<HttpSession>(state_, std::move(remote), net::AnyStream(beast::tcp_stream(std::move(socket)))));
    }
    do_accept();
  }

  void start(const std::shared_ptr<HttpSession>& session) {
    state_->track(session);
    session->run();
  }

  asio::io_context& io_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::shared_ptr<HttpServerState> state_;
};

namespace {

// TLS 1.2's suites with forward secrecy and authenticated encryption (TLS 1.3 has only such).
constexpr const char* k_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

std::shared_ptr<asio::ssl::context> load_server_tls(const std::string& cert_file, const std::string& key_file) {
  if (cert_file.empty() && key_file.empty()) return nullptr;
  if (cert_file.empty() || key_file.empty()) {
    throw DataError(std::string("TLS needs both a certificate and a key file, but only the ") +
                    (cert_file.empty() ? "key (\"" + key_file + "\")" : "certificate (\"" + cert_file + "\")") +
                    " is set");
  }
  namespace ssl = asio::ssl;
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | SSL_OP_CIPHER_SERVER_PREFERENCE |
                       SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  SSL_CTX_set_cipher_list(context->native_handle(), k_tls12_ciphers);
  beast::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (ec) {
    throw DataError("TLS certificate file \"" + cert_file + "\" cannot be used: " + ec.message() +
                    " (expected a PEM certificate chain)");
  }
  context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec) {
    throw DataError("TLS key file \"" + key_file + "\" cannot be used: " + ec.message() +
                    " (expected the PEM private key of \"" + cert_file + "\")");
  }
  return context;
}

}  // namespace

}  // namespace detail

HttpServer::HttpServer(asio::io_context& io, HttpServerOptions options)
    : io_(io), state_(std::make_shared<detail::HttpServerState>()) {
  state_->options = std::move(options);
}

HttpServer::~HttpServer() {
  if (listener_) listener_->stop();
}

void HttpServer::set_handler(HttpHandler handler) { state_->handler = std::move(handler); }

void HttpServer::add_websocket_route(std::string path, WsRoute route) {
  state_->ws_routes.insert_or_assign(std::move(path), std::move(route));
}

void HttpServer::start() {
  const HttpServerOptions& options = state_->options;
  state_->tls = detail::load_server_tls(options.tls_cert_file, options.tls_key_file);

  if (options.inherited_fd >= 0) {
    listener_ = std::make_shared<detail::HttpListener>(io_, state_);
    listener_->adopt(options.inherited_fd);
    listener_->run();
    return;
  }
  const std::string shown_as = options.host + ":" + std::to_string(options.port);
  tcp::resolver resolver(io_);
  beast::error_code ec;
  const auto endpoints = resolver.resolve(options.host, std::to_string(options.port), tcp::resolver::passive, ec);
  if (ec || endpoints.empty()) {
    throw UserError("cannot listen on " + shown_as + ": cannot resolve \"" + options.host + "\": " +
                    (ec ? ec.message() : "no address"));
  }
  listener_ = std::make_shared<detail::HttpListener>(io_, state_);
  listener_->open(endpoints.begin()->endpoint(), shown_as);
  listener_->run();
}

void HttpServer::reload_tls() {
  if (!serves_tls()) return;
  auto fresh = detail::load_server_tls(state_->options.tls_cert_file, state_->options.tls_key_file);
  std::lock_guard lock(state_->tls_mutex);
  state_->tls = std::move(fresh);
}

std::uint16_t HttpServer::port() const { return state_->port; }

std::uint64_t HttpServer::refused_connections() const { return state_->refused; }

bool HttpServer::serves_tls() const { return state_->current_tls() != nullptr; }

void HttpServer::stop_accepting() {
  state_->stopping = true;
  if (listener_) listener_->stop();
  state_->stop_sessions();
}

}  // namespace sonoria::daemon
