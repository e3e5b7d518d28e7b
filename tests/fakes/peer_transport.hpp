#pragma once
// The fakes' HTTP and WebSocket transport, with Beast kept in peer_transport.cpp: Beast's server
// and WebSocket code is instantiated and optimised once there, not once per fake with the fake's
// own handlers (a fake doing that took 20 s and more to compile). A fake sees plain requests,
// answers and frames:
//
// - PeerServer listens on 127.0.0.1 (an ephemeral port) with its own I/O thread. Every request on
//   a connection (HTTP/1.1, keep-alive) goes to the fake's handler with a PeerExchange, through
//   which the fake answers it, at once or later, or accepts a WebSocket upgrade.
// - PeerSocket is one WebSocket connection, either side: frames go out in order, then a close
//   frame or a TCP drop; what arrives, and the end, come as PeerEvents.
// - dial_peer_socket() opens a WebSocket as a client (ws:// only).
//
// Threads: handlers and events run on the thread that runs the connection's io_context (the
// server's, or the one given to dial_peer_socket); PeerExchange and PeerSocket are for that
// thread only.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

namespace sonoria::fakes {

using PeerHeaders = std::vector<std::pair<std::string, std::string>>;

// raw: bytes written straight to the TCP connection, outside any frame (a peer that breaks the
// WebSocket protocol).
enum class PeerFrame { text, binary, raw };

// WebSocket close codes the fakes send (RFC 6455 §7.4.1).
constexpr int k_close_normal = 1000;
constexpr int k_close_going_away = 1001;
constexpr int k_close_internal_error = 1011;

// The transport's own objects, defined in peer_transport.cpp.
namespace peer_detail {
struct Link;        // one WebSocket connection
struct Connection;  // one HTTP connection of a PeerServer
}  // namespace peer_detail

// What happens on one WebSocket connection.
struct PeerEvents {
  std::function<void()> opened;  // the handshake is done
  std::function<void(std::string data, PeerFrame frame)> message;
  // Once, at the end (also when the handshake of an accepted upgrade fails, without `opened`): the
  // peer's close code and reason, or 0 and "" when no close frame came from the peer.
  std::function<void(int code, std::string reason)> closed;
};

// A handle on one WebSocket connection; a default-constructed or outlived handle does nothing. The
// connection is not owned by its handles: it lives while it has I/O pending (while it is open, and
// until its last write ends), and holds its PeerEvents, so whatever they hold lives as long.
class PeerSocket {
 public:
  PeerSocket() = default;
  // Made by PeerExchange::accept and dial_peer_socket.
  explicit PeerSocket(std::weak_ptr<peer_detail::Link> link) : link_(std::move(link)) {}

  // Queues a frame (ignored once closing or ended). `written` runs once it is written.
  void send(std::string data, PeerFrame frame = PeerFrame::text, std::function<void()> written = {});
  // Sends a close frame with `code` once the queued frames are written; `closed` follows once the
  // peer answers it (or the connection fails).
  void close(int code);
  // Cuts the TCP connection without a close frame: at once, dropping the queued frames, and tells
  // `closed` before returning.
  void drop();
  // The same once the queued frames are written, so that they reach the peer first.
  void drop_after_sending();

 private:
  std::weak_ptr<peer_detail::Link> link_;
};

// ---- server ------------------------------------------------------------------------------------

struct PeerRequest {
  std::string method;        // "GET", "POST", …
  std::string target;        // path and query as received
  PeerHeaders headers;       // as received, in order
  std::string body;
  bool keep_alive = false;   // whether the client keeps the connection open for another request
  bool websocket_upgrade = false;

  // The first header called `name` (in any case), or nullopt.
  std::optional<std::string> header(std::string_view name) const;
};

struct PeerResponse {
  int status = 200;
  PeerHeaders headers;       // set in this order; Content-Length (and Connection) are added
  std::string body;
  bool keep_alive = false;   // read the next request once this is written; else close
  bool drop = false;         // close the connection without an answer
  std::function<void()> sent;  // runs once the answer is written (or failed) or dropped, and closed
};

// The answer to one request: respond() or, for a WebSocket upgrade, accept(), once. Copyable; the
// connection closes without an answer when every copy is gone unanswered.
class PeerExchange {
 public:
  // Made by PeerServer.
  explicit PeerExchange(std::shared_ptr<peer_detail::Connection> connection) : connection_(std::move(connection)) {}

  void respond(PeerResponse response);
  // Accepts the upgrade with `headers` added to the 101 answer. The socket takes frames at once;
  // they go out once the handshake is done.
  PeerSocket accept(PeerHeaders headers, PeerEvents events);

 private:
  std::shared_ptr<peer_detail::Connection> connection_;
};

class PeerServer {
 public:
  using Handler = std::function<void(const PeerRequest& request, PeerExchange exchange)>;

  // Listens on 127.0.0.1 at an ephemeral port; throws std::runtime_error if it cannot. A connection
  // waiting longer than `request_timeout` for its next request is closed (zero: never).
  explicit PeerServer(std::chrono::milliseconds request_timeout = std::chrono::milliseconds(0));
  ~PeerServer();  // stop(), then closes every connection
  PeerServer(const PeerServer&) = delete;
  PeerServer& operator=(const PeerServer&) = delete;

  // Starts accepting, on the I/O thread. Separate from the constructor so that a fake can hold its
  // server as its first member (destroyed last, after everything its connections refer to) and
  // start it once the rest is set up.
  void start(Handler handler);
  // Ends the I/O thread: no handler or event runs once it returns.
  void stop();

  unsigned short port() const;
  boost::asio::any_io_executor executor() const;  // the I/O thread's, for the fake's timers and posts
  // While refusing, connections are closed as soon as they are accepted (a peer that is down).
  void set_refusing(bool refusing);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// ---- client ------------------------------------------------------------------------------------

struct PeerDial {
  std::string host;          // connected to, e.g. "127.0.0.1"
  std::string port;
  std::string host_header;   // the upgrade request's Host
  std::string target;        // path and query
  PeerHeaders headers;       // set on the upgrade request (a User-Agent replaces Beast's)
  std::chrono::milliseconds timeout{5000};      // for connecting and the handshake
  std::size_t max_message = 16 * 1024 * 1024;  // a larger message ends the connection
};

struct PeerDialResult {
  PeerSocket socket;         // open when `error` is empty
  int status = 0;            // of the answer to the upgrade: 101, a refusal's, or 0 when none came
  PeerHeaders headers;       // of that answer
  std::string body;          // of a refusal
  std::string error;         // why the WebSocket is not open; "" when it is
  bool timed_out = false;
  bool refused = false;      // the server answered the upgrade with another status than 101
};

// Connects and performs the handshake, running `io` on the calling thread until it ends (nothing
// else may run `io` meanwhile). When the socket is open, `opened` has run and the socket reads:
// its other events come on whichever thread runs `io` next.
PeerDialResult dial_peer_socket(boost::asio::io_context& io, const PeerDial& dial, PeerEvents events);

}  // namespace sonoria::fakes
