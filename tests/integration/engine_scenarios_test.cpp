// The same calls against every engine: each scenario is written once, in terms of what any engine
// does (greets, hears the caller, answers, calls a tool, is interrupted, drops), and runs against
// the fakes of OpenAI Realtime, Deepgram Voice Agent and Ultravox in turn. What differs per engine
// (how a fake is scripted and what it recorded) lives in the EngineUnderTest implementations.
#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <thread>

#include "core/audio/pcm16.hpp"
#include "core/db/database.hpp"
#include "core/db/knowledge_import.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_deepgram_agent.hpp"
#include "tests/fakes/fake_http_receiver.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/fakes/fake_ultravox.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

using test::k_account;
using test::k_public;
using test::k_token;
using test::silence_bytes;
using test::speech_bytes;
const std::string k_profile_greeting =
    "Thank you for calling Lotus Yoga Studio, this is Ava. How can I help you today?";


fakes::ScriptedReply reply(std::string text, int audio_ms, std::vector<fakes::ScriptedFunctionCall> calls = {},
                           std::chrono::milliseconds chunk_interval = 0ms) {
  fakes::ScriptedReply r;
  r.text = std::move(text);
  r.audio_ms = audio_ms;
  r.chunk_ms = 200;
  r.chunk_interval = chunk_interval;
  r.function_calls = std::move(calls);
  return r;
}

// One engine's fake, seen through what the scenarios need of it.
class EngineUnderTest {
 public:
  virtual ~EngineUnderTest() = default;
  virtual std::string name() const = 0;
  // Points the daemon's [engines.<name>] at the fake.
  virtual void configure(config::Settings& settings) const = 0;
  // The greeting lasts `ms` of audio; its words as the transcript stores them.
  virtual void greeting(int ms) = 0;
  virtual std::string greeting_text() const = 0;
  virtual void push_reply(fakes::ScriptedReply reply) = 0;
  virtual void push_caller_transcript(std::string text) = 0;
  // Session `index` is configured and can take audio (before the media stream opens).
  virtual bool wait_ready(int index) = 0;
  virtual int sessions() const = 0;
  // The caller's audio as the engine received it, as μ-law.
  virtual std::string caller_audio(int index) const = 0;
  // Tool results the engine received on session `index`.
  virtual std::vector<std::string> tool_outputs(int index) const = 0;
  // The earlier conversation seeded into session `index` (a reconnect or failover), as one text.
  virtual std::string seeded_history(int index) const = 0;
  // Every connection attempt from now on is refused (HTTP 503).
  virtual void refuse() = 0;
  // How the engine was configured for the call, and each change of stage since, in order:
  // (prompt, voice) — the first session's, then every update, new stage or fresh session.
  virtual std::vector<std::pair<std::string, std::string>> stage_sessions() const = 0;
  // Session `index` drops without a close frame.
  virtual void drop(int index) = 0;
  // From now on it configures sessions but never says a word (the OpenAI fake only).
  virtual void go_silent() { FAIL("only the OpenAI fake can go silent"); }
  // Replies (the greeting included) whose audio the engine has sent to its end, over every
  // session: a caller who listens until then has heard the reply, not a filler in its place.
  virtual int replies_spoken() const {
    FAIL("not counted by this fake");
    return 0;
  }
  template <class P>
  bool wait(P predicate, std::chrono::milliseconds timeout = 10s) {
    return wait_for(std::function<bool()>(predicate), timeout);
  }
  virtual bool wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) = 0;
};

class OpenAiUnderTest final : public EngineUnderTest {
 public:
  std::string name() const override { return "openai"; }
  void configure(config::Settings& s) const override {
    s.engine.url = fake.url();
    s.engine.api_key = fake.api_key();
  }
  // OpenAI is asked for the greeting like any reply: it says the next scripted one.
  void greeting(int ms) override { fake.push_reply(reply("Hello!", ms)); }
  std::string greeting_text() const override { return "Hello!"; }
  void push_reply(fakes::ScriptedReply r) override { fake.push_reply(std::move(r)); }
  void push_caller_transcript(std::string text) override { fake.push_caller_transcript(std::move(text)); }
  bool wait_ready(int index) override { return fake.wait_for_server_event(index, "session.updated", 1, 10s); }
  int sessions() const override { return fake.session_count(); }
  std::string caller_audio(int index) const override { return fake.session(index).appended_audio; }
  std::vector<std::string> tool_outputs(int index) const override {
    std::vector<std::string> out;
    for (const auto& o : fake.session(index).function_outputs) out.push_back(o.output);
    return out;
  }
  std::string seeded_history(int index) const override {
    std::string out;
    for (const auto& e : fake.session(index).client_events)
      if (e.value("type", "") == "conversation.item.create") out += e.dump() + "\n";
    return out;
  }
  // Each session's first session.update (a change of voice is a fresh session), and any
  // later one of a session that changes the prompt in place (no voice: it stays).
  std::vector<std::pair<std::string, std::string>> stage_sessions() const override {
    std::vector<std::pair<std::string, std::string>> out;
    for (int i = 0; i < fake.session_count(); ++i) {
      const auto& updates = fake.session(i).session_updates;
      for (std::size_t u = 0; u < updates.size(); ++u) {
        const auto& s = updates[u];
        const std::string voice = s.contains("audio") ? s["audio"]["output"].value("voice", "") : "";
        out.emplace_back(s.value("instructions", ""), voice);
      }
    }
    return out;
  }
  void refuse() override {
    fakes::RealtimeFaults faults;
    faults.upgrade_status = 503;
    fake.set_faults(faults);
  }
  void drop(int index) override { fake.close_session(index, true); }
  void go_silent() override {
    fakes::RealtimeFaults faults;
    faults.silent = true;
    fake.set_faults(faults);
  }
  int replies_spoken() const override {
    int done = 0;
    for (int i = 0; i < fake.session_count(); ++i) done += fake.session(i).responses_completed;
    return done;
  }
  bool wait_for(const std::function<bool()>& p, std::chrono::milliseconds t) override { return fake.wait_for(p, t); }

  fakes::FakeOpenAiRealtime fake;
};

class DeepgramUnderTest final : public EngineUnderTest {
 public:
  std::string name() const override { return "deepgram"; }
  void configure(config::Settings& s) const override {
    s.deepgram.url = fake.url();
    s.deepgram.api_key = fake.api_key();
  }
  // The greeting is injected as words (InjectAgentMessage) once the caller can hear it.
  void greeting(int ms) override {
    fakes::DeepgramSpeechPacing pacing;
    pacing.audio_ms = ms;
    fake.set_injection_pacing(pacing);
  }
  std::string greeting_text() const override { return k_profile_greeting; }
  void push_reply(fakes::ScriptedReply r) override { fake.push_reply(std::move(r)); }
  void push_caller_transcript(std::string text) override { fake.push_caller_transcript(std::move(text)); }
  bool wait_ready(int index) override { return fake.wait_for_server_message(index, "SettingsApplied", 1, 10s); }
  int sessions() const override { return fake.session_count(); }
  std::string caller_audio(int index) const override { return fake.session(index).received_audio; }
  std::vector<std::string> tool_outputs(int index) const override {
    std::vector<std::string> out;
    for (const auto& r : fake.session(index).function_responses) out.push_back(r.content);
    return out;
  }
  std::string seeded_history(int index) const override {
    std::string out;
    for (const auto& m : fake.session(index).context_messages) out += m.dump() + "\n";
    return out;
  }
  std::vector<std::pair<std::string, std::string>> stage_sessions() const override {
    std::vector<std::pair<std::string, std::string>> out;
    if (fake.session_count() == 0) return out;
    const auto& s = fake.session(0);
    out.emplace_back(s.settings["agent"]["think"].value("prompt", ""),
                     s.settings["agent"]["speak"]["provider"].value("model", ""));
    for (const auto& m : s.client_messages) {
      if (m.value("type", "") == "UpdateThink") out.emplace_back(m["think"].value("prompt", ""), "");
      if (m.value("type", "") == "UpdateSpeak" && !out.empty())
        out.back().second = m["speak"]["provider"].value("model", "");
    }
    return out;
  }
  void refuse() override {
    fakes::DeepgramAgentFaults faults;
    faults.upgrade_status = 503;
    fake.set_faults(faults);
  }
  void drop(int index) override { fake.close_session(index, true); }
  int replies_spoken() const override {
    int done = 0;
    for (int i = 0; i < fake.session_count(); ++i)
      for (const auto& turn : fake.session(i).agent_turns) done += turn.done;
    return done;
  }
  bool wait_for(const std::function<bool()>& p, std::chrono::milliseconds t) override { return fake.wait_for(p, t); }

