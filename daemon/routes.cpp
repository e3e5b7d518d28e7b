#include "daemon/routes.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <atomic>
#include <functional>

#include "core/auth/local_test_key.hpp"
#include <utility>

#include <nlohmann/json.hpp>

#include "core/call/call_start.hpp"
#include "core/db/cluster_store.hpp"
#include "core/db/database.hpp"
#include "core/db/records.hpp"
#include "core/net/http_client.hpp"
#include "core/tools/request_signature.hpp"
#include "core/twilio/media_message.hpp"
#include "core/twilio/signature.hpp"
#include "daemon/admission.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/media_session.hpp"
#include "daemon/metrics.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/test_call.hpp"
#include "daemon/twiml_replies.hpp"
#include "daemon/ws_connection.hpp"

namespace sonoria::daemon {
namespace {

HttpResponse text(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse twiml(std::string body) {
  HttpResponse r;
  r.content_type = "text/xml";
  r.body = std::move(body);
  return r;
}

std::string value_of(const twilio::FormParams& p, std::string_view name) {
  auto v = twilio::form_value(p, name);
  return v ? std::string(*v) : std::string();
}

// Reads the stream's first messages until `start`, checks its token, then hands every later
// message to the call's session. Lives as long as the connection's handlers.
class StreamGate : public std::enable_shared_from_this<StreamGate> {
 public:
  // `test_calls`: the dashboard's stream route, which takes test calls' tokens only (and the
  // Twilio route takes no test call's).
  StreamGate(Services& s, std::shared_ptr<WsConnection> ws, bool test_calls)
      : s_(s), ws_(std::move(ws)), test_calls_(test_calls) {}

  void start() {
    auto self = shared_from_this();
    ws_->on_message([self](std::string_view text) { self->on_message(text); });
    ws_->on_close([self](int code, std::string reason) { self->on_close(code, std::move(reason)); });
    timer_ = std::make_unique<boost::asio::steady_timer>(ws_->executor(), std::chrono::seconds(10));
    std::weak_ptr<StreamGate> weak = self;
    timer_->async_wait([weak](boost::system::error_code ec) {
      auto gate = weak.lock();
      if (ec || !gate || gate->session_) return;
      log_warn("stream.no_start", "", "no start message within 10 s; closing the stream");
      gate->ws_->close(1008, "no start");
    });
  }

 private:
  void on_message(std::string_view text) {
    if (session_) {
      session_->twilio_message(text);
      return;
    }
    auto message = twilio::parse_media_message(text);
    if (!message) {
      s_.metrics.malformed_messages++;
      log_warn("stream.malformed", "", "malformed message before start; dropped");
      return;
    }
    if (std::holds_alternative<twilio::Connected>(*message)) return;
    auto* start = std::get_if<twilio::Start>(&*message);
    if (!start) {
      s_.metrics.malformed_messages++;
      log_warn("stream.before_start", "", "message before start; dropped");
      return;
    }
    auto token = start->custom_parameters.find("token");
    std::shared_ptr<MediaSession> session;
    std::string why = "no token";
    if (token != start->custom_parameters.end()) {
      if (is_test_call_token(token->second) != test_calls_) why = "a token of the other kind of call";
      else session = s_.calls.claim(token->second, start->call_sid, &why);
    }
    if (!session) {
      // A call that already ended (its engine failed while the phone rang) gets the fallback from
      // the <Connect action> that follows this close; only a token that is wrong is suspicious.
      if (why == "the call had already ended") {
        log_info("stream.call_ended", start->call_sid, "stream for a call that had already ended; closed");
        ws_->close(1000, "call already ended");
      } else {
        log_warn("stream.bad_token", start->call_sid, "stream without a valid token (" + why + "); closed");
        ws_->close(1008, "invalid token");
      }
      return;
    }
    timer_->cancel();
    session_ = session;
    session_->attach_twilio(ws_, *start);
  }

  void on_close(int code, std::string reason) {
    if (timer_) timer_->cancel();
    if (session_) session_->twilio_closed(code, std::move(reason));
    session_.reset();
  }

  Services& s_;
  std::shared_ptr<WsConnection> ws_;
  std::shared_ptr<MediaSession> session_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool test_calls_ = false;
};

// Webhooks that depend on a session's end (the stream's close races the <Connect action>
// request; a <Dial action> needs the stage that transferred to be stored) wait for it: `done`
// runs on the io_context once the call's session has finished, or after 3 s if it has not.
class AwaitEnd : public std::enable_shared_from_this<AwaitEnd> {
 public:
  AwaitEnd(boost::asio::io_context& io, std::function<void()> done) : io_(io), timer_(io), done_(std::move(done)) {}

  void start(CallRegistry& calls, const std::string& call_sid) {
    timer_.expires_after(std::chrono::seconds(3));
    timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
      if (!ec) self->finish();
    });
    calls.when_finished(call_sid, [self = shared_from_this()] {
      boost::asio::post(self->io_, [self] { self->finish(); });
    });
  }

