#include "daemon/media_session.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <map>

#include "core/call/bridge.hpp"
#include "core/call/caller_audio_merge.hpp"
#include "core/db/records.hpp"
#include "core/engine/openai_protocol.hpp"
#include "core/net/ws_client.hpp"
#include "core/prompt/system_prompt.hpp"
#include "core/tools/call_control.hpp"
#include "core/tools/messaging.hpp"
#include "core/twilio/rest_client.hpp"
#include "core/tools/registry.hpp"
#include "daemon/admission.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"
#include "daemon/twiml_replies.hpp"
#include "daemon/ws_connection.hpp"

namespace sonoria::daemon {

namespace {
using Clock = std::chrono::steady_clock;
// Above this many bytes queued for the caller, stop reading engine audio; resume below the low mark.
constexpr size_t k_twilio_high_water = 512 * 1024;
constexpr size_t k_twilio_low_water = 128 * 1024;
constexpr auto k_tick = std::chrono::milliseconds(250);
// A tool running longer than this gets a spoken filler, so the caller never hears dead air.
constexpr auto k_tool_filler_after = std::chrono::milliseconds(1500);
// Tool REST calls must answer the engine within a few seconds (protocols.md §4.6).
constexpr auto k_tool_rest_deadline = std::chrono::seconds(6);
}  // namespace

class MediaSession::Impl : public std::enable_shared_from_this<Impl>, public call::ActionSink {
 public:
  Impl(Services& s, Params p)
      : s_(s), p_(std::move(p)), strand_(boost::asio::make_strand(s.io)), tick_(strand_), stream_timer_(strand_),
        start_(Clock::now()) {
    // A comeback has nobody left to transfer to: transfer_call then tells the model to take a message.
    tools::add_call_control_tools(tools_, p_.comeback ? std::vector<org::FallbackNumber>{} : p_.profile->fallback_numbers);
    if (p_.comeback) {
      sequence_base_ = p_.comeback->earlier.next_sequence;
      next_sequence_ = sequence_base_;
      offset_base_ms_ = (db::now_ms() - p_.comeback->earlier.call_started_at).count();
      // The earlier stage's turns sort before this stage's own (keyed by sequence from the base up).
      int64_t key = -static_cast<int64_t>(p_.comeback->earlier.turns.size());
      for (const auto& turn : p_.comeback->earlier.turns) turns_.emplace(key++, turn);
    }
    try {
      twilio::RestClientOptions rest_options;
      rest_options.deadline = k_tool_rest_deadline;
      rest_ = twilio::RestClient::create(strand_, twilio::rest_account_from(s_.settings.twilio), rest_options);
    } catch (const std::exception& e) {
      // Without REST credentials the call still works; it just cannot text or act on the call by REST.
      log_debug("call.no_rest", p_.call_sid, e.what());
    }
    const bool outbound = p_.direction == "outbound";
    parties_ = {outbound ? p_.to : p_.from, outbound ? p_.from : p_.to};
    if (rest_) tools::add_messaging_tools(tools_, *p_.profile, parties_);
    s_.metrics.active_calls++;
  }

  ~Impl() override = default;

  void start_ringing() {
    boost::asio::dispatch(strand_, [self = shared_from_this()] { self->do_start(); });
  }

  void attach_twilio(std::shared_ptr<WsConnection> ws, const twilio::Start& start) {
    // On the Twilio strand: learn when its queue drains, to resume a paused engine.
    std::weak_ptr<Impl> weak = shared_from_this();
    ws->on_write_done([weak](size_t queued) {
      if (queued > k_twilio_low_water) return;
      if (auto self = weak.lock()) boost::asio::post(self->strand_, [self] { self->resume_engine(); });
    });
    boost::asio::post(strand_, [self = shared_from_this(), ws, stream_sid = start.stream_sid] {
      self->do_attach(ws, stream_sid);
    });
  }