  fakes::FakeDeepgramAgent fake;
};

class UltravoxUnderTest final : public EngineUnderTest {
 public:
  std::string name() const override { return "ultravox"; }
  void configure(config::Settings& s) const override {
    s.ultravox.api_url = fake.base_url() + "/api";
    s.ultravox.api_key = fake.api_key();
  }
  // The greeting is a forced agent message, timed like the default reply.
  void greeting(int ms) override { fake.set_default_reply(reply("I am the default reply.", ms)); }
  std::string greeting_text() const override { return k_profile_greeting; }
  void push_reply(fakes::ScriptedReply r) override { fake.push_reply(std::move(r)); }
  void push_caller_transcript(std::string text) override { fake.push_caller_transcript(std::move(text)); }
  bool wait_ready(int index) override {
    return fake.wait_for([&] { return fake.call_count() > index && fake.call(index).joined; }, 10s);
  }
  int sessions() const override { return fake.call_count(); }
  std::string caller_audio(int index) const override { return audio::pcm16le_to_ulaw(fake.call(index).received_pcm); }
  std::vector<std::string> tool_outputs(int index) const override {
    std::vector<std::string> out;
    for (const auto& r : fake.call(index).tool_results) out.push_back(r.result.value_or(""));
    return out;
  }
  std::string seeded_history(int index) const override {
    return fake.call(index).request.value("initialMessages", nlohmann::json::array()).dump();
  }
  std::vector<std::pair<std::string, std::string>> stage_sessions() const override {
    std::vector<std::pair<std::string, std::string>> out;
    if (fake.call_count() == 0) return out;
    const auto& c = fake.call(0);
    out.emplace_back(c.request.value("systemPrompt", ""), c.request.value("voice", ""));
    for (const auto& stage : c.stages) out.emplace_back(stage.value("systemPrompt", ""), stage.value("voice", ""));
    return out;
  }
  void refuse() override {
    fakes::UltravoxFaults faults;
    faults.create_status = 503;
    fake.set_faults(faults);
  }
  void drop(int index) override { fake.close_session(index, true); }
  bool wait_for(const std::function<bool()>& p, std::chrono::milliseconds t) override { return fake.wait_for(p, t); }

  fakes::FakeUltravox fake;
};

std::unique_ptr<EngineUnderTest> make_engine(const std::string& name) {
  if (name == "deepgram") return std::make_unique<DeepgramUnderTest>();
  if (name == "ultravox") return std::make_unique<UltravoxUnderTest>();
  return std::make_unique<OpenAiUnderTest>();
}

const std::vector<std::string> k_engines = {"openai", "deepgram", "ultravox"};
// Another engine than `name`, to fail over from or to.
std::string other_than(const std::string& name) { return name == "openai" ? "deepgram" : "openai"; }

// A daemon whose assistant uses `order` (the first answers), with every engine's fake running.
struct Harness {
  test::TempDir dir;
  std::map<std::string, std::unique_ptr<EngineUnderTest>> engines;
  fakes::FakeTwilioRest rest{k_account, k_token};
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> daemon;

  explicit Harness(std::vector<std::string> order, std::function<void(Harness&)> before_start = {},
                   const std::string& profile_file = "yoga-studio.toml") {
    for (const auto& name : k_engines) engines[name] = make_engine(name);
    fakes::FakeOpenAiRealtime& openai = static_cast<OpenAiUnderTest&>(*engines["openai"]).fake;
    settings = test::loopback_settings(dir, openai, k_public, k_token);
    for (auto& [name, e] : engines) e->configure(settings);
    settings.calls.stream_timeout = 3s;
    settings.twilio.account_sid = k_account;
    settings.twilio.api_base_url = rest.base_url();
    {
      db::Database database(settings.database, db::SchemaCheck::none);
      database.migrate();
      auto profile = org::load_profile_file(test::source_dir() / "examples" / profile_file);
      profile.assistant.engines = order;
      profile.assistant.voice.clear();  // each engine's default voice
      database.orgs().upsert(profile);
    }
    if (before_start) before_start(*this);
    daemon = std::make_unique<daemon::Daemon>(settings);
    daemon->start();
  }
  ~Harness() {
    daemon->request_stop();
    daemon->wait();
  }

  EngineUnderTest& engine(const std::string& name) { return *engines.at(name); }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(daemon->port()); }

  // Rings, waits for `engine`'s session `index` to be ready, opens the stream.
  void answer(fakes::FakeTwilioCaller& caller, EngineUnderTest& e, int index = 0) {
    auto r = caller.post_voice_webhook(base() + "/twilio/voice", k_public + "/twilio/voice");
    REQUIRE(r.status == 200);
    REQUIRE(r.twiml);
    REQUIRE(r.twiml->connect);
    REQUIRE(e.wait_ready(index));
    REQUIRE(caller.open_stream().ok);
  }

  // Lets the caller hear `bytes` of assistant audio (sending line silence as the clock runs).
  static bool hear(fakes::FakeTwilioCaller& caller, size_t bytes, std::string* sent = nullptr) {
    if (!caller.wait_for([&] { return caller.stream().heard().size() + caller.stream().buffered_bytes() >= bytes; },
                         10s))
      return false;
    for (int i = 0; i < 200 && caller.stream().heard().size() < bytes; ++i) {
      caller.send_silence(100);
      if (sent) *sent += silence_bytes(100);
    }
    return caller.stream().heard().size() >= bytes;
  }

  // Lets the caller's clock run until the assistant has nothing left to play: nothing queued on
  // the line and nothing more arriving for a while (the last reply heard to its end, however the
  // machine's load spread its arrival).
  static void hear_everything(fakes::FakeTwilioCaller& caller) {
    size_t last = 0;
    for (int quiet = 0, i = 0; quiet < 5 && i < 300; ++i) {
      caller.send_silence(100);
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      const size_t now = caller.stream().heard().size() + caller.stream().buffered_bytes();
      quiet = now == last && caller.stream().buffered_bytes() == 0 ? quiet + 1 : 0;
      last = now;
    }
  }

  // Assistant audio that reached the caller's line so far (played or waiting to be).
  static size_t received(fakes::FakeTwilioCaller& caller) {
    return caller.stream().heard().size() + caller.stream().buffered_bytes();
  }

  // After a reconnect or failover: the line carries silence until the engine's session `index`
  // takes the caller's audio again.
  static bool resume(fakes::FakeTwilioCaller& caller, EngineUnderTest& e, int index) {
    for (int i = 0; i < 100 && e.caller_audio(index).empty(); ++i) {
      caller.send_silence(100);
      std::this_thread::sleep_for(20ms);
    }
    return !e.caller_audio(index).empty();
  }

  // The caller says something: speech, then enough silence to end the turn.
  static void say(fakes::FakeTwilioCaller& caller, std::string* sent = nullptr) {
    const auto words = speech_bytes(500) + silence_bytes(700);
    caller.send_audio(words);
    if (sent) *sent += words;
  }

  std::optional<db::CallRow> finished_call(const std::string& sid, std::chrono::milliseconds timeout = 10s) {
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
  std::vector<db::CallEvent> events(const std::string& sid) {
    db::Database database(settings.database, db::SchemaCheck::require_current, true);
    return database.calls().events(sid);
  }
};