 private:
  void finish() {
    if (std::exchange(done_called_, true)) return;
    timer_.cancel();
    done_();
  }

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  std::function<void()> done_;
  bool done_called_ = false;
};

}  // namespace

Routes::Routes(Services& services) : s_(services) {}

void Routes::handle(HttpRequest request, HttpResponder respond) {
  const auto& path = request.path;
  if (path == "/healthz") return respond(text(200, "ok\n"));
  if (path == "/readyz") {
    const std::string why = not_ready ? not_ready() : std::string();
    return respond(text(why.empty() ? 200 : 503, why.empty() ? "ready\n" : why + "\n"));
  }
  if (path == "/metrics") {
    HttpResponse r = text(200, s_.metrics.render());
    r.content_type = "text/plain; version=0.0.4";
    return respond(r);
  }
  if (path.rfind("/twilio/", 0) == 0) {
    if (request.method != "POST") {
      HttpResponse r = text(405, "method not allowed\n");
      r.headers.emplace_back("Allow", "POST");
      return respond(r);
    }
    try {
      if (path == "/twilio/voice") return voice(request, respond);
      if (path == "/twilio/connect-done") return connect_done(request, respond);
      if (path == "/twilio/dial-done") return dial_done(request, respond);
      if (path == "/twilio/status") return status(request, respond);
    } catch (const std::exception& e) {
      // A webhook must never leave a caller without an answer, whatever broke.
      log_error("http.handler_failed", "", e.what(), {{"path", path}});
      return respond(twiml(after_stream_twiml(std::nullopt, nullptr, s_.settings.own_url(), "")));
    }
  }
  respond(text(404, "not found\n"));
}

// A test call from this machine, signed with the local test key (core/auth/local_test_key.hpp).
bool Routes::local_test(const std::string& remote_address) const {
  return !s_.local_test_key.empty() && auth::is_loopback_address(remote_address);
}

bool Routes::verify_twilio(const HttpRequest& request, const twilio::FormParams& params, const HttpResponder& respond,
                           bool* local_test) {
  if (!s_.settings.twilio.validate_signatures) return true;
  auto header = request.header("x-twilio-signature");
  std::string url = s_.settings.server.public_url + request.target;
  if (header && twilio::validate_signature(s_.settings.twilio.auth_token, *header, url, params)) return true;
  // Behind a load balancer, Twilio signs what it was told: this daemon's own URL for its calls.
  if (header && !s_.settings.cluster.public_url.empty() &&
      twilio::validate_signature(s_.settings.twilio.auth_token, *header, s_.settings.cluster.public_url + request.target, params))
    return true;
  if (header && this->local_test(request.remote_address) &&
      twilio::validate_signature(s_.local_test_key, *header, url, params)) {
    if (local_test) *local_test = true;
    return true;
  }
  s_.metrics.webhook_signature_failures++;
  log_warn("twilio.bad_signature", value_of(params, "CallSid"),
           header ? "X-Twilio-Signature does not match" : "X-Twilio-Signature missing",
           {{"path", request.path}, {"remote", request.remote_address}});
  respond(text(403, "invalid signature\n"));
  return false;
}

