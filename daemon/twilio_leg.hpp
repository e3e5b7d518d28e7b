#pragma once
// The caller's leg of one call, as the session sees it: the Twilio Media Streams WebSocket once it
// has attached. It writes what the bridge says to the caller (media, marks, clear) and tells the
// session when the caller's queue is too full to take more engine audio, so the session can stop
// reading the engine until Twilio has caught up (backpressure end to end, no unbounded buffer).
//
// Threading: the leg lives on the session's strand; the socket has its own (its executor()), and
// every write and close is dispatched there. read() and watch_drain() run on the socket's strand.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/twilio/media_message.hpp"

namespace sonoria::daemon {

class WsConnection;
class Metrics;

class TwilioLeg {
 public:
  // With more than `high_water` of audio queued for the caller (calls.assistant_audio_queue) the
  // engine is paused; it resumes once a quarter of that is left. Bounded in time, not bytes: how
  // long the caller would wait behind it is what matters.
  TwilioLeg(Metrics& metrics, std::chrono::milliseconds high_water)
      : metrics_(metrics), high_water_(high_water), low_water_(high_water / 4) {}

  // On the socket's strand: one message from Twilio, parsed and counted; nothing (after a debug
  // line and a count) when it is malformed, which never ends the call.
  std::optional<twilio::InboundMessage> read(std::string_view text, const std::string& call_sid);

  // On the socket's strand, before attach(): `drained` is called (there) each time the queue
  // falls to the low mark.
  void watch_drain(WsConnection& ws, std::function<void()> drained) const;

  void attach(std::shared_ptr<WsConnection> ws, std::string stream_sid);
  // The socket closed: nothing more can be sent.
  void detach();
  // Messages for the caller that a full queue refused, over the call (any thread).
  std::uint64_t dropped() const;
  bool attached() const { return ws_ != nullptr; }

  // Each returns true while the caller's queue is above the high mark.
  bool send_media(std::string_view payload_b64);
  bool send_mark(std::string_view name);
  bool send_clear();
  // A message of sonoria's own for a test call's client (`sonoria chat`: the transcript, tool
  // calls); Twilio never gets one.
  void send_to_test_client(std::string message) { send(std::move(message)); }

  // Sends what is queued, then the close frame. Safe when nothing is attached.
  void close(int code, std::string reason);

 private:
  bool send(std::string message, std::chrono::microseconds audio = {});

  Metrics& metrics_;
  const std::chrono::microseconds high_water_;
  const std::chrono::microseconds low_water_;
  std::shared_ptr<WsConnection> ws_;
  std::string stream_sid_;
  std::uint64_t dropped_before_ = 0;  // by sockets detached since
};

}  // namespace sonoria::daemon
