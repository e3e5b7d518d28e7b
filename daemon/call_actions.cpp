#include "daemon/call_actions.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/db/records.hpp"
#include "core/db/database.hpp"
#include "core/tools/booking_tools.hpp"
#include "core/tools/call_tools.hpp"
#include "core/net/http_client.hpp"
#include "core/tools/http_tools.hpp"
#include "core/tools/knowledge.hpp"
#include "core/tools/request_signature.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/outbound.hpp"
#include "daemon/read_pool.hpp"
#include "core/twilio/rest_client.hpp"
#include "daemon/call_registry.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/google_book.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"
#include "daemon/twiml_replies.hpp"

namespace sonoria::daemon {
namespace {
using Clock = std::chrono::steady_clock;
// Tool REST calls must answer the engine within a few seconds (protocols.md §4.6).
constexpr auto k_tool_rest_deadline = std::chrono::seconds(6);

// The filler the caller hears if a tool is still under way after k_slow_after; cancel it when done.
std::shared_ptr<boost::asio::steady_timer> start_filler(const boost::asio::any_io_executor& strand,
                                                        CallActions::Slow slow, std::string words) {
  auto filler = std::make_shared<boost::asio::steady_timer>(strand, CallActions::k_slow_after);
  filler->async_wait([slow = std::move(slow), words = std::move(words)](boost::system::error_code ec) {
    if (!ec && slow) slow(words);
  });
  return filler;
}
}  // namespace

std::shared_ptr<CallActions> CallActions::create(Services& services, boost::asio::any_io_executor strand,
                                                 std::string call_sid, std::shared_ptr<const org::Profile> profile,
                                                 tools::CallParties parties, bool can_transfer, bool test_call) {
  std::shared_ptr<CallActions> actions(new CallActions(services, std::move(strand), std::move(call_sid),
                                                       std::move(profile), std::move(parties)));
  actions->test_call_ = test_call;
  tools::CallToolOptions options;
  options.can_text = actions->rest_ != nullptr || test_call;
  options.can_transfer = can_transfer;
  options.has_knowledge = services.orgs.has_knowledge(actions->profile_->id);
  std::vector<std::string> skipped;
  tools::add_call_tools(actions->tools_, *actions->profile_, actions->parties_, options, &skipped);
  for (const auto& name : skipped)
    log_warn("call.http_tool_skipped", actions->call_sid_, "the tool's parameters are not a schema sonoria can check",
             {{"tool", name}});
  return actions;
}

CallActions::CallActions(Services& services, boost::asio::any_io_executor strand, std::string call_sid,
                         std::shared_ptr<const org::Profile> profile, tools::CallParties parties)
    : s_(services),
      strand_(std::move(strand)),
      call_sid_(std::move(call_sid)),
      profile_(std::move(profile)),
      parties_(std::move(parties)) {
  try {
    twilio::RestClientOptions options;
    options.deadline = k_tool_rest_deadline;
    rest_ = twilio::RestClient::create(strand_, twilio::rest_account_from(s_.settings.twilio), options);
  } catch (const std::exception& e) {
    // Without REST credentials the call still works; it just cannot text or act on the call by REST.
    log_debug("call.no_rest", call_sid_, e.what());
  }
}

void CallActions::run(const call::ToolRequest& request, ToolDone done, Slow slow) {
  auto outcome = tools_.run(request.name, request.arguments);
  log_info("call.tool", call_sid_, "", {{"tool", request.name}, {"ok", outcome.ok ? "true" : "false"}});
  if (auto* sms = std::get_if<tools::SendSms>(&outcome.effect)) {
    auto effect = *sms;
    return send_sms(request.call_id, std::move(outcome), std::move(effect), std::move(done), std::move(slow));
  }
  if (auto* http = std::get_if<tools::CallHttp>(&outcome.effect)) {
    auto effect = *http;
    return call_http(request.call_id, std::move(outcome), std::move(effect), std::move(done), std::move(slow));
  }
  if (auto* use = std::get_if<tools::UseBook>(&outcome.effect)) {
    auto effect = *use;
    return use_book(request.call_id, std::move(outcome), std::move(effect), std::move(done), std::move(slow));
  }
  if (auto* search = std::get_if<tools::SearchKnowledge>(&outcome.effect)) {
    auto effect = *search;
    return search_knowledge(request.call_id, std::move(outcome), std::move(effect), std::move(done), std::move(slow));
  }
  // Call-control tools decide without I/O; the result still comes back on a later turn of the strand.
  boost::asio::post(strand_, [done = std::move(done), call_id = request.call_id, outcome = std::move(outcome)] {
    done(call_id, outcome);
  });
}

// The model hears the real outcome of the text, and a filler meanwhile if it takes a while.
void CallActions::send_sms(const std::string& call_id, tools::ToolOutcome provisional, tools::SendSms sms,
                           ToolDone done, Slow slow) {
  auto filler = start_filler(strand_, std::move(slow), "");
  deliver_sms(sms, [self = shared_from_this(), call_id, provisional = std::move(provisional), sms, filler,
                    done = std::move(done)](std::optional<std::string> sid, std::string error) {
    filler->cancel();
    auto final_outcome = tools::finish_sms_outcome(provisional, sms, sid, error);
    self->tools_.settle(final_outcome);
    done(call_id, final_outcome);
  });
}

void CallActions::deliver_sms(const tools::SendSms& sms, Sent sent) {
  if (test_call_) {
    // What would be sent, for the owner to read on the call's page; the model hears it went out,
    // so the conversation goes on as it would on the phone.
    db::MessageRecord record = tools::text_record(profile_->id, sms, parties_.business_number);
    record.call_sid = call_sid_;
    record.status = "test";
    post(std::move(record));
    nlohmann::json detail = {{"purpose", sms.purpose}, {"to", sms.to}, {"ok", true}, {"test", true}};
    post(db::CallEvent{call_sid_, db::now_ms(), std::nullopt, "sms", std::nullopt, detail.dump()});
    log_info("call.sms_test", call_sid_, "a test call's text was recorded, not sent", {{"purpose", sms.purpose}});
    return boost::asio::post(strand_, [sent = std::move(sent)] { sent(std::string("test"), ""); });
  }
  // The owner's number is the operator's, written in the profile; any other is the caller's to
  // choose (their caller ID): the operator's destinations policy decides, not the model. (A test
  // call's texts, above, are recorded and never sent.)
  const bool to_owner = sms.to == profile_->organization.owner.phone;
  if (auto refusal = to_owner ? std::nullopt : text_refusal(s_.settings, *profile_, sms.to)) {
    db::MessageRecord record = tools::text_record(profile_->id, sms, parties_.business_number);
    record.call_sid = call_sid_;
    record.status = "failed";
    record.error_message = *refusal;
    post(std::move(record));
    nlohmann::json detail = {{"purpose", sms.purpose}, {"to", sms.to}, {"ok", false}, {"error", *refusal}};
    post(db::CallEvent{call_sid_, db::now_ms(), std::nullopt, "sms", std::nullopt, detail.dump()});
    log_warn("call.sms_refused", call_sid_, *refusal, {{"purpose", sms.purpose}});
    return boost::asio::post(strand_, [sent = std::move(sent)] {
      sent(std::nullopt, "this line does not send texts to that number.");
    });
  }
  if (!rest_) {
    return boost::asio::post(strand_, [sent = std::move(sent)] { sent(std::nullopt, "texts are not set up on this server"); });
  }
  twilio::CreateMessage message;
  message.to = sms.to;
  message.from = parties_.business_number;
  message.body = sms.body;
  // Intent first: the text's row (status "sending") is in the database before Twilio is asked, so
  // a crash between Twilio taking it and its answer being stored leaves a row that the next
  // start reconciles with Twilio (daemon/message_reconciler.hpp).
  db::MessageRecord intent = tools::text_record(profile_->id, sms, parties_.business_number);
  intent.call_sid = call_sid_;
  intent.status = "sending";
  intent.intent = CallRegistry::mint_token();
  auto send = [self = shared_from_this(), message, sms, key = *intent.intent, sent = std::move(sent)]() mutable {
    self->create_message(message, sms, key, std::move(sent));
  };
  DbWriter* writer = &s_.writer;
  const bool recorded = writer->post_job([writer, intent, strand = strand_, send](db::Database& database) mutable {
    try {
      database.calls().write_batch({intent});
    } catch (const std::exception& e) {
      // The database does not take writes now: the intent waits in the writer's queue instead.
      log_warn("call.sms_intent_waiting", intent.call_sid.value_or(""), e.what());
      writer->post(intent);
    }
    boost::asio::post(strand, std::move(send));
  });
  if (!recorded) {
    post(std::move(intent));
    send();
  }
}

void CallActions::create_message(const twilio::CreateMessage& message, const tools::SendSms& sms,
                                 const std::string& intent, Sent sent) {
  auto started = Clock::now();
  rest_->create_message(message, [self = shared_from_this(), sms, started, intent,
                                  sent = std::move(sent)](twilio::MessageResult result) {
    db::MessageRecord record = tools::text_record(self->profile_->id, sms, self->parties_.business_number);
    record.call_sid = self->call_sid_;
    record.intent = intent;
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
    self->post(std::move(record));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
    nlohmann::json detail = {{"purpose", sms.purpose}, {"to", sms.to}, {"ok", result.ok()},
                             {"attempts", result.attempts}, {"elapsed_ms", ms}};
    if (sid) detail["message_sid"] = *sid;
    if (!result.ok()) detail["error"] = error;
    self->post(db::CallEvent{self->call_sid_, db::now_ms(), std::nullopt, "sms", std::nullopt, detail.dump()});
    if (result.ok()) log_info("call.sms_sent", self->call_sid_, "", {{"purpose", sms.purpose}, {"sid", *sid}});
    else log_warn("call.sms_failed", self->call_sid_, error, {{"purpose", sms.purpose}});
    sent(std::move(sid), std::move(error));
  });
}

// The appointment book: read on a database reader, changed on the writer (one transaction that
// re-checks the slot), the caller texted about a change, and the model told what happened. With
// Google Calendar as the book, its busy times are fetched first and each change is put into it.
void CallActions::use_book(const std::string& call_id, tools::ToolOutcome provisional, tools::UseBook use,
                           ToolDone done, Slow slow) {
  using Action = tools::UseBook::Action;
  auto filler = start_filler(strand_, std::move(slow), "");
  auto finish = [self = shared_from_this(), call_id, provisional, use, filler, done](tools::BookingAnswer answer) {
    filler->cancel();
    if (!answer.error.empty()) log_warn("call.book_unavailable", self->call_sid_, answer.error);
    auto final_outcome = tools::finish_booking_outcome(provisional, use, answer, *self->profile_);
    log_info("call.book", self->call_sid_, "", {{"ok", final_outcome.ok ? "true" : "false"}});
    self->tools_.settle(final_outcome);
    done(call_id, final_outcome);
  };
  // On the strand with the book's answer; a change is texted to the caller before the model hears of it.
  auto answered = [self = shared_from_this(), use, finish](tools::BookingAnswer answer) {
    const bool changed = answer.error.empty() && answer.result.outcome == booking::Outcome::done &&
                         answer.result.appointment && use.action != Action::check && use.action != Action::find;
    if (!changed) return finish(std::move(answer));
    const char* kind = use.action == Action::book ? "confirmation" : use.action == Action::reschedule ? "changed" : "cancelled";
    const auto sms = tools::appointment_text(*self->profile_, self->parties_, *answer.result.appointment, kind);
    if (!sms) return finish(std::move(answer));
    self->deliver_sms(*sms, [finish, answer](std::optional<std::string> sid, std::string error) mutable {
      answer.text_sid = std::move(sid);
      answer.text_error = std::move(error);
      finish(std::move(answer));
    });
  };
  const bool google = profile_->booking.mode == org::k_booking_google;
  if (google && !s_.google) {
    tools::BookingAnswer answer;
    answer.error = "Google Calendar is not set up on this server (google.credentials_file)";
    return boost::asio::post(strand_, [answered, answer] { answered(answer); });
  }
  if (google && !google_) google_ = std::make_shared<GoogleBook>(strand_, s_.settings.google, s_.google, profile_);

  // Runs the book's side on a reader or the writer with the external busy times; the answer comes
  // back to `then` on the strand.
  auto run = [self = shared_from_this(), use](std::vector<booking::Busy> external,
                                              std::function<void(tools::BookingAnswer)> then) {
    const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
    auto back = [self, then](tools::BookingAnswer answer) {
      boost::asio::post(self->strand_, [then, answer = std::move(answer)]() mutable { then(std::move(answer)); });
    };
    auto job = [profile = self->profile_, use, now, external, call_sid = self->call_sid_,
                caller = self->parties_.caller_number, back](db::Database& database) {
      tools::BookingAnswer answer;
      try {
        booking::AppointmentBook book(database.appointments(), *profile);
        switch (use.action) {
          case Action::check: answer.offer = book.offer(tools::resolved_query(use, *profile, now), now, external); break;
          case Action::find: answer.appointments = book.upcoming_for(caller, now); break;
          case Action::book: {
            auto request = use.request;
            request.call_sid = call_sid;
            answer.result = book.book(request, now, external);
            break;
          }
          case Action::reschedule:
            answer.result = book.reschedule(use.reference, caller, use.request.start, use.request.team_member,
                                            use.request.location, now, call_sid, external);
            break;
          case Action::cancel: answer.result = book.cancel(use.reference, caller, now); break;
        }
      } catch (const db::SlotTaken&) {
        // Someone else's write got there between our check and our insert (another process).
        answer.result.outcome = booking::Outcome::taken;
      } catch (const std::exception& e) {
        log_error("call.book_failed", call_sid, e.what());
        answer.error = "the book could not be read";
      }
      back(std::move(answer));
    };
    const bool reads = use.action == Action::check || use.action == Action::find;
    if (!(reads ? self->s_.reads.post(job) : self->s_.writer.post_job(job))) {
      tools::BookingAnswer answer;
      answer.error = "the server is too busy";
      back(std::move(answer));
    }
  };
  if (!google || use.action == Action::find) return run({}, answered);

  // Google: its busy times for the days concerned, then the book, then the change into the calendar.
  const auto now = std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
  std::string service = use.request.service;
  std::chrono::year_month_day first = use.request.start.date;
  std::chrono::year_month_day last = first;
  if (use.action == Action::check) {
    const auto query = tools::resolved_query(use, *profile_, now);
    service = query.service;
    first = query.first_day;
    last = std::chrono::year_month_day{std::chrono::sys_days{query.last_day} +
                                       std::chrono::days{booking::AppointmentBook::k_look_ahead_days}};
  }
  if (use.action == Action::cancel) {
    return run({}, [self = shared_from_this(), answered](tools::BookingAnswer answer) {
      if (!answer.error.empty() || answer.result.outcome != booking::Outcome::done) return answered(std::move(answer));
      self->google_->sync(std::nullopt, *answer.result.appointment,
                          [self, answered, answer](std::optional<db::Appointment>, std::string error) {
                            // Cancelled in the book either way; an event left behind is the owner's to remove.
                            if (!error.empty())
                              log_error("call.calendar_not_updated", self->call_sid_, error,
                                        {{"reference", answer.result.appointment->reference}});
                            answered(answer);
                          });
    });
  }
  google_->busy(use.action == Action::reschedule ? std::string() : service, first, last,
                [self = shared_from_this(), use, run, answered](std::vector<booking::Busy> busy, std::string error) {
                  if (!error.empty()) {
                    tools::BookingAnswer answer;
                    answer.error = error;
                    return answered(answer);
                  }
                  if (use.action == Action::check) return run(std::move(busy), answered);
                  run(std::move(busy), [self, answered](tools::BookingAnswer answer) {
                    if (!answer.error.empty() || answer.result.outcome != booking::Outcome::done)
                      return answered(std::move(answer));
                    self->google_->sync(answer.result.before, *answer.result.appointment,
                                        [self, answered, answer](std::optional<db::Appointment> synced,
                                                                 std::string sync_error) mutable {
                                          self->settle_calendar(answer, synced, sync_error);
                                          answered(std::move(answer));
                                        });
                  });
                });
}

// After a booking or a move was put into Google Calendar: keep its event in the book, or, when the
// calendar refused it, undo the change in the book and tell the caller it did not happen.
void CallActions::settle_calendar(tools::BookingAnswer& answer, const std::optional<db::Appointment>& synced,
                                  const std::string& error) {
  const auto before = answer.result.before;
  const auto appointment = *answer.result.appointment;
  if (synced) {
    answer.result.appointment = synced;
    // Only where the event is: the rest of the row may have moved on meanwhile (a cancellation,
    // a reminder sent), and must not be written back as it was.
    const bool queued = s_.writer.post_job([id = synced->id, calendar = synced->calendar_id,
                                            event = synced->event_id, sid = call_sid_](db::Database& database) {
      try {
        database.appointments().set_event(id, calendar, event);
      } catch (const std::exception& e) {
        log_error("call.book_failed", sid, e.what());
      }
    });
    if (!queued)
      log_error("db.queue_full", call_sid_, "the calendar event of an appointment was not recorded",
                {{"reference", synced->reference}, {"event", synced->event_id}});
    return;
  }
  log_error("call.calendar_refused", call_sid_, error, {{"reference", appointment.reference}});
  answer.error = error;
  // Undone in the book, unless someone changed it since (their change stands).
  const bool queued = s_.writer.post_job([before, appointment, sid = call_sid_](db::Database& database) {
    try {
      bool undone = false;
      if (before) {
        db::Appointment restored = *before;
        undone = database.appointments().update_if_unchanged(restored, appointment.updated_at);
      } else {
        undone = database.appointments().erase_if_unchanged(appointment.id, appointment.updated_at);
      }
      if (!undone)
        log_warn("call.book_not_undone", sid, "the appointment changed before the calendar's refusal could undo it",
                 {{"reference", appointment.reference}});
    } catch (const std::exception& e) {
      log_error("call.book_failed", sid, e.what(), {{"reference", appointment.reference}});
    }
  });
  if (!queued)
    log_error("db.queue_full", call_sid_, "an appointment the calendar refused could not be undone",
              {{"reference", appointment.reference}});
}

// The search runs on a database reader (never on the event loop); its answer comes back on the strand.
void CallActions::search_knowledge(const std::string& call_id, tools::ToolOutcome provisional,
                                   tools::SearchKnowledge search, ToolDone done, Slow slow) {
  auto filler = start_filler(strand_, std::move(slow), "");
  auto finish = [self = shared_from_this(), call_id, provisional, search, filler, done,
                 started = Clock::now()](std::vector<db::KbHit> hits, std::string error) {
    boost::asio::post(self->strand_, [self, call_id, provisional, search, filler, done, started, hits = std::move(hits),
                                      error = std::move(error)] {
      filler->cancel();
      const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started).count();
      if (error.empty())
        log_info("call.knowledge", self->call_sid_, "",
                 {{"passages", hits.size()}, {"elapsed_ms", ms}});
      else log_warn("call.knowledge_failed", self->call_sid_, error);
      auto final_outcome = tools::finish_knowledge_outcome(provisional, search, hits, error);
      self->tools_.settle(final_outcome);
      done(call_id, final_outcome);
    });
  };
  const int64_t org = profile_->id;
  const bool queued = s_.reads.post([finish, search, org](db::Database& database) {
    std::vector<db::KbHit> hits;
    std::string error;
    try {
      hits = database.knowledge().search(org, search.question, search.limit);
    } catch (const std::exception& e) {
      error = e.what();
    }
    finish(std::move(hits), std::move(error));
  });
  if (!queued) finish({}, "the daemon is too busy to search");
}

