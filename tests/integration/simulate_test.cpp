// `sonoria simulate` against an in-process daemon bridged to the fake OpenAI Realtime server: the
// simulator plays Twilio (webhook, TwiML, Media Stream, connect action, status callback), through
// its library API and through the real binary.
#include <doctest/doctest.h>

#include <fstream>

#include "core/auth/local_test_key.hpp"

#include <functional>

#include <boost/asio/io_context.hpp>

#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "core/audio/speech_synth.hpp"
#include "core/audio/wav.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "core/simulate/caller_audio.hpp"
#include "core/simulate/load_runner.hpp"
#include "core/simulate/probe.hpp"
#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/time_scale.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace {

using test::k_public;
using test::k_token;
const std::string k_number = "+15550001000";  // the example profile's number

fakes::ScriptedReply simulated_reply(std::string text, int audio_ms) {
  fakes::ScriptedReply r;
  r.text = std::move(text);
  r.audio_ms = audio_ms;
  r.chunk_ms = 200;
  return r;
}

// A daemon on loopback whose public URL is https://voice.example.com (as behind a proxy), bridged
// to the fake engine, with the example yoga studio answering +15550001000.
struct Daemon {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> server;
  std::string origin;  // http://127.0.0.1:<port>

  explicit Daemon(std::function<void(config::Settings&)> tweak = {}) {
    settings = test::loopback_settings(dir, engine, k_public, k_token);
    settings.calls.stream_timeout = 5s;
    settings.calls.max_concurrent = 100;
    if (tweak) tweak(settings);
    test::import_example_profile(settings);
    server = std::make_unique<daemon::Daemon>(settings);
    server->start();
    origin = "http://127.0.0.1:" + std::to_string(server->port());
  }

  ~Daemon() {
    server->request_stop();
    server->wait();
  }

  simulate::CallPlan plan() const {
    simulate::CallPlan p;
    p.webhook_url = k_public + "/twilio/voice";
    p.status_url = k_public + "/twilio/status";
    p.connect_origin = origin;
    p.auth_token = k_token;
    p.party.account_sid = "AC00000000000000000000000000000001";
    p.party.from = "+14155551222";
    p.party.to = k_number;
    p.script.pause = 200'000;
    p.script.hang_up_at = 30'000'000;
    return p;
  }

  // The call row once the writer has stored `what` (or the last row seen after the timeout).
  std::optional<db::CallRow> call_row(const std::string& sid, const std::function<bool(const db::CallRow&)>& what,
                                      std::chrono::milliseconds timeout = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      db::Database database(settings.database, db::SchemaCheck::require_current, true);
      auto row = database.calls().find_call(sid);
      if ((row && what(*row)) || std::chrono::steady_clock::now() > deadline) return row;
      std::this_thread::sleep_for(20ms);
    }
  }

  // Every byte of assistant audio the engine sent in session `index`, oldest item first.
  std::string assistant_audio(int index = 0) const {
    std::string out;
    for (const auto& [id, audio] : engine.session(index).assistant_audio) out += audio;
    return out;
  }

  // A config file for the binary: the daemon's public URL; the token comes from the environment.
  std::filesystem::path config_file(const std::string& extra = {}) const {
    return dir.write("simulate.toml", "[server]\npublic_url = \"" + k_public + "\"\n[database]\npath = \"" +
                                          (dir / "absent.db").string() + "\"\n" + extra);
  }
};

// Runs calls through the library on this thread; fails the test instead of hanging.
struct Run {
  std::vector<simulate::CallResult> results;
  simulate::LoadSummary summary;
};

Run run(simulate::CallPlan plan, simulate::LoadOptions options = {}, std::ostream* log_to = nullptr) {
  options.keep_results = true;
  std::ostringstream sink;
  simulate::EventLog log(log_to ? *log_to : sink, simulate::LogFormat::json);
  boost::asio::io_context io;
  simulate::LoadRunner runner(io.get_executor(), std::move(plan), options, &log);
  runner.start();
  io.run_for(60s);
  REQUIRE_MESSAGE(io.stopped(), "the simulation did not finish within 60 s");
  return Run{runner.results(), runner.summary()};
}

}  // namespace

