#include "core/simulate/simulated_call.hpp"

#include <boost/asio/post.hpp>

#include <cmath>
#include <cstdio>

#include "core/net/ws_client.hpp"
#include "core/simulate/payload_codec.hpp"
#include "core/simulate/probe.hpp"
#include "core/simulate/twiml_text.hpp"
#include "core/twilio/base64.hpp"
#include "core/twilio/signature.hpp"

namespace sonoria::simulate {
namespace {

using Clock = std::chrono::steady_clock;
using ordered_json = nlohmann::ordered_json;

constexpr int k_max_problems_logged = 3;

const std::string& silence_frame() {
  static const std::string frame(k_turn_frame_bytes, static_cast<char>(0xFF));
  return frame;
}

const std::string& silence_b64() {
  static const std::string b64 = twilio::base64_encode(silence_frame());
  return b64;
}

double ms_since(Clock::time_point from, Clock::time_point to) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::microseconds>(to - from).count()) / 1000.0;
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", seconds);
  return text;
}

std::string snippet(const std::string& body) {
  constexpr std::size_t k_max = 200;
  std::string out = body.size() > k_max ? body.substr(0, k_max) + "…" : body;
  for (auto& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return out;
}

}  // namespace

const char* failure_name(Failure failure) {
  switch (failure) {
    case Failure::none: return "";
    case Failure::webhook: return "webhook";
    case Failure::refused: return "refused";
    case Failure::stream: return "stream";
    case Failure::no_greeting: return "no_greeting";
    case Failure::closed_early: return "closed_early";
  }
  return "";
}

std::shared_ptr<SimulatedCall> SimulatedCall::create(CallEnv env, std::shared_ptr<const CallPlan> plan, CallParty party,
                                                     std::uint32_t index, Done done) {
  return std::shared_ptr<SimulatedCall>(
      new SimulatedCall(std::move(env), std::move(plan), std::move(party), index, std::move(done)));
}

SimulatedCall::SimulatedCall(CallEnv env, std::shared_ptr<const CallPlan> plan, CallParty party, std::uint32_t index,
                             Done done)
    : env_(std::move(env)), plan_(std::move(plan)), party_(std::move(party)), done_(std::move(done)) {
  if (party_.call_sid.empty()) party_.call_sid = random_sid("CA");
  result_.index = index;
  result_.call_sid = party_.call_sid;
}

SimulatedCall::~SimulatedCall() = default;

void SimulatedCall::log(LogLevel level, std::string_view event, nlohmann::ordered_json fields, const std::string& text) {
  if (!logging(level)) return;
  fields["call_sid"] = party_.call_sid;
  env_.log->emit(level, event, std::move(fields), text);
}

Micros SimulatedCall::stream_time(Clock::time_point now) const {
  return std::chrono::duration_cast<std::chrono::microseconds>(now - stream_start_).count();
}

void SimulatedCall::fail(Failure failure, std::string text) {
  if (result_.failure != Failure::none) return;
  result_.failure = failure;
  result_.failure_text = text;
  log(LogLevel::warning, "failure", ordered_json{{"kind", failure_name(failure)}, {"reason", text}},
      "call " + std::to_string(result_.index) + " failed: " + text);
}

// ---- 1. the voice webhook --------------------------------------------------------------------

void SimulatedCall::start() {
  webhook_sent_ = Clock::now();
  auto request = twilio_request("POST", plan_->webhook_url, voice_params(party_), plan_->auth_token,
                                plan_->connect_origin);
  if (logging(LogLevel::info)) {
    std::string text = "ringing: " + party_.from + " calls " + party_.to + " (" + party_.call_sid + "), POST " +
                       plan_->webhook_url;
    if (!plan_->connect_origin.empty()) text += " via " + plan_->connect_origin;
    log(LogLevel::info, "ringing",
        ordered_json{{"from", party_.from}, {"to", party_.to}, {"url", plan_->webhook_url}, {"delivered_to", request.url}},
        text);
  }
  env_.http->request(std::move(request), plan_->http_timeout,
                     [self = shared_from_this()](net::HttpResponse response) { self->on_webhook(std::move(response)); });
}

