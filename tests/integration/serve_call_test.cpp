// `sonoria serve` end to end on loopback: a fake Twilio caller dials, the daemon bridges the call
// to a fake OpenAI Realtime server, and the database holds what happened.
#include <doctest/doctest.h>

#include "core/audio/speech_synth.hpp"

#include <algorithm>
#include <thread>

#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "core/db/postgresql.hpp"
#include "tests/support/postgresql_cluster.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/time_scale.hpp"
#include "tests/support/stderr_capture.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

using test::k_account;
using test::k_public;
using test::k_token;
using test::silence_bytes;
using test::speech_bytes;

fakes::ScriptedReply reply(std::string text, int audio_ms, int chunk_ms = 200) {
  fakes::ScriptedReply r;
  r.text = std::move(text);
  r.audio_ms = audio_ms;
  r.chunk_ms = chunk_ms;
  return r;
}


struct Harness {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> daemon;
  std::string base;

  explicit Harness(std::function<void(config::Settings&)> tweak = {}) {
    settings = test::loopback_settings(dir, engine, k_public, k_token);
    settings.calls.stream_timeout = 2s;
    if (tweak) tweak(settings);
    test::import_example_profile(settings);
    daemon = std::make_unique<daemon::Daemon>(settings);
    daemon->start();
    base = "http://127.0.0.1:" + std::to_string(daemon->port());
  }

  ~Harness() {
    if (daemon) {
      daemon->request_stop();
      daemon->wait();
    }
  }

  fakes::WebhookResult ring(fakes::FakeTwilioCaller& caller) {
    return caller.post_voice_webhook(base + "/twilio/voice", k_public + "/twilio/voice");
  }

  // Rings, waits for the pre-warmed engine session to be ready, then opens the stream.
  void answer(fakes::FakeTwilioCaller& caller, int session = 0) {
    auto r = ring(caller);
    REQUIRE(r.status == 200);
    REQUIRE(r.twiml);
    REQUIRE(r.twiml->connect);
    REQUIRE(engine.wait_for_server_event(session, "session.updated"));
    REQUIRE(caller.open_stream().ok);
  }

  // Plays assistant audio to the caller: waits until `bytes` of it have arrived, then lets the
  // caller's clock run (sending line silence) until it has all been heard.
  static bool hear(fakes::FakeTwilioCaller& caller, size_t bytes, std::string* sent = nullptr) {
    if (!caller.wait_for([&] { return caller.stream().heard().size() + caller.stream().buffered_bytes() >= bytes; }))
      return false;
    for (int i = 0; i < 100 && caller.stream().heard().size() < bytes; ++i) {
      caller.send_silence(100);
      if (sent) *sent += std::string(800, '\xFF');
    }
    return caller.stream().heard().size() >= bytes;
  }

  std::string media_url() const { return "ws://127.0.0.1:" + std::to_string(daemon->port()) + "/twilio/media"; }

  // The call row, once the writer has stored its end (or nullopt after the timeout).
  std::optional<db::CallRow> finished_call(const std::string& sid, std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      db::Database database(settings.database, db::SchemaCheck::require_current, true);
      auto row = database.calls().find_call(sid);
      if (row && row->ended_at) return row;
      if (std::chrono::steady_clock::now() > deadline) return row;
      std::this_thread::sleep_for(20ms);
    }
  }

  std::vector<db::TranscriptEntry> transcript(const std::string& sid) {
    db::Database database(settings.database, db::SchemaCheck::require_current, true);
    return database.calls().transcript(sid);
  }
};

// Settings that send the daemon's Twilio REST requests (SMS, call updates) to `rest`.
std::function<void(config::Settings&)> use_rest(const fakes::FakeTwilioRest& rest) {
  return [&rest](config::Settings& s) {
    s.twilio.account_sid = k_account;
    s.twilio.api_base_url = rest.base_url();
  };
}

// The engine greets ("Hello!", 400 ms), then answers the caller's first turn with `words`
// (`reply_ms` of audio) and a transfer_call.
void script_transfer(Harness& h, std::string words, int reply_ms) {
  h.engine.push_reply(reply("Hello!", 400));
  fakes::ScriptedReply transfer = reply(std::move(words), reply_ms);
  transfer.function_calls.push_back(fakes::ScriptedFunctionCall{"transfer_call", R"({"reason":"wants a person"})", ""});
  h.engine.push_reply(transfer);
}

// The engine greets ("Hello!", 400 ms), answers the caller's first turn with send_booking_link
// (call_booking_1), then says `after` once it has the tool's result.
void script_booking_link(Harness& h, std::string after) {
  h.engine.push_reply(reply("Hello!", 400));
  fakes::ScriptedReply asks = reply("Sure, I will text you our booking link.", 400);
  asks.function_calls.push_back(fakes::ScriptedFunctionCall{"send_booking_link", "{}", "call_booking_1"});
  h.engine.push_reply(asks);
  h.engine.push_reply(reply(std::move(after), 400));
}

// The caller hears the greeting and says something (speech, then silence to end the turn).
void hear_greeting_and_ask(fakes::FakeTwilioCaller& caller) {
  REQUIRE(Harness::hear(caller, 400 * 8));
  caller.send_audio(speech_bytes(500));
  caller.send_audio(silence_bytes(700));
}

