#include "daemon/engine_link.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>

#include "core/db/engine_times.hpp"
#include "core/net/http_client.hpp"
#include "core/net/ws_client.hpp"
#include "daemon/local_engine_runner.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

// Every attempt gets at least this long, even when the budget is nearly spent.
constexpr std::chrono::milliseconds k_min_attempt{1000};

}  // namespace

std::shared_ptr<EngineLink> EngineLink::create(Services& services, boost::asio::any_io_executor strand,
                                               Options options, Owner& owner) {
  return std::shared_ptr<EngineLink>(new EngineLink(services, std::move(strand), std::move(options), owner));
}

EngineLink::EngineLink(Services& services, boost::asio::any_io_executor strand, Options options, Owner& owner)
    : s_(services), strand_(std::move(strand)), options_(std::move(options)), owner_(owner) {}

EngineLink::~EngineLink() = default;

std::string EngineLink::engine_name() const { return std::string(engine::to_string(provider())); }

// Every engine of the call shares one connect budget while the phone rings or the line waits:
// each attempt gets its share of what is left.
std::chrono::milliseconds EngineLink::attempt_timeout() const {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
  const auto engines_left = static_cast<long>(options_.engines.size() - index_);
  return std::max(left / engines_left, k_min_attempt);
}

void EngineLink::connect() {
  if (closed_) return;
  if (deadline_ <= Clock::now()) deadline_ = Clock::now() + s_.settings.engine.connect_timeout;
  const auto timeout = attempt_timeout();
  const int attempt = ++attempt_;
  if (auto missing = engine::missing_settings(provider(), s_.settings); !missing.empty()) {
    // Nothing to connect with (no key): the next engine, as for a refusal, but not from inside
    // the caller's own call.
    boost::asio::post(strand_, [weak = weak_from_this(), attempt, missing] {
      auto self = weak.lock();
      if (self && !self->closed_ && attempt == self->attempt_) self->connect_failed(missing);
    });
    return;
  }
  auto session = this->session(provider());
  if (provider() == engine::Provider::local) return open_local(std::move(session));
  auto create = engine::create_request(provider(), session, s_.settings, owner_.engine_history());
  if (!create) return open_socket(session, {}, timeout);

  // The session is created over REST first (Ultravox); the socket then joins it.
  if (!http_) http_ = net::HttpClient::create(strand_);
  const auto started = Clock::now();
  net::HttpRequest request{create->method, create->url, create->headers, create->body};
  std::weak_ptr<EngineLink> weak = weak_from_this();
  http_->request(std::move(request), timeout,
                 [weak, attempt, timeout, started, session = std::move(session)](net::HttpResponse response) {
                   auto self = weak.lock();
                   if (!self || self->closed_ || attempt != self->attempt_) return;
                   if (!response.ok()) return self->connect_failed(response.error_text);
                   auto created = engine::parse_create_response(self->provider(), response.status, response.body);
                   if (created.audio_refused) {
                     if (auto wider = engine::wider_audio(self->provider(), session.pcm)) {
                       self->widen_audio(*wider, created.error);
                       return self->connect();  // at once, within what is left of the budget
                     }
                   }
                   if (!created.ok()) return self->connect_failed(created.error);
                   const auto spent = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
                   self->open_socket(session, created.url, std::max(timeout - spent, k_min_attempt));
                 });
}

void EngineLink::reconnect() {
  went_down();
  drop_connection();
  deadline_ = {};
  connect();
}

