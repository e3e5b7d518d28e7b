#include "tests/fakes/media_stream_leg.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/url/parse.hpp>

#include <atomic>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "core/twilio/base64.hpp"
#include "tests/fakes/audio_samples.hpp"
#include "tests/fakes/notifier.hpp"
#include "tests/fakes/peer_transport.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

constexpr std::size_t k_frame_bytes = 160;  // 20 ms of μ-law, what Twilio sends per media message
constexpr int k_frame_ms = 20;

// One entry of the playback buffer: audio bytes, or a mark placed after the audio before it.
struct Playback {
  std::string audio;
  std::string mark;
  bool is_mark = false;
};

}  // namespace

struct MediaStreamLeg::Impl {
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  PeerSocket socket;
  std::thread thread;
  MediaStreamSetup setup;
  std::atomic<bool> started{false};  // open() succeeded and the I/O thread runs

  // I/O thread only.
  bool closing = false;
  std::int64_t sequence = 0;
  std::int64_t chunk = 0;
  std::int64_t tone_samples = 0;

  // Shared with the test thread.
  mutable std::mutex mutex;
  Notifier notifier;
  std::vector<StreamMessage> received;
  std::vector<std::string> violations;
  std::deque<Playback> playback;
  std::size_t playback_offset = 0;  // bytes of playback.front().audio already played
  std::string heard;
  std::size_t buffered = 0;
  std::size_t cleared = 0;
  std::int64_t virtual_ms = 0;
  std::vector<std::string> marks_echoed;
  int clears = 0;
  int frames_sent = 0;
  bool start_written = false;
  bool closed = false;
  int close_code = 0;
  std::string close_reason;

  // Runs `action` on the I/O thread and waits for it; nothing happens if the leg never opened.
  template <class Action>
  void on_io(Action action) {
    if (!started) return;
    std::promise<void> done;
    auto finished = done.get_future();
    asio::post(ioc, [&] {
      action();
      done.set_value();
    });
    finished.wait();
    notifier.notify();
  }

  // ---- writing (I/O thread) ------------------------------------------------------------------

  void enqueue(std::string text, std::function<void()> written = {}) {
    if (closing || closed) return;
    socket.send(std::move(text), PeerFrame::text, std::move(written));
  }

  json numbered(json message) {
    message["sequenceNumber"] = std::to_string(++sequence);
    message["streamSid"] = setup.stream_sid;
    return message;
  }

  // ---- the playback buffer (I/O thread, mutex held) ------------------------------------------

  void echo_mark(const std::string& name) {
    marks_echoed.push_back(name);
    enqueue(numbered({{"event", "mark"}, {"mark", {{"name", name}}}}).dump());
  }

  // Marks with no unplayed audio before them are echoed at once.
  void echo_leading_marks() {
    while (!playback.empty() && playback.front().is_mark) {
      echo_mark(playback.front().mark);
      playback.pop_front();
    }
  }

  void play(std::size_t bytes) {
    echo_leading_marks();
    while (bytes > 0 && !playback.empty()) {
      Playback& front = playback.front();
      const std::size_t take = std::min(bytes, front.audio.size() - playback_offset);
      heard.append(front.audio, playback_offset, take);
      playback_offset += take;
      buffered -= take;
      bytes -= take;
      if (playback_offset == front.audio.size()) {
        playback.pop_front();
        playback_offset = 0;
        echo_leading_marks();
      }
    }
  }

  void clear_playback() {
    ++clears;
    for (std::size_t i = 0; i < playback.size(); ++i) {
      const Playback& entry = playback[i];
      if (entry.is_mark) echo_mark(entry.mark);
      else cleared += entry.audio.size() - (i == 0 ? playback_offset : 0);
    }
    playback.clear();
    playback_offset = 0;
    buffered = 0;
  }

  // ---- caller frames (I/O thread) -------------------------------------------------------------

  void send_frame(std::string_view frame) {
    if (closing || closed) return;
    std::lock_guard lock(mutex);
    ++chunk;
    json media = {{"event", "media"},
                  {"media",
                   {{"track", "inbound"},
                    {"chunk", std::to_string(chunk)},
                    {"timestamp", std::to_string(virtual_ms)},
                    {"payload", twilio::base64_encode(frame)}}}};
    enqueue(numbered(std::move(media)).dump());
    ++frames_sent;
    virtual_ms += k_frame_ms;
    play(k_frame_bytes);
  }

  // ---- reading (I/O thread) -------------------------------------------------------------------

  void on_message(std::string text, PeerFrame frame) {
    {
      std::lock_guard lock(mutex);
      take_message(std::move(text), frame == PeerFrame::binary);
    }
    notifier.notify();
  }

  void flag(std::size_t index, const std::string& problem) {
    violations.push_back("message " + std::to_string(index + 1) + ": " + problem);
  }