// Caller hears the greeting, asks for a person, hears the transfer reply play out (the fake plays
// audio only as the caller sends, so it waits for it to arrive first); its mark is echoed, the
// daemon closes the stream, and the <Connect action> is asked what next.
fakes::WebhookResult ask_for_a_person(fakes::FakeTwilioCaller& caller, int reply_ms) {
  hear_greeting_and_ask(caller);
  REQUIRE(Harness::hear(caller, static_cast<size_t>(400 + reply_ms) * 8));
  for (int i = 0; i < 100 && !caller.stream().closed(); ++i) caller.send_audio(silence_bytes(100));
  REQUIRE(caller.wait_for([&] { return caller.stream().closed(); }, 10s));
  return caller.post_connect_action();
}

}  // namespace

TEST_CASE("a caller hears the greeting, is heard byte for byte, gets an answer, and the call is stored") {
  Harness h;
  h.engine.push_reply(reply("Thanks for calling Lotus Yoga, how can I help?", 600));
  h.engine.push_reply(reply("We open at seven tomorrow morning.", 800));
  h.engine.push_caller_transcript("When do you open tomorrow?");
  // Frames 20 ms apart, as on a phone line: a burst faster than real time may lose its oldest
  // audio by design when the machine is busy (ctest -j2), and this test counts every byte.
  fakes::CallerOptions paced;
  paced.realtime_pacing = true;
  fakes::FakeTwilioCaller caller(paced);
  h.answer(caller);

  // The session was configured from the profile before the caller said anything.
  auto session = h.engine.session(0);
  REQUIRE_FALSE(session.session_updates.empty());
  CHECK(session.session_updates[0]["type"] == "realtime");
  CHECK(session.session_updates[0]["audio"]["output"]["format"]["type"] == "audio/pcmu");
  CHECK(session.session_updates[0]["instructions"].get<std::string>().find("Lotus Yoga Studio") != std::string::npos);
  CHECK(session.target.find("model=gpt-realtime") != std::string::npos);

  // Caller: a second of line noise while the greeting plays.
  REQUIRE(caller.wait_for([&] { return caller.stream().buffered_bytes() >= 600 * 8; }));
  std::string sent = silence_bytes(1000);
  caller.send_audio(sent);
  REQUIRE(caller.stream().heard().size() >= 600 * 8);
  auto greeting_item = h.engine.session(0).assistant_audio.begin()->second;
  CHECK(caller.stream().heard().substr(0, greeting_item.size()) == greeting_item);

  // Caller asks; the engine hears exactly what was said; the reply plays.
  auto question = speech_bytes(600);
  caller.send_audio(question);
  caller.send_audio(silence_bytes(700));
  sent += question + silence_bytes(700);
  REQUIRE(h.engine.wait_for([&] { return h.engine.session(0).responses_completed >= 2; }));
  REQUIRE(Harness::hear(caller, (600 + 800) * 8, &sent));
  REQUIRE(h.engine.wait_for([&] { return h.engine.session(0).appended_audio.size() >= sent.size(); }));
  CHECK(h.engine.session(0).appended_audio == sent);
  CHECK(caller.stream().violations().empty());

  caller.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "completed");
  CHECK(row->end_reason == "caller_hung_up");
  CHECK(row->stream_sid == caller.stream_sid());
  CHECK(row->organization_id == 1);
  CHECK(row->greeting_latency_ms.has_value());
  CHECK(row->usage.output_tokens > 0);
  auto turns = h.transcript(caller.call_sid());
  REQUIRE(turns.size() == 3);
  CHECK(turns[0].speaker == "assistant");
  CHECK(turns[0].text == "Thanks for calling Lotus Yoga, how can I help?");
  CHECK(turns[1].speaker == "caller");
  CHECK(turns[1].text == "When do you open tomorrow?");
  CHECK(turns[2].text == "We open at seven tomorrow morning.");
}

TEST_CASE("barge-in clears Twilio and truncates the reply at the audio the caller actually heard") {
  Harness h;
  h.engine.push_reply(reply("Hello!", 400));
  h.engine.push_reply(reply("We have vinyasa, hatha, yin and hot yoga classes every day of the week.", 4000, 200));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  REQUIRE(Harness::hear(caller, 400 * 8));
  caller.send_audio(speech_bytes(400));
  caller.send_audio(silence_bytes(700));
  REQUIRE(h.engine.wait_for([&] { return h.engine.session(0).response_ids.size() >= 2; }));
  REQUIRE(h.engine.wait_for([&] { return h.engine.session(0).assistant_audio.size() >= 2; }));
  // Let about a second of the long reply play, then talk over it.
  REQUIRE(caller.wait_for([&] { return caller.stream().buffered_bytes() >= 1200 * 8; }));
  caller.send_audio(silence_bytes(1000));
  caller.send_audio(speech_bytes(300));
  REQUIRE(h.engine.wait_for([&] { return !h.engine.session(0).truncates.empty(); }));
  REQUIRE(caller.wait_for([&] { return caller.stream().clears() == 1; }));
  auto truncate = h.engine.session(0).truncates[0];
  // What the caller heard of the reply (after the 400 ms greeting). The truncate is the offset of
  // the last mark echoed (one per 200 ms chunk) when speech started: at most what was heard, and
  // behind it by no more than a chunk plus the speech played before the clear arrived.
  int reply_heard_ms = static_cast<int>(caller.stream().heard().size() / 8) - 400;
  CAPTURE(reply_heard_ms);
  CAPTURE(truncate.audio_end_ms);
  CHECK(truncate.audio_end_ms % 200 == 0);
  CHECK(truncate.audio_end_ms > 0);
  CHECK(truncate.audio_end_ms <= reply_heard_ms);
  CHECK(truncate.audio_end_ms >= reply_heard_ms - 200 - 300);
  CHECK(truncate.audio_end_ms < 4000);
  CHECK(caller.stream().cleared_bytes() > 0);
  caller.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->interruptions == 1);
  auto turns = h.transcript(caller.call_sid());
  bool found_cut = false;
  for (const auto& t : turns)
    if (t.interrupted) {
      found_cut = true;
      CHECK(t.generated_text == "We have vinyasa, hatha, yin and hot yoga classes every day of the week.");
      CHECK(t.text.size() < t.generated_text->size());
    }
  CHECK(found_cut);
}

