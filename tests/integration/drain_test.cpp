// SIGTERM with calls in progress: the daemon stops taking new calls but keeps listening, every
// call in progress ends normally or is handed to the fallback, no webhook is refused, every
// record is complete, and it exits 0.
#include <doctest/doctest.h>

#include <thread>

#include "core/db/database.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace drain_tests {

fakes::ScriptedReply said(std::string text, int audio_ms) {
  fakes::ScriptedReply r;
  r.text = std::move(text);
  r.audio_ms = audio_ms;
  r.chunk_ms = 200;
  return r;
}

struct DrainingDaemon {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  std::unique_ptr<fakes::FakeTwilioRest> rest;  // null: the daemon has no REST credentials
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> daemon;
  std::string base;

  explicit DrainingDaemon(bool with_rest) {
    if (with_rest) rest = std::make_unique<fakes::FakeTwilioRest>(test::k_account, test::k_token);
    settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
    settings.server.drain_timeout = 2s;
    settings.calls.max_calls_per_caller_per_hour = 0;
    if (rest) {
      settings.twilio.account_sid = test::k_account;
      settings.twilio.api_base_url = rest->base_url();
    }
    test::import_example_profile(settings);
    engine.set_default_reply(said("Hello!", 400));
    daemon = std::make_unique<daemon::Daemon>(settings);
    daemon->start();
    base = "http://127.0.0.1:" + std::to_string(daemon->port());
  }

  ~DrainingDaemon() {
    if (!daemon) return;
    daemon->request_stop();
    daemon->wait();
  }

  // Rings from its own number, waits for the pre-warmed engine session, opens the stream, and
  // hears the greeting.
  std::unique_ptr<fakes::FakeTwilioCaller> answered_call(int n) {
    fakes::CallerOptions options;
    options.from = "+1555200" + std::to_string(1000 + n);
    auto caller = std::make_unique<fakes::FakeTwilioCaller>(options);
    if (rest) rest->register_call(caller->call_sid());
    auto r = caller->post_voice_webhook(base + "/twilio/voice", test::k_public + "/twilio/voice");
    REQUIRE(r.status == 200);
    REQUIRE(r.twiml);
    REQUIRE(r.twiml->connect);
    REQUIRE(engine.wait_for_server_event(n, "session.updated", 1, 10s));
    REQUIRE(caller->open_stream().ok);
    REQUIRE(hear(*caller, 400 * 8));
    return caller;
  }

  // Lets the caller's clock run (line silence) until `bytes` of assistant audio were heard.
  static bool hear(fakes::FakeTwilioCaller& caller, size_t bytes) {
    if (!caller.wait_for([&] { return caller.stream().heard().size() + caller.stream().buffered_bytes() >= bytes; }, 10s))
      return false;
    for (int i = 0; i < 200 && caller.stream().heard().size() < bytes; ++i) caller.send_silence(100);
    return caller.stream().heard().size() >= bytes;
  }

  fakes::HttpReply get(const std::string& path) {
    fakes::HttpCall call;
    call.url = base + path;
    return fakes::http_exchange(call);
  }

  std::optional<db::CallRow> call_row(const std::string& sid) {
    db::Database database(settings.database, db::SchemaCheck::require_current, true);
    return database.calls().find_call(sid);
  }
};

}  // namespace drain_tests

using drain_tests::DrainingDaemon;
using drain_tests::said;