bool has_turn(const std::vector<db::TranscriptEntry>& turns, const std::string& speaker, const std::string& text) {
  return std::any_of(turns.begin(), turns.end(),
                     [&](const db::TranscriptEntry& t) { return t.speaker == speaker && t.text == text; });
}

}  // namespace

TEST_CASE("every engine: the greeting first, the caller heard byte for byte, an answer, a hang-up, the record") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name});
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("We open at seven tomorrow morning.", 800));
    e.push_caller_transcript("When do you open tomorrow?");
    // Frames 20 ms apart, as on a phone line: a burst faster than real time may lose its oldest
    // audio by design (the engine hearing the caller late is worse than missing a moment).
    fakes::CallerOptions paced;
    paced.realtime_pacing = true;
    fakes::FakeTwilioCaller caller(paced);
    h.answer(caller, e);

    // Caller hears the greeting before saying anything.
    std::string sent;
    REQUIRE(Harness::hear(caller, 400 * 8, &sent));
    // Caller asks; the reply plays.
    Harness::say(caller, &sent);
    REQUIRE(Harness::hear(caller, (400 + 800) * 8, &sent));
    // The engine heard exactly what the caller's line carried.
    e.wait([&] { return e.caller_audio(0).size() >= sent.size(); });
    CHECK(e.caller_audio(0).size() == sent.size());
    CHECK(e.caller_audio(0) == sent);
    CHECK(caller.stream().violations().empty());

    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->status == "completed");
    CHECK(row->end_reason == "caller_hung_up");
    REQUIRE(row->engines.size() == 1);
    CHECK(row->engines[0].engine == name);
    CHECK(row->engines[0].ms > 0);
    auto turns = h.transcript(caller.call_sid());
    CHECK(has_turn(turns, "assistant", e.greeting_text()));
    CHECK(has_turn(turns, "caller", "When do you open tomorrow?"));
    CHECK(has_turn(turns, "assistant", "We open at seven tomorrow morning."));
  }
}

TEST_CASE("every engine: barge-in clears Twilio and the transcript keeps what the caller heard") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name});
    auto& e = h.engine(name);
    const std::string long_reply = "We have vinyasa, hatha, yin and hot yoga classes every day of the week.";
    e.greeting(400);
    e.push_reply(reply(long_reply, 4000, {}, 150ms));
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    // The greeting is over for the daemon too (its last mark echoed) before the caller speaks.
    std::this_thread::sleep_for(100ms);
    caller.send_silence(300);
    Harness::say(caller);
    // About a second of the long reply plays while more of it is still waiting to be played (and,
    // paced as it is, still coming), then the caller talks over it.
    REQUIRE(caller.wait_for(
        [&] { return caller.stream().heard().size() + caller.stream().buffered_bytes() >= (400 + 1600) * 8; }, 10s));
    REQUIRE(Harness::hear(caller, (400 + 1000) * 8));
    caller.send_audio(speech_bytes(400));
    REQUIRE(caller.wait_for([&] { return caller.stream().clears() >= 1; }, 10s));
    CHECK(caller.stream().cleared_bytes() + caller.stream().heard().size() < (400 + 4000) * 8);
    // The caller stays on the line a moment: what the engine says about the reply it stopped (its
    // text) arrives before the end of the call, not after.
    for (int i = 0; i < 10; ++i) {
      caller.send_audio(silence_bytes(100));
      std::this_thread::sleep_for(40ms);
    }
    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->interruptions == 1);
    bool found_cut = false;
    const auto turns = h.transcript(caller.call_sid());
    std::string shown;
    for (const auto& t : turns) shown += t.speaker + ": " + t.text + (t.interrupted ? " [interrupted]" : "") + "\n";
    CAPTURE(shown);
    // The long reply, cut: what was heard is its start; what the engine had generated by the cut
    // is kept beside it. (A reply to the caller's second turn may be cut by the hang-up too.)
    for (const auto& t : turns)
      if (t.interrupted && t.text.rfind("We have", 0) == 0) {
        found_cut = true;
        CHECK(long_reply.rfind(t.text, 0) == 0);
        CHECK(t.text.size() < long_reply.size());
        if (t.generated_text) {
          CHECK(long_reply.rfind(*t.generated_text, 0) == 0);
          CHECK(t.generated_text->rfind(t.text, 0) == 0);
        }
      }
    CHECK(found_cut);
  }
}

TEST_CASE("every engine: the booking-link tool becomes a Twilio SMS and its result goes back to the engine") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name});
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("Sure, I will text you our booking link.", 400, {{"send_booking_link", "{}", "call_booking_1"}}));
    e.push_reply(reply("Done, it is on its way.", 400));
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);

    REQUIRE(h.rest.wait_for([&] { return h.rest.messages_created().size() == 1; }, 10s));
    auto message = h.rest.messages_created()[0];
    CHECK(message["to"] == "+14155551222");
    CHECK(message["body"].get<std::string>().find("https://lotusyoga.example/book") != std::string::npos);
    REQUIRE(e.wait([&] { return !e.tool_outputs(0).empty(); }));
    CHECK(e.tool_outputs(0)[0].find("\"ok\":true") != std::string::npos);
    REQUIRE(Harness::hear(caller, (400 + 400) * 8));
    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->tool_calls == 1);
    db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
    CHECK(database.calls().messages(caller.call_sid()).size() == 1);
  }
}

TEST_CASE("every engine: the caller books an appointment; the book answers the engine and texts the caller") {
  const std::string monday = test::next_weekday(0);
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name}, {}, "physio-clinic.toml");
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("Booking Monday at nine.", 400,
                       {{"book_appointment",
                         R"({"service":"Initial assessment","start":")" + monday + R"( 09:00","customer_name":"Ana"})",
                         "call_book_1"}}));
    e.push_reply(reply("You're booked.", 400));
    fakes::CallerOptions options;
    options.to = "+15550004000";
    fakes::FakeTwilioCaller caller(options);
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);

    REQUIRE(e.wait([&] { return !e.tool_outputs(0).empty(); }));
    CHECK(e.tool_outputs(0)[0].find("\"status\":\"booked\"") != std::string::npos);
    REQUIRE(h.rest.wait_for([&] { return h.rest.messages_created().size() == 1; }, 10s));
    CHECK(h.rest.messages_created()[0]["to"] == "+14155551222");
    CHECK(h.rest.messages_created()[0]["body"].get<std::string>().find("Initial assessment with Dr. Elena Park") !=
          std::string::npos);
    REQUIRE(Harness::hear(caller, (400 + 400) * 8));
    caller.hang_up();
    REQUIRE(h.finished_call(caller.call_sid()));
    db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
    db::AppointmentFilter all;
    const auto book = database.appointments().list(all);
    REQUIRE(book.size() == 1);
    CHECK(book[0].customer_phone == "+14155551222");
    CHECK(book[0].call_sid == caller.call_sid());
  }
}

