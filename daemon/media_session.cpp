#include "daemon/media_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <algorithm>
#include <functional>
#include <utility>

#include "core/audio/call_mix.hpp"
#include "core/audio/recording_file.hpp"
#include "core/call/bridge.hpp"
#include "core/call/call_outcome.hpp"
#include "core/call/call_record.hpp"
#include "core/call/session_setup.hpp"
#include "core/call/stages.hpp"
#include "core/engine/providers.hpp"
#include "core/twilio/base64.hpp"
#include "daemon/call_actions.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/engine_link.hpp"
#include "daemon/finished_call.hpp"
#include "daemon/local_engine_runner.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"
#include "daemon/recording_files.hpp"
#include "daemon/twilio_leg.hpp"
#include "daemon/twiml_replies.hpp"
#include "daemon/ws_connection.hpp"

namespace sonoria::daemon {

namespace {
using Clock = std::chrono::steady_clock;
constexpr auto k_tick = std::chrono::milliseconds(250);

// What a phone call would do next, told to the browser of a test call as the stream's close
// reason (at most 123 bytes, RFC 6455 §5.5).
std::string test_call_close_reason(const call::Disposition& d) {
  std::string out;
  if (const auto* t = std::get_if<call::Transfer>(&d)) out = "transfer to " + t->number;
  else if (const auto* f = std::get_if<call::Fallback>(&d)) out = "fallback: " + f->reason;
  else out = "call ended";
  return out.substr(0, 123);
}
}  // namespace

class MediaSession::Impl : public std::enable_shared_from_this<Impl>, public call::ActionSink, public EngineLink::Owner {
 public:
  Impl(Services& s, Params p)
      : s_(s),
        p_(std::move(p)),
        strand_(boost::asio::make_strand(s.io)),
        tick_(strand_),
        stream_timer_(strand_),
        start_(Clock::now()),
        record_(p_.call_sid),
        twilio_(s.metrics, s.settings.calls.assistant_audio_queue) {
    if (p_.comeback) {
      const auto& e = p_.comeback->earlier;
      record_ = call::CallRecord(p_.call_sid, e.record, e.next_sequence, e.turns,
                                 (db::now_ms() - e.call_started_at).count());
    }
    s_.metrics.active_calls++;
  }

  void start_ringing() {
    boost::asio::dispatch(strand_, [self = shared_from_this()] { self->guard("start", [&] { self->do_start(); }); });
  }

  void attach_twilio(std::shared_ptr<WsConnection> ws, const twilio::Start& start) {
    // On the Twilio strand: learn when its queue drains, to resume a paused engine.
    std::weak_ptr<Impl> weak = shared_from_this();
    twilio_.watch_drain(*ws, [weak] {
      if (auto self = weak.lock()) boost::asio::post(self->strand_, [self] { self->resume_engine(); });
    });
    boost::asio::post(strand_, [self = shared_from_this(), ws, stream_sid = start.stream_sid] {
      self->do_attach(ws, stream_sid);
    });
  }

  void twilio_message(std::string_view text) {
    auto message = twilio_.read(text, p_.call_sid);
    if (!message) return;
    if (auto* media = std::get_if<twilio::Media>(&*message)) {
      boost::asio::post(strand_, [self = shared_from_this(), ts = media->timestamp_ms, payload = std::string(media->payload)] {
        self->guard("media", [&] { self->bridge_->on_twilio_media(Clock::now(), ts, payload); });
        self->record_caller(ts, payload);
      });
      return;
    }
    boost::asio::post(strand_, [self = shared_from_this(), m = std::move(*message)]() mutable { self->on_twilio(std::move(m)); });
  }

