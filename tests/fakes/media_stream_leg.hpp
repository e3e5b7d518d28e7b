#pragma once
// Twilio's side of one Media Streams WebSocket (protocols.md §3, checklist §3.10), driving a
// sonoria daemon: the upgrade with x-twilio-signature, `connected`, `start`, caller audio as
// 160-byte μ-law `media` frames on a virtual clock, `dtmf`, `stop`. Everything the daemon sends back
// is recorded and checked (text frames only, the right streamSid, valid base64 payloads, nothing
// before `start`, known events); `media` goes into a playback buffer that "plays" 8 bytes per ms of
// virtual time, `mark`s are echoed once the audio before them has played, and `clear` drops the
// buffer and echoes every pending mark at once.
//
// Virtual time advances only when the test sends caller audio (20 ms per frame) or calls advance():
// the caller "hears" the daemon's audio exactly as fast as it speaks. With realtime pacing each
// frame is also spaced 20 ms apart in wall time.
//
// Threads: the socket runs on an internal thread. Public members are thread-safe; the sending
// members return once their frames are queued and the clock has moved.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sonoria::fakes {

struct MediaStreamSetup {
  std::string connect_url;          // ws://127.0.0.1:<port>/twilio/media: where to connect
  std::string signature;            // x-twilio-signature value; empty = header omitted
  std::string account_sid;
  std::string call_sid;
  std::string stream_sid;           // "MZ…"
  std::vector<std::pair<std::string, std::string>> custom_parameters;  // start.customParameters
  bool realtime_pacing = false;     // space caller frames 20 ms apart in wall time
  std::chrono::milliseconds timeout{5000};  // connect + handshake, and hang_up's wait for the close
};

struct StreamOpen {
  bool ok = false;
  int http_status = 0;              // 101 on success; the refusal's status otherwise (0: no answer)
  std::string error;
};

// One message the daemon sent on the stream.
struct StreamMessage {
  std::string text;
  bool binary = false;
  nlohmann::json json;              // null when the text is not JSON
  std::int64_t virtual_ms = 0;      // caller clock when it arrived
};

class MediaStreamLeg {
 public:
  MediaStreamLeg();
  ~MediaStreamLeg();
  MediaStreamLeg(const MediaStreamLeg&) = delete;
  MediaStreamLeg& operator=(const MediaStreamLeg&) = delete;

  // Connects, upgrades, and sends `connected` and `start`. Only once per leg.
  StreamOpen open(const MediaStreamSetup& setup);

  // Caller audio, in 160-byte frames (a short last frame is padded with μ-law silence).
  void send_audio(std::string_view mulaw);
  void send_silence(int ms);
  void speak(int ms);               // a tone: "speech" for VAD purposes
  void advance(int ms);             // let playback run without sending caller audio
  void dtmf(char digit);
  void hang_up();                   // `stop`, then a normal close; waits for the close to finish
  void drop();                      // abrupt TCP close without `stop`
  // Sends `text` as one text frame as it is (any size, any content), or `bytes` straight to the
  // TCP connection (a caller's side that breaks the WebSocket protocol).
  void send_text(std::string text);
  void send_raw(std::string bytes);

  bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const;

  std::vector<StreamMessage> received() const;
  std::vector<std::string> violations() const;
  std::string heard() const;        // daemon audio actually played, in order
  std::size_t buffered_bytes() const;  // daemon audio waiting to be played
  std::size_t cleared_bytes() const;   // daemon audio dropped by `clear`
  std::int64_t virtual_ms() const;
  std::vector<std::string> marks_echoed() const;
  int clears() const;
  int frames_sent() const;
  bool closed() const;              // the socket is gone (either side)
  int close_code() const;           // the daemon's close code; 0 if it just dropped or never closed
  std::string close_reason() const; // the reason in the daemon's close frame
  bool open() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