void EngineLink::open_socket(const engine::SessionConfig& session, std::string_view created_url,
                             std::chrono::milliseconds timeout) {
  auto request = engine::connect_request(provider(), session, s_.settings, created_url);
  const engine::Adapter& adapter = owner_.engine_adapter();
  net::WsClientOptions options;
  options.limits.max_queued_bytes = 1 << 20;
  // Caller audio waiting for the engine: what queued behind a write goes out as one message, and
  // at most calls.caller_audio_queue of it waits (older audio is dropped, oldest first: stale).
  options.limits.max_droppable_audio = s_.settings.calls.caller_audio_queue;
  const engine::AudioMerger merge = adapter.audio_merger();
  options.coalesce = [merge](std::string& into, const std::vector<std::string_view>& next) { return merge(into, next); };
  if (ws_) ws_->close();
  ws_ = net::WsClient::create(strand_, options);
  std::weak_ptr<EngineLink> weak = weak_from_this();
  // Callbacks of a socket this link has since replaced are ignored. (Told apart by number, not
  // address: a new client may be allocated where a closed one was.)
  const int socket = ++sockets_;
  auto current = [weak, socket]() -> std::shared_ptr<EngineLink> {
    auto self = weak.lock();
    return self && !self->closed_ && self->ws_ && self->sockets_ == socket ? self : nullptr;
  };
  ws_->on_message([current](std::string_view text) {
    if (auto self = current()) self->owner_.engine_message(text, false);
  });
  ws_->on_binary([current](std::string_view data) {
    if (auto self = current()) self->owner_.engine_message(data, true);
  });
  ws_->on_close([current](int code, std::string reason) {
    auto self = current();
    if (!self) return;
    self->went_down();
    log_warn("engine.closed", self->options_.call_sid, "engine connection closed",
             {{"engine", self->engine_name()}, {"code", code}, {"reason", reason}});
    self->owner_.engine_closed(reason);
  });
  const auto started = Clock::now();
  ws_->connect(request.url, request.headers, timeout, [current, started](std::error_code ec, std::string error) {
    auto self = current();
    if (!self) return;
    if (ec) return self->connect_failed(error);
    self->open_ = true;
    self->opened_at_ = Clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(self->opened_at_ - started).count();
    log_debug("engine.connected", self->options_.call_sid, "",
              {{"engine", self->engine_name()}, {"connect_ms", ms}});
    self->owner_.engine_open();
  });
}

void EngineLink::drop_connection() {
  if (ws_) ws_->close();
  ws_.reset();
  if (local_) local_->close();
  local_.reset();
  local_dropped_seen_ = 0;
}

// The local engine runs in-process (daemon/local_engine_runner.hpp): "connecting" makes it on a
// worker thread, and its messages arrive as a socket's would.
void EngineLink::open_local(engine::SessionConfig session) {
  drop_connection();
  std::weak_ptr<EngineLink> weak = weak_from_this();
  const int socket = ++sockets_;
  auto current = [weak, socket]() -> std::shared_ptr<EngineLink> {
    auto self = weak.lock();
    return self && !self->closed_ && self->local_ && self->sockets_ == socket ? self : nullptr;
  };
  LocalEngineConnection::Handlers handlers;
  handlers.message = [current](const std::string& text) {
    if (auto self = current()) self->owner_.engine_message(text, false);
  };
  const auto started = Clock::now();
  handlers.opened = [current, started](const std::string& error) {
    auto self = current();
    if (!self) return;
    if (!error.empty()) {
      self->local_.reset();
      return self->connect_failed(error);
    }
    self->open_ = true;
    self->opened_at_ = Clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(self->opened_at_ - started).count();
    log_debug("engine.connected", self->options_.call_sid, "", {{"engine", "local"}, {"connect_ms", ms}});
    self->owner_.engine_open();
  };
  local_ = LocalEngineConnection::open(s_.local_engines, strand_, std::move(session), s_.settings.calls.caller_audio_queue,
                                       std::move(handlers));
}

engine::SessionConfig EngineLink::session(engine::Provider provider) {
  auto session = options_.session_for(provider);
  auto known = pcm_.find(provider);
  if (known == pcm_.end()) known = pcm_.emplace(provider, s_.engine_facts.pcm(provider)).first;
  session.pcm = known->second;
  return session;
}