// One of the business's own tools: its secrets read from the environment now, signed with the
// organization's secret, retried after a timeout, a connection failure or a 5xx (the same
// idempotency key each time), and its answer given to the model. Headers are never logged.
void CallActions::call_http(const std::string& call_id, tools::ToolOutcome provisional, tools::CallHttp call,
                            ToolDone done, Slow slow) {
  struct Attempt {
    net::HttpRequest request;
    tools::CallHttp call;
    tools::ToolOutcome provisional;
    std::string call_id;
    ToolDone done;
    std::shared_ptr<boost::asio::steady_timer> filler;
    std::shared_ptr<boost::asio::steady_timer> backoff;
    Clock::time_point started = Clock::now();
    int attempts = 0;
  };
  auto state = std::make_shared<Attempt>();
  state->call = std::move(call);
  state->provisional = std::move(provisional);
  state->call_id = call_id;
  state->done = std::move(done);
  state->filler = start_filler(strand_, std::move(slow), state->call.filler);
  state->backoff = std::make_shared<boost::asio::steady_timer>(strand_);

  auto finish = [self = shared_from_this(), state](tools::HttpAnswer answer) {
    state->filler->cancel();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - state->started).count();
    answer.attempts = std::max(1, state->attempts);
    nlohmann::json detail = {{"tool", state->call.tool},   {"method", state->call.method}, {"status", answer.status},
                             {"attempts", answer.attempts}, {"elapsed_ms", ms}};
    if (!answer.error.empty()) detail["error"] = answer.error;
    self->post(db::CallEvent{self->call_sid_, db::now_ms(), std::nullopt, "http_tool", state->call.tool, detail.dump()});
    if (answer.status >= 200 && answer.status < 300)
      log_info("call.http_tool", self->call_sid_, "",
               {{"tool", state->call.tool}, {"status", answer.status}, {"elapsed_ms", ms}});
    else
      log_warn("call.http_tool_failed", self->call_sid_, answer.error.empty() ? "HTTP " + std::to_string(answer.status) : answer.error,
               {{"tool", state->call.tool}, {"attempts", answer.attempts}});
    auto final_outcome = tools::finish_http_outcome(state->provisional, state->call, answer);
    self->tools_.settle(final_outcome);
    state->done(state->call_id, final_outcome);
  };

  const auto resolved = tools::resolve_headers(state->call.headers, [](const std::string& name) { return std::getenv(name.c_str()); });
  if (!resolved.missing.empty()) {
    // The operator's mistake, not the caller's: say which variable, never its value.
    log_error("call.http_tool_unconfigured", call_sid_,
              "environment variable " + resolved.missing + " is not set for the tool's headers", {{"tool", state->call.tool}});
    tools::HttpAnswer answer;
    answer.error = "is not set up on this server yet";
    return boost::asio::post(strand_, [finish, answer] { finish(answer); });
  }
  const std::string secret = s_.orgs.signing_secret(profile_->id);
  auto& base = state->request;
  base.method = state->call.method;
  base.url = state->call.url;
  base.body = state->call.body;
  for (const auto& header : resolved.headers) base.headers.emplace_back(header.first, header.second);
  base.headers.emplace_back(std::string(tools::k_idempotency_header), call_sid_ + ":" + call_id);
  base.headers.emplace_back("X-Sonoria-Call", call_sid_);
  if (!http_) http_ = net::HttpClient::create(strand_);

  auto attempt = std::make_shared<std::function<void()>>();
  *attempt = [self = shared_from_this(), state, finish, secret, attempt] {
    ++state->attempts;
    net::HttpRequest request = state->request;
    if (!secret.empty()) {
      const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch());
      request.headers.emplace_back(std::string(tools::k_signature_header),
                                   tools::signature_value(secret, now.count(), request.body));
    }
    self->http_->request(std::move(request), std::chrono::milliseconds(state->call.timeout_ms),
                         [self, state, finish, attempt](net::HttpResponse response) {
                           const bool retryable = !response.ok() || response.status >= 500;
                           if (retryable && state->attempts <= state->call.retries) {
                             state->backoff->expires_after(std::chrono::milliseconds(250 * state->attempts));
                             state->backoff->async_wait([attempt](boost::system::error_code ec) {
                               if (!ec) (*attempt)();
                             });
                             return;
                           }
                           *attempt = nullptr;  // the cycle through the lambda ends here
                           tools::HttpAnswer answer;
                           if (response.ok()) {
                             answer.status = response.status;
                             answer.body = std::move(response.body);
                             answer.content_type = response.header("Content-Type").value_or("");
                           } else if (response.error == std::errc::timed_out) {
                             answer.error = "did not answer within " +
                                            std::to_string((state->call.timeout_ms + 999) / 1000) + " s";
                           } else {
                             answer.error = "could not be reached";
                           }
                           finish(std::move(answer));
                         });
  };
  (*attempt)();
}