TEST_CASE("SIGTERM during 20 calls: every call ends normally or is handed to the fallback, no webhook is refused, exit 0") {
  DrainingDaemon h(true);
  std::vector<std::unique_ptr<fakes::FakeTwilioCaller>> callers;
  for (int i = 0; i < 20; ++i) callers.push_back(h.answered_call(i));

  // Caller 0 asks for a person: the engine transfers, and the <Dial> is under way at SIGTERM.
  fakes::ScriptedReply transfer = said("Connecting you now.", 400);
  transfer.function_calls.push_back(fakes::ScriptedFunctionCall{"transfer_call", R"({"reason":"wants a person"})", ""});
  h.engine.push_reply(transfer);
  auto& transferred = *callers[0];
  transferred.send_audio(test::speech_bytes(500));
  transferred.send_audio(test::silence_bytes(700));
  REQUIRE(DrainingDaemon::hear(transferred, 800 * 8));
  for (int i = 0; i < 100 && !transferred.stream().closed(); ++i) transferred.send_silence(100);
  REQUIRE(transferred.wait_for([&] { return transferred.stream().closed(); }, 10s));
  auto dial = transferred.post_connect_action();
  REQUIRE(dial.twiml);
  REQUIRE(dial.twiml->dial);

  // Callers 1–4 are mid-turn: each asked something and its answer is still playing.
  for (int i = 1; i <= 4; ++i) {
    h.engine.push_reply(said("We have classes every morning at seven, and every evening at six.", 1500));
    callers[i]->send_audio(test::speech_bytes(500));
    callers[i]->send_audio(test::silence_bytes(700));
    REQUIRE(h.engine.wait_for([&] { return h.engine.session(i).responses_completed >= 2; }, 10s));
  }

  h.daemon->request_stop();  // what SIGTERM does

  // Not ready, but still listening: a load balancer sends new calls elsewhere…
  auto ready = h.get("/readyz");
  CHECK(ready.status == 503);
  CHECK(ready.body == "draining\n");
  // … and a new call that arrives anyway is sent to the fallback number, not refused.
  fakes::CallerOptions late_options;
  late_options.from = "+15553334444";
  fakes::FakeTwilioCaller late(late_options);
  auto sent_on = late.post_voice_webhook(h.base + "/twilio/voice", test::k_public + "/twilio/voice");
  CHECK(sent_on.status == 200);
  REQUIRE(sent_on.twiml);
  CHECK_FALSE(sent_on.twiml->connect);
  REQUIRE(sent_on.twiml->dial);
  CHECK(sent_on.body.find("+15550001001") != std::string::npos);
  CHECK(sent_on.body.find("action=") == std::string::npos);
  CHECK(h.engine.session_count() == 20);

  // The calls in progress carry on: the answers play to the end, and those callers hang up.
  for (int i = 1; i <= 4; ++i) {
    CHECK(DrainingDaemon::hear(*callers[i], (400 + 1500) * 8));
    callers[i]->hang_up();
  }
  for (int i = 5; i <= 9; ++i) callers[i]->hang_up();
  // The transferred call's webhooks are served as usual.
  fakes::StatusCallback in_progress;
  in_progress.call_status = "in-progress";
  in_progress.sequence_number = 1;
  CHECK(transferred.post_status_callback(test::k_public + "/twilio/status", in_progress).status == 204);
  auto after_dial = transferred.post_dial_action("completed");
  CHECK(after_dial.status == 200);
  REQUIRE(after_dial.twiml);
  CHECK(after_dial.twiml->hangup);

  // Callers 10–19 are still talking at the drain deadline: Twilio is told to dial the fallback.
  CHECK(h.daemon->wait() == 0);
  auto updates = h.rest->call_updates();
  CHECK(updates.size() == 10);
  for (const auto& update : updates) {
    auto twiml = twilio::form_value(update.form, "Twiml");
    REQUIRE(twiml);
    CHECK(twiml->find("I have to pass you on now") != std::string::npos);
    CHECK(twiml->find("<Number>+15550001001</Number>") != std::string::npos);
  }
  for (int i = 10; i < 20; ++i) CHECK(callers[i]->stream().closed());
  h.daemon.reset();

  // Every record is complete, and none says the call was cut.
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    auto row = h.call_row(callers[i]->call_sid());
    REQUIRE(row);
    REQUIRE(row->ended_at);
    if (i == 0) CHECK(row->status + "/" + row->end_reason.value_or("") == "transferred/transferred");
    else if (i < 10) CHECK(row->status + "/" + row->end_reason.value_or("") == "completed/caller_hung_up");
    else CHECK(row->status + "/" + row->end_reason.value_or("") == "transferred/shutdown_handoff");
  }
  auto late_row = h.call_row(late.call_sid());
  REQUIRE(late_row);
  CHECK(late_row->status == "transferred");
  CHECK(late_row->end_reason == "shutting_down");
}

TEST_CASE("at the drain deadline without REST credentials, the stream closes with the fallback and its connect action is still answered") {
  DrainingDaemon h(false);
  auto caller = h.answered_call(0);
  h.daemon->request_stop();
  REQUIRE(caller->wait_for([&] { return caller->stream().closed(); }, 10s));
  // The daemon waits for Twilio's <Connect action> before it exits, and answers it with the
  // fallback, which does not come back to it.
  auto next = caller->post_connect_action();
  CHECK(next.status == 200);
  REQUIRE(next.twiml);
  REQUIRE(next.twiml->dial);
  CHECK(next.body.find("+15550001001") != std::string::npos);
  CHECK(next.body.find("action=") == std::string::npos);
  CHECK(h.daemon->wait() == 0);
  h.daemon.reset();
  auto row = h.call_row(caller->call_sid());
  REQUIRE(row);
  CHECK(row->status == "transferred");
  CHECK(row->end_reason == "shutdown_handoff");
}