std::optional<twilio::Twiml> SimulatedCall::read_twiml(const net::HttpResponse& response, const std::string& what,
                                                       Failure failure) {
  if (!response.ok()) {
    fail(failure, what + " failed: " + response.error_text);
    return std::nullopt;
  }
  if (response.status < 200 || response.status > 299) {
    std::string text = what + " answered HTTP " + std::to_string(response.status);
    if (response.status == 403)
      text += " (signature refused: check twilio.auth_token, and that the URL is exactly the daemon's server.public_url)";
    if (!response.body.empty()) text += ": " + snippet(response.body);
    fail(failure, text);
    return std::nullopt;
  }
  auto parsed = twilio::parse_twiml(response.body, twilio::TwimlRules{plan_->allow_insecure_stream});
  if (!parsed.twiml) {
    fail(failure, what + " answered TwiML that Twilio would refuse (error 12100): " + parsed.error);
    return std::nullopt;
  }
  return std::move(parsed.twiml);
}

void SimulatedCall::on_webhook(net::HttpResponse response) {
  const auto now = Clock::now();
  if (response.ok())
    log(LogLevel::info, "webhook", ordered_json{{"status", response.status}, {"ms", ms_since(webhook_sent_, now)}},
        "webhook answered HTTP " + std::to_string(response.status) + " in " +
            std::to_string(static_cast<int>(ms_since(webhook_sent_, now))) + " ms");
  auto twiml = read_twiml(response, "the voice webhook", Failure::webhook);
  if (!twiml) return finish();
  answered_at_ = now;
  twiml_ = twiml;
  result_.final_twiml = twiml;
  log(LogLevel::info, "twiml", ordered_json{{"verbs", describe_twiml(*twiml)}}, "twiml: " + describe_twiml(*twiml));

  if (twiml->connect && twiml->connect->stream) {
    // Verbs before <Connect> play first (a real caller would hear them).
    for (const auto& verb : twiml->verbs) {
      if (verb.name == "Connect") break;
      if (verb.name == "Say")
        log(LogLevel::info, "say", ordered_json{{"text", verb.element.text}}, "twilio says: \"" + verb.element.text + "\"");
    }
    return open_stream(*twiml->connect->stream);
  }
  if (twiml->connect) {
    fail(Failure::webhook, "<Connect> without <Stream>: the simulator plays only Media Streams");
    return finish();
  }
  follow_final(*twiml);
  if (twiml->reject) {
    fail(Failure::refused, "the call was rejected (" + *twiml->reject + ")");
    return finish();
  }
  if (!twiml->dial) {
    std::string said;
    for (const auto& say : twiml->says) said += (said.empty() ? "\"" : " \"") + say.text + "\"";
    fail(Failure::refused, "the call was refused" + (said.empty() ? std::string() : ": " + said));
  }
  post_status();
}

void SimulatedCall::follow_final(const twilio::Twiml& twiml) {
  for (const auto& say : twiml.says)
    log(LogLevel::info, "say", ordered_json{{"text", say.text}}, "twilio says: \"" + say.text + "\"");
  if (twiml.dial)
    log(LogLevel::info, "dial", ordered_json{{"number", twiml.dial->number}, {"caller_id", twiml.dial->caller_id}},
        would_dial(*twiml.dial));
}

// ---- 2. the media stream ---------------------------------------------------------------------

void SimulatedCall::open_stream(const twilio::TwimlStream& stream) {
  state_ = State::opening;
  const std::string stream_url = resolve_url(plan_->webhook_url, stream.url);
  const std::string connect_url = delivery_url(stream_url, plan_->connect_origin);
  net::WsClient::Headers headers;
  // Twilio signs the upgrade over the wss:// URL from the TwiML, with no parameters (§2.5.8).
  if (!plan_->auth_token.empty())
    headers.emplace_back("X-Twilio-Signature", twilio::compute_signature(plan_->auth_token, stream_url, {}));
  StreamIdentity identity;
  identity.account_sid = party_.account_sid;
  identity.call_sid = party_.call_sid;
  identity.stream_sid = random_sid("MZ");
  for (const auto& p : stream.parameters) identity.custom_parameters.emplace_back(p.name, p.value);
  leg_.emplace(std::move(identity), plan_->record);

  net::WsClientOptions options;
  options.user_agent = "Twilio.TmeWs/1.0";
  ws_ = net::WsClient::create(env_.executor, options);
  auto self = shared_from_this();
  ws_->on_message([self](std::string_view text) { self->on_message(text); });
  ws_->on_close([self](int code, std::string reason) { self->on_stream_closed(code, reason); });
  log(LogLevel::info, "stream_connecting", ordered_json{{"url", stream_url}, {"delivered_to", connect_url}},
      "opening the media stream " + stream_url);
  ws_->connect(connect_url, std::move(headers), plan_->stream_open_timeout,
               [self](std::error_code ec, std::string error_text) { self->on_stream_open(ec, error_text); });
}