  void twilio_message(std::string_view text) {
    auto message = twilio::parse_media_message(text);
    if (!message) {
      s_.metrics.malformed_messages++;
      log_debug("stream.malformed", p_.call_sid, "malformed Twilio message dropped");
      return;
    }
    if (auto* media = std::get_if<twilio::Media>(&*message)) {
      s_.metrics.frames_to_engine++;
      boost::asio::post(strand_, [self = shared_from_this(), ts = media->timestamp_ms, payload = std::string(media->payload)] {
        self->guard("media", [&] { self->bridge_->on_twilio_media(Clock::now(), ts, payload); });
      });
      return;
    }
    boost::asio::post(strand_, [self = shared_from_this(), m = std::move(*message)]() mutable { self->on_twilio(std::move(m)); });
  }

  void twilio_closed(int code, std::string reason) {
    boost::asio::post(strand_, [self = shared_from_this(), code, reason = std::move(reason)] {
      self->twilio_ = nullptr;
      if (self->finished_) return;
      self->guard("twilio_closed", [&] { self->bridge_->on_twilio_stop(Clock::now()); });
      self->finalize(code == 1000 || code == 1005 ? "" : "stream closed (" + std::to_string(code) + " " + reason + ")");
    });
  }

  void terminate() {
    boost::asio::post(strand_, [self = shared_from_this()] {
      if (self->finished_) return;
      self->terminated_ = true;
      if (auto ws = self->twilio_) boost::asio::dispatch(ws->executor(), [ws] { ws->close(1001, "shutting down"); });
      self->finalize("daemon shutting down");
    });
  }

  const std::string& call_sid() const { return p_.call_sid; }