TEST_CASE("a webhook with a bad signature gets 403 and no call is recorded") {
  Harness h;
  fakes::CallerOptions options;
  options.auth_token = "00000000000000000000000000000000";
  fakes::FakeTwilioCaller forger(options);
  auto r = h.ring(forger);
  CHECK(r.status == 403);
  CHECK_FALSE(h.finished_call(forger.call_sid(), 200ms));
  CHECK(h.engine.session_count() == 0);
}

TEST_CASE("a stream without a valid token is closed and the engine is not touched twice") {
  Harness h;
  fakes::FakeTwilioCaller caller;
  auto r = h.ring(caller);
  REQUIRE(r.status == 200);
  auto open = caller.open_stream(h.media_url(), "wss://voice.example.com/twilio/media",
                                 std::vector<std::pair<std::string, std::string>>{{"token", "not-the-token"}});
  REQUIRE(open.ok);
  CHECK(caller.wait_for([&] { return caller.stream().closed(); }));
  CHECK(caller.stream().close_code() == 1008);
}

TEST_CASE("a stream presenting another call's token is closed, and the token still opens its own call's stream") {
  Harness h;
  fakes::FakeTwilioCaller first;
  fakes::FakeTwilioCaller second;
  REQUIRE(h.ring(first).status == 200);
  REQUIRE(h.ring(second).status == 200);
  const auto twiml = first.last_twiml();
  REQUIRE(twiml);
  REQUIRE(twiml->connect);
  REQUIRE(twiml->connect->stream);
  std::vector<std::pair<std::string, std::string>> first_token;
  for (const auto& p : twiml->connect->stream->parameters) first_token.emplace_back(p.name, p.value);
  // The second call's stream (start.callSid is the second call's) with the first call's token.
  auto stolen = second.open_stream(h.media_url(), "wss://voice.example.com/twilio/media", first_token);
  REQUIRE(stolen.ok);
  CHECK(second.wait_for([&] { return second.stream().closed(); }));
  CHECK(second.stream().close_code() == 1008);
  // Not spent by the wrong stream: the first call's own stream is bridged to its engine session.
  REQUIRE(h.engine.wait_for_server_event(0, "session.updated"));
  auto own = first.open_stream();
  REQUIRE(own.ok);
  first.send_silence(200);
  CHECK(h.engine.wait_for([&] { return !h.engine.session(0).appended_audio.empty(); }));
  CHECK_FALSE(first.stream().closed());
}

TEST_CASE("a media upgrade with a bad signature is refused") {
  Harness h;
  fakes::FakeTwilioCaller caller;
  REQUIRE(h.ring(caller).status == 200);
  auto open = caller.open_stream(h.media_url(), "wss://evil.example.com/twilio/media");
  CHECK_FALSE(open.ok);
  CHECK(open.http_status == 403);
}

TEST_CASE("an engine refusing session.update ends the stream and connect-done falls back to a person") {
  Harness h([](config::Settings& s) { s.local.last_resort = false; });  // no local engine to fall back on
  fakes::RealtimeFaults faults;
  faults.reject_session_updates = 1;
  h.engine.set_faults(faults);
  fakes::FakeTwilioCaller caller;
  auto r = h.ring(caller);
  REQUIRE(r.status == 200);
  REQUIRE(caller.open_stream().ok);
  REQUIRE(caller.wait_for([&] { return caller.stream().closed(); }, 10s));
  auto after = caller.post_connect_action();
  REQUIRE(after.twiml);
  REQUIRE_FALSE(after.twiml->says.empty());
  CHECK(after.twiml->says[0].text.find("technical trouble") != std::string::npos);
  REQUIRE(after.twiml->dial);
  CHECK(after.twiml->dial->number == "+15550001001");
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "failed");
  CHECK(row->end_reason == "engine_failed");
}

TEST_CASE("an engine dropping mid-call that cannot come back leaves the caller with the fallback") {
  Harness h([](config::Settings& s) { s.local.last_resort = false; });
  h.engine.push_reply(reply("Hello!", 400));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  REQUIRE(Harness::hear(caller, 400 * 8));
  fakes::RealtimeFaults faults;
  faults.upgrade_status = 503;
  h.engine.set_faults(faults);
  h.engine.close_session(0, true);
  // The daemon tries to reconnect, fails, and ends the stream with the fallback.
  for (int i = 0; i < 60 && !caller.stream().closed(); ++i) caller.send_audio(silence_bytes(500));
  REQUIRE(caller.wait_for([&] { return caller.stream().closed(); }, 20s));
  auto after = caller.post_connect_action();
  REQUIRE(after.twiml);
  REQUIRE(after.twiml->dial);
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "failed");
  CHECK(row->end_reason == "engine_lost");
}