// The engine refused the audio format: ask for the wider one, and let later calls ask for it at
// once. The adapter is made again to speak it.
void EngineLink::widen_audio(engine::PcmRates wider, const std::string& refusal) {
  pcm_[provider()] = wider;
  if (s_.engine_facts.learn_pcm(provider(), wider))
    log_warn("engine.audio_widened", options_.call_sid,
             "the engine refused 8 kHz audio; this and later calls resample to its rates",
             {{"engine", engine_name()},
              {"input_hz", wider.input},
              {"output_hz", wider.output},
              {"refusal", refusal}});
  owner_.engine_session_changed();
}

// Refused, unreachable, timed out: the next engine in the assistant's list takes over, if any.
void EngineLink::connect_failed(const std::string& error) {
  s_.metrics.engine_errors++;
  log_error("engine.connect_failed", options_.call_sid, error, {{"engine", engine_name()}});
  if (index_ + 1 >= options_.engines.size()) return owner_.engines_exhausted(error);
  switch_to_next("connect_failed", error);
}

bool EngineLink::next(const std::string& why, const std::string& kind) {
  if (closed_ || index_ + 1 >= options_.engines.size()) return false;
  s_.metrics.engine_errors++;
  // This engine is done with at once (nothing more from it reaches the owner); the switch itself
  // waits for the strand, since the owner's adapter may be the one telling us.
  went_down();
  drop_connection();
  const int attempt = ++attempt_;
  boost::asio::post(strand_, [weak = weak_from_this(), attempt, why, kind] {
    auto self = weak.lock();
    if (self && !self->closed_ && attempt == self->attempt_) self->switch_to_next(kind, why);
  });
  return true;
}

void EngineLink::switch_to_next(const std::string& reason, const std::string& detail) {
  const engine::Provider from = provider();
  ++index_;
  const std::string from_name(engine::to_string(from));
  s_.metrics.count_failover(from_name, engine_name(), reason);
  log_warn("engine.failover", options_.call_sid, detail,
           {{"from", from_name}, {"to", engine_name()}, {"reason", reason}});
  owner_.engine_switched(from, provider(), reason, detail);
  connect();
}

bool EngineLink::send(engine::Frame frame) {
  if (local_ && open_) {
    // Its drops happen on the worker: counted as they are seen from here.
    const auto dropped = local_->dropped_messages() - local_dropped_seen_;
    local_dropped_seen_ += dropped;
    s_.metrics.dropped_frames += dropped;
    dropped_frames_ += dropped;
    return local_->send(std::move(frame));
  }
  if (!ws_ || !open_) return false;
  const auto mode = frame.droppable ? net::SendMode::droppable : net::SendMode::keep;
  const auto dropped_before = ws_->dropped_messages();
  const bool queued = frame.binary ? ws_->send_binary(std::move(frame.data), mode, frame.audio)
                                   : ws_->send_text(std::move(frame.data), mode, frame.audio);
  auto dropped = ws_->dropped_messages() - dropped_before;
  if (!queued && mode == net::SendMode::keep && dropped > 0) {
    --dropped;  // a refused control event is not a frame
    log_warn("engine.queue_full", options_.call_sid, "an event for the engine was dropped: its queue is full");
  }
  s_.metrics.dropped_frames += dropped;
  dropped_frames_ += dropped;
  return queued;
}

void EngineLink::pause_reading() {
  if (ws_) ws_->pause_reading();
}

void EngineLink::resume_reading() {
  if (ws_) ws_->resume_reading();
}

void EngineLink::close() {
  went_down();
  closed_ = true;
  drop_connection();
}

void EngineLink::went_down() {
  if (!open_) return;
  open_ = false;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened_at_).count();
  db::add_engine_times(served_, {{engine_name(), ms}});
}

std::vector<db::EngineTime> EngineLink::served() const {
  auto out = served_;
  if (open_) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - opened_at_).count();
    db::add_engine_times(out, {{engine_name(), ms}});
  }
  return out;
}

}  // namespace sonoria::daemon
