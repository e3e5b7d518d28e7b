#include "tests/fakes/peer_transport.hpp"

// Plain sockets under HTTP and WebSocket, not beast::tcp_stream: its timeout layer under every
// operation took a third of this file's compile time. The two timeouts needed (a request's, a
// dial's) are timers of their own.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdint>
#include <deque>
#include <thread>

namespace sonoria::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;

namespace {

// The largest message a fake's WebSocket server takes (what every fake set before this file).
constexpr std::size_t k_peer_server_max_message = 16 * 1024 * 1024;

PeerRequest to_peer_request(const http::request<http::string_body>& request) {
  PeerRequest out;
  out.method = std::string(request.method_string());
  out.target = std::string(request.target());
  for (const auto& field : request) out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  out.body = request.body();
  out.keep_alive = request.keep_alive();
  out.websocket_upgrade = websocket::is_upgrade(request);
  return out;
}

void close_tcp(tcp::socket& socket) {
  beast::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace

std::optional<std::string> PeerRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      return value;
    }
  }
  return std::nullopt;
}

// ---- one WebSocket connection ------------------------------------------------------------------

// Kept alive by its pending operations (a read is always pending while it is open), not by the
// PeerSocket handles.
struct peer_detail::Link : std::enable_shared_from_this<Link> {
  Link(tcp::socket socket, PeerEvents handlers) : ws(std::move(socket)), events(std::move(handlers)) {}

  // Server side: completes the upgrade `request`, with `headers` added to the answer.
  void accept(http::request<http::string_body> request, PeerHeaders headers) {
    upgrade = std::move(request);
    ws.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
    ws.set_option(websocket::stream_base::decorator([headers = std::move(headers)](websocket::response_type& response) {
      for (const auto& [name, value] : headers) response.set(name, value);
    }));
    ws.read_message_max(k_peer_server_max_message);
    ws.async_accept(upgrade, [self = shared_from_this()](beast::error_code ec) {
      if (ec) self->end();
      else self->open();
    });
  }

  // The handshake is done: reading starts, and the frames queued meanwhile go out.
  void open() {
    is_open = true;
    read();
    if (events.opened) events.opened();
    write_next();
  }

  void read() {
    ws.async_read(buffer, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->end();
        return;
      }
      std::string data = beast::buffers_to_string(self->buffer.data());
      self->buffer.consume(self->buffer.size());
      const PeerFrame frame = self->ws.got_text() ? PeerFrame::text : PeerFrame::binary;
      if (self->events.message) self->events.message(std::move(data), frame);
      // Also while closing: Beast completes a close handshake by reading the peer's answer.
      if (!self->ended) self->read();
    });
  }

  void send(std::string data, PeerFrame frame, std::function<void()> written) {
    if (ended || ending != Ending::none) return;
    queue.push_back({std::move(data), frame, std::move(written)});
    write_next();
  }

  // Beast allows one write at a time: the queue goes out frame by frame, then the close or drop.
  void write_next() {
    if (!is_open || writing || ended) return;
    if (queue.empty()) {
      if (ending == Ending::drop) {
        drop();
      } else if (ending == Ending::close && !close_started) {
        close_started = true;
        const websocket::close_reason reason(static_cast<std::uint16_t>(close_code));
        ws.async_close(reason, [self = shared_from_this()](beast::error_code) {
          // The pending read completes once the peer answers the close (or the connection fails).
        });
      }
      return;
    }
    writing = true;
    auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->writing = false;
      if (ec || self->ended) {
        self->queue.clear();
        return;  // the read reports the end
      }
      std::function<void()> written = std::move(self->queue.front().written);
      self->queue.pop_front();
      if (written) written();
      self->write_next();
    };
    if (queue.front().frame == PeerFrame::raw) {
      asio::async_write(ws.next_layer(), asio::buffer(queue.front().data), std::move(done));
      return;
    }
    ws.binary(queue.front().frame == PeerFrame::binary);
    ws.async_write(asio::buffer(queue.front().data), std::move(done));
  }

  void close(int code) {
    if (ended || ending != Ending::none) return;
    ending = Ending::close;
    close_code = code;
    write_next();
  }

  void drop_after_sending() {
    if (ended || ending != Ending::none) return;
    ending = Ending::drop;
    write_next();
  }

  void drop() {
    if (ended) return;
    close_tcp(ws.next_layer());
    end();
  }

  void end() {
    if (ended) return;
    ended = true;
    // Set when the peer's close frame arrived.
    const websocket::close_reason& reason = ws.reason();
    if (events.closed) events.closed(reason.code, std::string(reason.reason.data(), reason.reason.size()));
  }

  struct Outgoing {
    std::string data;
    PeerFrame frame;
    std::function<void()> written;
  };
  enum class Ending { none, close, drop };

  websocket::stream<tcp::socket> ws;
  PeerEvents events;
  http::request<http::string_body> upgrade;  // kept while the server's handshake runs
  beast::flat_buffer buffer;
  std::deque<Outgoing> queue;
  Ending ending = Ending::none;  // what follows the queued frames
  int close_code = 0;
  bool is_open = false;
  bool writing = false;
  bool close_started = false;
  bool ended = false;  // `closed` was told
};