TEST_CASE("every engine: the caller asks for a person, the stream ends and connect-done dials the fallback") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name});
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("Let me connect you to the front desk.", 600,
                       {{"transfer_call", R"({"reason":"wants a person"})", ""}}));
    e.push_reply(reply("Transferring you now.", 200));
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    // The caller listens (the line's clock runs) until the daemon ends the stream.
    for (int i = 0; i < 500 && !caller.stream().closed(); ++i) {
      caller.send_audio(silence_bytes(100));
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(caller.stream().closed());
    auto after = caller.post_connect_action();
    REQUIRE(after.twiml);
    REQUIRE(after.twiml->dial);
    CHECK(after.twiml->dial->number == "+15550001001");
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->status == "transferred");
    CHECK(row->end_reason == "transferred");
  }
}

TEST_CASE("every engine: a dropped engine is reconnected, re-seeded with the conversation, and the call goes on") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name});
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("We open at seven tomorrow morning.", 400));
    e.push_reply(reply("Yes, there is free street parking after six.", 400));
    e.push_caller_transcript("When do you open tomorrow?");
    e.push_caller_transcript("Is there parking?");
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    REQUIRE(Harness::hear(caller, (400 + 400) * 8));

    const auto before_drop = Harness::received(caller);
    e.drop(0);
    REQUIRE(e.wait([&] { return e.sessions() >= 2; }));
    REQUIRE(e.wait_ready(1));
    CHECK(e.wait([&] { return e.seeded_history(1).find("We open at seven tomorrow morning.") != std::string::npos; }));
    CHECK(e.seeded_history(1).find("When do you open tomorrow?") != std::string::npos);

    REQUIRE(Harness::resume(caller, e, 1));
    // Meanwhile the caller heard "one moment, please", not silence.
    CHECK(Harness::received(caller) >= before_drop + 4000);
    const auto before_question = Harness::received(caller);
    Harness::say(caller);
    REQUIRE(Harness::hear(caller, before_question + 400 * 8));
    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->status == "completed");
    REQUIRE(row->engines.size() == 1);
    CHECK(row->engines[0].engine == name);
    CHECK(has_turn(h.transcript(caller.call_sid()), "assistant", "Yes, there is free street parking after six."));
    auto events = h.events(caller.call_sid());
    CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& ev) { return ev.kind == "engine_lost"; }));
  }
}

TEST_CASE("every engine: when the first engine is refused at connect, the next one answers the call") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    const std::string first = other_than(name);
    Harness h({first, name}, [&](Harness& hh) { hh.engine(first).refuse(); });
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("We open at seven tomorrow morning.", 400));
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    REQUIRE(Harness::hear(caller, (400 + 400) * 8));
    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->status == "completed");
    REQUIRE(row->engines.size() == 1);
    CHECK(row->engines[0].engine == name);
    auto events = h.events(caller.call_sid());
    auto failover = std::find_if(events.begin(), events.end(),
                                 [](const db::CallEvent& ev) { return ev.kind == "engine_failover"; });
    REQUIRE(failover != events.end());
    REQUIRE(failover->detail_json);
    auto detail = nlohmann::json::parse(*failover->detail_json);
    CHECK(detail["from"] == first);
    CHECK(detail["to"] == name);
    CHECK(detail["reason"] == "connect_failed");
  }
}

TEST_CASE("every engine: an engine lost mid-call that cannot come back hands the call to the next, with the conversation") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    const std::string first = other_than(name);
    Harness h({first, name});
    auto& a = h.engine(first);
    auto& b = h.engine(name);
    a.greeting(400);
    a.push_reply(reply("We open at seven tomorrow morning.", 400));
    a.push_caller_transcript("When do you open tomorrow?");
    b.push_reply(reply("Yes, there is free street parking after six.", 400));
    // Frames 20 ms apart, as on a phone line: a burst faster than real time may lose its oldest
    // audio by design when the machine is busy, and the question after the failover must be heard.
    fakes::CallerOptions paced;
    paced.realtime_pacing = true;
    fakes::FakeTwilioCaller caller(paced);
    h.answer(caller, a);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    REQUIRE(Harness::hear(caller, (400 + 400) * 8));

    a.refuse();
    const auto before_drop = Harness::received(caller);
    a.drop(0);
    REQUIRE(b.wait_ready(0));
    CHECK(b.wait([&] { return b.seeded_history(0).find("We open at seven tomorrow morning.") != std::string::npos; }));
    REQUIRE(Harness::resume(caller, b, 0));
    CHECK(Harness::received(caller) >= before_drop + 4000);  // "one moment, please"
    const auto before_question = Harness::received(caller);
    Harness::say(caller);
    REQUIRE(Harness::hear(caller, before_question + 400 * 8));
    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->status == "completed");
    REQUIRE(row->engines.size() == 2);
    CHECK(row->engines[0].engine == first);
    CHECK(row->engines[1].engine == name);
    CHECK(has_turn(h.transcript(caller.call_sid()), "assistant", "Yes, there is free street parking after six."));
  }
}

TEST_CASE("an engine refusing the session's configuration hands the call to the next engine, which greets") {
  Harness h({"openai", "deepgram"}, [](Harness& hh) {
    fakes::RealtimeFaults faults;
    faults.reject_session_updates = 5;
    static_cast<OpenAiUnderTest&>(hh.engine("openai")).fake.set_faults(faults);
  });
  auto& e = h.engine("deepgram");
  e.greeting(400);
  fakes::FakeTwilioCaller caller;
  auto r = caller.post_voice_webhook(h.base() + "/twilio/voice", k_public + "/twilio/voice");
  REQUIRE(r.status == 200);
  REQUIRE(e.wait_ready(0));
  REQUIRE(caller.open_stream().ok);
  REQUIRE(Harness::hear(caller, 400 * 8));
  // Heard to its end: a slow hand-over under load may put the hold clip before it.
  REQUIRE(e.wait([&] { return e.replies_spoken() >= 1; }));
  Harness::hear_everything(caller);
  caller.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "completed");
  REQUIRE(row->engines.size() == 2);  // OpenAI's socket was open while it refused
  CHECK(row->engines[1].engine == "deepgram");
  const auto transcript = h.transcript(caller.call_sid());
  std::string said;
  for (const auto& turn : transcript) said += turn.speaker + ": " + turn.text + "\n";
  INFO("transcript:\n" << said);
  CHECK(has_turn(transcript, "assistant", e.greeting_text()));
}