TEST_CASE("OpenAI refuses the session → the local engine takes the call: greets, hears the question, answers from the profile") {
  Harness h;
  fakes::RealtimeFaults faults;
  faults.reject_session_updates = 100;
  h.engine.set_faults(faults);
  fakes::FakeTwilioCaller caller;
  REQUIRE(h.ring(caller).status == 200);
  REQUIRE(caller.open_stream().ok);
  // The greeting, spoken by espeak-ng, heard to its end (the line quiet for 1.5 s; longer under a
  // sanitizer, where recognising the question takes longer than that).
  const auto quiet_enough = static_cast<int>(test::scaled(1500ms).count());
  auto hear_all = [&] {
    std::size_t heard = 0;
    int quiet_ms = 0;
    for (int i = 0; i < 200 * quiet_enough / 1500 && quiet_ms < quiet_enough; ++i) {
      caller.send_silence(100);
      const std::size_t now = caller.stream().heard().size() + caller.stream().buffered_bytes();
      quiet_ms = now == heard && caller.stream().buffered_bytes() == 0 ? quiet_ms + 100 : 0;
      heard = now;
      std::this_thread::sleep_for(20ms);
    }
    return caller.stream().heard().size();
  };
  REQUIRE(caller.wait_for([&] { return caller.stream().heard().size() + caller.stream().buffered_bytes() > 0; }, 10s));
  const std::size_t greeted = hear_all();
  REQUIRE(greeted > 8000);
  caller.send_audio(audio::synthesize_ulaw8k("How much is hot yoga?"));
  // Recognising the question may take longer than the quiet that ends hear_all (PocketSphinx under
  // a sanitizer, on a loaded machine): the line stays open with silence, as a phone's does, until
  // the answer begins.
  const auto answer_by = std::chrono::steady_clock::now() + test::scaled(30s);
  while (caller.stream().heard().size() + caller.stream().buffered_bytes() <= greeted &&
         std::chrono::steady_clock::now() < answer_by) {
    caller.send_silence(100);
    std::this_thread::sleep_for(100ms);
  }
  REQUIRE(hear_all() > greeted + 8000);
  caller.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  REQUIRE_FALSE(row->engines.empty());
  CHECK(row->engines.back().engine == "local");
  std::string said;
  for (const auto& t : h.transcript(caller.call_sid())) said += t.speaker + ": " + t.text + "\n";
  CAPTURE(said);
  CHECK(said.find("assistant: Thank you for calling Lotus Yoga Studio") != std::string::npos);
  // The words the recognizer heard: the question's, give or take a small word (under load it
  // once heard "how much is a hot yoga").
  const auto asked = said.find("caller: how much is");
  REQUIRE(asked != std::string::npos);
  CHECK(said.substr(asked, said.find('\n', asked) - asked).find("hot yoga") != std::string::npos);
  CHECK(said.find("$28") != std::string::npos);
}

TEST_CASE("200 malformed messages from both peers crash nothing and the call goes on") {
  Harness h;
  h.engine.push_reply(reply("Hello!", 400));
  h.engine.push_reply(reply("Still here.", 400));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  fakes::FakeTwilioCaller other;
  h.answer(other, 1);
  bool answered = false;
  // The daemon's log while it happens: a peer gone wrong does not flood it.
  const std::string log = test::stderr_of([&] {
    for (int i = 0; i < 100; ++i) {
      h.engine.inject_raw(0, i % 2 ? "{\"type\": 42" : "{\"type\":\"response.output_audio.delta\",\"delta\":7}");
    }
    // The Twilio side: garbage frames through a raw open of the same stream are not possible after
    // start, so send them as media with broken payloads and unknown events.
    for (int i = 0; i < 100; ++i) caller.send_audio(std::string(1, static_cast<char>(0xFF)));
    // The greeting finishes first: a caller speaking over it would cancel it, and the count below
    // would then depend on the machine's speed.
    if (!h.engine.wait_for([&] { return h.engine.session(0).responses_completed >= 1; }, 10s)) return;
    caller.send_audio(silence_bytes(400));
    caller.send_audio(speech_bytes(500));
    caller.send_audio(silence_bytes(800));
    answered = h.engine.wait_for([&] { return h.engine.session(0).responses_completed >= 2; }, 10s);
  });
  REQUIRE(answered);
  // 100 malformed engine messages: the first three logged, then the hundredth.
  std::size_t malformed_lines = 0;
  for (std::size_t at = log.find("engine.malformed"); at != std::string::npos; at = log.find("engine.malformed", at + 1))
    ++malformed_lines;
  CHECK(malformed_lines >= 3);
  CHECK(malformed_lines <= 4);
  caller.hang_up();
  other.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "completed");
  auto other_row = h.finished_call(other.call_sid());
  REQUIRE(other_row);
  CHECK(other_row->status == "completed");
}

// The close code and reason the daemon recorded for a stream that ended without `stop`.
std::optional<nlohmann::json> stream_closed_event(const config::Settings& settings, const std::string& call_sid) {
  db::Database database(settings.database, db::SchemaCheck::require_current, true);
  for (const auto& e : database.calls().events(call_sid)) {
    if (e.kind != "error" || !e.detail_json) continue;
    auto detail = nlohmann::json::parse(*e.detail_json);
    if (detail.value("code", "") == "stream_closed") return detail;
  }
  return std::nullopt;
}