  // Records, checks and acts on one message from the daemon (mutex held).
  void take_message(std::string text, bool binary) {
    const std::size_t index = received.size();
    StreamMessage message{std::move(text), binary, json(nullptr), virtual_ms};
    if (!binary) {
      json parsed = json::parse(message.text, nullptr, false);
      if (!parsed.is_discarded()) message.json = std::move(parsed);
    }
    received.push_back(message);
    if (binary) return flag(index, "binary frame (Twilio accepts only JSON text frames; warning 31950)");
    const json& j = message.json;
    if (!j.is_object()) return flag(index, "not a JSON object: " + message.text.substr(0, 80));
    if (!start_written) return flag(index, "sent before Twilio's `start`");
    if (!j.contains("event") || !j["event"].is_string()) return flag(index, "no \"event\" string");
    const std::string event = j["event"];
    if (!j.contains("streamSid")) return flag(index, "`" + event + "` without streamSid");
    if (j["streamSid"] != setup.stream_sid) {
      return flag(index, "`" + event + "` with streamSid " + j["streamSid"].dump() + ", expected " + setup.stream_sid);
    }
    if (event == "media") {
      if (!j.contains("media") || !j["media"].is_object() || !j["media"].contains("payload") ||
          !j["media"]["payload"].is_string()) {
        return flag(index, "`media` without media.payload string");
      }
      auto audio = twilio::base64_decode(j["media"]["payload"].get<std::string>());
      if (!audio) return flag(index, "`media` payload is not valid base64");
      buffered += audio->size();
      playback.push_back({std::move(*audio), {}, false});
    } else if (event == "mark") {
      if (!j.contains("mark") || !j["mark"].is_object() || !j["mark"].contains("name") || !j["mark"]["name"].is_string()) {
        return flag(index, "`mark` without mark.name string");
      }
      playback.push_back({{}, j["mark"]["name"].get<std::string>(), true});
      echo_leading_marks();
    } else if (event == "clear") {
      clear_playback();
    } else {
      flag(index, "unknown event `" + event + "` (Twilio accepts media, mark, clear)");
    }
  }

  // `code` and `reason`: of the daemon's close frame; 0 and "" when none came.
  void on_closed(int code, std::string reason) {
    {
      std::lock_guard lock(mutex);
      if (closed) return;
      closed = true;
      close_code = code;
      close_reason = std::move(reason);
    }
    notifier.notify();
  }
};

MediaStreamLeg::MediaStreamLeg() : impl_(std::make_unique<Impl>()) {}

MediaStreamLeg::~MediaStreamLeg() {
  if (impl_->started) {
    impl_->on_io([this] { impl_->socket.drop(); });
    impl_->work.reset();
    impl_->ioc.stop();
    impl_->thread.join();
  }
}

StreamOpen MediaStreamLeg::open(const MediaStreamSetup& setup) {
  StreamOpen result;
  Impl& impl = *impl_;
  if (impl.started) {
    result.error = "the stream was already opened";
    return result;
  }
  impl.setup = setup;
  auto url = boost::urls::parse_uri(setup.connect_url);
  if (!url || url->scheme() != "ws" || url->host().empty()) {
    result.error = "not a ws:// URL: " + setup.connect_url + " (the fake connects without TLS)";
    return result;
  }
  PeerDial dial;
  dial.host = url->host();
  dial.port = url->has_port() ? std::string(url->port()) : "80";
  dial.host_header = dial.host + ":" + dial.port;
  dial.target = url->encoded_path().empty() ? "/" : std::string(url->encoded_path());
  if (url->has_query()) dial.target += "?" + std::string(url->encoded_query());
  dial.headers = {{"User-Agent", "Twilio.TmeWs/1.0"}};
  if (!setup.signature.empty()) dial.headers.emplace_back("x-twilio-signature", setup.signature);
  dial.timeout = setup.timeout;
  dial.max_message = 4 * 1024 * 1024;
  PeerEvents events;
  events.message = [&impl](std::string text, PeerFrame frame) { impl.on_message(std::move(text), frame); };
  events.closed = [&impl](int code, std::string reason) { impl.on_closed(code, std::move(reason)); };
  PeerDialResult dialed = dial_peer_socket(impl.ioc, dial, std::move(events));
  result.http_status = dialed.status;
  if (!dialed.error.empty()) {
    result.error = dialed.timed_out ? "timed out opening the stream" : dialed.error;
    if (dialed.refused) {
      result.error = "upgrade refused with HTTP " + std::to_string(result.http_status);
    } else if (result.http_status == 101) {
      result.http_status = 0;
    }
    return result;
  }
  impl.socket = dialed.socket;
  result.ok = true;

  json parameters = json::object();
  for (const auto& [name, value] : setup.custom_parameters) parameters[name] = value;
  impl.enqueue(json{{"event", "connected"}, {"protocol", "Call"}, {"version", "1.0.0"}}.dump());
  json start = {{"event", "start"},
                {"start",
                 {{"accountSid", setup.account_sid},
                  {"streamSid", setup.stream_sid},
                  {"callSid", setup.call_sid},
                  {"tracks", json::array({"inbound"})},
                  {"customParameters", parameters},
                  {"mediaFormat", {{"encoding", "audio/x-mulaw"}, {"sampleRate", 8000}, {"channels", 1}}}}}};
  impl.enqueue(impl.numbered(std::move(start)).dump(), [&impl] {
    std::lock_guard lock(impl.mutex);
    impl.start_written = true;
  });
  impl.work.emplace(impl.ioc.get_executor());
  impl.started = true;
  impl.thread = std::thread([&impl] { impl.ioc.run(); });
  return result;
}