void PeerSocket::send(std::string data, PeerFrame frame, std::function<void()> written) {
  if (auto link = link_.lock()) link->send(std::move(data), frame, std::move(written));
}

void PeerSocket::close(int code) {
  if (auto link = link_.lock()) link->close(code);
}

void PeerSocket::drop() {
  if (auto link = link_.lock()) link->drop();
}

void PeerSocket::drop_after_sending() {
  if (auto link = link_.lock()) link->drop_after_sending();
}

// ---- server ------------------------------------------------------------------------------------

struct peer_detail::Connection : std::enable_shared_from_this<Connection> {
  Connection(tcp::socket accepted, const PeerServer::Handler& on_request, std::chrono::milliseconds timeout)
      : socket(std::move(accepted)), idle_timer(socket.get_executor()), handler(on_request), request_timeout(timeout) {}

  void read_request() {
    request = {};
    if (request_timeout.count() > 0) {
      idle_timer.expires_after(request_timeout);
      idle_timer.async_wait([self = shared_from_this()](beast::error_code ec) {
        if (!ec) close_tcp(self->socket);
      });
    }
    http::async_read(socket, buffer, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->idle_timer.cancel();
      if (ec) return;  // closed by the client, idle too long, or not HTTP: the connection ends
      self->awaiting_answer = true;
      self->handler(to_peer_request(self->request), PeerExchange(self));
    });
  }

  void respond(PeerResponse answer) {
    if (!awaiting_answer) return;
    awaiting_answer = false;
    sent = std::move(answer.sent);
    if (answer.drop) {
      finish(false);
      return;
    }
    response = {};
    response.version(request.version());
    response.result(static_cast<http::status>(answer.status));
    for (const auto& [name, value] : answer.headers) response.set(name, value);
    response.keep_alive(answer.keep_alive);
    response.body() = std::move(answer.body);
    response.prepare_payload();
    http::async_write(socket, response, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->finish(!ec && self->response.keep_alive());
    });
  }

  // After an answer (or none): the next request, or the end of the connection.
  void finish(bool keep_alive) {
    if (!keep_alive) close_tcp(socket);
    if (sent) std::exchange(sent, nullptr)();
    if (keep_alive) read_request();
  }

  PeerSocket accept(PeerHeaders headers, PeerEvents events) {
    if (!awaiting_answer) return {};
    awaiting_answer = false;
    auto link = std::make_shared<Link>(std::move(socket), std::move(events));
    link->accept(std::move(request), std::move(headers));
    return PeerSocket(link);
  }

  tcp::socket socket;
  asio::steady_timer idle_timer;  // while waiting for a request
  const PeerServer::Handler& handler;
  const std::chrono::milliseconds request_timeout;
  beast::flat_buffer buffer;
  http::request<http::string_body> request;
  http::response<http::string_body> response;
  std::function<void()> sent;
  bool awaiting_answer = false;
};

void PeerExchange::respond(PeerResponse response) { connection_->respond(std::move(response)); }