TEST_CASE("a 16 MB frame from the caller's side is closed with 1009, recorded as such, and another call goes on") {
  Harness h;
  h.engine.push_reply(reply("Hello!", 400));
  h.engine.push_reply(reply("Hello!", 400));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  fakes::FakeTwilioCaller other;
  h.answer(other, 1);
  // Either way the caller reads the close frame: the daemon drains the rest of the frame before it
  // closes the socket, instead of resetting a connection its peer is still writing to.
  SUBCASE("while the greeting is being sent to the caller") {}
  SUBCASE("once the greeting has played") { REQUIRE(Harness::hear(caller, 400 * 8)); }
  caller.stream().send_text(std::string(16u << 20, 'a'));
  REQUIRE(caller.wait_for([&] { return caller.stream().closed(); }, 10s));
  CHECK(caller.stream().close_code() == 1009);
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->end_reason == "stream_lost");
  auto closed = stream_closed_event(h.settings, caller.call_sid());
  REQUIRE(closed);
  CHECK((*closed)["close_code"] == 1009);
  CHECK((*closed)["message"].get<std::string>().find("larger than") != std::string::npos);

  other.send_audio(silence_bytes(200));
  other.hang_up();
  auto other_row = h.finished_call(other.call_sid());
  REQUIRE(other_row);
  CHECK(other_row->end_reason == "caller_hung_up");
}

TEST_CASE("a frame that breaks the WebSocket protocol is closed with 1002 and recorded as such") {
  Harness h;
  h.engine.push_reply(reply("Hello!", 400));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  // A text frame from the client side without a mask (RFC 6455 §5.1: the server must fail it).
  caller.stream().send_raw(std::string("\x81\x05hello", 7));
  REQUIRE(caller.wait_for([&] { return caller.stream().closed(); }, 10s));
  CHECK(caller.stream().close_code() == 1002);
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->end_reason == "stream_lost");
  auto closed = stream_closed_event(h.settings, caller.call_sid());
  REQUIRE(closed);
  CHECK((*closed)["close_code"] == 1002);
}

TEST_CASE("unknown numbers and full capacity hear a polite refusal, recorded with the reason") {
  Harness h([](config::Settings& s) { s.calls.max_concurrent = 1; });
  fakes::CallerOptions stranger_options;
  stranger_options.to = "+15559990000";
  fakes::FakeTwilioCaller stranger(stranger_options);
  auto r = h.ring(stranger);
  REQUIRE(r.twiml);
  CHECK(r.twiml->hangup);
  CHECK(h.finished_call(stranger.call_sid())->end_reason == "unknown_number");

  fakes::FakeTwilioCaller first;
  h.answer(first);
  fakes::CallerOptions second_options;
  second_options.from = "+15553334444";
  fakes::FakeTwilioCaller second(second_options);
  auto busy = h.ring(second);
  REQUIRE(busy.twiml);
  REQUIRE_FALSE(busy.twiml->says.empty());
  CHECK(busy.twiml->says[0].text.find("busy") != std::string::npos);
  auto row = h.finished_call(second.call_sid());
  REQUIRE(row);
  CHECK(row->status == "rejected");
  CHECK(row->end_reason == "capacity");
  first.hang_up();
}

TEST_CASE("status callbacks out of order never regress a finished call") {
  Harness h;
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));
  CHECK(caller.post_status_callback(k_public + "/twilio/status", {"completed", 3, 42, 200, {}}).status == 204);
  CHECK(caller.post_status_callback(k_public + "/twilio/status", {"in-progress", 2, {}, {}, {}}).status == 204);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  std::optional<db::CallRow> row;
  while (std::chrono::steady_clock::now() < deadline) {
    row = h.finished_call(caller.call_sid());
    if (row && row->twilio_status) break;
    std::this_thread::sleep_for(20ms);
  }
  REQUIRE(row);
  CHECK(row->twilio_status == "completed");
  CHECK(row->twilio_duration_s == 42);
}

TEST_CASE("beta protocol for Azure-style servers: flat session fields and beta event names") {
  fakes::FakeOpenAiRealtime* engine_ptr = nullptr;
  Harness h([&](config::Settings& s) { s.engine.protocol = "beta"; });
  engine_ptr = &h.engine;
  (void)engine_ptr;
  // Connections accepted from now on speak beta.
  h.engine.set_dialect(fakes::RealtimeDialect::beta);
  h.engine.push_reply(reply("Hello from the beta side.", 400));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  auto session = h.engine.session(0);
  CHECK(session.openai_beta_header == "realtime=v1");
  CHECK(session.session_updates[0]["output_audio_format"] == "g711_ulaw");
  REQUIRE(Harness::hear(caller, 400 * 8));
  caller.hang_up();
  auto turns = h.transcript(caller.call_sid());
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  turns = h.transcript(caller.call_sid());
  REQUIRE_FALSE(turns.empty());
  CHECK(turns[0].text == "Hello from the beta side.");
}