void Routes::voice(const HttpRequest& request, HttpResponder respond) {
  auto params = twilio::parse_form(request.body);
  if (!params) return respond(text(400, "malformed form body\n"));
  bool local_test = false;
  if (!verify_twilio(request, *params, respond, &local_test)) return;
  std::string call_sid = value_of(*params, "CallSid");
  std::string from = value_of(*params, "From");
  std::string to = value_of(*params, "To");
  if (call_sid.empty()) return respond(text(400, "CallSid missing\n"));
  std::string direction = value_of(*params, "Direction").rfind("outbound", 0) == 0 ? "outbound" : "inbound";

  // Twilio retries a webhook that timed out: answer the same way again.
  if (auto token = s_.calls.live_token(call_sid)) return respond(twiml(stream_twiml(s_.settings.own_url(), *token, call_sid)));

  OrgDirectory::ProfilePtr profile;
  auto query = twilio::parse_form(request.query);
  if (query) {
    if (auto key = twilio::form_value(*query, "org")) profile = s_.orgs.by_id_or_slug(std::string(*key));
  }
  if (!profile) profile = s_.orgs.by_number(direction == "outbound" ? from : to);

  auto now = db::now_ms();
  auto refuse = [&](const std::string& reason) {
    s_.writer.post(db::CallOpened{call_sid, profile ? std::optional<int64_t>(profile->id) : std::nullopt, direction, from,
                                  to, "rejected", now, reason, std::nullopt});
    s_.metrics.count_call_outcome("rejected_" + reason);
    log_info("call.refused", call_sid, "", {{"reason", reason}, {"from", from}, {"to", to}});
    respond(twiml(refusal_twiml(reason, profile.get())));
  };
  if (!profile) return refuse("unknown_number");
  // Outbound with machine detection: a machine hears the profile's voicemail message (or nothing)
  // and the call ends; the assistant is not started.
  std::string answered_by = value_of(*params, "AnsweredBy");
  if (direction == "outbound" && (answered_by.rfind("machine", 0) == 0 || answered_by == "fax")) {
    s_.writer.post(db::CallOpened{call_sid, profile->id, direction, from, to, "ringing", now, std::nullopt, std::nullopt});
    s_.writer.post(db::CallEvent{call_sid, now, std::nullopt, "machine_answered", answered_by, std::nullopt});
    db::CallFinished finished;
    finished.call_sid = call_sid;
    finished.status = "completed";
    finished.end_reason = "machine_answered";
    finished.ended_at = now;
    s_.writer.post(finished);
    log_info("call.machine_answered", call_sid, "", {{"answered_by", answered_by}});
    return respond(twiml(machine_twiml(profile.get())));
  }
  Admit admit = s_.admission.admit(from, Admission::Clock::now());
  if (admit == Admit::draining || admit == Admit::overloaded) {
    // Shutting down, or too busy to give one more call its audio on time: the caller is not
    // refused but sent to the organization's fallback (behind a load balancer, /readyz already
    // sends new calls to another daemon).
    const std::string reason = admit_reason(admit);
    const bool dialled = !profile->fallback_numbers.empty();
    s_.writer.post(db::CallOpened{call_sid, profile->id, direction, from, to, dialled ? "transferred" : "rejected", now,
                                  reason, std::nullopt});
    s_.metrics.count_call_outcome((dialled ? "transferred_" : "rejected_") + reason);
    log_info("call." + reason, call_sid, dialled ? "sent to the fallback number" : "refused: no fallback number",
             {{"from", from}, {"to", to}});
    return respond(twiml(handoff_twiml(profile.get(), direction == "outbound" ? from : to, false)));
  }
  if (admit != Admit::yes) return refuse(admit_reason(admit));

  db::CallOpened opened{call_sid, profile->id, direction, from, to, "ringing", now, std::nullopt, std::nullopt};
  CallOpening opening{call_sid, profile, from, to, direction, now, local_test};
  // Daemons sharing a PostgreSQL database weigh a call against the limits of them all.
  if (!s_.settings.database.url.empty()) return reserve_in_cluster(std::move(opened), std::move(opening), std::move(respond));
  s_.writer.post(std::move(opened));
  go_on(std::move(opening), std::move(respond));
}

// Twilio waits 15 s for the voice webhook; the cluster's decision gets a small part of that.
constexpr std::chrono::seconds k_cluster_decision_time{2};

void Routes::go_on(CallOpening opening, HttpResponder respond) {
  if (opening.direction == "inbound" && !opening.profile->webhooks.call_start_url.empty())
    return ask_call_start(std::move(opening), std::move(respond));
  answer(opening, nullptr, std::move(respond));
}

