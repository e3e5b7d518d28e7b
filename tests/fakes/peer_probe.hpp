#pragma once
// A WebSocket client for tests poking a fake server (the fakes' self-tests), driven from the test
// thread: its connection runs only while a call waits, every wait has a deadline, so a misbehaving
// fake fails a test instead of hanging it, and frames are queued as they arrive, so a test can
// look for "nothing more came" without cancelling anything.

#include <chrono>
#include <deque>
#include <functional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "tests/fakes/peer_transport.hpp"

namespace sonoria::fakes {

class PeerProbe {
 public:
  struct Frame {
    std::string data;
    PeerFrame frame = PeerFrame::text;
  };

  PeerProbe() = default;
  ~PeerProbe();  // drops the connection
  PeerProbe(const PeerProbe&) = delete;
  PeerProbe& operator=(const PeerProbe&) = delete;

  // Connects to ws://127.0.0.1:<port><target> (Host: `host_header`) with `headers` on the upgrade,
  // within 3 s. The result has the answer's status (0 when none came), headers and body.
  PeerDialResult connect(unsigned short port, const std::string& host_header, const std::string& target,
                         const PeerHeaders& headers);

  // Sends a frame and waits until it is written (at most 2 s); nothing once the connection ended.
  void send(std::string data, PeerFrame frame);
  void close(int code);  // a close frame; the connection ends once the server answers it
  void drop();           // ends the connection without a close frame

  // Runs the connection until `done` holds (checked after every event) or `deadline` passes.
  void run_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline);

  std::deque<Frame>& inbox() { return inbox_; }  // frames received and not yet taken, oldest first
  bool ended() const { return ended_; }
  int close_code() const { return close_code_; }  // of the server's close frame; 0 when none came

 private:
  boost::asio::io_context io_;
  PeerSocket socket_;
  std::deque<Frame> inbox_;
  bool ended_ = false;
  int close_code_ = 0;
};

}  // namespace sonoria::fakes