TEST_CASE("the caller asks for the booking link: the model's call becomes a Twilio SMS, the result goes back, the transcript notes it") {
  fakes::FakeTwilioRest rest(k_account, k_token);
  Harness h(use_rest(rest));
  script_booking_link(h, "Done, it is on its way.");
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  hear_greeting_and_ask(caller);

  // Twilio gets the text, from the business's number to the caller, with the booking link.
  REQUIRE(rest.wait_for([&] { return rest.messages_created().size() == 1; }, 10s));
  auto message = rest.messages_created()[0];
  CHECK(message["to"] == "+14155551222");
  CHECK(message["from"] == "+15550001000");
  CHECK(message["body"].get<std::string>().find("https://lotusyoga.example/book") != std::string::npos);
  // The model gets the outcome and, only then, a new response.
  REQUIRE(h.engine.wait_for([&] { return !h.engine.session(0).function_outputs.empty(); }, 10s));
  auto output = h.engine.session(0).function_outputs[0];
  CHECK(output.call_id == "call_booking_1");
  CHECK(output.output.find("\"ok\":true") != std::string::npos);
  REQUIRE(h.engine.wait_for([&] { return h.engine.session(0).responses_completed >= 3; }, 10s));
  CHECK(std::count(h.engine.session(0).error_codes.begin(), h.engine.session(0).error_codes.end(),
                   "conversation_already_has_active_response") == 0);
  REQUIRE(Harness::hear(caller, (400 + 400 + 400) * 8));
  caller.hang_up();

  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->tool_calls == 1);
  db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
  auto messages = database.calls().messages(caller.call_sid());
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].message_sid == message["sid"].get<std::string>());
  auto events = database.calls().events(caller.call_sid());
  CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& e) { return e.kind == "tool_call"; }));
}

TEST_CASE("on PostgreSQL: a call that texts the caller is stored as on SQLite, transcript, text and tool call") {
  // database.url: every store of the daemon (the writer, the reads, the org directory) on a
  // PostgreSQL schema of its own; database.path's directory keeps the local files.
  test::PostgresqlSchema schema;
  fakes::FakeTwilioRest rest(k_account, k_token);
  Harness h([&](config::Settings& s) {
    use_rest(rest)(s);
    s.database.url = schema.url();
  });
  script_booking_link(h, "Done, it is on its way.");
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  hear_greeting_and_ask(caller);
  REQUIRE(rest.wait_for([&] { return rest.messages_created().size() == 1; }, 10s));
  REQUIRE(h.engine.wait_for([&] { return h.engine.session(0).responses_completed >= 3; }, 10s));
  REQUIRE(Harness::hear(caller, (400 + 400 + 400) * 8));
  caller.hang_up();

  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "completed");
  CHECK(row->end_reason == "caller_hung_up");
  CHECK(row->tool_calls == 1);
  CHECK(row->finished_seq == 1);
  db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
  CHECK(database.dialect() == db::Dialect::postgresql);
  auto messages = database.calls().messages(caller.call_sid());
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].message_sid == rest.messages_created()[0]["sid"].get<std::string>());
  auto turns = h.transcript(caller.call_sid());
  REQUIRE(turns.size() >= 3);
  // As heard: the caller may hang up before its last words (stored cut where they stopped hearing).
  CHECK(turns.back().speaker == "assistant");
  CHECK(turns.back().text.rfind("Done", 0) == 0);
  // Nothing of it went to a SQLite file.
  CHECK_FALSE(std::filesystem::exists(h.settings.database.path));
}

TEST_CASE("on PostgreSQL: two daemons share calls.max_concurrent; a call refused by one is taken once the other's ends") {
  test::PostgresqlSchema schema;
  auto shared = [&](config::Settings& s) {
    s.database.url = schema.url();
    s.calls.max_concurrent = 1;
  };
  Harness a(shared);
  Harness b(shared);
  a.engine.push_reply(reply("Hello from A.", 400));
  b.engine.push_reply(reply("Hello from B.", 400));

  fakes::CallerOptions first_options;
  first_options.from = "+14155550101";
  fakes::FakeTwilioCaller first(first_options);
  a.answer(first);
  // The one slot of the cluster is taken (by A): B refuses, though it has no call of its own.
  fakes::CallerOptions second_options;
  second_options.from = "+14155550102";
  fakes::FakeTwilioCaller second(second_options);
  auto refused = b.ring(second);
  REQUIRE(refused.status == 200);
  REQUIRE(refused.twiml);
  CHECK_FALSE(refused.twiml->connect);
  auto row = b.finished_call(second.call_sid());
  REQUIRE(row);
  CHECK(row->status == "rejected");
  CHECK(row->end_reason == "capacity");

  first.hang_up();
  REQUIRE(a.finished_call(first.call_sid()));
  fakes::CallerOptions third_options;
  third_options.from = "+14155550103";
  fakes::FakeTwilioCaller third(third_options);
  b.answer(third);
  REQUIRE(Harness::hear(third, 400 * 8));
  third.hang_up();
  auto taken = b.finished_call(third.call_sid());
  REQUIRE(taken);
  CHECK(taken->status == "completed");
}