// The limits hold across the cluster (core/db/cluster_store.hpp): the writer decides and stores
// the call in one transaction, off the event loop; the answer continues here. A database that
// cannot decide in time (down, slow, the writer busy with a large batch or its queue full) does
// not cost the caller their call: this daemon's own limits, already passed, decide.
void Routes::reserve_in_cluster(db::CallOpened opened, CallOpening opening, HttpResponder respond) {
  struct Pending {
    Pending(db::CallOpened c, CallOpening o, HttpResponder r, boost::asio::io_context& io)
        : call(std::move(c)), waiting(std::move(o)), reply(std::move(r)), deadline(io) {}
    db::CallOpened call;
    CallOpening waiting;
    HttpResponder reply;
    boost::asio::steady_timer deadline;
    std::atomic<bool> settled{false};  // the decision or the deadline, whichever came first
  };
  auto state = std::make_shared<Pending>(std::move(opened), std::move(opening), std::move(respond), s_.io);
  auto decided = [this, state](std::optional<db::Reservation> reservation, std::string error) {
    if (state->settled.exchange(true)) return;  // too late: the call went on without it
    boost::asio::post(s_.io, [this, state, reservation, error = std::move(error)] {
      state->deadline.cancel();
      auto& call = state->call;
      auto& waiting = state->waiting;
      auto& reply = state->reply;
      if (!reservation) {
        log_warn("cluster.admission_unavailable", waiting.call_sid,
                 error + "; the call is decided by this daemon's own limits");
        s_.metrics.count_call_outcome("admitted_without_cluster");
        s_.writer.post(call);
        return go_on(std::move(waiting), std::move(reply));
      }
      if (*reservation == db::Reservation::reserved) return go_on(std::move(waiting), std::move(reply));
      s_.admission.release();
      const std::string reason = *reservation == db::Reservation::capacity ? "capacity" : "rate_limited";
      call.status = "rejected";
      call.end_reason = reason;
      s_.writer.post(call);
      s_.metrics.count_call_outcome("rejected_" + reason);
      log_info("call.refused", waiting.call_sid, "the cluster's limit",
               {{"reason", reason}, {"from", waiting.from}, {"to", waiting.to}});
      reply(twiml(refusal_twiml(reason, waiting.profile.get())));
    });
  };
  // Armed before the job exists: nothing else touches the timer until the decision cancels it.
  state->deadline.expires_after(k_cluster_decision_time);
  state->deadline.async_wait([decided](boost::system::error_code ec) {
    if (!ec) decided(std::nullopt, "the database did not decide within 2 s");
  });
  const auto limits = s_.admission.limits();
  const bool queued = s_.writer.post_job([state, decided, owner = s_.instance,
                                          cluster = db::ClusterLimits{limits.max_concurrent, limits.max_calls_per_caller_per_hour}](
                                             db::Database& database) {
    // Decided already (the deadline passed): this daemon's limits let the call go on, and the
    // writer stores it as any other record. Deciding now would only count it twice.
    if (state->settled.load()) return;
    try {
      decided(database.cluster().reserve_call(state->call, owner, db::now_ms(), cluster), "");
    } catch (const std::exception& e) {
      decided(std::nullopt, e.what());
    }
  });
  if (!queued) decided(std::nullopt, "the database writer's queue of jobs is full");
}

// The business's system is asked about the caller while the phone rings, within its deadline;
// without an answer in time the call goes on as if there were no webhook.
void Routes::ask_call_start(CallOpening opening, HttpResponder respond) {
  const auto& hooks = opening.profile->webhooks;
  net::HttpRequest request;
  request.method = "POST";
  request.url = hooks.call_start_url;
  request.body = call::call_start_body(opening.call_sid, opening.from, opening.to, opening.direction,
                                       opening.profile->organization.slug);
  request.headers = {{"Content-Type", "application/json"},
                     {"X-Sonoria-Event", "call.started"},
                     {"X-Sonoria-Call", opening.call_sid}};
  if (const auto secret = s_.orgs.signing_secret(opening.profile->id); !secret.empty()) {
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
    request.headers.emplace_back(std::string(tools::k_signature_header), tools::signature_value(secret, t.count(), request.body));
  }
  auto http = net::HttpClient::create(s_.io.get_executor());
  const auto started = std::chrono::steady_clock::now();
  http->request(std::move(request), std::chrono::milliseconds(hooks.call_start_timeout_ms),
                [this, http, opening = std::move(opening), respond = std::move(respond), started](net::HttpResponse r) mutable {
                  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
                  auto start = std::make_shared<call::CallStart>(call::read_call_start_answer(
                      r.ok() ? r.status : 0, r.body, r.error_text, *opening.profile));
                  nlohmann::json detail = {{"elapsed_ms", ms}, {"status", r.ok() ? r.status : 0}};
                  if (!start->problem.empty()) detail["problem"] = start->problem;
                  if (!start->greeting.empty()) detail["greeting"] = true;
                  if (!start->variables.empty()) detail["variables"] = start->variables.size();
                  if (!start->stage.empty()) detail["stage"] = start->stage;
                  detail["action"] = start->action == call::CallStart::Action::reject     ? "reject"
                                     : start->action == call::CallStart::Action::transfer ? "transfer"
                                                                                           : "proceed";
                  s_.writer.post(db::CallEvent{opening.call_sid, db::now_ms(), 0, "call_start_webhook", std::nullopt, detail.dump()});
                  if (!start->problem.empty())
                    log_warn("call.start_webhook", opening.call_sid, start->problem, {{"elapsed_ms", ms}});
                  answer(opening, std::move(start), std::move(respond));
                });
}