 private:
  // ---- setup ----
  void do_start() {
    const auto& settings = s_.settings;
    call::BridgeConfig config;
    auto protocol = engine::parse_openai_protocol(settings.engine.protocol);
    config.protocol = protocol.value_or(engine::OpenAiProtocol::ga);
    const auto& a = p_.profile->assistant;
    prompt::PromptOptions options;
    options.outbound = p_.direction == "outbound";
    options.tools = tools_.names();
    auto now_s = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    try {
      config.session.instructions = prompt::build_system_prompt(*p_.profile, now_s, options);
    } catch (const std::exception& e) {
      log_error("call.prompt_failed", p_.call_sid, e.what());
    }
    config.session.model = a.model.empty() ? settings.engine.model : a.model;
    config.session.voice = a.voice;
    config.session.language = a.language;
    config.session.transcription_model = settings.engine.transcription_model;
    config.session.temperature = a.temperature;
    config.session.vad_threshold = a.vad.threshold;
    config.session.prefix_padding_ms = a.vad.prefix_padding_ms;
    config.session.silence_duration_ms = a.vad.silence_duration_ms;
    config.session.tools = tools_.session_tools();
    config.greeting = a.greeting;
    config.greeting_instruction = prompt::greeting_instruction(*p_.profile, options.outbound);
    config.transfer_digit = a.transfer_digit.empty() ? settings.calls.transfer_digit
                            : a.transfer_digit == "off"  ? std::string()
                                                         : a.transfer_digit;
    if (!p_.profile->fallback_numbers.empty()) config.transfer_number = p_.profile->fallback_numbers.front().number;
    if (p_.comeback) {
      std::vector<std::pair<std::string, std::string>> earlier;
      for (const auto& [seq, turn] : turns_) earlier.push_back(turn);
      config.session.instructions += prompt::after_unanswered_transfer(*p_.profile, p_.comeback->dial_status, earlier);
      config.greeting.clear();
      config.greeting_instruction = prompt::after_unanswered_transfer_greeting(*p_.profile);
      config.transfer_digit.clear();
      config.transfer_number.clear();
    }
    config.max_duration = settings.calls.max_duration;
    config.silence_timeout = settings.calls.silence_timeout;
    config.engine_ready_timeout = settings.engine.connect_timeout + std::chrono::seconds(5);
    bridge_ = std::make_unique<call::CallBridge>(std::move(config), *this, start_);

    connect_engine();
    schedule_tick();
    stream_timer_.expires_after(settings.calls.stream_timeout);
    stream_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (ec || self->twilio_attached_ || self->finished_) return;
      log_warn("call.stream_timeout", self->p_.call_sid, "no media stream arrived; closing the engine session");
      // Safety net: whatever Twilio is doing with this call, it must not stay up without us.
      self->complete_by_rest("no media stream arrived");
      self->finalize("no media stream arrived");
    });
  }

  void connect_engine() {
    const auto& e = s_.settings.engine;
    auto request = engine::openai_connect_request(e.url, e.model, e.api_key,
                                                  engine::parse_openai_protocol(e.protocol).value_or(engine::OpenAiProtocol::ga));
    net::WsClientOptions options;
    options.limits.max_queued_bytes = 1 << 20;
    // Caller audio waiting for the engine: what queued behind a write goes out as one append (up
    // to 1 s), and no more than about 1.2 s of it waits behind that (beyond, the oldest is dropped:
    // the engine hearing the caller seconds late is worse than missing a moment).
    options.limits.max_droppable_bytes = 16 * 1024;
    options.coalesce = [](std::string& into, const std::vector<std::string_view>& next) {
      return call::merge_audio_appends(into, next);
    };
    auto client = net::WsClient::create(strand_, options);
    engine_ = client;
    std::weak_ptr<Impl> weak = shared_from_this();
    client->on_message([weak](std::string_view text) {
      if (auto self = weak.lock()) self->on_engine_message(text);
    });
    client->on_close([weak, client_ptr = client.get()](int code, std::string reason) {
      auto self = weak.lock();
      if (!self || self->engine_.get() != client_ptr || self->finished_) return;
      self->engine_open_ = false;
      log_warn("engine.closed", self->p_.call_sid, "engine connection closed",
               {{"code", std::to_string(code)}, {"reason", reason}});
      self->guard("engine_closed", [&] { self->bridge_->on_engine_closed(Clock::now(), reason); });
    });
    auto started = Clock::now();
    client->connect(request.url, request.headers, e.connect_timeout,
                    [weak, client_ptr = client.get(), started](std::error_code ec, std::string error_text) {
                      auto self = weak.lock();
                      if (!self || self->engine_.get() != client_ptr || self->finished_) return;
                      if (ec) {
                        self->s_.metrics.engine_errors++;
                        log_error("engine.connect_failed", self->p_.call_sid, error_text);
                        self->guard("engine_connect", [&] { self->bridge_->on_engine_closed(Clock::now(), error_text); });
                        return;
                      }
                      self->engine_open_ = true;
                      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
                      log_debug("engine.connected", self->p_.call_sid, "", {{"connect_ms", std::to_string(ms)}});
                      self->guard("engine_open", [&] { self->bridge_->on_engine_open(Clock::now()); });
                    });
  }

  void do_attach(std::shared_ptr<WsConnection> ws, const std::string& stream_sid) {
    if (finished_) {
      boost::asio::dispatch(ws->executor(), [ws] { ws->close(1000, "call already ended"); });
      return;
    }
    twilio_ = std::move(ws);
    twilio_attached_ = true;
    stream_timer_.cancel();
    if (!p_.comeback) s_.writer.post(db::CallAnswered{p_.call_sid, stream_sid, db::now_ms()});
    log_info("call.stream_started", p_.call_sid, "", {{"stream_sid", stream_sid}});
    guard("twilio_start", [&] { bridge_->on_twilio_start(Clock::now(), stream_sid); });
  }

  // ---- inputs ----
  void on_twilio(twilio::InboundMessage message) {
    if (finished_) return;
    auto now = Clock::now();
    guard("twilio", [&] {
      std::visit(
          [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, twilio::Mark>) bridge_->on_twilio_mark(now, m.name);
            else if constexpr (std::is_same_v<T, twilio::Dtmf>) bridge_->on_twilio_dtmf(now, m.digit);
            else if constexpr (std::is_same_v<T, twilio::Stop>) bridge_->on_twilio_stop(now);
            else if constexpr (std::is_same_v<T, twilio::Unknown>) log_debug("stream.unknown_event", p_.call_sid, m.event);
          },
          message);
    });
  }

  void on_engine_message(std::string_view text) {
    if (finished_) return;
    auto event = engine::parse_openai_event(text);
    if (!event) {
      s_.metrics.malformed_messages++;
      // A peer gone wrong may send thousands: the first few are logged, then every hundredth.
      if (++malformed_engine_events_ <= 3 || malformed_engine_events_ % 100 == 0)
        log_warn("engine.malformed", p_.call_sid, "malformed engine event dropped",
                 {{"count", std::to_string(malformed_engine_events_)}});
      return;
    }
    if (auto* error = std::get_if<engine::EngineError>(&*event)) {
      s_.metrics.engine_errors++;
      log_warn("engine.error", p_.call_sid, error->message, {{"code", error->code}, {"type", error->type}});
    }
    guard("engine_event", [&] { bridge_->on_engine_event(Clock::now(), *event); });
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
      if (!disposition_) disposition_ = call::Fallback{std::string("internal error: ") + e.what()};
      if (auto ws = twilio_) boost::asio::dispatch(ws->executor(), [ws] { ws->close(1000, "internal error"); });
      finalize(std::string("internal error in ") + where);
    }
  }

  // ---- ActionSink: what the bridge asks for (on the strand) ----
  void send_engine(std::string_view client_event) override {
    if (!engine_ || !engine_open_) return;
    // Caller audio may be dropped (oldest first) when the engine leg backs up; control events never.
    static constexpr std::string_view k_append = "{\"type\":\"input_audio_buffer.append\"";
    auto mode = client_event.substr(0, k_append.size()) == k_append ? net::SendMode::droppable : net::SendMode::keep;
    // Caller frames dropped: this one if it was refused, and older ones evicted to make room.
    const auto dropped_before = engine_->dropped_messages();
    const bool queued = engine_->send_text(std::string(client_event), mode);
    auto dropped = engine_->dropped_messages() - dropped_before;
    if (!queued && mode == net::SendMode::keep && dropped > 0) {
      --dropped;  // a refused control event is not a frame
      log_warn("engine.queue_full", p_.call_sid, "an event for the engine was dropped: its queue is full");
    }
    s_.metrics.dropped_frames += dropped;
  }

  void send_to_twilio(std::string message, net::SendMode mode = net::SendMode::keep) {
    auto ws = twilio_;
    if (!ws) return;
    boost::asio::dispatch(ws->executor(), [ws, message = std::move(message), mode]() mutable {
      ws->send_text(std::move(message), mode);
    });
    if (!engine_paused_ && ws->queued_bytes() > k_twilio_high_water && engine_) {
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
    std::string out;
    twilio::write_media(out, bridge_->stream_sid(), payload_b64);
    s_.metrics.frames_to_caller++;
    send_to_twilio(std::move(out));
  }

  void send_twilio_mark(std::string_view name) override {
    std::string out;
    twilio::write_mark(out, bridge_->stream_sid(), name);
    send_to_twilio(std::move(out));
  }

  void send_twilio_clear() override {
    std::string out;
    twilio::write_clear(out, bridge_->stream_sid());
    send_to_twilio(std::move(out));
  }

  void run_tool(const call::ToolRequest& request) override {
    auto outcome = tools_.run(request.name, request.arguments);
    log_info("call.tool", p_.call_sid, "", {{"tool", request.name}, {"ok", outcome.ok ? "true" : "false"}});
    if (auto* sms = std::get_if<tools::SendSms>(&outcome.effect)) return send_sms(request.call_id, outcome, *sms);
    // Call-control tools decide without I/O; the result goes back on a later turn of the strand.
    deliver_tool_result(request.call_id, std::move(outcome));
  }

  void deliver_tool_result(std::string call_id, tools::ToolOutcome outcome) {
    boost::asio::post(strand_, [self = shared_from_this(), call_id = std::move(call_id), outcome = std::move(outcome)] {
      if (self->finished_) return;
      self->guard("tool_result", [&] { self->bridge_->on_tool_result(Clock::now(), call_id, outcome); });
    });
  }

  // Texts through Twilio on this strand; the model hears the real outcome, and a filler meanwhile.
  void send_sms(const std::string& call_id, tools::ToolOutcome provisional, tools::SendSms sms) {
    auto filler = std::make_shared<boost::asio::steady_timer>(strand_, k_tool_filler_after);
    filler->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->finished_) return;
      self->guard("tool_filler", [&] { self->bridge_->on_tool_slow(Clock::now()); });
    });
    twilio::CreateMessage message;
    message.to = sms.to;
    message.from = parties_.business_number;
    message.body = sms.body;
    auto started = Clock::now();
    rest_->create_message(message, [self = shared_from_this(), call_id, provisional = std::move(provisional),
                                    sms = std::move(sms), filler, started](twilio::MessageResult result) {
      filler->cancel();
      db::MessageRecord record;
      record.organization_id = self->p_.profile->id;
      record.call_sid = self->p_.call_sid;
      record.purpose = sms.purpose;
      record.from_number = self->parties_.business_number;
      record.to_number = sms.to;
      record.body = sms.body;
      record.at = db::now_ms();
      std::optional<std::string> sid;
      std::string error;
      if (result.ok()) {
        sid = result.value->sid;
        record.message_sid = result.value->sid;
        record.status = result.value->status;
      } else {
        error = result.error->describe();
        record.status = "failed";
        record.error_code = result.error->code;
        record.error_message = error;
      }
      self->post_record(std::move(record));
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
      nlohmann::json detail = {{"purpose", sms.purpose}, {"to", sms.to}, {"ok", result.ok()},
                               {"attempts", result.attempts}, {"elapsed_ms", ms}};
      if (sid) detail["message_sid"] = *sid;
      if (!result.ok()) detail["error"] = error;
      self->record_event_as({call::CallEventKind::tool_result, 0, detail}, "sms");
      if (result.ok()) log_info("call.sms_sent", self->p_.call_sid, "", {{"purpose", sms.purpose}, {"sid", *sid}});
      else log_warn("call.sms_failed", self->p_.call_sid, error, {{"purpose", sms.purpose}});
      auto final_outcome = tools::finish_sms_outcome(provisional, sms, sid, error);
      self->tools_.settle(final_outcome);
      if (self->finished_) return;
      self->guard("tool_result", [&] { self->bridge_->on_tool_result(Clock::now(), call_id, final_outcome); });
    });
  }

  // Ends the call at Twilio (the stream is gone or never came). Already-ended calls count as done.
  void complete_by_rest(const std::string& why) {
    if (!rest_ || rest_requested_) return;
    rest_requested_ = true;
    twilio::UpdateCall update;
    update.status = "completed";
    rest_->update_call(p_.call_sid, update, [self = shared_from_this(), why](twilio::CallResult result) {
      self->record_rest_outcome("hangup_by_rest", why, result);
    });
  }

  // The stream is gone but the caller is still there: carry out the decision by REST.
  void transfer_by_rest(const std::string& number) {
    if (!rest_ || rest_requested_) return;
    rest_requested_ = true;
    twilio::UpdateCall update;
    update.twiml = after_stream_twiml(call::Disposition{call::Transfer{number}}, p_.profile.get(),
                                      s_.settings.server.public_url, p_.direction == "outbound" ? p_.from : p_.to);
    rest_->update_call(p_.call_sid, update, [self = shared_from_this(), number](twilio::CallResult result) {
      self->record_rest_outcome("transfer_by_rest", number, result);
    });
  }

  void record_rest_outcome(const std::string& what, const std::string& detail_text, const twilio::CallResult& result) {
    const bool done = result.ok() || (result.error && result.error->call_already_ended());
    db::CallEvent e;
    e.call_sid = p_.call_sid;
    e.at = db::now_ms();
    e.kind = what;
    e.name = detail_text;
    nlohmann::json detail = {{"ok", done}, {"attempts", result.attempts}};
    if (result.error) detail["error"] = result.error->describe();
    e.detail_json = detail.dump();
    post_record(std::move(e));
    if (done) log_info("call." + what, p_.call_sid, detail_text);
    else log_warn("call." + what + "_failed", p_.call_sid, result.error->describe());
  }

  void end_stream(const call::EndStream& end) override {
    disposition_ = end.disposition;
    log_info("call.ending", p_.call_sid, "", {{"reason", std::string(call::to_string(end.reason))}});
    // Publish the decision before the socket closes, so connect-done finds it.
    s_.calls.finished(p_.call_sid, disposition_);
    if (auto ws = twilio_) {
      boost::asio::dispatch(ws->executor(), [ws] { ws->close(1000, "call ended"); });
      return;
    }
    // No stream to close (it dropped, or never came): the <Connect action> will not be asked, so
    // act on the call by REST.
    if (auto* transfer = std::get_if<call::Transfer>(&end.disposition)) transfer_by_rest(transfer->number);
    else if (std::holds_alternative<call::Hangup>(end.disposition)) complete_by_rest("assistant ended the call");
    finalize("");
  }

  void engine_lost(const call::EngineLost& lost) override {
    log_warn("engine.lost", p_.call_sid, lost.reason,
             {{"attempt", std::to_string(lost.attempt)}, {"session_expired", lost.session_expired ? "true" : "false"}});
    if (engine_) engine_->close();
    engine_open_ = false;
    connect_engine();
  }

  void record_turn(const call::TranscriptTurn& turn) override {
    db::TranscriptEntry entry;
    entry.call_sid = p_.call_sid;
    entry.sequence = turn.seq + sequence_base_;
    entry.offset_ms = turn.offset_ms + offset_base_ms_;
    next_sequence_ = std::max(next_sequence_, entry.sequence + 1);
    entry.speaker = std::string(call::to_string(turn.speaker));
    entry.text = turn.text_heard;
    if (turn.text_generated != turn.text_heard) entry.generated_text = turn.text_generated;
    entry.interrupted = turn.interrupted;
    entry.item_id = turn.item_id;
    turns_[entry.sequence] = {entry.speaker, entry.text};
    post_record(std::move(entry));
  }

  void record_event(const call::CallEvent& event) override { record_event_as(event, {}); }

  void record_event_as(const call::CallEvent& event, const std::string& kind_override) {
    db::CallEvent e;
    e.call_sid = p_.call_sid;
    e.at = db::now_ms();
    e.offset_ms = event.offset_ms;
    if (e.offset_ms) *e.offset_ms += offset_base_ms_;
    e.kind = kind_override.empty() ? std::string(call::to_string(event.kind)) : kind_override;
    if (event.detail.is_object() && event.detail.contains("name") && event.detail["name"].is_string())
      e.name = event.detail["name"].get<std::string>();
    e.detail_json = event.detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    post_record(std::move(e));
  }

  void post_record(db::Record record) {
    if (!s_.writer.post(std::move(record))) {
      s_.metrics.db_records_dropped++;
      log_error("db.queue_full", p_.call_sid, "a call record was dropped: the database writer is behind");
    }
  }

  // ---- end ----
  void finalize(const std::string& problem) {
    if (finished_) return;
    finished_ = true;
    tick_.cancel();
    stream_timer_.cancel();
    if (engine_) engine_->close();
    const auto& summary = bridge_ ? bridge_->summary() : call::CallSummary{};
    db::CallFinished f;
    f.call_sid = p_.call_sid;
    f.ended_at = db::now_ms();
    f.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
    std::string reason(call::to_string(summary.end_reason));
    if (terminated_) {
      f.status = "interrupted";
      reason = "shutdown";
    } else if (!twilio_attached_) {
      f.status = "failed";
      if (summary.end_reason == call::EndReason::none) reason = "stream_timeout";
    } else if (disposition_ && std::holds_alternative<call::Fallback>(*disposition_)) {
      f.status = "failed";
    } else if (disposition_ && std::holds_alternative<call::Transfer>(*disposition_)) {
      f.status = "transferred";
    } else {
      f.status = "completed";
    }
    if (summary.end_reason == call::EndReason::none && !terminated_ && twilio_attached_)
      reason = problem.empty() ? "caller_hung_up" : "stream_lost";
    f.end_reason = reason;
    f.turns = summary.caller_turns + summary.assistant_turns;
    f.interruptions = summary.interruptions;
    f.tool_calls = summary.tool_calls;
    f.frames_in = summary.frames_in;
    f.frames_out = summary.frames_out;
    f.usage = db::Usage{summary.usage.input_tokens, summary.usage.output_tokens, summary.usage.input_audio_tokens,
                        summary.usage.output_audio_tokens, summary.usage.cached_tokens};
    f.greeting_latency_ms = summary.greeting_heard_ms ? summary.greeting_heard_ms : summary.greeting_sent_ms;
    f.turn_latencies_ms = summary.turn_latencies_ms;
    if (p_.comeback) merge_earlier_stage(f);
    // A comeback whose stream never came (the caller hung up during the transfer) leaves the
    // earlier stage's record as it was.
    if (!p_.comeback || twilio_attached_) post_record(f);
    // Only a transfer can come back (a comeback cannot transfer again): what the next stage needs
    // is kept for those calls alone, not the transcript of every call for the registry's 15 minutes.
    if (!p_.comeback && disposition_ && std::holds_alternative<call::Transfer>(*disposition_)) {
      std::vector<std::pair<std::string, std::string>> said;
      for (const auto& [seq, turn] : turns_) said.push_back(turn);
      s_.calls.record_stage(p_.call_sid, StageRecord{f, next_sequence_, p_.started_at, std::move(said), false, p_.from,
                                                     p_.to, p_.direction});
    }

    for (auto ms : summary.turn_latencies_ms) s_.metrics.turn_latency.observe(static_cast<double>(ms));
    if (f.greeting_latency_ms) s_.metrics.greeting_latency.observe(static_cast<double>(*f.greeting_latency_ms));
    s_.metrics.dropped_frames += static_cast<uint64_t>(summary.frames_dropped);
    s_.metrics.count_call_outcome(f.status);
    s_.metrics.active_calls--;
    s_.admission.release();
    s_.calls.finished(p_.call_sid, disposition_);
    log_info("call.finished", p_.call_sid, problem,
             {{"status", f.status},
              {"reason", f.end_reason},
              {"duration_ms", std::to_string(f.duration_ms)},
              {"turns", std::to_string(f.turns)},
              {"interruptions", std::to_string(f.interruptions)}});
  }

  // This stage's counters are added to the earlier stage's; the call's duration and offsets run
  // from the first stage's start.
  void merge_earlier_stage(db::CallFinished& f) const {
    const auto& e = p_.comeback->earlier.record;
    f.duration_ms += offset_base_ms_;
    f.turns += e.turns;
    f.interruptions += e.interruptions;
    f.tool_calls += e.tool_calls;
    f.frames_in += e.frames_in;
    f.frames_out += e.frames_out;
    f.usage.input_tokens += e.usage.input_tokens;
    f.usage.output_tokens += e.usage.output_tokens;
    f.usage.input_audio_tokens += e.usage.input_audio_tokens;
    f.usage.output_audio_tokens += e.usage.output_audio_tokens;
    f.usage.cached_tokens += e.usage.cached_tokens;
    f.greeting_latency_ms = e.greeting_latency_ms;
    f.turn_latencies_ms.insert(f.turn_latencies_ms.begin(), e.turn_latencies_ms.begin(), e.turn_latencies_ms.end());
    f.reopened = true;
  }

  Services& s_;
  Params p_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::steady_timer tick_;
  boost::asio::steady_timer stream_timer_;
  Clock::time_point start_;
  tools::Registry tools_;
  tools::CallParties parties_;
  std::shared_ptr<twilio::RestClient> rest_;   // null when no Twilio credentials are configured
  bool rest_requested_ = false;                // a hang-up or transfer by REST was sent
  std::unique_ptr<call::CallBridge> bridge_;
  std::shared_ptr<net::WsClient> engine_;
  bool engine_open_ = false;
  bool engine_paused_ = false;
  std::shared_ptr<WsConnection> twilio_;
  bool twilio_attached_ = false;
  bool finished_ = false;
  bool terminated_ = false;
  std::optional<call::Disposition> disposition_;
  uint64_t malformed_engine_events_ = 0;
  int64_t sequence_base_ = 0;   // a comeback's transcript continues the earlier stage's
  int64_t next_sequence_ = 0;
  int64_t offset_base_ms_ = 0;  // call start → this stage's start
  std::map<int64_t, std::pair<std::string, std::string>> turns_;  // sequence → (speaker, text heard)
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
void MediaSession::terminate() { impl_->terminate(); }
const std::string& MediaSession::call_sid() const { return impl_->call_sid(); }

}  // namespace sonoria::daemon