  void twilio_closed(int code, std::string reason) {
    boost::asio::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)] {
      self->twilio_.detach();
      if (self->finished_) return;
      // Twilio says `stop` when the call ends; a socket closing without one (or abnormally), when
      // sonoria did not close it, was lost.
      self->end_.stream_broke = !self->end_.disposition && (!self->stop_received_ || (code != 1000 && code != 1005));
      if (self->end_.stream_broke) {
        // What ended it goes into the call's record: a message too large (1009), a frame that broke
        // the WebSocket protocol (1002, 1007), or the connection lost (1006).
        const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - self->start_).count();
        self->record_event({call::CallEventKind::error, offset,
                            {{"code", "stream_closed"}, {"close_code", code},
                             {"message", "the media stream closed without Twilio's stop: " + std::to_string(code) +
                                             (reason.empty() ? "" : " " + reason)}}});
      }
      self->guard("twilio_closed", [&] { self->bridge_->on_twilio_stop(Clock::now()); });
      self->finalize(self->end_.stream_broke ? "stream closed (" + std::to_string(code) + " " + reason + ")" : "");
    });
  }

  void connect_ended() {
    boost::asio::post(strand_, [self = shared_from_this()] {
      if (self->finished_ || self->end_.stream_started) return;
      // Twilio gave up on the stream (it never started) and is running the fallback it gets from
      // the connect action: never hang this call up by REST now.
      self->end_.connect_ended_first = true;
      self->end_.disposition = call::Fallback{"the media stream did not start"};
      self->finalize("the media stream did not start");
    });
  }

  void hand_off() {
    boost::asio::post(strand_, [me = shared_from_this()] {
      if (me->finished_ || me->handing_off_ || !me->actions_) return;
      me->handing_off_ = true;
      const auto& fallbacks = me->p_.profile->fallback_numbers;
      const std::string number = fallbacks.empty() ? std::string() : fallbacks.front().number;
      const std::string business = me->p_.direction == "outbound" ? me->p_.from : me->p_.to;
      std::weak_ptr<Impl> weak = me;
      me->actions_->hand_off(handoff_twiml(me->p_.profile.get(), business, true), [weak, number](bool ok) {
        auto self = weak.lock();
        if (!self || self->finished_) return;
        self->end_.shutdown = true;
        if (ok) {
          // Twilio runs the new TwiML and ends the stream itself; no <Connect action> follows.
          self->end_.handed_off = true;
          self->end_.disposition = number.empty() ? call::Disposition{call::Hangup{}} : call::Transfer{number};
          self->action_expected_ = false;
          self->twilio_.close(1000, "handed to the fallback");
          self->finalize("handed to the fallback at the drain deadline");
          return;
        }
        // No REST (or Twilio would not take it): close the stream with the decision; the
        // <Connect action> that follows dials the fallback while the daemon is still listening.
        if (!self->twilio_.attached()) return self->finalize("daemon shutting down");
        self->end_.handed_off = true;
        self->end_.disposition =
            number.empty() ? call::Disposition{call::Fallback{"the daemon is shutting down"}} : call::Transfer{number};
        self->s_.calls.decided(self->p_.call_sid, *self->end_.disposition);
        self->twilio_.close(1000, self->p_.test_by.empty() ? "handed to the fallback"
                                                           : test_call_close_reason(*self->end_.disposition));
        self->finalize("handed to the fallback at the drain deadline");
      });
    });
  }

  void terminate() {
    boost::asio::post(strand_, [self = shared_from_this()] {
      if (self->finished_) return;
      self->end_.shutdown = true;
      self->twilio_.close(1001, "shutting down");
      self->finalize("daemon shutting down");
    });
  }

  const std::string& call_sid() const { return p_.call_sid; }
  const Params& params() const { return p_; }

 private:
  // ---- setup ----
  void do_start() {
    start_recording();
    const bool outbound = p_.direction == "outbound";
    actions_ = CallActions::create(s_, strand_, p_.call_sid, p_.profile,
                                   {outbound ? p_.to : p_.from, outbound ? p_.from : p_.to}, !p_.comeback,
                                   !p_.test_by.empty());
    call::CallCircumstances circumstances;
    circumstances.outbound = outbound;
    circumstances.now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    circumstances.tool_names = actions_->tools().names();
    circumstances.session_tools = actions_->tools().session_tools();
    circumstances.local_problem = s_.local_engines.problem();
    if (p_.comeback) {
      circumstances.comeback_dial_status = p_.comeback->dial_status;
      circumstances.earlier_turns = record_.said();
    }
    if (p_.call_start) {
      circumstances.caller_facts = p_.call_start->variables;
      circumstances.greeting = p_.call_start->greeting;
    }
    call::CallSetup setup = call::setup_call(*p_.profile, s_.settings, circumstances);
    session_ = share(std::move(setup.session));
    engines_ = std::move(setup.engines);
    setup.bridge.hold_clip = s_.hold_clip;
    // A call flow, unless the caller is back from a transfer nobody answered: the assistant then
    // only takes a message, whatever stage the call was in.
    if (!p_.profile->stages.empty() && !p_.comeback) {
      staged_ = true;
      stage_ = p_.profile->start_stage();
      if (p_.call_start && !p_.call_start->stage.empty())
        if (auto asked = call::find_stage(p_.profile->stages, p_.call_start->stage)) stage_ = *asked;
      setup.bridge.stages = std::shared_ptr<const std::vector<org::Stage>>(p_.profile, &p_.profile->stages);
      setup.bridge.start_stage = stage_;
    }
    if (!setup.prompt_problem.empty()) log_error("call.prompt_failed", p_.call_sid, setup.prompt_problem);
    EngineLink::Options link;
    link.call_sid = p_.call_sid;
    link.engines = engines_;
    link.session_for = [this](engine::Provider provider) {
      auto session = call::session_for(provider, *session_, engines_, *p_.profile, s_.settings);
      if (provider == engine::Provider::local) session.profile = p_.profile;
      if (!staged_) return session;
      return call::stage_session(std::move(session), provider, provider == engines_.front(), p_.profile->stages,
                                 stage_, handoff_);
    };
    engine_ = EngineLink::create(s_, strand_, std::move(link), *this);
    bridge_ = std::make_unique<call::CallBridge>(std::move(setup.bridge), make_adapter(engine_->provider()), *this, start_);
    engine_->connect();
    schedule_tick();
    stream_timer_.expires_after(s_.settings.calls.stream_timeout);
    stream_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->end_.stream_started || self->finished_) return;
      log_warn("call.stream_timeout", self->p_.call_sid, "no media stream arrived; closing the engine session");
      // Safety net: whatever Twilio is doing with this call, it must not stay up without us.
      self->actions_->hang_up("no media stream arrived");
      self->finalize("no media stream arrived");
    });
  }

  // The call's session, shared with the calls that have the same (the prompt and the tools' schemas
  // are most of a call's memory otherwise).
  std::shared_ptr<const engine::SessionConfig> share(engine::SessionConfig session) {
    std::size_t hash = std::hash<std::string>{}(session.instructions);
    hash ^= std::hash<std::string>{}(session.tools.dump()) + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
    return s_.engine_sessions.intern(hash, std::move(session));
  }

  std::unique_ptr<engine::Adapter> make_adapter(engine::Provider provider) {
    return engine::make_adapter(provider, engine_->session(provider), s_.settings, *this, &s_.engine_texts);
  }

  // ---- EngineLink::Owner: the engine leg, on the strand ----
  void engine_open() override { guard("engine_open", [&] { bridge_->on_engine_open(Clock::now()); }); }

  void engine_message(std::string_view data, bool binary) override { on_engine_message(data, binary); }

  void engine_closed(const std::string& reason) override {
    guard("engine_closed", [&] { bridge_->on_engine_closed(Clock::now(), reason); });
  }

  void engine_switched(engine::Provider from, engine::Provider to, const std::string& reason,
                       const std::string& detail) override {
    const auto offset = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    post_record(record_.event({call::CallEventKind::engine_failover,
                               offset,
                               {{"from", std::string(engine::to_string(from))},
                                {"to", std::string(engine::to_string(to))},
                                {"reason", reason},
                                {"detail", detail}}},
                              db::now_ms()));
    bridge_->replace_engine(make_adapter(to));
  }

  void engines_exhausted(const std::string& error) override {
    guard("engine_connect", [&] { bridge_->on_engine_closed(Clock::now(), error); });
  }

  std::vector<engine::HistoryLine> engine_history() override { return bridge_->history(); }

  const engine::Adapter& engine_adapter() override { return bridge_->engine(); }

  void engine_session_changed() override { bridge_->replace_engine(make_adapter(engine_->provider())); }

  void on_engine_message(std::string_view data, bool binary) {
    if (finished_) return;
    guard("engine_message", [&] {
      const auto before = bridge_->malformed_engine_messages();
      bridge_->on_engine_message(Clock::now(), data, binary);
      if (bridge_->malformed_engine_messages() == before) return;
      s_.metrics.malformed_messages++;
      // A peer gone wrong may send thousands: the first few are logged, then every hundredth.
      const auto count = bridge_->malformed_engine_messages();
      if (count <= 3 || count % 100 == 0)
        log_warn("engine.malformed", p_.call_sid, "malformed engine message dropped", {{"count", count}});
    });
  }

  void do_attach(std::shared_ptr<WsConnection> ws, const std::string& stream_sid) {
    if (finished_) {
      boost::asio::dispatch(ws->executor(), [ws] { ws->close(1000, "call already ended"); });
      return;
    }
    twilio_.attach(std::move(ws), stream_sid);
    end_.stream_started = true;
    stream_timer_.cancel();
    if (!p_.comeback) s_.writer.post(db::CallAnswered{p_.call_sid, stream_sid, db::now_ms()});
    log_info("call.stream_started", p_.call_sid, "", {{"stream_sid", stream_sid}});
    guard("twilio_start", [&] { bridge_->on_twilio_start(Clock::now(), stream_sid); });
  }

  void on_twilio(twilio::InboundMessage message) {
    if (finished_) return;
    auto now = Clock::now();
    guard("twilio", [&] {
      std::visit(
          [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, twilio::Mark>) bridge_->on_twilio_mark(now, m.name);
            else if constexpr (std::is_same_v<T, twilio::Dtmf>) bridge_->on_twilio_dtmf(now, m.digit);
            else if constexpr (std::is_same_v<T, twilio::Stop>) {
              stop_received_ = true;
              bridge_->on_twilio_stop(now);
            }
            else if constexpr (std::is_same_v<T, twilio::TypedText>) {
              // `sonoria chat`: typed turns are for test calls only; Twilio never sends them.
              if (!p_.test_by.empty()) bridge_->on_caller_text(now, m.text);
              else log_warn("stream.typed_text_refused", p_.call_sid, "typed text on a call that is not a test call: ignored");
            }
            else if constexpr (std::is_same_v<T, twilio::Unknown>) log_debug("stream.unknown_event", p_.call_sid, m.event);
          },
          message);
    });
  }

  void schedule_tick() {
    tick_.expires_after(k_tick);
    tick_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->finished_) return;
      self->guard("tick", [&] { self->bridge_->on_tick(Clock::now()); });
      if (!self->finished_) self->schedule_tick();
    });
  }

  // Errors never escape a session: a throw from the bridge or a sink ends this call with the
  // fallback, and only this call.
  template <typename F>
  void guard(const char* where, F&& f) {
    if (finished_ && std::string_view(where) != "twilio_closed") return;
    try {
      f();
    } catch (const std::exception& e) {
      log_error("call.internal_error", p_.call_sid, e.what(), {{"where", where}});
      end_.internal_error = true;
      if (!end_.disposition) end_.disposition = call::Fallback{std::string("internal error: ") + e.what()};
      twilio_.close(1000, "internal error");
      finalize(std::string("internal error in ") + where);
    }
  }

  // ---- ActionSink: what the bridge (and its engine adapter) asks for, on the strand ----
  void send_engine(engine::Frame frame) override {
    if (engine_) engine_->send(std::move(frame));
  }

  // Each write reports whether the caller's queue is over its high mark: stop reading the engine
  // until it drains (TwilioLeg::watch_drain), so a slow caller leg never buffers without bound.
  void congested(bool over) {
    if (over && !engine_paused_ && engine_) {
      engine_->pause_reading();
      engine_paused_ = true;
    }
  }

  void resume_engine() {
    if (engine_paused_ && engine_) {
      engine_->resume_reading();
      engine_paused_ = false;
    }
  }

  void send_twilio_media(std::string_view payload_b64) override {
    if (recording_ && twilio_.attached())
      if (auto ulaw = twilio::base64_decode(payload_b64)) recording_->mix.assistant(*ulaw);
    congested(twilio_.send_media(payload_b64));
  }
  void send_twilio_mark(std::string_view name) override { congested(twilio_.send_mark(name)); }
  void send_twilio_clear() override {
    if (recording_) recording_->mix.clear();
    congested(twilio_.send_clear());
  }

  void run_tool(const call::ToolRequest& request) override {
    std::weak_ptr<Impl> weak = shared_from_this();
    actions_->run(
        request,
        [weak](const std::string& call_id, const tools::ToolOutcome& outcome) {
          auto self = weak.lock();
          if (!self || self->finished_) return;
          self->guard("tool_result", [&] { self->bridge_->on_tool_result(Clock::now(), call_id, outcome); });
        },
        [weak](const std::string& words) {
          auto self = weak.lock();
          if (!self || self->finished_) return;
          self->guard("tool_filler", [&] { self->bridge_->on_tool_slow(Clock::now(), words); });
        });
  }

  void end_stream(const call::EndStream& end) override {
    end_.disposition = end.disposition;
    log_info("call.ending", p_.call_sid, "", {{"reason", std::string(call::to_string(end.reason))}});
    // Publish the decision before the socket closes: the <Connect action> asks for it next.
    s_.calls.decided(p_.call_sid, end.disposition);
    if (twilio_.attached()) {
      twilio_.close(1000, p_.test_by.empty() ? "call ended" : test_call_close_reason(end.disposition));
      return;
    }
    // No stream to close (it dropped, or never came): the <Connect action> will not be asked, so
    // act on the call by REST.
    if (auto* transfer = std::get_if<call::Transfer>(&end.disposition)) actions_->transfer(transfer->number);
    else if (std::holds_alternative<call::Hangup>(end.disposition)) actions_->hang_up("assistant ended the call");
    finalize("");
  }

  void engine_lost(const call::EngineLost& lost) override {
    const std::string engine(engine::to_string(engine_->provider()));
    log_warn("engine.lost", p_.call_sid, lost.reason,
             {{"engine", engine},
              {"attempt", lost.attempt},
              {"session_expired", lost.session_expired ? "true" : "false"}});
    // The bridge has recorded the loss (an engine_lost event); a reconnect to the same engine is
    // counted as a failover from it to itself.
    s_.metrics.count_failover(engine, engine, lost.session_expired ? "session_limit" : "lost");
    // The same engine again with a fresh budget; on failure the next one takes over.
    engine_->reconnect();
  }

  void engine_rollover(std::string_view reason) override {
    const std::string engine(engine::to_string(engine_->provider()));
    const bool stage = reason == "stage";
    log_info("engine.rollover", p_.call_sid,
             stage ? "a fresh engine session for the call's new stage" : "a fresh engine session before the engine's limit",
             {{"engine", engine}});
    s_.metrics.count_failover(engine, engine, stage ? "stage" : "rollover");
    engine_->reconnect();
  }

  engine::SessionConfig enter_stage(const call::StageEntered& entered) override {
    stage_ = entered.index;
    handoff_ = entered.handoff;
    log_info("call.stage", p_.call_sid, "", {{"stage", entered.name}});
    return engine_->session(engine_->provider());
  }

  bool try_next_engine(std::string_view reason, std::string_view kind) override {
    return engine_ && engine_->next(std::string(reason), std::string(kind));
  }

  void record_turn(const call::TranscriptTurn& turn) override {
    // A test call's client sees the conversation as it is recorded (`sonoria chat` prints it).
    if (!p_.test_by.empty())
      twilio_.send_to_test_client(nlohmann::json{{"event", "sonoria_transcript"},
                                  {"speaker", call::to_string(turn.speaker)},
                                  {"text", turn.text_heard},
                                  {"interrupted", turn.interrupted}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    post_record(record_.turn(turn));
  }

  void record_event(const call::CallEvent& event) override {
    if (!p_.test_by.empty() &&
        (event.kind == call::CallEventKind::tool_call || event.kind == call::CallEventKind::tool_result ||
         event.kind == call::CallEventKind::engine_failover))
      twilio_.send_to_test_client(nlohmann::json{{"event", "sonoria_call_event"}, {"kind", call::to_string(event.kind)}, {"detail", event.detail}}
                       .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    post_record(record_.event(event, db::now_ms()));
  }

  void post_record(db::Record record) { post_call_record(s_, p_.call_sid, std::move(record)); }

  // ---- end ----
  // ---- the recording (assistant.record_calls): mixed here, written by RecordingFiles ----
  struct Recording {
    audio::CallMix mix;
    std::string path;     // relative to the recordings directory
    std::string pending;  // mixed, not yet handed to the writer
    bool dropped = false;
  };

  void start_recording() {
    if (!p_.profile->assistant.record_calls || p_.comeback) return;
    const std::string day = db::format_timestamp(p_.started_at).substr(0, 10);
    auto path = audio::recording_relative_path(p_.profile->organization.slug, day, p_.call_sid);
    if (path.empty()) {
      log_warn("recording.no_name", p_.call_sid, "the call cannot be recorded under this name");
      return;
    }
    recording_ = std::make_unique<Recording>();
    recording_->path = std::move(path);
  }

  void record_caller(int64_t at_ms, std::string_view payload_b64) {
    if (!recording_ || finished_) return;
    auto ulaw = twilio::base64_decode(payload_b64);
    if (!ulaw) return;
    recording_->mix.caller(at_ms, *ulaw);
    recording_->mix.take_ready(recording_->pending);
    if (recording_->pending.size() >= 8000) flush_recording();  // a second at a time
  }

  void flush_recording() {
    if (!s_.recordings.append(recording_->path, std::move(recording_->pending)) && !recording_->dropped) {
      recording_->dropped = true;
      log_warn("recording.behind", p_.call_sid, "the recording writer is behind; part of this call's recording is lost");
    }
    recording_->pending.clear();
  }

  void finish_recording() {
    if (!recording_) return;
    recording_->mix.take_rest(recording_->pending);
    flush_recording();
    auto& writer = s_.writer;
    s_.recordings.finish(recording_->path, [&writer, sid = p_.call_sid, path = recording_->path](
                                               std::uint64_t samples, const std::string& error) {
      if (!error.empty() || samples == 0) return;
      writer.post(db::CallRecorded{sid, path, static_cast<int64_t>(samples / 8)});
    });
    recording_.reset();
  }

  void finalize(const std::string& problem) {
    if (finished_) return;
    finished_ = true;
    finish_recording();
    tick_.cancel();
    stream_timer_.cancel();
    if (engine_) engine_->close();
    const call::CallSummary summary = bridge_ ? bridge_->summary() : call::CallSummary{};
    // Twilio asks for the <Connect action> when the daemon ended the stream with a decision.
    const bool action_expected = action_expected_ && end_.disposition && !end_.connect_ended_first;
    end_.reason = summary.end_reason;
    const call::Outcome outcome = call::decide_outcome(end_);
    // The caller hung up: whatever Twilio asks next, the call is over.
    if (!end_.disposition && outcome.end_reason == "caller_hung_up") end_.disposition = call::Hangup{};
    const auto duration = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    const auto served = engine_ ? engine_->served() : std::vector<db::EngineTime>{};
    db::CallFinished row = record_.finished(summary, outcome, db::now_ms(), duration, served);
    // What the sockets' full queues dropped, beside what the bridge did not relay.
    if (const auto n = twilio_.dropped()) row.drops["assistant_caller_queue_full"] += static_cast<int64_t>(n);
    if (engine_)
      if (const auto n = engine_->dropped_frames()) row.drops["caller_engine_queue_full"] += static_cast<int64_t>(n);
    const CallParties parties{p_.from, p_.to, p_.direction, p_.started_at};
    publish_finished_call(s_, {p_.call_sid, parties, record_, summary, row,
                               /*store=*/!record_.is_later_stage() || end_.stream_started,
                               /*may_come_back=*/!p_.comeback, end_.disposition, problem, action_expected});
  }

  Services& s_;
  Params p_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer stream_timer_;
  Clock::time_point start_;
  call::CallRecord record_;
  std::vector<engine::Provider> engines_;  // the assistant's, in order
  std::shared_ptr<const engine::SessionConfig> session_;
  bool staged_ = false;                    // the call follows the profile's stages
  std::size_t stage_ = 0;                  // the current one
  std::string handoff_;                    // what the stage before it passed on
  std::shared_ptr<CallActions> actions_;
  std::unique_ptr<call::CallBridge> bridge_;
  std::shared_ptr<EngineLink> engine_;
  bool engine_paused_ = false;
  TwilioLeg twilio_;
  bool stop_received_ = false;
  bool finished_ = false;
  bool handing_off_ = false;
  // Twilio will ask for the <Connect action> after this stream (the daemon's drain waits for it):
  // not when the caller hung up, or when the call's TwiML was replaced by REST.
  bool action_expected_ = true;
  call::EndFacts end_;  // what is known about how the call ends, gathered as it happens
  std::unique_ptr<Recording> recording_;  // set while the call is being recorded
};

std::shared_ptr<MediaSession> MediaSession::create(Services& services, Params params) {
  return std::shared_ptr<MediaSession>(new MediaSession(std::make_shared<Impl>(services, std::move(params))));
}

MediaSession::MediaSession(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
MediaSession::~MediaSession() = default;

void MediaSession::start_ringing() { impl_->start_ringing(); }
void MediaSession::attach_twilio(std::shared_ptr<WsConnection> ws, const twilio::Start& start) {
  impl_->attach_twilio(std::move(ws), start);
}
void MediaSession::twilio_message(std::string_view text) { impl_->twilio_message(text); }
void MediaSession::twilio_closed(int code, std::string reason) { impl_->twilio_closed(code, std::move(reason)); }
void MediaSession::connect_ended() { impl_->connect_ended(); }
void MediaSession::hand_off() { impl_->hand_off(); }
void MediaSession::terminate() { impl_->terminate(); }
const std::string& MediaSession::call_sid() const { return impl_->call_sid(); }
const MediaSession::Params& MediaSession::params() const { return impl_->params(); }

}  // namespace sonoria::daemon