TEST_CASE("every engine: a long call rolls over to a fresh session at a quiet moment, with no gap and nothing lost") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name}, [](Harness& hh) { hh.settings.engine.max_session = 2s; });
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("We open at seven tomorrow morning.", 400));
    e.push_reply(reply("Yes, there is free street parking after six.", 400));
    e.push_caller_transcript("When do you open tomorrow?");
    e.push_caller_transcript("Is there parking?");
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    REQUIRE(Harness::hear(caller, (400 + 400) * 8));
    const auto before = Harness::received(caller);

    // The line runs on, quietly; after two seconds of session the call moves to a fresh one.
    for (int i = 0; i < 300 && e.sessions() < 2; ++i) {
      caller.send_silence(100);
      std::this_thread::sleep_for(20ms);
    }
    REQUIRE(e.sessions() >= 2);
    CHECK(Harness::received(caller) == before);  // no hold clip: a rollover is not a failure
    // The caller speaks at once, perhaps before the fresh session is ready: nothing is lost.
    Harness::say(caller);
    REQUIRE(e.wait_ready(1));
    CHECK(e.wait([&] { return e.seeded_history(1).find("We open at seven tomorrow morning.") != std::string::npos; }));
    REQUIRE(Harness::hear(caller, before + 400 * 8));
    CHECK(e.wait([&] { return e.caller_audio(1).find(speech_bytes(500)) != std::string::npos; }));
    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->status == "completed");
    REQUIRE(row->engines.size() == 1);
    CHECK(has_turn(h.transcript(caller.call_sid()), "assistant", "Yes, there is free street parking after six."));
    auto events = h.events(caller.call_sid());
    CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& ev) { return ev.kind == "engine_rollover"; }));
    CHECK(std::none_of(events.begin(), events.end(), [](const db::CallEvent& ev) { return ev.kind == "engine_lost"; }));
  }
}

TEST_CASE("Ultravox refusing 8 kHz: the call is created at 16 kHz in and 24 kHz out, resampled both ways, and the next call asks for it at once") {
  Harness h({"ultravox"}, [](Harness& hh) {
    fakes::UltravoxFaults faults;
    faults.refuse_sample_rate = 8000;
    static_cast<UltravoxUnderTest&>(hh.engine("ultravox")).fake.set_faults(faults);
  });
  auto& uv = static_cast<UltravoxUnderTest&>(h.engine("ultravox"));
  uv.greeting(400);
  uv.push_reply(reply("We open at seven tomorrow morning.", 800));
  uv.push_caller_transcript("When do you open tomorrow?");
  fakes::CallerOptions paced;
  paced.realtime_pacing = true;
  fakes::FakeTwilioCaller caller(paced);
  h.answer(caller, uv);

  // The caller hears the greeting and the answer at Twilio's 8 kHz, as long as Ultravox made them.
  std::string sent;
  REQUIRE(Harness::hear(caller, 400 * 8, &sent));
  Harness::say(caller, &sent);
  REQUIRE(Harness::hear(caller, (400 + 800) * 8, &sent));
  CHECK(caller.stream().violations().empty());

  const auto first = uv.fake.call(0);
  CHECK(first.input_sample_rate == 16000);
  CHECK(first.output_sample_rate == 24000);
  CHECK(first.violations.empty());
  // Ultravox heard the caller at 16 kHz: two samples for each of the line's, less the filter's
  // few milliseconds; and it heard the speech (the turn was taken and answered).
  REQUIRE(uv.fake.wait_for([&] { return uv.fake.call(0).received_pcm.size() + 640 >= sent.size() * 4; }, 5s));
  CHECK(uv.fake.call(0).received_pcm.size() <= sent.size() * 4);
  caller.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "completed");
  CHECK(has_turn(h.transcript(caller.call_sid()), "caller", "When do you open tomorrow?"));

  // Refused once (8 kHz), created once (16/24 kHz).
  auto creations = [&] {
    int refused = 0, created = 0;
    for (const auto& r : uv.fake.rest_requests()) {
      if (r.method != "POST") continue;
      (r.status == 400 ? refused : created)++;
    }
    return std::pair{refused, created};
  };
  CHECK(creations() == std::pair{1, 1});

  // The daemon remembers: the next call is created at 16/24 kHz straight away.
  fakes::FakeTwilioCaller second;
  h.answer(second, uv, 1);
  REQUIRE(Harness::hear(second, 400 * 8));
  CHECK(uv.fake.call(1).input_sample_rate == 16000);
  CHECK(creations() == std::pair{1, 2});
  second.hang_up();
  REQUIRE(h.finished_call(second.call_sid()));
}

TEST_CASE("every engine: a three-stage call flow — identified, helped, wrapped up — each stage in its own voice") {
  // examples/insurance-agency.toml: identify → assist → wrap_up, a voice per stage and engine.
  const std::map<std::string, std::vector<std::string>> voices = {
      {"openai", {"marin", "cedar", "coral"}},
      {"deepgram", {"aura-2-thalia-en", "aura-2-orion-en", "aura-2-luna-en"}},
      {"ultravox", {"Mark", "Jessica", "Emily"}}};
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name}, {}, "insurance-agency.toml");
    auto& e = h.engine(name);
    e.greeting(400);
    const std::string to_assist = R"({"handoff":"Jane Doe, policy HB123456, confirmed"})";
    const std::string to_wrap_up = R"({"handoff":"claim filed for the fender bender on Main Street"})";
    if (name == "openai") {
      // The voice changes with each stage: OpenAI speaks, calls the transition, and the fresh
      // session of the next stage is asked to speak first.
      e.push_reply(reply("Thank you, Jane, your policy is confirmed.", 400, {{"move_to_assist", to_assist, "call_s1"}}));
      e.push_reply(reply("How can I help you today?", 400));
      e.push_reply(reply("Your claim is filed.", 400, {{"move_to_wrap_up", to_wrap_up, "call_s2"}}));
      e.push_reply(reply("To sum up, an adjuster calls you tomorrow. Goodbye, Jane.", 400));
    } else {
      // The agent answers the transition and speaks on in the new stage, in its voice.
      e.push_reply(reply("Thank you, Jane. How can I help you today?", 400, {{"move_to_assist", to_assist, "call_s1"}}));
      e.push_reply(reply("To sum up, an adjuster calls you tomorrow. Goodbye, Jane.", 400,
                         {{"move_to_wrap_up", to_wrap_up, "call_s2"}}));
    }
    e.push_caller_transcript("Jane Doe, policy HB123456.");
    e.push_caller_transcript("I had a fender bender on Main Street and want to file a claim.");
    fakes::CallerOptions options;
    options.to = "+15550004000";
    fakes::FakeTwilioCaller caller(options);
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));

    // Caller gives name and policy → the engine moves the call to "assist".
    Harness::say(caller);
    REQUIRE(e.wait([&] { return e.stage_sessions().size() >= 2; }));
    REQUIRE(Harness::hear(caller, (name == "openai" ? 1200 : 800) * 8));
    if (name == "openai") {
      // The fresh session's "How can I help you today?" heard to its end before the caller speaks
      // on: under load its session may be slow enough for the filler to come first.
      REQUIRE(e.wait([&] { return e.replies_spoken() >= 3; }));
      Harness::hear_everything(caller);
    }
    // Caller asks for a claim → the engine moves the call to "wrap_up".
    Harness::say(caller);
    REQUIRE(e.wait([&] { return e.stage_sessions().size() >= 3; }));
    REQUIRE(Harness::hear(caller, (name == "openai" ? 2000 : 1200) * 8));
    Harness::hear_everything(caller);  // the goodbye to its last word, before the caller hangs up
    CHECK(caller.stream().violations().empty());

    const auto sessions = e.stage_sessions();
    REQUIRE(sessions.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) CHECK(sessions[i].second == voices.at(name)[i]);
    // Every stage keeps the organization's prompt and adds its own instructions.
    for (const auto& [prompt, voice] : sessions) CHECK(prompt.find("Harbor Insurance Agency") != std::string::npos);
    CHECK(sessions[0].first.find("You are in the stage \"identify\"") != std::string::npos);
    CHECK(sessions[0].first.find("- move_to_assist") != std::string::npos);
    CHECK(sessions[1].first.find("You are in the stage \"assist\"") != std::string::npos);
    CHECK(sessions[1].first.find("passed on: Jane Doe, policy HB123456, confirmed") != std::string::npos);
    CHECK(sessions[2].first.find("You are in the stage \"wrap_up\"") != std::string::npos);
    CHECK(sessions[2].first.find("passed on: claim filed for the fender bender") != std::string::npos);
    if (name == "openai") {
      // A fresh session per voice, each seeded with what was said before it.
      CHECK(e.sessions() == 3);
      CHECK(e.seeded_history(1).find("Jane Doe, policy HB123456.") != std::string::npos);
      INFO("seeded into the third session: " << e.seeded_history(2));
      CHECK(e.seeded_history(2).find("How can I help you today?") != std::string::npos);
    } else {
      CHECK(e.sessions() == 1);  // the live session changed stage in place
    }

    caller.hang_up();
    auto row = h.finished_call(caller.call_sid());
    REQUIRE(row);
    CHECK(row->stages == std::vector<std::string>{"identify", "assist", "wrap_up"});
    const auto turns = h.transcript(caller.call_sid());
    std::string shown;
    for (const auto& t : turns) shown += t.stage.value_or("-") + " " + t.speaker + ": " + t.text + "\n";
    CAPTURE(shown);
    auto stage_of = [&](const std::string& speaker, const std::string& text) -> std::string {
      for (const auto& t : turns)
        if (t.speaker == speaker && t.text == text) return t.stage.value_or("(none)");
      return "(missing)";
    };
    // Engines that speak words say the profile's greeting; OpenAI says its scripted one.
    const std::string greeting = name == "openai" ? e.greeting_text()
                                                  : "Thank you for calling Harbor Insurance, this is Riley. May I have "
                                                    "your name and your policy number?";
    CHECK(stage_of("assistant", greeting) == "identify");
    CHECK(stage_of("caller", "Jane Doe, policy HB123456.") == "identify");
    CHECK(stage_of("caller", "I had a fender bender on Main Street and want to file a claim.") == "assist");
    CHECK(stage_of("assistant", "To sum up, an adjuster calls you tomorrow. Goodbye, Jane.") == "wrap_up");
    std::vector<std::string> changes;
    std::vector<std::string> tool_stages;
    for (const auto& ev : h.events(caller.call_sid())) {
      const auto detail = nlohmann::json::parse(ev.detail_json.value_or("{}"));
      if (ev.kind == "stage_changed") changes.push_back(detail["from"].get<std::string>() + "→" + detail["to"].get<std::string>());
      if (ev.kind == "tool_call") tool_stages.push_back(detail.value("stage", "?"));
    }
    CHECK(changes == std::vector<std::string>{"identify→assist", "assist→wrap_up"});
    CHECK(tool_stages == std::vector<std::string>{"identify", "assist"});
  }
}