TEST_CASE("a simulated call hears the greeting, records exactly what the engine sent, and hangs up") {
  Daemon d;
  d.engine.push_reply(simulated_reply("Thanks for calling Lotus Yoga, how can I help?", 800));
  auto plan = d.plan();
  plan.record = true;
  auto r = run(plan);
  REQUIRE(r.results.size() == 1);
  const auto& call = r.results[0];
  CHECK_MESSAGE(call.completed, call.failure_text);
  CHECK(call.connected);
  REQUIRE(call.greeting_ms);
  CHECK(*call.greeting_ms > 0);
  CHECK(call.ended_by == "caller");
  CHECK(call.leg.rejected == 0);
  CHECK(call.heard == d.assistant_audio());
  CHECK(call.heard.size() == 800 * 8);
  CHECK(call.leg.marks_echoed == call.leg.marks_received);
  auto row = d.call_row(call.call_sid, [](const db::CallRow& c) { return c.ended_at && c.twilio_status; });
  REQUIRE(row);
  CHECK(row->status == "completed");
  CHECK(row->end_reason == "caller_hung_up");
  CHECK(row->twilio_status == "completed");
  CHECK(row->greeting_latency_ms.has_value());
}

TEST_CASE("scripted --say turns reach the engine byte for byte, each after the assistant has finished") {
  Daemon d;
  d.engine.push_reply(simulated_reply("Hello, Lotus Yoga.", 600));
  d.engine.push_reply(simulated_reply("We open at seven on Saturday.", 1000));
  d.engine.push_reply(simulated_reply("You are welcome, goodbye.", 400));
  const std::string question = audio::synthesize_ulaw8k("What time do you open on Saturday?");
  const std::string thanks = audio::synthesize_ulaw8k("Thank you.");
  auto plan = d.plan();
  plan.record = true;
  plan.turns = std::make_shared<const std::vector<simulate::Turn>>(std::vector<simulate::Turn>{
      simulate::Turn::speech("What time do you open on Saturday?", question), simulate::Turn::speech("Thank you.", thanks)});
  std::ostringstream log;
  auto r = run(plan, {}, &log);
  REQUIRE(r.results.size() == 1);
  const auto& call = r.results[0];
  REQUIRE_MESSAGE(call.completed, call.failure_text);
  const auto session = d.engine.session(0);
  const std::string& heard_by_engine = session.appended_audio;
  const auto first = heard_by_engine.find((*plan.turns)[0].audio);
  const auto second = heard_by_engine.find((*plan.turns)[1].audio);
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(second > first);
  CHECK(session.responses_completed == 3);
  // Each turn began only after the reply before it had played: greeting, turn, reply, turn, reply.
  CHECK(first >= 600 * 8);
  CHECK(second >= first + (*plan.turns)[0].audio.size() + 1000 * 8);
  CHECK(call.heard == d.assistant_audio());
  // The log tells the story in order.
  std::vector<std::string> events;
  std::istringstream lines(log.str());
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    CHECK(j.contains("t_ms"));
    const std::string event = j["event"];
    if (event == "greeting" || event == "caller" || event == "assistant" || event == "hangup") events.push_back(event);
  }
  CHECK(events == std::vector<std::string>{"greeting", "assistant", "caller", "assistant", "caller", "assistant", "hangup"});
}

TEST_CASE("when sonoria ends the stream the connect action and the status callback follow, as from Twilio") {
  Daemon d;
  d.engine.push_reply(simulated_reply("Hello!", 400));
  fakes::ScriptedReply transfer = simulated_reply("Let me connect you to the front desk.", 600);
  transfer.function_calls.push_back(fakes::ScriptedFunctionCall{"transfer_call", R"({"reason":"wants a person"})", ""});
  d.engine.push_reply(transfer);
  d.engine.push_reply(simulated_reply("Transferring you now.", 200));
  auto plan = d.plan();
  plan.turns = std::make_shared<const std::vector<simulate::Turn>>(
      std::vector<simulate::Turn>{simulate::Turn::speech("a person please", audio::synthesize_ulaw8k("A person, please."))});
  auto r = run(plan);
  REQUIRE(r.results.size() == 1);
  const auto& call = r.results[0];
  CHECK_MESSAGE(call.completed, call.failure_text);
  CHECK(call.ended_by == "sonoria");
  REQUIRE(call.final_twiml);
  REQUIRE(call.final_twiml->dial);
  CHECK(call.final_twiml->dial->number == "+15550001001");
  CHECK(call.status_callback_http == 204);
  auto row = d.call_row(call.call_sid, [](const db::CallRow& c) { return c.ended_at && c.twilio_status; });
  REQUIRE(row);
  CHECK(row->status == "transferred");
  CHECK(row->twilio_status == "completed");
}

