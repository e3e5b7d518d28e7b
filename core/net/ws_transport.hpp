#pragma once
// The seam between a WebSocket's message pump (WsChannel) and the bytes: one open WebSocket,
// client or server side, plain or TLS. Implemented over Beast in beast_ws_transport.ipp (used by
// WsClient and the daemon's server); faked in tests to drive WsChannel without sockets.

#include <functional>
#include <string>
#include <string_view>
#include <system_error>

namespace sonoria::net {

// RFC 6455 close codes sonoria uses.
inline constexpr int k_close_normal = 1000;
inline constexpr int k_close_going_away = 1001;
inline constexpr int k_close_protocol_error = 1002;  // a frame broke RFC 6455
inline constexpr int k_close_no_status = 1005;    // the peer's close frame carried no code
inline constexpr int k_close_abnormal = 1006;     // no close frame: the connection failed or timed out
inline constexpr int k_close_bad_payload = 1007;  // a text message that is not UTF-8
inline constexpr int k_close_too_big = 1009;
inline constexpr int k_close_internal_error = 1011;

// How a WebSocket ended: the code and reason from the close frame, or k_close_abnormal and a
// sentence saying what failed.
struct WsCloseInfo {
  int code = k_close_abnormal;
  std::string reason;
};

struct WsReadResult {
  enum class Kind { text, binary, closed };
  Kind kind = Kind::closed;
  // The whole message, for text and binary. Points into the transport's read buffer (no copy per
  // message): valid until the handler returns or calls read() again, whichever comes first.
  std::string_view data;
  WsCloseInfo close;  // for closed: why the connection ended (peer close, failure, timeout)
};

// One open WebSocket. Every completion runs on the executor the transport was built on.
// Callers keep at most one read and at most one write-or-close outstanding.
class WsTransport {
 public:
  virtual ~WsTransport() = default;

  // Reads the next whole message. A close frame, a failure and a timeout all complete with
  // Kind::closed; the transport sends the close reply itself.
  virtual void read(std::function<void(const WsReadResult&)> done) = 0;
  // Writes `data` as one text (or binary) frame; `data` must stay valid until `done` runs.
  virtual void write(std::string_view data, bool binary, std::function<void(std::error_code)> done) = 0;
  // Sends a close frame and waits for the peer's (bounded by the transport's close timeout).
  virtual void close(WsCloseInfo frame, std::function<void(std::error_code)> done) = 0;
  // Closes the socket now; pending operations complete with errors.
  virtual void abort() = 0;
  // Sends a ping frame. It may overlap a write, never a close or another ping.
  virtual void ping(std::function<void(std::error_code)> done) = 0;
  // `handler` runs for every ping or pong frame the peer sends, as a read comes across it (the
  // transport answers pings itself). Set before the first read.
  virtual void on_control_frame(std::function<void()> handler) = 0;
};

}  // namespace sonoria::net