TEST_CASE("on PostgreSQL: a database that cannot decide a call in time leaves it to the daemon, and the caller is answered") {
  test::PostgresqlSchema schema;
  Harness h([&](config::Settings& s) { s.database.url = schema.url(); });
  h.engine.push_reply(reply("Hello!", 400));
  // Another process holds the writers' lock (a long migration, a stuck transaction): the cluster's
  // decision waits behind it.
  db::PostgresqlConnection other(schema.url());
  other.exec("BEGIN; SELECT pg_advisory_xact_lock(32492142428580193)");
  fakes::FakeTwilioCaller caller;
  const auto rang = std::chrono::steady_clock::now();
  auto r = h.ring(caller);
  const auto waited = std::chrono::steady_clock::now() - rang;
  REQUIRE(r.status == 200);
  REQUIRE(r.twiml);
  CHECK(r.twiml->connect);  // answered, by this daemon's own limits
  CHECK(waited >= 1500ms);
  CHECK(waited < test::scaled(8s));
  other.exec("COMMIT");
  REQUIRE(h.engine.wait_for_server_event(0, "session.updated"));
  REQUIRE(caller.open_stream().ok);
  REQUIRE(Harness::hear(caller, 400 * 8));
  caller.hang_up();
  auto row = h.finished_call(caller.call_sid(), 10s);
  REQUIRE(row);
  CHECK(row->status == "completed");
}

TEST_CASE("a caller from a Caribbean +1 number asks for the booking link: no text goes out, the record and the model say why") {
  fakes::FakeTwilioRest rest(k_account, k_token);
  Harness h(use_rest(rest));
  script_booking_link(h, "I am sorry, I cannot text that number.");
  fakes::CallerOptions jamaica;
  jamaica.from = "+18765550123";  // +1 like the studio's own, but Jamaica: texts there cost, and pay SMS pumping
  fakes::FakeTwilioCaller caller(jamaica);
  h.answer(caller);
  hear_greeting_and_ask(caller);

  REQUIRE(h.engine.wait_for([&] { return !h.engine.session(0).function_outputs.empty(); }, 10s));
  const auto output = h.engine.session(0).function_outputs[0].output;
  CHECK(output.find("\"ok\":false") != std::string::npos);
  CHECK(output.find("this line does not send texts to that number") != std::string::npos);
  CHECK(output.find("allowed_regions") == std::string::npos);  // the operator's settings are not the caller's business
  REQUIRE(Harness::hear(caller, (400 + 400 + 400) * 8));
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));
  CHECK(rest.messages_created().empty());

  db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
  const auto messages = database.calls().messages(caller.call_sid());
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].to_number == "+18765550123");
  CHECK(messages[0].status == "failed");
  CHECK(messages[0].error_message.value_or("").find("+18765550123 is a number in JM, which calls.outbound.allowed_regions") !=
        std::string::npos);
  const auto events = database.calls().events(caller.call_sid());
  CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& e) {
    return e.kind == "sms" && e.detail_json.value_or("").find("\"ok\":false") != std::string::npos;
  }));
}

TEST_CASE("the caller asks for a person: transfer_call ends the stream and connect-done dials the fallback") {
  Harness h;
  script_transfer(h, "Let me connect you to the front desk.", 600);
  h.engine.push_reply(reply("Transferring you now.", 200));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  auto after = ask_for_a_person(caller, 600);
  REQUIRE(after.twiml);
  REQUIRE(after.twiml->dial);
  CHECK(after.twiml->dial->number == "+15550001001");
  CHECK(after.twiml->dial->caller_id == "+15550001000");
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "transferred");
  CHECK(row->end_reason == "transferred");
}