TEST_CASE("a call to a number nobody answers is refused with the daemon's <Say> and fails") {
  Daemon d;
  auto plan = d.plan();
  plan.party.to = "+15559990000";
  auto r = run(plan);
  REQUIRE(r.results.size() == 1);
  CHECK_FALSE(r.results[0].completed);
  CHECK(r.results[0].failure == simulate::Failure::refused);
  CHECK(r.results[0].failure_text.find("not set up to take calls") != std::string::npos);
  CHECK_FALSE(r.results[0].connected);
}

TEST_CASE("a wrong auth token is refused by the daemon and reported as a webhook failure") {
  Daemon d;
  auto plan = d.plan();
  plan.auth_token = "00000000000000000000000000000000";
  auto r = run(plan);
  REQUIRE(r.results.size() == 1);
  CHECK(r.results[0].failure == simulate::Failure::webhook);
  CHECK(r.results[0].failure_text.find("HTTP 403") != std::string::npos);
  CHECK(d.engine.session_count() == 0);
}

TEST_CASE("sonoria simulate --say --audio --record --json through the binary: JSON lines, a WAV of what was heard") {
  Daemon d;
  d.engine.push_reply(simulated_reply("Hello, Lotus Yoga.", 600));
  d.engine.push_reply(simulated_reply("We open at seven.", 800));
  d.engine.push_reply(simulated_reply("Goodbye.", 400));
  const auto heard = d.dir / "heard.wav";
  const auto question = d.dir / "question.wav";
  const std::string question_audio = simulate::speech_noise(900, 7);
  audio::write_ulaw_wav(question, question_audio);
  auto r = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                              "--to", k_number, "--say", "When do you open?", "--audio", question.string(), "--pause",
                              "0.2s", "--record", heard.string(), "--json"},
                             {{"HOME", d.dir.path().string()}, {"TWILIO_AUTH_TOKEN", k_token}});
  CAPTURE(r.out);
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> events;
  std::vector<nlohmann::json> callers;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    auto j = nlohmann::json::parse(line);
    events.push_back(j["event"]);
    if (j["event"] == "caller") callers.push_back(j);
  }
  for (const char* expected : {"ringing", "webhook", "twiml", "stream_open", "greeting", "caller", "assistant",
                               "hangup", "status_callback", "call_end", "recorded"})
    CHECK_MESSAGE(std::find(events.begin(), events.end(), expected) != events.end(), expected);
  REQUIRE(callers.size() == 2);
  CHECK(callers[0]["text"] == "When do you open?");
  CHECK(callers[0]["audio_ms"].get<double>() > 500);
  CHECK(audio::read_wav_as_ulaw8k(heard) == d.assistant_audio());
  // The WAV turn reaches the engine exactly, after the spoken one.
  const std::string& engine_heard = d.engine.session(0).appended_audio;
  const auto at = engine_heard.find(question_audio);
  CHECK(at != std::string::npos);
  CHECK(at > 600 * 8 + 800 * 8);
}

TEST_CASE("a keypress turn in the human log: the daemon transfers on 0 and the simulator would dial") {
  Daemon d;
  d.engine.push_reply(simulated_reply("Hello, Lotus Yoga.", 600));
  auto r = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                              "--to", k_number, "--dtmf", "0", "--pause", "0.2s"},
                             {{"HOME", d.dir.path().string()}, {"TWILIO_AUTH_TOKEN", k_token}});
  CAPTURE(r.out);
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  for (const char* line : {"greeting: first assistant audio", "assistant: 0.6 s of audio", "caller presses 0",
                           "sonoria closed the stream", "POST https://voice.example.com/twilio/connect-done",
                           "would dial +15550001001", "status callback CallStatus=completed", "call completed"})
    CHECK_MESSAGE(r.out.find(line) != std::string::npos, line);
  CHECK(r.err.empty());
}