TEST_CASE("every engine: a question the profile does not answer is searched in the knowledge base and answered from it") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    Harness h({name}, [](Harness& harness) {
      db::Database database(harness.settings.database, db::SchemaCheck::require_current);
      const auto studio = database.orgs().find_by_slug("lotus-yoga");
      REQUIRE(studio);
      db::import_document(database.knowledge(), studio->id, "studio-guide.md",
                          "# Studio guide\n\n## Mats and towels\n\nWe lend yoga mats for free; towels cost $2 to rent.\n\n"
                          "## Showers\n\nThere are two showers in the changing rooms, with shampoo.\n");
    });
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("Let me check.", 300, {{"query_knowledge", R"({"question":"Can I rent a towel?"})", "call_kb_1"}}));
    e.push_reply(reply("Yes, towels are two dollars to rent.", 400));
    e.push_caller_transcript("Can I rent a towel?");
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    // The search runs off the event loop; its passages go back to the engine as the tool's result.
    REQUIRE(e.wait([&] { return !e.tool_outputs(0).empty(); }));
    const auto output = nlohmann::json::parse(e.tool_outputs(0)[0]);
    CAPTURE(output.dump());
    REQUIRE(output["passages"].size() >= 1);
    CHECK(output["passages"][0]["section"] == "Studio guide › Mats and towels");
    CHECK(output["passages"][0]["text"].get<std::string>().find("towels cost $2") != std::string::npos);
    // The profile's FAQ on towels is found too: documents and FAQs are one index.
    CHECK(output["passages"].size() == 2);
    CHECK(output["passages"][1]["source"] == "FAQ");
    REQUIRE(Harness::hear(caller, (400 + 300) * 8));
    caller.hang_up();
    REQUIRE(h.finished_call(caller.call_sid()));
    CHECK(has_turn(h.transcript(caller.call_sid()), "system",
                   "Searched the knowledge base for \"Can I rent a towel?\": 2 passages (studio-guide.md, faq)"));
  }
}

namespace {

// The yoga studio with one HTTP tool pointing at `receiver`, which knows the studio's secret.
std::function<void(Harness&)> with_http_tool(fakes::FakeHttpReceiver& receiver, int timeout_ms, int retries) {
  return [&receiver, timeout_ms, retries](Harness& h) {
    ::setenv("SONORIA_TEST_CRM_TOKEN", "tok-5150", 1);
    db::Database database(h.settings.database, db::SchemaCheck::require_current);
    auto studio = *database.orgs().find_by_slug("lotus-yoga");
    org::HttpTool tool;
    tool.name = "lookup_membership";
    tool.description = "Look up a member's pass by their member number.";
    tool.method = "GET";
    tool.url = receiver.url() + "/members/{{member}}";
    tool.parameters = R"({"type":"object","properties":{"member":{"type":"string"}},"required":["member"]})";
    tool.headers = {{"Authorization", "Bearer ${SONORIA_TEST_CRM_TOKEN}"}};
    tool.timeout_ms = timeout_ms;
    tool.retries = retries;
    tool.filler = "Let me look that up for you.";
    studio.http_tools = {tool};
    database.orgs().upsert(studio);
    receiver.set_secret(database.orgs().signing_secret(studio.id));
  };
}

}  // namespace

TEST_CASE("every engine: the business's HTTP tool is called, signed, and its answer reaches the engine") {
  for (const auto& name : k_engines) {
    CAPTURE(name);
    fakes::FakeHttpReceiver receiver;
    receiver.set_default({200, R"({"pass":"10-class","classes_left":4})", "application/json"});
    Harness h({name}, with_http_tool(receiver, 3000, 0));
    auto& e = h.engine(name);
    e.greeting(400);
    e.push_reply(reply("Let me check your pass.", 300, {{"lookup_membership", R"({"member":"M 42"})", "call_http_1"}}));
    e.push_reply(reply("You have four classes left.", 400));
    fakes::FakeTwilioCaller caller;
    h.answer(caller, e);
    REQUIRE(Harness::hear(caller, 400 * 8));
    Harness::say(caller);
    REQUIRE(e.wait([&] { return !e.tool_outputs(0).empty(); }));
    const auto output = nlohmann::json::parse(e.tool_outputs(0)[0]);
    CHECK(output["ok"] == true);
    CHECK(output["result"]["classes_left"] == 4);
    REQUIRE(receiver.wait_for_requests(1, 5s));  // recorded once its answer is written
    const auto requests = receiver.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "GET");
    CHECK(requests[0].target == "/members/M%2042");
    CHECK(requests[0].signature_valid);
    CHECK(requests[0].header("Authorization") == "Bearer tok-5150");
    CHECK(requests[0].header("X-Sonoria-Idempotency-Key") == caller.call_sid() + ":call_http_1");
    caller.hang_up();
    REQUIRE(h.finished_call(caller.call_sid()));
    CHECK(has_turn(h.transcript(caller.call_sid()), "system", "Called lookup_membership: HTTP 200"));
    // The secret is read when the request is sent and stored nowhere.
    for (const auto& ev : h.events(caller.call_sid())) CHECK(ev.detail_json.value_or("").find("tok-5150") == std::string::npos);
  }
}