void Routes::answer(const CallOpening& opening, std::shared_ptr<const call::CallStart> start, HttpResponder respond) {
  const auto& call_sid = opening.call_sid;
  const auto* profile = opening.profile.get();
  if (start && start->action != call::CallStart::Action::proceed) {
    // The business's system decided: the assistant is not started, and the slot is free again.
    s_.admission.release();
    const bool reject = start->action == call::CallStart::Action::reject;
    db::CallFinished finished;
    finished.call_sid = call_sid;
    finished.status = reject ? "rejected" : "transferred";
    finished.end_reason = reject ? "rejected_by_call_start_webhook" : "transferred_by_call_start_webhook";
    finished.ended_at = db::now_ms();
    s_.writer.post(finished);
    s_.metrics.count_call_outcome(finished.status);
    log_info("call.start_webhook_decided", call_sid, "", {{"action", reject ? "reject" : "transfer"}});
    if (reject) return respond(twiml(refusal_twiml("rejected", profile)));
    return respond(twiml(after_stream_twiml(call::Disposition{call::Transfer{start->transfer_to}}, profile,
                                            s_.settings.own_url(), opening.to)));
  }
  std::string token = CallRegistry::mint_token();
  MediaSession::Params p;
  p.call_sid = call_sid;
  p.profile = opening.profile;
  p.from = opening.from;
  p.to = opening.to;
  p.direction = opening.direction;
  p.started_at = opening.started_at;
  p.call_start = std::move(start);
  if (opening.local_test) p.test_by = "sonoria simulate on this machine";
  auto session = MediaSession::create(s_, std::move(p));
  s_.calls.add(call_sid, token, session, opening.profile, opening.to);
  log_info("call.admitted", call_sid, "", {{"org", profile->organization.slug}, {"from", opening.from}, {"to", opening.to}});
  session->start_ringing();
  respond(twiml(stream_twiml(s_.settings.own_url(), token, call_sid)));
}

void Routes::connect_done(const HttpRequest& request, HttpResponder respond) {
  auto params = twilio::parse_form(request.body);
  if (!params) return respond(text(400, "malformed form body\n"));
  if (!verify_twilio(request, *params, respond)) return;
  std::string call_sid = value_of(*params, "CallSid");
  // The caller is gone: nothing to say to them.
  if (value_of(*params, "CallStatus") == "completed")
    return respond(twiml(after_stream_twiml(call::Disposition{call::Hangup{}}, nullptr, "", "")));
  // A stream that never started will not start now (Twilio asks for the action once <Connect>
  // is over): the session ends at once, with the fallback.
  if (auto session = s_.calls.live_session(call_sid)) session->connect_ended();
  s_.calls.action_asked(call_sid);
  auto done = [this, call_sid, respond = std::move(respond)] {
    auto disposition = s_.calls.disposition(call_sid);
    if (!disposition) log_warn("call.no_disposition", call_sid, "stream ended without a decision; falling back");
    // While shutting down, a transfer does not come back here: the daemon may be gone by then.
    const std::string come_back_to = s_.admission.draining() ? std::string() : s_.settings.own_url();
    respond(twiml(after_stream_twiml(disposition, s_.calls.profile(call_sid).get(), come_back_to,
                                     s_.calls.to_number(call_sid))));
  };
  std::make_shared<AwaitEnd>(s_.io, std::move(done))->start(s_.calls, call_sid);
}