void SimulatedCall::on_stream_open(std::error_code ec, const std::string& error_text) {
  if (ec) {
    fail(Failure::stream, "the media stream did not open: " + error_text);
    state_ = State::after_stream;
    // Twilio ends <Connect> when the stream fails and requests its action.
    return post_connect_action();
  }
  result_.connected = true;
  state_ = State::streaming;
  leg_->write_connected(out_);
  send(out_);
  leg_->write_start(out_);
  send(out_);
  stream_start_ = Clock::now();
  script_.emplace(plan_->turns, plan_->script);
  log(LogLevel::info, "stream_open", ordered_json{{"stream_sid", leg_->identity().stream_sid}},
      "stream open (" + leg_->identity().stream_sid + "): connected, start sent");
  env_.ticker->add(shared_from_this());
}

void SimulatedCall::send(const std::string& text) {
  if (!ws_->send_text(text) && logging(LogLevel::warning) && problems_logged_++ < k_max_problems_logged)
    log(LogLevel::warning, "send_dropped", ordered_json{}, "a message to sonoria could not be queued (the stream is backed up)");
}

void SimulatedCall::send_echoes() {
  for (const auto& name : echo_) {
    leg_->write_mark(out_, name);
    send(out_);
    log(LogLevel::detail, "mark", ordered_json{{"name", name}}, "mark " + name + " echoed");
  }
  echo_.clear();
}

void SimulatedCall::on_message(std::string_view text) {
  if (state_ != State::streaming) return;  // after `stop` Twilio plays nothing more
  const auto now = Clock::now();
  echo_.clear();
  const Received received = leg_->receive(text, stream_time(now), echo_);
  switch (received.kind) {
    case Received::Kind::media:
      on_media();
      break;
    case Received::Kind::mark:
      break;
    case Received::Kind::clear:
      log(LogLevel::info, "clear",
          ordered_json{{"cleared_ms", static_cast<double>(received.cleared_bytes) / 8.0}, {"marks_echoed", echo_.size()}},
          "barge-in: sonoria cleared " + seconds_text(static_cast<double>(received.cleared_bytes) / 8000.0) +
              " of queued assistant audio");
      break;
    case Received::Kind::rejected:
      if (problems_logged_++ < k_max_problems_logged)
        log(LogLevel::warning, "protocol", ordered_json{{"problem", received.problem}},
            "Twilio would flag a message from sonoria: " + received.problem);
      break;
  }
  send_echoes();
}

void SimulatedCall::on_media() {
  if (!assistant_heard_ && leg_->first_audio_at()) {
    assistant_heard_ = true;
    result_.greeting_ms = static_cast<double>(*leg_->first_audio_at()) / 1000.0;
    log(LogLevel::info, "greeting", ordered_json{{"latency_ms", *result_.greeting_ms}},
        "greeting: first assistant audio " + std::to_string(static_cast<int>(std::lround(*result_.greeting_ms))) +
            " ms after start");
  }
  if (!plan_->probe) return;
  const std::string_view audio = leg_->last_audio();
  const std::uint64_t received_ns = monotonic_ns();
  for (std::size_t at = 0; at < audio.size(); at += k_frame_bytes) {
    const auto probe = read_probe(audio.substr(at, k_frame_bytes));
    if (!probe) continue;
    if (env_.engine_to_caller)
      env_.engine_to_caller->add_us(static_cast<std::int64_t>(received_ns - probe->sent_ns) / 1000);
    probes_.see(probe->stream, probe->sequence);
  }
}

bool SimulatedCall::tick(Clock::time_point now) {
  if (state_ != State::streaming) return false;
  const Micros t = stream_time(now);
  echo_.clear();
  leg_->play_until(t, echo_);
  send_echoes();
  const ScriptStep step = script_->step(t, *leg_);
  if (step.note != ScriptStep::Note::none) note(step);
  if (state_ != State::streaming) return false;
  for (const char digit : step.dtmf) {
    leg_->write_dtmf(out_, digit);
    send(out_);
  }
  if (step.hang_up) {
    hang_up(step.note == ScriptStep::Note::time_limit ? "time limit" : "script done");
    return false;
  }
  std::string_view frame = silence_frame();
  std::string_view b64 = silence_b64();
  if (step.speech) {
    frame = step.speech->frame(step.frame);
    b64 = step.speech->frames_b64[step.frame];
  }
  if (plan_->probe) {
    frame_.assign(frame);
    stamp_probe(frame_, Probe{result_.index, probe_sequence_++, monotonic_ns(), step.speech != nullptr});
    payload_.clear();
    append_base64(payload_, frame_);
    b64 = payload_;
  }
  leg_->write_media(out_, b64);
  send(out_);
  return true;
}