TEST_CASE("an HTTP tool that times out: retried, the filler is said meanwhile, and the engine hears it failed") {
  fakes::FakeHttpReceiver receiver;
  receiver.set_default({200, "{}", "application/json", 1500ms});
  Harness h({"openai"}, with_http_tool(receiver, 1000, 1));
  auto& e = h.engine("openai");
  e.greeting(400);
  e.push_reply(reply("Let me check.", 300, {{"lookup_membership", R"({"member":"42"})", "call_http_2"}}));
  e.push_reply(reply("One moment.", 200));
  e.push_reply(reply("I cannot check that right now.", 300));
  fakes::FakeTwilioCaller caller;
  h.answer(caller, e);
  REQUIRE(Harness::hear(caller, 400 * 8));
  Harness::say(caller);
  REQUIRE(e.wait([&] { return !e.tool_outputs(0).empty(); }, 15s));
  const auto output = nlohmann::json::parse(e.tool_outputs(0)[0]);
  CHECK(output["ok"] == false);
  CHECK(output["attempts"] == 2);
  CHECK(output["error"].get<std::string>().find("did not answer within 1 s") != std::string::npos);
  REQUIRE(receiver.wait_for_requests(2, 5s));
  const auto requests = receiver.requests();
  CHECK(requests[0].header("X-Sonoria-Idempotency-Key") == requests[1].header("X-Sonoria-Idempotency-Key"));
  // The tool's own filler went to the engine while it waited.
  auto& fake = static_cast<OpenAiUnderTest&>(e).fake;
  bool filler = false;
  for (const auto& ev : fake.session(0).client_events)
    if (ev.value("type", "") == "response.create" && ev.dump().find("Let me look that up for you.") != std::string::npos)
      filler = true;
  CHECK(filler);
  caller.hang_up();
}

TEST_CASE("an HTTP tool answering 500: the engine gets the status and a sentence to explain") {
  fakes::FakeHttpReceiver receiver;
  receiver.set_default({500, "database down", "text/plain"});
  Harness h({"openai"}, with_http_tool(receiver, 2000, 0));
  auto& e = h.engine("openai");
  e.greeting(400);
  e.push_reply(reply("Let me check.", 300, {{"lookup_membership", R"({"member":"42"})", "call_http_3"}}));
  e.push_reply(reply("Sorry, I cannot check that right now.", 300));
  fakes::FakeTwilioCaller caller;
  h.answer(caller, e);
  REQUIRE(Harness::hear(caller, 400 * 8));
  Harness::say(caller);
  REQUIRE(e.wait([&] { return !e.tool_outputs(0).empty(); }));
  const auto output = nlohmann::json::parse(e.tool_outputs(0)[0]);
  CHECK(output["ok"] == false);
  CHECK(output["status"] == 500);
  CHECK(output["result"] == "database down");
  CHECK(output["error"].get<std::string>().rfind("the lookup_membership service answered HTTP 500", 0) == 0);
  REQUIRE(receiver.wait_for_requests(1, 5s));
  CHECK(receiver.requests().size() == 1);
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));
  bool recorded = false;
  for (const auto& ev : h.events(caller.call_sid()))
    if (ev.kind == "http_tool" && ev.detail_json && ev.detail_json->find("\"status\":500") != std::string::npos) recorded = true;
  CHECK(recorded);
}

TEST_CASE("the call-end webhook reaches a receiver that was down for three attempts, once, across a daemon restart") {
  fakes::FakeHttpReceiver receiver;
  receiver.set_down(true);
  Harness h({"openai"}, [&receiver](Harness& harness) {
    harness.settings.webhooks.retry_after = 200ms;
    db::Database database(harness.settings.database, db::SchemaCheck::require_current);
    auto studio = *database.orgs().find_by_slug("lotus-yoga");
    studio.webhooks.call_end_url = receiver.url() + "/hooks/call-ended";
    database.orgs().upsert(studio);
    receiver.set_secret(database.orgs().signing_secret(studio.id));
  });
  auto& e = h.engine("openai");
  e.greeting(400);
  fakes::FakeTwilioCaller caller;
  h.answer(caller, e);
  REQUIRE(Harness::hear(caller, 400 * 8));
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));

  auto delivery = [&]() -> std::optional<db::WebhookDelivery> {
    db::Database database(h.settings.database, db::SchemaCheck::require_current, true);
    auto rows = database.webhooks().list(0, "", 10);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  };
  // Three attempts fail against the receiver that is down; the call's record says so.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline && (!delivery() || delivery()->attempts < 3))
    std::this_thread::sleep_for(50ms);
  auto pending = delivery();
  REQUIRE(pending);
  CHECK(pending->attempts >= 3);
  CHECK(pending->status == "pending");
  CHECK(pending->call_sid == caller.call_sid());
  CHECK_FALSE(pending->last_error.empty());
  CHECK(receiver.requests().empty());

  // The daemon restarts; the receiver is back. The delivery is picked up from the database.
  h.daemon->request_stop();
  h.daemon->wait();
  receiver.set_down(false);
  h.daemon = std::make_unique<daemon::Daemon>(h.settings);
  h.daemon->start();
  REQUIRE(receiver.wait_for_requests(1, 15s));
  std::this_thread::sleep_for(1500ms);  // no second delivery follows
  const auto requests = receiver.requests();
  REQUIRE(requests.size() == 1);
  const auto& r = requests[0];
  CHECK(r.method == "POST");
  CHECK(r.target == "/hooks/call-ended");
  CHECK(r.signature_valid);
  CHECK(r.header("X-Sonoria-Event") == "call.ended");
  CHECK(r.header("X-Sonoria-Idempotency-Key") == pending->idempotency_key);
  const auto body = nlohmann::json::parse(r.body);
  CHECK(body["event"] == "call.ended");
  CHECK(body["call"]["call_sid"] == caller.call_sid());
  CHECK(body["call"]["status"] == "completed");
  CHECK(body["call"]["organization"] == "lotus-yoga");
  REQUIRE(body["call"]["turns"].size() >= 1);
  CHECK(body["call"]["turns"][0]["text"] == "Hello!");
  std::optional<db::WebhookDelivery> done;
  for (int i = 0; i < 100 && (!done || done->status != "delivered"); ++i) {
    done = delivery();
    std::this_thread::sleep_for(50ms);
  }
  REQUIRE(done);
  CHECK(done->status == "delivered");
  CHECK(done->attempts == pending->attempts + 1);
  CHECK(done->last_status == 200);
}