void Routes::dial_done(const HttpRequest& request, HttpResponder respond) {
  auto params = twilio::parse_form(request.body);
  if (!params) return respond(text(400, "malformed form body\n"));
  if (!verify_twilio(request, *params, respond)) return;
  std::string call_sid = value_of(*params, "CallSid");
  std::string dial_status = value_of(*params, "DialCallStatus");
  s_.writer.post(db::CallEvent{call_sid, db::now_ms(), std::nullopt, "transfer_result", dial_status, std::nullopt});
  log_info("call.transfer_result", call_sid, "", {{"status", dial_status}});
  if (dial_status == "completed" || dial_status == "answered")
    return respond(twiml(after_dial_twiml(dial_status, s_.calls.profile(call_sid).get())));
  // Nobody answered: rather than an apology and a hang-up, the caller goes back to the assistant
  // to leave a message, once the stage that transferred has been stored.
  auto done = [this, call_sid, dial_status, respond = std::move(respond)] {
    if (auto resumed = take_message(call_sid, dial_status)) return respond(twiml(*resumed));
    respond(twiml(after_dial_twiml(dial_status, s_.calls.profile(call_sid).get())));
  };
  std::make_shared<AwaitEnd>(s_.io, std::move(done))->start(s_.calls, call_sid);
}

std::optional<std::string> Routes::take_message(const std::string& call_sid, const std::string& dial_status) {
  auto stage = s_.calls.stage(call_sid);
  auto profile = s_.calls.profile(call_sid);
  if (!stage || stage->resumed || !profile || s_.calls.is_live(call_sid)) return std::nullopt;
  if (!s_.admission.readmit()) return std::nullopt;  // shutting down: the apology it is
  // Once only: a retried or repeated <Dial action> must not start another comeback.
  StageRecord used = *stage;
  used.resumed = true;
  s_.calls.record_stage(call_sid, std::move(used));
  std::string token = CallRegistry::mint_token();
  MediaSession::Params p;
  p.call_sid = call_sid;
  p.profile = profile;
  p.from = stage->from;
  p.to = stage->to;
  p.direction = stage->direction;
  p.started_at = stage->call_started_at;
  p.comeback = std::make_shared<const MediaSession::Params::Comeback>(
      MediaSession::Params::Comeback{std::move(*stage), dial_status});
  auto session = MediaSession::create(s_, std::move(p));
  s_.calls.add(call_sid, token, session, profile, s_.calls.to_number(call_sid));
  s_.writer.post(db::CallEvent{call_sid, db::now_ms(), std::nullopt, "take_message", dial_status, std::nullopt});
  log_info("call.take_message", call_sid, "transfer not answered; back to the assistant", {{"status", dial_status}});
  session->start_ringing();
  return stream_twiml(s_.settings.own_url(), token, call_sid);
}

void Routes::status(const HttpRequest& request, HttpResponder respond) {
  auto params = twilio::parse_form(request.body);
  if (!params) return respond(text(400, "malformed form body\n"));
  if (!verify_twilio(request, *params, respond)) return;
  db::CallStatusReport report;
  report.call_sid = value_of(*params, "CallSid");
  report.twilio_status = value_of(*params, "CallStatus");
  auto number = [&](std::string_view name) -> std::optional<int64_t> {
    auto v = value_of(*params, name);
    if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 15) return std::nullopt;
    return std::stoll(v);
  };
  report.sequence = number("SequenceNumber").value_or(0);
  report.duration_s = number("CallDuration");
  auto answered_by = value_of(*params, "AnsweredBy");
  if (!answered_by.empty()) report.answered_by = answered_by;
  report.at = db::now_ms();
  if (report.call_sid.empty() || report.twilio_status.empty()) return respond(text(400, "CallSid and CallStatus required\n"));
  s_.writer.post(report);
  log_info("call.status", report.call_sid, "", {{"status", report.twilio_status}, {"sequence", report.sequence}});
  HttpResponse r;
  r.status = 204;
  r.content_type.clear();
  respond(r);
}

bool Routes::accept_media_upgrade(const HttpRequest& upgrade) {
  if (!s_.settings.twilio.validate_signatures) return true;
  auto header = upgrade.header("x-twilio-signature");
  std::string url = websocket_base_url(s_.settings.own_url()) + upgrade.target;
  if (header && twilio::validate_signature(s_.settings.twilio.auth_token, *header, url, {})) return true;
  if (header && local_test(upgrade.remote_address) && twilio::validate_signature(s_.local_test_key, *header, url, {}))
    return true;
  s_.metrics.webhook_signature_failures++;
  log_warn("stream.bad_signature", "", "media stream upgrade refused: bad X-Twilio-Signature",
           {{"remote", upgrade.remote_address}});
  return false;
}

void Routes::on_media_open(std::shared_ptr<WsConnection> ws, bool test_calls) {
  std::make_shared<StreamGate>(s_, std::move(ws), test_calls)->start();
}

}  // namespace sonoria::daemon