void SimulatedCall::note(const ScriptStep& step) {
  using Note = ScriptStep::Note;
  switch (step.note) {
    case Note::turn_started: {
      const Turn& turn = (*plan_->turns)[step.turn];
      if (turn.kind == Turn::Kind::dtmf) {
        log(LogLevel::info, "dtmf", ordered_json{{"turn", step.turn}, {"digits", turn.digits}}, "caller presses " + turn.digits);
      } else {
        const double audio_ms = static_cast<double>(turn.audio.size()) / 8.0;
        log(LogLevel::info, "caller", ordered_json{{"turn", step.turn}, {"text", turn.label}, {"audio_ms", audio_ms}},
            "caller: " + turn.label + " (" + seconds_text(audio_ms / 1000.0) + ")");
      }
      break;
    }
    case Note::assistant_finished: {
      const double audio_ms = static_cast<double>(step.assistant_bytes) / 8.0;
      const double cleared_ms = static_cast<double>(step.cleared_bytes) / 8.0;
      std::string text = "assistant: " + seconds_text(audio_ms / 1000.0) + " of audio";
      if (step.cleared_bytes > 0) text += " (" + seconds_text(cleared_ms / 1000.0) + " of it cleared by a barge-in)";
      log(LogLevel::info, "assistant", ordered_json{{"audio_ms", audio_ms}, {"cleared_ms", cleared_ms}}, text);
      break;
    }
    case Note::no_greeting: {
      result_.no_greeting = true;
      const auto timeout_ms = plan_->script.greeting_timeout / 1000;
      if (plan_->greeting_required) {
        fail(Failure::no_greeting, "no greeting: sonoria sent no audio within " + std::to_string(timeout_ms) +
                                       " ms of the stream's start");
        hang_up("no greeting");
      } else {
        log(LogLevel::info, "no_greeting", ordered_json{{"timeout_ms", timeout_ms}},
            "no greeting within " + std::to_string(timeout_ms) + " ms");
      }
      break;
    }
    case Note::no_reply:
      log(LogLevel::info, "no_reply", ordered_json{{"after_turn", step.turn}, {"timeout_ms", plan_->script.reply_timeout / 1000}},
          "no reply from the assistant; the caller goes on");
      break;
    case Note::script_done:
    case Note::time_limit:
    case Note::none:
      break;
  }
}

void SimulatedCall::hang_up(const char* why) {
  if (state_ != State::streaming) return;
  leg_->write_stop(out_);
  send(out_);
  caller_hung_up_ = true;
  state_ = State::hanging_up;
  log(LogLevel::info, "hangup", ordered_json{{"reason", why}}, std::string("caller hangs up (") + why + "): stop sent");
  ws_->close(net::k_close_normal);
}

// ---- 3. after the stream ---------------------------------------------------------------------

void SimulatedCall::on_stream_closed(int code, const std::string& reason) {
  if (state_ != State::streaming && state_ != State::hanging_up) return;
  const auto now = Clock::now();
  result_.stream_seconds = ms_since(stream_start_, now) / 1000.0;
  state_ = State::after_stream;
  if (caller_hung_up_) {
    result_.ended_by = "caller";
    log(LogLevel::info, "stream_closed", ordered_json{{"by", "caller"}, {"code", code}},
        "stream closed after " + seconds_text(result_.stream_seconds));
    return post_status();
  }
  result_.ended_by = "sonoria";
  log(LogLevel::info, "stream_closed", ordered_json{{"by", "sonoria"}, {"code", code}, {"reason", reason}},
      "sonoria closed the stream after " + seconds_text(result_.stream_seconds) + " (code " + std::to_string(code) +
          (reason.empty() ? std::string() : ", \"" + reason + "\"") + ")");
  if (!assistant_heard_)
    fail(Failure::stream, "sonoria closed the stream before the assistant said anything (code " +
                              std::to_string(code) + (reason.empty() ? "" : ", \"" + reason + "\"") + ")");
  else if (!plan_->sonoria_may_end && !script_->finished())
    fail(Failure::closed_early, "sonoria closed the stream after " + seconds_text(result_.stream_seconds) +
                                    ", before the caller hung up");
  post_connect_action();
}