PeerSocket PeerExchange::accept(PeerHeaders headers, PeerEvents events) {
  return connection_->accept(std::move(headers), std::move(events));
}

struct PeerServer::Impl {
  explicit Impl(std::chrono::milliseconds timeout) : request_timeout(timeout) {}

  void accept_next() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;  // the acceptor was closed
      if (refusing) {
        close_tcp(socket);
      } else {
        std::make_shared<peer_detail::Connection>(std::move(socket), handler, request_timeout)->read_request();
      }
      accept_next();
    });
  }

  const std::chrono::milliseconds request_timeout;
  Handler handler;
  std::atomic<bool> refusing{false};
  unsigned short port = 0;
  asio::io_context io;  // after what its connections refer to: they die with it
  tcp::acceptor acceptor{io};
  std::thread thread;
};

PeerServer::PeerServer(std::chrono::milliseconds request_timeout) : impl_(std::make_unique<Impl>(request_timeout)) {
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint);
  impl_->acceptor.listen();
  impl_->port = impl_->acceptor.local_endpoint().port();
}

PeerServer::~PeerServer() { stop(); }

void PeerServer::start(Handler handler) {
  impl_->handler = std::move(handler);
  impl_->accept_next();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

void PeerServer::stop() {
  impl_->io.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

unsigned short PeerServer::port() const { return impl_->port; }

boost::asio::any_io_executor PeerServer::executor() const { return impl_->io.get_executor(); }

void PeerServer::set_refusing(bool refusing) { impl_->refusing = refusing; }

// ---- client ------------------------------------------------------------------------------------

PeerDialResult dial_peer_socket(asio::io_context& io, const PeerDial& dial, PeerEvents events) {
  auto link = std::make_shared<peer_detail::Link>(tcp::socket(io), std::move(events));
  websocket::stream<tcp::socket>& ws = link->ws;
  ws.set_option(websocket::stream_base::decorator([headers = dial.headers](websocket::request_type& request) {
    for (const auto& [name, value] : headers) request.set(name, value);
  }));
  ws.read_message_max(dial.max_message);

  websocket::response_type response;
  response.result(0u);  // stays 0 unless an answer is read
  beast::error_code failure;
  // Shared with the timer, whose handler may run after this returns (cancelled or not).
  struct Progress {
    bool finished = false;
    bool timed_out = false;
  };
  auto progress = std::make_shared<Progress>();
  asio::steady_timer deadline(io, dial.timeout);
  deadline.async_wait([progress, weak = std::weak_ptr<peer_detail::Link>(link)](beast::error_code ec) {
    if (ec || progress->finished) return;
    progress->timed_out = true;
    if (auto expired = weak.lock()) close_tcp(expired->ws.next_layer());  // the pending step fails
  });
  tcp::resolver resolver(io);
  resolver.async_resolve(dial.host, dial.port, [&](beast::error_code ec, tcp::resolver::results_type endpoints) {
    if (ec) {
      failure = ec;
      progress->finished = true;
      return;
    }
    asio::async_connect(ws.next_layer(), endpoints, [&](beast::error_code connect_ec, const tcp::endpoint&) {
      if (connect_ec) {
        failure = connect_ec;
        progress->finished = true;
        return;
      }
      ws.async_handshake(response, dial.host_header, dial.target, [&](beast::error_code handshake_ec) {
        failure = handshake_ec;
        progress->finished = true;
      });
    });
  });
  io.restart();
  while (!progress->finished && io.run_one() != 0) {
  }
  deadline.cancel();

  PeerDialResult result;
  result.status = static_cast<int>(response.result_int());
  for (const auto& field : response) {
    result.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  result.body = response.body();
  if (!progress->finished || failure) {
    result.timed_out = progress->timed_out;
    result.refused = failure == websocket::error::upgrade_declined;
    result.error = result.timed_out ? "timed out" : progress->finished ? failure.message() : "the handshake did not finish";
    return result;
  }
  result.socket = PeerSocket(link);
  link->open();
  return result;
}

}  // namespace sonoria::fakes