namespace {

std::function<void(Harness&)> with_call_start(fakes::FakeHttpReceiver& receiver) {
  return [&receiver](Harness& h) {
    db::Database database(h.settings.database, db::SchemaCheck::require_current);
    auto studio = *database.orgs().find_by_slug("lotus-yoga");
    studio.webhooks.call_start_url = receiver.url() + "/hooks/call-started";
    database.orgs().upsert(studio);
    receiver.set_secret(database.orgs().signing_secret(studio.id));
  };
}

bool sent_text(fakes::FakeOpenAiRealtime& fake, const std::string& text) {
  for (const auto& ev : fake.session(0).client_events)
    if (ev.dump().find(text) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("a call-start webhook personalises the greeting and the prompt while the phone rings") {
  fakes::FakeHttpReceiver receiver;
  receiver.set_default({200, R"({"greeting":"Hi Jane, welcome back to Lotus Yoga!","variables":{"caller_name":"Jane"}})",
                        "application/json"});
  Harness h({"openai"}, with_call_start(receiver));
  auto& e = h.engine("openai");
  auto& fake = static_cast<OpenAiUnderTest&>(e).fake;
  e.greeting(400);
  fakes::FakeTwilioCaller caller;
  h.answer(caller, e);
  REQUIRE(Harness::hear(caller, 400 * 8));
  const auto requests = receiver.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].signature_valid);
  const auto asked = nlohmann::json::parse(requests[0].body);
  CHECK(asked["event"] == "call.started");
  CHECK(asked["from"] == "+14155551222");
  CHECK(asked["call_sid"] == caller.call_sid());
  CHECK(fake.session(0).session_updates[0]["instructions"].get<std::string>().find("- caller_name: Jane") !=
        std::string::npos);
  CHECK(sent_text(fake, "Hi Jane, welcome back to Lotus Yoga!"));
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));
  bool recorded = false;
  for (const auto& ev : h.events(caller.call_sid())) recorded = recorded || ev.kind == "call_start_webhook";
  CHECK(recorded);
}

TEST_CASE("a call-start webhook that does not answer in time: the call is answered with the defaults") {
  fakes::FakeHttpReceiver receiver;
  receiver.set_default({200, R"({"greeting":"Too late!"})", "application/json", 3000ms});
  Harness h({"openai"}, with_call_start(receiver));
  auto& e = h.engine("openai");
  auto& fake = static_cast<OpenAiUnderTest&>(e).fake;
  e.greeting(400);
  fakes::FakeTwilioCaller caller;
  h.answer(caller, e);
  REQUIRE(Harness::hear(caller, 400 * 8));
  CHECK(sent_text(fake, k_profile_greeting));
  CHECK_FALSE(sent_text(fake, "Too late!"));
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));
  std::string problem;
  for (const auto& ev : h.events(caller.call_sid()))
    if (ev.kind == "call_start_webhook")
      problem = nlohmann::json::parse(ev.detail_json.value_or("{}")).value("problem", "");
  CHECK(problem.rfind("no answer", 0) == 0);
}

TEST_CASE("a call-start webhook may reject a call or send it to a person; the assistant is not started") {
  fakes::FakeHttpReceiver receiver;
  receiver.push_answer({200, R"({"action":"reject"})", "application/json"});
  receiver.push_answer({200, R"({"action":"transfer","transfer_to":"+15550009999"})", "application/json"});
  Harness h({"openai"}, with_call_start(receiver));
  fakes::FakeTwilioCaller rejected;
  auto r = rejected.post_voice_webhook(h.base() + "/twilio/voice", k_public + "/twilio/voice");
  REQUIRE(r.twiml);
  CHECK_FALSE(r.twiml->connect);
  CHECK(r.body.find("<Hangup") != std::string::npos);
  fakes::FakeTwilioCaller transferred;
  auto t = transferred.post_voice_webhook(h.base() + "/twilio/voice", k_public + "/twilio/voice");
  REQUIRE(t.twiml);
  REQUIRE(t.twiml->dial);
  CHECK(t.twiml->dial->number == "+15550009999");
  CHECK(h.engine("openai").sessions() == 0);
  auto row = h.finished_call(transferred.call_sid());
  REQUIRE(row);
  CHECK(row->status == "transferred");
  CHECK(row->end_reason == "transferred_by_call_start_webhook");
  CHECK(h.finished_call(rejected.call_sid())->status == "rejected");
}

TEST_CASE("a post-call summary by a text model is stored with the call and carried by the call-end webhook") {
  fakes::FakeHttpReceiver model;  // an OpenAI-compatible chat completions API
  const std::string content =
      R"({"summary":"The caller asked when the studio opens.","caller_name":null,"reason":"opening hours","outcome":"resolved","follow_up_needed":false})";
  model.set_default({200, nlohmann::json{{"choices", nlohmann::json::array({{{"message", {{"content", content}}}}})}}.dump(),
                     "application/json"});
  fakes::FakeHttpReceiver hooks;
  Harness h({"openai"}, [&](Harness& harness) {
    harness.settings.summary.url = model.url() + "/v1";
    harness.settings.summary.api_key = "sk-test-summary";
    harness.settings.summary.model = "gpt-4o-mini";
    db::Database database(harness.settings.database, db::SchemaCheck::require_current);
    auto studio = *database.orgs().find_by_slug("lotus-yoga");
    studio.webhooks.call_end_url = hooks.url() + "/ended";
    database.orgs().upsert(studio);
  });
  auto& e = h.engine("openai");
  e.greeting(400);
  e.push_reply(reply("We open at seven.", 400));
  e.push_caller_transcript("When do you open?");
  fakes::FakeTwilioCaller caller;
  h.answer(caller, e);
  REQUIRE(Harness::hear(caller, 400 * 8));
  Harness::say(caller);
  REQUIRE(Harness::hear(caller, 800 * 8));
  caller.hang_up();
  REQUIRE(h.finished_call(caller.call_sid()));
  REQUIRE(hooks.wait_for_requests(1, 20s));
  const auto asked = model.requests();
  REQUIRE(asked.size() == 1);
  CHECK(asked[0].target == "/v1/chat/completions");
  CHECK(asked[0].header("Authorization") == "Bearer sk-test-summary");
  CHECK(asked[0].body.find("Caller: When do you open?") != std::string::npos);
  const auto body = nlohmann::json::parse(hooks.requests()[0].body);
  CHECK(body["call"]["summary"]["summary"] == "The caller asked when the studio opens.");
  CHECK(body["call"]["summary"]["outcome"] == "resolved");
  CHECK(h.finished_call(caller.call_sid())->summary_json.value_or("").find("opening hours") != std::string::npos);
}

TEST_CASE("an engine that connects but never speaks: the caller hears a filler, not dead air, and the next engine greets") {
  Harness h({"openai", "deepgram"}, [&](Harness& hh) { hh.engine("openai").go_silent(); });
  auto& mute = h.engine("openai");
  auto& next = h.engine("deepgram");
  next.greeting(400);
  fakes::FakeTwilioCaller caller;
  h.answer(caller, mute);
  // About 2 s of nothing, then "one moment, please" (the hold clip), then the next engine's greeting.
  REQUIRE(next.wait_ready(0));
  REQUIRE(Harness::hear(caller, 4000 + 400 * 8));
  caller.hang_up();
  auto row = h.finished_call(caller.call_sid());
  REQUIRE(row);
  CHECK(row->status == "completed");
  REQUIRE_FALSE(row->engines.empty());
  CHECK(row->engines.back().engine == "deepgram");
  auto events = h.events(caller.call_sid());
  CHECK(std::any_of(events.begin(), events.end(), [](const db::CallEvent& ev) {
    return ev.kind == "timer" && ev.detail_json && ev.detail_json->find("engine_silent") != std::string::npos;
  }));
  auto failover = std::find_if(events.begin(), events.end(), [](const db::CallEvent& ev) { return ev.kind == "engine_failover"; });
  REQUIRE(failover != events.end());
  CHECK(nlohmann::json::parse(failover->detail_json.value_or("{}"))["reason"] == "silent");
}