void SimulatedCall::post_connect_action() {
  if (!twiml_ || !twiml_->connect || twiml_->connect->action.empty()) {
    // Without an action Twilio runs the verbs after </Connect>, and hangs up when there are none.
    const auto after = twiml_ ? twiml_->verbs_after_connect() : std::vector<std::string>{};
    log(LogLevel::info, "after_connect", ordered_json{{"verbs", after}},
        after.empty() ? "no <Connect action> and nothing after </Connect>: Twilio hangs up"
                      : "no <Connect action>: Twilio runs the verbs after </Connect>");
    if (twiml_ && !after.empty()) follow_final(*twiml_);
    return post_status();
  }
  const std::string url = resolve_url(plan_->webhook_url, twiml_->connect->action);
  const std::string method = twiml_->connect->method == "GET" ? "GET" : "POST";
  log(LogLevel::info, "connect_action", ordered_json{{"url", url}, {"method", method}}, method + " " + url + " (<Connect action>)");
  webhook_sent_ = Clock::now();
  env_.http->request(twilio_request(method, url, connect_action_params(party_), plan_->auth_token, plan_->connect_origin),
                     plan_->http_timeout,
                     [self = shared_from_this()](net::HttpResponse response) { self->on_connect_action(std::move(response)); });
}

void SimulatedCall::on_connect_action(net::HttpResponse response) {
  auto twiml = read_twiml(response, "the <Connect action>", Failure::webhook);
  if (twiml) {
    result_.final_twiml = twiml;
    log(LogLevel::info, "twiml", ordered_json{{"verbs", describe_twiml(*twiml)}}, "twiml: " + describe_twiml(*twiml));
    follow_final(*twiml);
  }
  post_status();
}

// ---- 4. the status callback ------------------------------------------------------------------

void SimulatedCall::post_status() {
  if (result_.failure == Failure::none) result_.completed = true;
  if (plan_->status_url.empty()) return finish();
  const auto now = Clock::now();
  const auto duration_s =
      static_cast<std::int64_t>(std::llround(ms_since(answered_at_, now) / 1000.0));
  // A call turned away with <Reject> is never answered: busy, or no-answer for a plain rejection
  // [unverified: the exact status Twilio reports for <Reject reason="rejected">].
  std::string status = "completed";
  std::optional<std::int64_t> duration = duration_s;
  if (twiml_ && twiml_->reject && !twiml_->connect) {
    status = *twiml_->reject == "busy" ? "busy" : "no-answer";
    duration = 0;
  }
  auto request =
      twilio_request("POST", plan_->status_url, status_callback_params(party_, status, duration, 0), plan_->auth_token,
                     plan_->connect_origin);
  env_.http->request(std::move(request), plan_->http_timeout,
                     [self = shared_from_this(), status, duration](net::HttpResponse response) {
                       self->result_.status_callback_http = response.ok() ? response.status : 0;
                       const bool fine = response.ok() && response.status >= 200 && response.status < 300;
                       std::string text = "status callback CallStatus=" + status + " CallDuration=" +
                                          std::to_string(duration.value_or(0)) + " s: ";
                       text += response.ok() ? "HTTP " + std::to_string(response.status) : response.error_text;
                       self->log(fine ? LogLevel::info : LogLevel::warning, "status_callback",
                                 ordered_json{{"call_status", status},
                                      {"call_duration_s", duration.value_or(0)},
                                      {"http_status", response.ok() ? response.status : 0}},
                                 text);
                       self->finish();
                     });
}

void SimulatedCall::finish() {
  if (state_ == State::done) return;
  state_ = State::done;
  if (leg_) {
    result_.leg = leg_->counters();
    if (plan_->record) result_.heard = leg_->heard();
  }
  if (ws_) result_.leg.rejected += static_cast<std::int64_t>(ws_->ignored_binary_messages());
  result_.probes_received = probes_.received();
  result_.probes_lost = probes_.lost();
  result_.probes_reordered = probes_.reordered();
  if (result_.completed)
    log(LogLevel::info, "call_end", ordered_json{{"status", "completed"}, {"ended_by", result_.ended_by}},
        "call completed" + (result_.ended_by.empty() ? std::string() : " (ended by " + result_.ended_by + ")"));
  else
    log(LogLevel::info, "call_end", ordered_json{{"status", "failed"}, {"failure", failure_name(result_.failure)}, {"reason", result_.failure_text}},
        "call failed: " + result_.failure_text);
  auto done = std::move(done_);
  done_ = nullptr;
  // The client's handlers hold this call; release the client from outside its own handlers.
  boost::asio::post(env_.executor, [self = shared_from_this()] { self->ws_.reset(); });
  if (done) done(std::move(result_));
}

}  // namespace sonoria::simulate