TEST_CASE("a transfer nobody answers brings the caller back to the assistant, who takes a message for the owner") {
  fakes::FakeTwilioRest rest(k_account, k_token);
  Harness h(use_rest(rest));
  script_transfer(h, "Let me connect you to the front desk.", 600);
  h.engine.push_reply(reply("Sorry, nobody could pick up. Can I take a message?", 500));
  fakes::ScriptedReply note = reply("", 0);
  note.function_calls.push_back(fakes::ScriptedFunctionCall{
      "notify_owner", R"({"caller_name":"Ann","message":"Please call me back about the workshop"})", "call_note_1"});
  h.engine.push_reply(note);
  fakes::ScriptedReply bye = reply("I have passed that on. Goodbye!", 400);
  bye.function_calls.push_back(fakes::ScriptedFunctionCall{"end_call", R"({"reason":"message taken"})", ""});
  h.engine.push_reply(bye);

  // Stage one: the caller asks for a person, the assistant transfers.
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  auto dial = ask_for_a_person(caller, 600);
  REQUIRE(dial.twiml);
  REQUIRE(dial.twiml->dial);
  CHECK(dial.twiml->dial->number == "+15550001001");

  // Nobody at the front desk picks up → Twilio asks the <Dial action> → the caller is streamed
  // back to a fresh assistant session that knows what happened.
  auto back = caller.post_dial_action("no-answer");
  REQUIRE(back.status == 200);
  REQUIRE(back.twiml);
  REQUIRE(back.twiml->connect);
  REQUIRE(back.twiml->connect->stream);
  REQUIRE(h.engine.wait_for_server_event(1, "session.updated"));
  auto instructions = h.engine.session(1).session.value("instructions", "");
  CHECK(instructions.find("nobody picked up") != std::string::npos);
  CHECK(instructions.find("notify_owner") != std::string::npos);
  REQUIRE(caller.open_next_stream().ok);
  REQUIRE(Harness::hear(caller, 500 * 8));
  auto resumed_with_apology = [&] {
    for (const auto& e : h.engine.session(1).client_events)
      if (e.value("type", "") == "conversation.item.create" && e.dump().find("could pick up") != std::string::npos)
        return true;
    return false;
  };
  CHECK(resumed_with_apology());

  // The caller leaves a message → the owner gets it by text → goodbye and the call ends.
  caller.send_audio(speech_bytes(800));
  caller.send_audio(silence_bytes(700));
  REQUIRE(rest.wait_for([&] { return rest.messages_created().size() == 1; }, 10s));
  auto sms = rest.messages_created()[0];
  CHECK(sms["to"] == "+15550001099");
  CHECK(sms["body"].get<std::string>().find("Please call me back about the workshop") != std::string::npos);
  REQUIRE(Harness::hear(caller, (500 + 400) * 8));
  for (int i = 0; i < 100 && !caller.stream().closed(); ++i) caller.send_audio(silence_bytes(100));
  REQUIRE(caller.wait_for([&] { return caller.stream().closed(); }, 10s));
  auto after = caller.post_connect_action();
  REQUIRE(after.twiml);
  CHECK(after.twiml->hangup);
  CHECK_FALSE(after.twiml->dial);

  // One call record holds both stages: counters added up, the transcript in one sequence.
  db::CallRow row;
  for (int i = 0; i < 100; ++i) {
    auto r = h.finished_call(caller.call_sid());
    REQUIRE(r);
    row = *r;
    if (row.status == "completed") break;
    std::this_thread::sleep_for(50ms);
  }
  CHECK(row.status == "completed");
  CHECK(row.end_reason == "assistant_hung_up");
  CHECK(row.tool_calls == 3);
  auto turns = h.transcript(caller.call_sid());
  REQUIRE(turns.size() >= 4);
  for (size_t i = 1; i < turns.size(); ++i) CHECK(turns[i].sequence > turns[i - 1].sequence);
  auto transferred = std::find_if(turns.begin(), turns.end(), [](const db::TranscriptEntry& t) {
    return t.text == "Let me connect you to the front desk.";
  });
  REQUIRE(transferred != turns.end());
  for (auto later = transferred + 1; later != turns.end(); ++later)  // offsets run from the call's start
    for (auto earlier = turns.begin(); earlier != transferred + 1; ++earlier) CHECK(later->offset_ms > earlier->offset_ms);
  CHECK(std::any_of(turns.begin(), turns.end(), [](const db::TranscriptEntry& t) { return t.text == "Hello!"; }));
  CHECK(std::any_of(turns.begin(), turns.end(),
                    [](const db::TranscriptEntry& t) { return t.text == "I have passed that on. Goodbye!"; }));
  db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
  auto events = database.calls().events(caller.call_sid());
  CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& e) {
    return e.kind == "transfer_result" && e.name == std::optional<std::string>("no-answer");
  }));
  CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& e) { return e.kind == "take_message"; }));

  // A repeated <Dial action> (Twilio retrying it) does not bring the caller back a second time.
  auto params = caller.voice_params();
  params.emplace_back("DialCallStatus", "no-answer");
  auto again = caller.post_signed(k_public + "/twilio/dial-done", params);
  CHECK(again.status == 200);
  REQUIRE(again.twiml);
  CHECK_FALSE(again.twiml->connect);
  CHECK(h.engine.session_count() == 2);
}

TEST_CASE("a transfer that is answered ends the assistant's part; one that fails while shutting down gets an apology") {
  Harness h;
  script_transfer(h, "Connecting you now.", 400);
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  REQUIRE(ask_for_a_person(caller, 400).twiml);
  auto answered = caller.post_dial_action("completed");
  REQUIRE(answered.twiml);
  CHECK(answered.twiml->hangup);
  CHECK_FALSE(answered.twiml->connect);
  CHECK(h.engine.session_count() == 1);

  // While draining, no new assistant session is started: the caller hears an apology instead.
  h.daemon->request_stop();
  auto refused = caller.post_dial_action("busy");
  if (refused.twiml) {  // the listener may already be closed; if it answered, it did not stream
    CHECK_FALSE(refused.twiml->connect);
  }
  CHECK(h.engine.session_count() == 1);
}

TEST_CASE("a slow tool is covered by a short filler instead of dead air") {
  fakes::FakeTwilioRest rest(k_account, k_token);
  rest.delay_next(1, 3s, "Messages.json");
  Harness h(use_rest(rest));
  h.engine.push_reply(reply("Hello!", 400));
  fakes::ScriptedReply asks = reply("", 0);
  asks.function_calls.push_back(fakes::ScriptedFunctionCall{"send_booking_link", "{}", "call_slow_1"});
  h.engine.push_reply(asks);
  h.engine.push_reply(reply("One moment please.", 400));
  h.engine.push_reply(reply("The link is on its way.", 400));
  fakes::FakeTwilioCaller caller;
  h.answer(caller);
  hear_greeting_and_ask(caller);
  // While Twilio is slow to answer, the engine is asked for a filler; the tool's output comes after.
  auto filler_requested = [&] {
    for (const auto& e : h.engine.session(0).client_events)
      if (e.value("type", "") == "response.create" && e.contains("response") &&
          e["response"].value("instructions", "").find("filler") != std::string::npos)
        return true;
    return false;
  };
  REQUIRE(h.engine.wait_for(filler_requested, 10s));
  CHECK(h.engine.session(0).function_outputs.empty());
  REQUIRE(h.engine.wait_for([&] { return !h.engine.session(0).function_outputs.empty(); }, 10s));
  caller.hang_up();
}