void CallActions::hang_up(const std::string& why) {
  if (!rest_ || rest_requested_ || test_call_) return;
  rest_requested_ = true;
  twilio::UpdateCall update;
  update.status = "completed";
  rest_->update_call(call_sid_, update, [self = shared_from_this(), why](twilio::CallResult result) {
    const bool done = result.ok() || (result.error && result.error->call_already_ended());
    self->record_rest("hangup_by_rest", why, done, result.attempts, result.error ? result.error->describe() : "");
  });
}

void CallActions::transfer(const std::string& number) {
  if (!rest_ || rest_requested_ || test_call_) return;
  rest_requested_ = true;
  twilio::UpdateCall update;
  update.twiml = after_stream_twiml(call::Disposition{call::Transfer{number}}, profile_.get(),
                                    s_.settings.own_url(), parties_.business_number);
  rest_->update_call(call_sid_, update, [self = shared_from_this(), number](twilio::CallResult result) {
    const bool done = result.ok() || (result.error && result.error->call_already_ended());
    self->record_rest("transfer_by_rest", number, done, result.attempts, result.error ? result.error->describe() : "");
  });
}

void CallActions::hand_off(std::string twiml, std::function<void(bool)> done) {
  if (!rest_ || rest_requested_ || test_call_) {
    boost::asio::post(strand_, [done = std::move(done)] { done(false); });
    return;
  }
  rest_requested_ = true;
  twilio::UpdateCall update;
  update.twiml = std::move(twiml);
  rest_->update_call(call_sid_, update, [self = shared_from_this(), done = std::move(done)](twilio::CallResult result) {
    const bool ok = result.ok() || (result.error && result.error->call_already_ended());
    self->record_rest("handoff_by_rest", "fallback at the drain deadline", ok, result.attempts,
                      result.error ? result.error->describe() : "");
    done(ok);
  });
}

void CallActions::record_rest(const std::string& what, const std::string& detail_text, bool done, int attempts,
                              const std::string& error) {
  nlohmann::json detail = {{"ok", done}, {"attempts", attempts}};
  if (!error.empty()) detail["error"] = error;
  post(db::CallEvent{call_sid_, db::now_ms(), std::nullopt, what, detail_text, detail.dump()});
  if (done) log_info("call." + what, call_sid_, detail_text);
  else log_warn("call." + what + "_failed", call_sid_, error);
}

void CallActions::post(db::Record record) {
  if (!s_.writer.post(std::move(record))) {
    s_.metrics.db_records_dropped++;
    log_error("db.queue_full", call_sid_, "a call record was dropped: the database writer is behind");
  }
}

}  // namespace sonoria::daemon