TEST_CASE("with the REST API on, the simulator shows what Twilio cannot see: tool calls, the transcript, the record") {
  const std::string api_token = "sim-api-token-0123456789abcdef";
  Daemon d([&](config::Settings& s) { s.api.tokens = {api_token}; });
  d.engine.push_reply(simulated_reply("Hello, Lotus Yoga.", 600));
  fakes::ScriptedReply bye = simulated_reply("Goodbye!", 400);
  bye.function_calls.push_back(fakes::ScriptedFunctionCall{"end_call", R"({"reason":"caller is done"})", ""});
  d.engine.push_reply(bye);
  auto r = test::run_sonoria({"--config", d.config_file("[api]\ntokens = [\"" + api_token + "\"]\n").string(),
                              "simulate", "--connect", d.origin.substr(7), "--to", k_number, "--say", "That is all, bye"},
                             {{"HOME", d.dir.path().string()}, {"TWILIO_AUTH_TOKEN", k_token}});
  CAPTURE(r.out);
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  for (const char* line : {R"(tool end_call {"reason":"caller is done"} → ok)", "assistant: Hello, Lotus Yoga.",
                           "assistant: Goodbye!", "sonoria recorded the call as completed (assistant_hung_up)"})
    CHECK_MESSAGE(r.out.find(line) != std::string::npos, line);
  CHECK(r.out.find(api_token) == std::string::npos);  // the token is a secret: never printed
}

TEST_CASE("sonoria simulate to an unknown number prints the refusal and exits 1") {
  Daemon d;
  auto r = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                              "--to", "+15559990000"},
                             {{"HOME", d.dir.path().string()}, {"TWILIO_AUTH_TOKEN", k_token}});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("twilio says: \"Sorry, this number is not set up to take calls yet. Goodbye.\"") != std::string::npos);
  CHECK(r.err.find("the call failed") != std::string::npos);
}

TEST_CASE("sonoria simulate reads --to and --from as phone numbers: a number that is none is a usage error naming the flag") {
  Daemon d;
  const std::map<std::string, std::string> env{{"HOME", d.dir.path().string()}, {"TWILIO_AUTH_TOKEN", k_token}};
  auto local = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                                  "--from", "555-1234"},
                                 env);
  CHECK(local.exit_code == 2);
  // No twilio.from here to lend its country: the number needs its own.
  CHECK(local.err.find("--from \"555-1234\" has no country code (expected \"+\" and the country code") != std::string::npos);
  auto wrong = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                                  "--to", "hello"},
                                 env);
  CHECK(wrong.exit_code == 2);
  CHECK(wrong.err.find("--to \"hello\"") != std::string::npos);
  // Written as a person writes it, the called number is the organization's, and the call is answered.
  auto written = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                                    "--to", "+1 (555) 000-1000", "--from", "+1 415 555 0199"},
                                   env);
  CHECK_MESSAGE(written.exit_code == 0, written.err);
}

TEST_CASE("sonoria simulate without an auth token signs with the local test key of the daemon on this machine") {
  Daemon d;
  d.engine.set_default_reply(simulated_reply("Sure.", 400));
  auto r = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                              "--to", k_number, "--say", "Hello"},
                             {{"HOME", d.dir.path().string()}});
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("the local test key is refused from anywhere but loopback") {
  // What a request from another host presents is its remote address; the daemon checks it.
  CHECK(auth::is_loopback_address("127.0.0.1"));
  CHECK(auth::is_loopback_address("::1"));
  CHECK(auth::is_loopback_address("::ffff:127.0.0.1"));
  CHECK_FALSE(auth::is_loopback_address("10.0.0.1"));
  CHECK_FALSE(auth::is_loopback_address("::ffff:10.0.0.1"));
  CHECK_FALSE(auth::is_loopback_address("128.0.0.1"));
}