void MediaStreamLeg::send_audio(std::string_view mulaw) {
  std::vector<std::string> frames;
  for (std::size_t at = 0; at < mulaw.size(); at += k_frame_bytes) {
    std::string frame(mulaw.substr(at, k_frame_bytes));
    frame.resize(k_frame_bytes, static_cast<char>(k_ulaw_silence));
    frames.push_back(std::move(frame));
  }
  if (!impl_->setup.realtime_pacing) {
    impl_->on_io([&] {
      for (const auto& frame : frames) impl_->send_frame(frame);
    });
    return;
  }
  const auto begin = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < frames.size(); ++i) {
    impl_->on_io([&] { impl_->send_frame(frames[i]); });
    std::this_thread::sleep_until(begin + std::chrono::milliseconds(k_frame_ms) * static_cast<int>(i + 1));
  }
}

void MediaStreamLeg::send_silence(int ms) { send_audio(ulaw_silence(ms)); }

void MediaStreamLeg::speak(int ms) {
  std::int64_t first = 0;
  {
    std::lock_guard lock(impl_->mutex);
    first = impl_->tone_samples;
    impl_->tone_samples += static_cast<std::int64_t>(ms) * 8;
  }
  send_audio(ulaw_tone(ms, first));
}

void MediaStreamLeg::advance(int ms) {
  if (ms <= 0) return;
  impl_->on_io([&] {
    std::lock_guard lock(impl_->mutex);
    impl_->virtual_ms += ms;
    impl_->play(static_cast<std::size_t>(ms) * k_ulaw_bytes_per_ms);
  });
  if (impl_->setup.realtime_pacing) std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

void MediaStreamLeg::dtmf(char digit) {
  impl_->on_io([&] {
    std::lock_guard lock(impl_->mutex);
    json message = {{"event", "dtmf"}, {"dtmf", {{"track", "inbound_track"}, {"digit", std::string(1, digit)}}}};
    impl_->enqueue(impl_->numbered(std::move(message)).dump());
  });
}

void MediaStreamLeg::hang_up() {
  impl_->on_io([this] {
    Impl& impl = *impl_;
    if (impl.closing || impl.closed) return;
    impl.enqueue(impl.numbered({{"event", "stop"},
                                {"stop", {{"accountSid", impl.setup.account_sid}, {"callSid", impl.setup.call_sid}}}})
                     .dump());
    impl.closing = true;
    impl.socket.close(k_close_normal);
  });
  if (!wait_for([this] { return closed(); }, impl_->setup.timeout)) drop();
}

void MediaStreamLeg::send_text(std::string text) {
  impl_->on_io([&] { impl_->socket.send(std::move(text)); });
}

void MediaStreamLeg::send_raw(std::string bytes) {
  impl_->on_io([&] { impl_->socket.send(std::move(bytes), PeerFrame::raw); });
}

void MediaStreamLeg::drop() {
  impl_->on_io([this] { impl_->socket.drop(); });
}

bool MediaStreamLeg::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for(predicate, timeout);
}

std::vector<StreamMessage> MediaStreamLeg::received() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

std::vector<std::string> MediaStreamLeg::violations() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->violations;
}

std::string MediaStreamLeg::heard() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->heard;
}

std::size_t MediaStreamLeg::buffered_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->buffered;
}

std::size_t MediaStreamLeg::cleared_bytes() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->cleared;
}

std::int64_t MediaStreamLeg::virtual_ms() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->virtual_ms;
}

std::vector<std::string> MediaStreamLeg::marks_echoed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->marks_echoed;
}

int MediaStreamLeg::clears() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->clears;
}

int MediaStreamLeg::frames_sent() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->frames_sent;
}

bool MediaStreamLeg::closed() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->closed;
}

int MediaStreamLeg::close_code() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->close_code;
}

std::string MediaStreamLeg::close_reason() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->close_reason;
}

bool MediaStreamLeg::open() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->started && !impl_->closed;
}

}  // namespace sonoria::fakes