TEST_CASE("sonoria simulate with no auth token and no local test key exits 3 and says how to sign or not") {
  test::TempDir dir;
  const auto config = dir / "sonoria.toml";
  std::ofstream(config) << "[database]\npath = \"" << (dir / "sonoria.db").string() << "\"\n";
  auto r = test::run_sonoria({"--config", config.string(), "simulate", "--url", "http://127.0.0.1:9", "--to", k_number},
                             {{"HOME", dir.path().string()}});
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("local test key") != std::string::npos);
  CHECK(r.err.find("--unsigned") != std::string::npos);
}

TEST_CASE("a load of 20 probed calls connects them all and loses no frame") {
  Daemon d;
  d.engine.set_default_reply(simulated_reply("Sure.", 400));
  // Three seconds a call on a build that runs at full speed; longer under a sanitizer, whose daemon
  // would otherwise greet the last calls after they had hung up.
  const auto call_length = test::scaled(3s);
  auto r = test::run_sonoria({"--config", d.config_file().string(), "simulate", "--connect", d.origin.substr(7),
                              "--to", k_number, "--calls", "20", "--duration", std::to_string(call_length.count()) + "ms",
                              "--ramp", "1s", "--probe", "--json"},
                             {{"HOME", d.dir.path().string()}, {"TWILIO_AUTH_TOKEN", k_token}});
  CAPTURE(r.err);
  REQUIRE(r.exit_code == 0);
  const auto summary = nlohmann::ordered_json::parse(r.out);
  std::vector<std::string> keys;
  for (const auto& [key, value] : summary.items()) keys.push_back(key);
  CHECK(keys == std::vector<std::string>{"calls", "duration_s", "call_seconds", "greeting_ms", "engine_to_caller_ms",
                                         "frames", "marks_echoed", "clears", "empty_clears", "errors", "harness"});
  CHECK(summary["calls"]["offered"] == 20);
  CHECK(summary["calls"]["connected"] == 20);
  CHECK(summary["calls"]["completed"] == 20);
  CHECK(summary["calls"]["failed"] == 0);
  CHECK(summary["greeting_ms"]["count"] == 20);
  CHECK(summary["greeting_ms"]["p50"].get<double>() > 0);
  CHECK(summary["greeting_ms"]["max"].get<double>() >= summary["greeting_ms"]["p99"].get<double>());
  CHECK(summary["frames"]["sent"].get<int>() >= 20 * 140);
  CHECK(summary["frames"]["received"].get<int>() > 0);
  CHECK(summary["frames"]["lost"] == 0);
  CHECK(summary["frames"]["reordered"] == 0);
  CHECK(summary["errors"]["webhook"] == 0);
  CHECK(summary["errors"]["stream"] == 0);
  CHECK(summary["errors"]["closed_early"] == 0);
  CHECK(summary["call_seconds"].get<double>() >= 20 * 0.96 * static_cast<double>(call_length.count()) / 1000);
  CHECK(summary["harness"]["ticks"].get<int>() > 0);
  CHECK(summary["harness"].contains("kept_up"));
  // The engine got every caller frame of every call, each carrying its probe in order.
  REQUIRE(d.engine.session_count() == 20);
  std::set<std::uint32_t> streams;
  for (const auto& session : d.engine.sessions()) {
    const std::string& audio = session.appended_audio;
    REQUIRE(audio.size() % simulate::k_frame_bytes == 0);
    // The daemon drops caller audio until its engine leg is open, so a call's first frames may
    // not arrive; from the first one on, none is missing or out of order.
    std::optional<std::uint32_t> expected;
    std::optional<std::uint32_t> stream;
    for (std::size_t at = 0; at < audio.size(); at += simulate::k_frame_bytes) {
      auto probe = simulate::read_probe(std::string_view(audio).substr(at, simulate::k_frame_bytes));
      REQUIRE(probe);
      if (!expected) expected = probe->sequence;
      CHECK(probe->sequence == (*expected)++);
      if (!stream) stream = probe->stream;
      CHECK(probe->stream == *stream);
    }
    streams.insert(*stream);
  }
  CHECK(streams.size() == 20);
}
