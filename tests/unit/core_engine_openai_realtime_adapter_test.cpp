// The OpenAI Realtime adapter driven through a real call bridge: what OpenAI hears of a call
// (session.update, greeting items, appends, truncation, function outputs and the response.create
// rules) for the same call behaviour as before the engine seam. The bridge's own, engine-neutral
// behaviour is tested with a fake adapter in core_call_bridge_test.cpp.
#include <doctest/doctest.h>

#include "core/org/profile.hpp"

#include "core/call/bridge.hpp"
#include "core/engine/openai/realtime_adapter.hpp"

using namespace sonoria;
using namespace sonoria::call;
namespace openai = sonoria::engine::openai;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Records every action, and one line per action in order ("engine:response.create", "twilio:clear").
struct Recorder : ActionSink {
  std::vector<json> engine;
  std::vector<std::string> media;
  std::vector<std::string> marks;
  int clears = 0;
  std::vector<ToolRequest> tools;
  std::vector<EndStream> ends;
  std::vector<EngineLost> lost;
  std::vector<TranscriptTurn> turns;
  std::vector<CallEvent> events;
  std::vector<std::string> log;
  std::chrono::microseconds audio{0};  // in the frames to the engine
  void send_engine(engine::Frame frame) override {
    REQUIRE_FALSE(frame.binary);
    engine.push_back(json::parse(frame.data));
    audio += frame.audio;
    log.push_back("engine:" + engine.back()["type"].get<std::string>());
  }
  void send_twilio_media(std::string_view payload) override {
    media.emplace_back(payload);
    log.push_back("twilio:media");
  }
  void send_twilio_mark(std::string_view name) override {
    marks.emplace_back(name);
    log.push_back("twilio:mark");
  }
  void send_twilio_clear() override {
    ++clears;
    log.push_back("twilio:clear");
  }
  void run_tool(const ToolRequest& r) override {
    tools.push_back(r);
    log.push_back("tool:" + r.name);
  }
  void end_stream(const EndStream& e) override {
    ends.push_back(e);
    log.push_back("end");
  }
  void engine_lost(const EngineLost& l) override {
    lost.push_back(l);
    log.push_back("engine_lost");
  }
  void record_turn(const TranscriptTurn& t) override { turns.push_back(t); }
  void record_event(const CallEvent& e) override { events.push_back(e); }
  engine::SessionConfig enter_stage(const StageEntered& stage) override {
    log.push_back("stage:" + stage.name);
    return stage_session;
  }
  engine::SessionConfig stage_session;  // what enter_stage answers

  std::vector<json> engine_of_type(std::string_view type) const {
    std::vector<json> out;
    for (const auto& e : engine)
      if (e["type"] == type) out.push_back(e);
    return out;
  }
  size_t count(std::string_view type) const { return engine_of_type(type).size(); }
  bool has_event(CallEventKind kind) const {
    for (const auto& e : events)
      if (e.kind == kind) return true;
    return false;
  }
  void clear_log() { log.clear(); }
};

// Base64 of n silent μ-law bytes (0xFF), so lengths decode exactly.
std::string silence_b64(size_t bytes) {
  std::string out;
  for (size_t i = 0; i < bytes / 3; ++i) out += "////";
  if (bytes % 3 == 1) out += "/w==";
  if (bytes % 3 == 2) out += "//8=";
  return out;
}

struct Config {
  BridgeConfig bridge;
  engine::SessionConfig session;
};

Config test_config() {
  Config config;
  config.session.instructions = "You are the receptionist.";
  BridgeConfig& c = config.bridge;
  c.greeting = "Thanks for calling Lotus Yoga, how can I help?";
  c.transfer_number = "+15550001111";
  c.max_duration = 10min;
  c.silence_timeout = 20s;
  c.wrap_up_timeout = 30s;
  c.hangup_timeout = 15s;
  c.engine_ready_timeout = 10s;
  c.caller_transcript_wait = 30s;
  c.max_engine_reconnects = 1;
  return config;
}

std::unique_ptr<engine::Adapter> openai_adapter(const engine::SessionConfig& session, ActionSink& sink,
                                                openai::RealtimeAdapter*& out) {
  auto adapter = std::make_unique<openai::RealtimeAdapter>(
      std::make_shared<const std::string>(openai::session_update(session, openai::OpenAiProtocol::ga)),
      openai::OpenAiProtocol::ga, sink, session.voice);
  out = adapter.get();
  return adapter;
}

// Hands the adapter's neutral events to the bridge, as a message read off the socket would.
struct ToBridge final : engine::EventSink {
  CallBridge& bridge;
  TimePoint now;
  ToBridge(CallBridge& b, TimePoint t) : bridge(b), now(t) {}
  void on_engine_event(const engine::Event& e) override { bridge.on_engine_event(now, e); }
};

struct Call {
  Recorder out;
  TimePoint t0 = TimePoint{} + 1h;
  TimePoint now = t0;
  openai::RealtimeAdapter* adapter = nullptr;
  CallBridge bridge;
  int64_t media_ts = 0;

  explicit Call(Config c = test_config())
      : bridge(std::move(c.bridge), openai_adapter(c.session, out, adapter), out, t0) {}

  void at(std::chrono::milliseconds since_start) { now = t0 + since_start; }
  void ev(openai::RealtimeEvent e) {
    ToBridge to_bridge(bridge, now);
    adapter->receive_event(e, to_bridge);
  }
  void live() {
    bridge.on_twilio_start(now, "MZ123");
    bridge.on_engine_open(now);
    ev(openai::SessionCreated{"sess_1", 0});
    ev(openai::SessionUpdated{"audio/pcmu", "audio/pcmu"});
  }
  void frame() {
    bridge.on_twilio_media(now, media_ts, silence_b64(160));
    media_ts += 20;
  }
  // One chunk of assistant audio of `ms` milliseconds.
  void audio(const std::string& response, const std::string& item, int ms) {
    ev(openai::AudioDelta{response, item, silence_b64(static_cast<size_t>(ms) * 8)});
  }
  void mark(const std::string& name) { bridge.on_twilio_mark(now, name); }
  void response(const std::string& id) { ev(openai::ResponseCreated{id}); }
  void done(const std::string& id, std::string status = "completed") {
    ev(openai::ResponseDone{id, std::move(status), "", "", {}});
  }
  // A full reply: created, item added after `previous`, `chunks` of 100 ms, transcript, done;
  // marks not yet echoed.
  void reply(const std::string& resp, const std::string& item, const std::string& previous, int chunks,
             const std::string& text) {
    response(resp);
    ev(openai::ItemAdded{item, previous, "assistant", "message"});
    for (int i = 0; i < chunks; ++i) audio(resp, item, 100);
    ev(openai::AudioDone{resp, item});
    ev(openai::AssistantTranscriptDone{item, text});
    done(resp);
  }
  void play_all(const std::string& item, int chunks) {
    for (int i = 1; i <= chunks; ++i) mark(item + ":" + std::to_string(i));
  }
  // The greeting: response r0, item a0, fully played.
  void greeted() {
    live();
    reply("r0", "a0", "sys0", 2, "Thanks for calling Lotus Yoga, how can I help?");
    play_all("a0", 2);
  }
  void caller_turn(const std::string& item, const std::string& previous) {
    ev(openai::SpeechStarted{item, 0});
    ev(openai::SpeechStopped{item, 1000});
    ev(openai::InputCommitted{item, previous});
    ev(openai::ItemAdded{item, previous, "user", "message"});
  }
  void function_call(const std::string& resp, const std::string& call_id, const std::string& name,
                     const std::string& args = "{}") {
    ev(openai::FunctionCallDone{resp, "fc_" + call_id, call_id, name, args});
  }
};

}  // namespace

TEST_CASE("the session is configured first and the greeting waits for session.updated") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ123");
  call.bridge.on_engine_open(call.now);
  REQUIRE(call.out.engine.size() == 1);
  CHECK(call.out.engine[0]["type"] == "session.update");
  CHECK(call.out.engine[0]["session"]["type"] == "realtime");

  call.frame();  // caller audio before the format switch waits; it is not sent as PCM
  call.ev(openai::SessionCreated{"sess_1", 0});
  CHECK(call.out.engine.size() == 1);

  call.ev(openai::SessionUpdated{"audio/pcmu", "audio/pcmu"});
  REQUIRE(call.out.engine.size() == 4);
  CHECK(call.out.engine[1]["type"] == "input_audio_buffer.append");  // as µ-law, once the session takes it
  CHECK(call.bridge.summary().frames_dropped == 0);
  CHECK(call.out.engine[2]["item"]["role"] == "system");
  CHECK(call.out.engine[2]["item"]["content"][0]["text"].get<std::string>().find("Lotus Yoga") != std::string::npos);
  CHECK(call.out.engine[3] == json{{"type", "response.create"}});

  call.frame();
  CHECK(call.out.engine.back()["type"] == "input_audio_buffer.append");
  CHECK(call.bridge.summary().frames_in == 2);
}

TEST_CASE("the greeting also waits for the Twilio stream to start") {
  Call call;
  call.bridge.on_engine_open(call.now);
  call.ev(openai::SessionUpdated{"g711_ulaw", "g711_ulaw"});
  CHECK(call.out.count("response.create") == 0);
  call.at(300ms);
  call.bridge.on_twilio_start(call.now, "MZ1");
  CHECK(call.out.count("response.create") == 1);
  CHECK(call.bridge.stream_sid() == "MZ1");
}

TEST_CASE("an error reply to session.update ends the call with the fallback") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ123");
  call.bridge.on_engine_open(call.now);
  call.ev(openai::EngineError{"invalid_request_error", "unknown_parameter", "Unknown parameter: 'session.voice'.",
                              "session.voice", ""});
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
  CHECK(std::get<Fallback>(call.out.ends[0].disposition).reason.find("unknown_parameter") != std::string::npos);
  CHECK(call.out.ends[0].reason == EndReason::engine_failed);
  CHECK(call.out.count("response.create") == 0);
  CHECK(call.bridge.finished());
  SUBCASE("and nothing happens afterwards") {
    call.ev(openai::SessionUpdated{"audio/pcmu", "audio/pcmu"});
    call.bridge.on_tick(call.now + 1h);
    CHECK(call.out.ends.size() == 1);
    CHECK(call.out.count("response.create") == 0);
  }
}

TEST_CASE("a session that did not switch to μ-law is fatal, not noise on the phone") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ123");
  call.bridge.on_engine_open(call.now);
  call.ev(openai::SessionUpdated{"audio/pcm", "audio/pcmu"});
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
  CHECK(call.out.count("response.create") == 0);
}

TEST_CASE("an engine that never gets ready, or closes first, ends the call with the fallback") {
  SUBCASE("timeout") {
    Call call;
    call.bridge.on_twilio_start(call.now, "MZ123");
    call.bridge.on_engine_open(call.now);
    call.bridge.on_tick(call.now + 9s);
    CHECK(call.out.ends.empty());
    call.bridge.on_tick(call.now + 10s);
    REQUIRE(call.out.ends.size() == 1);
    CHECK(call.bridge.summary().end_reason == EndReason::engine_failed);
  }
  SUBCASE("closed") {
    Call call;
    call.bridge.on_engine_closed(call.now, "401 Unauthorized");
    REQUIRE(call.out.ends.size() == 1);
    CHECK(std::get<Fallback>(call.out.ends[0].disposition).reason.find("401") != std::string::npos);
  }
}

TEST_CASE("caller audio is forwarded as appends of the payload as it came") {
  Call call;
  call.live();
  for (int i = 0; i < 51; ++i) call.frame();
  CHECK(call.out.count("input_audio_buffer.append") == 51);
  CHECK(call.out.audio == std::chrono::milliseconds(51 * 20));  // the queue to the engine counts time
  CHECK(call.out.engine.back()["audio"] == silence_b64(160));
  CHECK(call.bridge.summary().bytes_in == 51 * 160);
  SUBCASE("a payload that is not base64 is dropped") {
    auto before = call.out.engine.size();
    call.bridge.on_twilio_media(call.now, 0, "not base64!");
    CHECK(call.out.engine.size() == before);
    CHECK(call.bridge.summary().frames_dropped == 1);
  }
}

TEST_CASE("assistant audio is forwarded with a uniquely named mark after each chunk") {
  Call call;
  call.live();
  call.response("r0");
  call.audio("r0", "a0", 100);
  call.audio("r0", "a0", 100);
  CHECK(call.out.log == std::vector<std::string>{"engine:session.update", "engine:conversation.item.create",
                                                 "engine:response.create", "twilio:media", "twilio:mark",
                                                 "twilio:media", "twilio:mark"});
  CHECK(call.out.marks == std::vector<std::string>{"a0:1", "a0:2"});
  CHECK(call.out.media[0] == silence_b64(800));
  CHECK(call.bridge.summary().frames_out == 2);
  CHECK(call.bridge.summary().bytes_out == 1600);
}

TEST_CASE("barge-in truncates the reply at the audio the caller actually heard") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0");
  call.response("r1");
  call.ev(openai::ItemAdded{"a1", "u1", "assistant", "message"});
  for (int i = 0; i < 4; ++i) call.audio("r1", "a1", 250);  // 1 s sent, faster than real time
  call.mark("a1:1");
  call.mark("a1:2");  // the caller has heard 500 ms
  call.out.clear_log();

  call.ev(openai::SpeechStarted{"u2", 5000});
  REQUIRE(call.out.log == std::vector<std::string>{"twilio:clear", "engine:conversation.item.truncate"});
  json truncate = call.out.engine.back();
  CHECK(truncate["item_id"] == "a1");
  CHECK(truncate["audio_end_ms"] == 500);
  CHECK(truncate["content_index"] == 0);
  CHECK(call.bridge.summary().interruptions == 1);
  CHECK(call.out.has_event(CallEventKind::interruption));

  SUBCASE("echoes of the flushed marks and late audio of the cut item change nothing") {
    call.out.clear_log();
    call.mark("a1:3");
    call.mark("a1:4");
    call.audio("r1", "a1", 250);
    CHECK(call.out.log.empty());
    call.ev(openai::SpeechStarted{"u2", 5100});
    CHECK(call.out.clears == 1);
  }
  SUBCASE("the transcript keeps what was generated and what was heard") {
    call.ev(openai::AssistantTranscriptDone{"a1", "We open at nine and close at eight tonight"});
    call.done("r1", "cancelled");
    call.ev(openai::ItemTruncated{"a1", 500});
    call.ev(openai::InputTranscriptCompleted{"u1", "When are you open?"});
    call.ev(openai::InputTranscriptCompleted{"a0", "ignored: not a caller turn"});
    REQUIRE(call.out.turns.size() == 3);
    const auto& a1 = call.out.turns[2];
    CHECK(a1.item_id == "a1");
    CHECK(a1.interrupted);
    CHECK(a1.text_generated == "We open at nine and close at eight tonight");
    CHECK(a1.text_heard == "We open at nine and");  // 500 of 1000 ms, whole words
  }
}

TEST_CASE("only the item playing is truncated when replies play back to back") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 200);
  call.audio("r1", "a2", 200);  // a second item queued behind the first
  call.audio("r1", "a2", 200);
  call.mark("a1:1");            // a1 fully heard
  call.mark("a2:1");            // 200 ms of a2 heard
  call.ev(openai::SpeechStarted{"u2", 0});
  auto truncates = call.out.engine_of_type("conversation.item.truncate");
  REQUIRE(truncates.size() == 1);
  CHECK(truncates[0]["item_id"] == "a2");
  CHECK(truncates[0]["audio_end_ms"] == 200);
}

TEST_CASE("a truncation before the first echo of the playing item is at zero, never negative") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 300);
  call.ev(openai::SpeechStarted{"u2", 0});
  auto truncates = call.out.engine_of_type("conversation.item.truncate");
  REQUIRE(truncates.size() == 1);
  CHECK(truncates[0]["audio_end_ms"] == 0);
}

TEST_CASE("speech that starts after the assistant finished playing is an ordinary turn") {
  Call call;
  call.greeted();
  call.out.clear_log();
  call.ev(openai::SpeechStarted{"u1", 0});
  CHECK(call.out.log.empty());
  CHECK(call.bridge.summary().interruptions == 0);
}

TEST_CASE("audio still streaming for a cancelled response is dropped after speech starts") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 100);
  call.mark("a1:1");  // everything sent so far was heard: nothing to clear
  call.ev(openai::SpeechStarted{"u2", 0});
  CHECK(call.out.clears == 0);
  auto media_before = call.out.media.size();
  call.audio("r1", "a1", 100);  // in flight before the engine cancelled
  CHECK(call.out.media.size() == media_before);
  CHECK(call.bridge.summary().frames_out_dropped == 1);
}

TEST_CASE("caller transcript arriving after the reply is stored before it") {
  Call call;
  call.greeted();
  REQUIRE(call.out.turns.size() == 1);  // the greeting
  call.caller_turn("u1", "a0");
  call.reply("r1", "a1", "u1", 2, "We open at nine.");
  call.play_all("a1", 2);
  CHECK(call.out.turns.size() == 1);  // a1 waits for u1's transcript
  call.ev(openai::InputTranscriptCompleted{"u1", "When do you open tomorrow?"});
  REQUIRE(call.out.turns.size() == 3);
  CHECK(call.out.turns[1].item_id == "u1");
  CHECK(call.out.turns[1].speaker == Speaker::caller);
  CHECK(call.out.turns[1].text_heard == "When do you open tomorrow?");
  CHECK(call.out.turns[2].item_id == "a1");
  CHECK(call.out.turns[2].text_heard == "We open at nine.");
  CHECK(call.out.turns[1].seq < call.out.turns[2].seq);
  CHECK(call.bridge.summary().caller_turns == 1);
  CHECK(call.bridge.summary().assistant_turns == 2);
}

TEST_CASE("turn offsets are measured from the call start") {
  Call call;
  call.at(1000ms);
  call.live();  // Twilio started 1 s into the call
  for (int i = 0; i < 100; ++i) call.frame();  // first appended frame has Twilio timestamp 0
  call.at(4000ms);
  call.ev(openai::SpeechStarted{"u1", 1500});
  call.ev(openai::InputCommitted{"u1", ""});
  call.ev(openai::InputTranscriptCompleted{"u1", "hello"});
  REQUIRE(call.out.turns.size() == 1);
  CHECK(call.out.turns[0].offset_ms == 2500);
}

TEST_CASE("response.create waits for response.done after a function call") {
  Call call;
  call.greeted();
  call.response("r1");
  call.function_call("r1", "call_1", "check_hours", R"({"day":"monday"})");
  REQUIRE(call.out.tools.size() == 1);
  CHECK(call.out.tools[0].call_id == "call_1");
  CHECK(call.out.tools[0].arguments == R"({"day":"monday"})");
  auto creates = call.out.count("response.create");

  SUBCASE("result first, then response.done") {
    call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
    auto outputs = call.out.engine_of_type("conversation.item.create");
    CHECK(outputs.back()["item"]["type"] == "function_call_output");
    CHECK(outputs.back()["item"]["call_id"] == "call_1");
    CHECK(json::parse(outputs.back()["item"]["output"].get<std::string>())["open"] == true);
    CHECK(call.out.count("response.create") == creates);
    call.done("r1");
    CHECK(call.out.count("response.create") == creates + 1);
  }
  SUBCASE("response.done first, then the result") {
    call.done("r1");
    CHECK(call.out.count("response.create") == creates);
    call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
    CHECK(call.out.log.back() == "engine:response.create");
    CHECK(call.out.count("response.create") == creates + 1);
  }
  SUBCASE("two calls in one response get one response.create after both results") {
    call.function_call("r1", "call_2", "check_prices");
    call.done("r1");
    call.bridge.on_tool_result(call.now, "call_2", tools::tool_success({{"price", 20}}));
    CHECK(call.out.count("response.create") == creates);
    call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
    CHECK(call.out.count("response.create") == creates + 1);
    CHECK(call.bridge.summary().tool_calls == 2);
  }
  SUBCASE("a response the engine started meanwhile defers ours until it is done") {
    call.done("r1");
    call.response("r2");  // the caller spoke; turn detection created a response
    call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
    CHECK(call.out.count("response.create") == creates);
    call.done("r2");
    CHECK(call.out.count("response.create") == creates + 1);
  }
}

TEST_CASE("a function call reported twice runs once, and beta's nameless report waits for the name") {
  Call call;
  call.greeted();
  call.response("r1");
  call.function_call("r1", "call_1", "");          // beta arguments.done: no name
  CHECK(call.out.tools.empty());
  call.function_call("r1", "call_1", "end_call");  // output_item.done
  call.function_call("r1", "call_1", "end_call");
  CHECK(call.out.tools.size() == 1);
  CHECK(call.out.tools[0].name == "end_call");
}

TEST_CASE("a tool result arriving after barge-in is still submitted") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 500);
  call.function_call("r1", "call_1", "check_hours");
  call.ev(openai::SpeechStarted{"u2", 0});
  call.done("r1", "cancelled");
  call.response("r2");
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
  CHECK(call.out.engine_of_type("conversation.item.create").back()["item"]["call_id"] == "call_1");
  SUBCASE("unknown and duplicate results are recorded and ignored") {
    auto before = call.out.engine.size();
    call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({}));
    call.bridge.on_tool_result(call.now, "call_404", tools::tool_success({}));
    CHECK(call.out.engine.size() == before);
  }
}

TEST_CASE("end_call hangs up after the goodbye's last mark") {
  Call call;
  call.greeted();
  auto creates = call.out.count("response.create");
  call.response("r1");
  call.audio("r1", "a1", 500);
  call.audio("r1", "a1", 500);
  call.function_call("r1", "call_1", "end_call", R"({"reason":"caller said bye"})");
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"status", "ending"}}, tools::EndCall{"caller said bye"}));
  call.ev(openai::AudioDone{"r1", "a1"});
  call.ev(openai::AssistantTranscriptDone{"a1", "Goodbye, have a great day!"});
  call.done("r1");
  CHECK(call.out.ends.empty());
  call.mark("a1:1");
  CHECK(call.out.ends.empty());
  call.mark("a1:2");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Hangup>(call.out.ends[0].disposition));
  CHECK(call.bridge.summary().end_reason == EndReason::assistant_hung_up);
  CHECK(call.bridge.summary().end_detail == "caller said bye");
  CHECK(call.out.count("response.create") == creates);  // no follow-up after end_call
  CHECK(call.out.turns.back().text_heard == "Goodbye, have a great day!");
}

TEST_CASE("end_call hangs up at the safety timeout when the marks never come back") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 500);
  call.function_call("r1", "call_1", "end_call");
  call.done("r1");
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({}, tools::EndCall{}));
  call.bridge.on_tick(call.now + 14s);
  CHECK(call.out.ends.empty());
  call.bridge.on_tick(call.now + 15s);
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Hangup>(call.out.ends[0].disposition));
}

TEST_CASE("transfer_call transfers once the sentence has played") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 300);
  call.function_call("r1", "call_1", "transfer_call");
  call.bridge.on_tool_result(call.now, "call_1",
                             tools::tool_success({}, tools::TransferCall{"+15550002222", "manager", "refund"}));
  call.done("r1");
  CHECK(call.out.ends.empty());
  call.mark("a1:1");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::get<Transfer>(call.out.ends[0].disposition).number == "+15550002222");
  CHECK(call.out.ends[0].reason == EndReason::transferred);
}

TEST_CASE("the transfer digit transfers at once to the default fallback") {
  Call call;
  call.greeted();
  call.bridge.on_twilio_dtmf(call.now, "0");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::get<Transfer>(call.out.ends[0].disposition).number == "+15550001111");
  CHECK(call.bridge.summary().end_reason == EndReason::keypad_transfer);
  CHECK(call.out.has_event(CallEventKind::dtmf));
}

TEST_CASE("other digits are told to the model, respecting the active response") {
  Call call;
  call.greeted();
  auto creates = call.out.count("response.create");
  call.response("r1");
  call.bridge.on_twilio_dtmf(call.now, "1");
  auto items = call.out.engine_of_type("conversation.item.create");
  CHECK(items.back()["item"]["role"] == "user");
  CHECK(items.back()["item"]["content"][0]["text"] == "The caller pressed 1 on their keypad.");
  CHECK(call.out.count("response.create") == creates);
  call.done("r1");
  CHECK(call.out.count("response.create") == creates + 1);
  SUBCASE("garbage digits are ignored") {
    auto before = call.out.engine.size();
    call.bridge.on_twilio_dtmf(call.now, "12");
    call.bridge.on_twilio_dtmf(call.now, "x");
    CHECK(call.out.engine.size() == before);
  }
}

TEST_CASE("without a fallback number the transfer digit is just a digit") {
  auto config = test_config();
  config.bridge.transfer_number = "";
  Call call(config);
  call.greeted();
  call.bridge.on_twilio_dtmf(call.now, "0");
  CHECK(call.out.ends.empty());
  CHECK(call.out.engine_of_type("conversation.item.create").back()["item"]["content"][0]["text"] ==
        "The caller pressed 0 on their keypad.");
}

TEST_CASE("at the time limit the assistant wraps up, then the call hangs up") {
  auto config = test_config();
  config.bridge.silence_timeout = 0ms;
  Call call(config);
  call.greeted();
  auto creates = call.out.count("response.create");
  call.bridge.on_tick(call.t0 + 9min);
  CHECK(call.out.count("response.create") == creates);
  call.at(10min);
  call.bridge.on_tick(call.now);
  auto wrap_up = call.out.engine_of_type("response.create").back();
  CHECK(wrap_up["response"]["instructions"].get<std::string>().find("time limit") != std::string::npos);
  CHECK(call.out.ends.empty());
  call.reply("r9", "a9", "a0", 1, "I'm sorry, I have to end the call now. Goodbye!");
  CHECK(call.out.ends.empty());
  call.mark("a9:1");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(call.bridge.summary().end_reason == EndReason::max_duration);
}

TEST_CASE("silence gets a check-in, then a goodbye") {
  Call call;
  call.greeted();
  auto creates = call.out.count("response.create");
  call.at(19s);
  call.bridge.on_tick(call.now);
  CHECK(call.out.count("response.create") == creates);
  call.at(20s);
  call.bridge.on_tick(call.now);
  REQUIRE(call.out.count("response.create") == creates + 1);
  CHECK(call.out.engine.back()["response"]["instructions"].get<std::string>().find("still there") != std::string::npos);

  SUBCASE("the caller answers: the silence count starts over") {
    call.reply("r1", "a1", "a0", 1, "Are you still there?");
    call.play_all("a1", 1);
    call.ev(openai::SpeechStarted{"u1", 0});
    call.at(35s);
    call.bridge.on_tick(call.now);
    CHECK(call.out.count("response.create") == creates + 1);
    call.at(40s);
    call.bridge.on_tick(call.now);
    CHECK(call.out.engine.back()["response"]["instructions"].get<std::string>().find("still there") != std::string::npos);
    CHECK(call.out.ends.empty());
  }
  SUBCASE("still silent: goodbye and hang up") {
    call.reply("r1", "a1", "a0", 1, "Are you still there?");
    call.play_all("a1", 1);
    call.at(40s);
    call.bridge.on_tick(call.now);
    CHECK(call.out.engine.back()["response"]["instructions"].get<std::string>().find("goodbye") != std::string::npos);
    call.reply("r2", "a2", "a1", 1, "Goodbye!");
    call.play_all("a2", 1);
    REQUIRE(call.out.ends.size() == 1);
    CHECK(call.bridge.summary().end_reason == EndReason::silence);
  }
}

TEST_CASE("a dropped engine is reconnected and re-seeded with what the caller heard") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0");
  call.ev(openai::InputTranscriptCompleted{"u1", "Do you have parking?"});
  call.reply("r1", "a1", "u1", 2, "Yes, there is a lot behind the studio");
  call.mark("a1:1");
  call.ev(openai::SpeechStarted{"u2", 0});  // heard half of a1
  call.ev(openai::SessionExpired{"Your session hit the maximum duration of 60 minutes."});
  call.bridge.on_engine_closed(call.now, "1001 going away");
  REQUIRE(call.out.lost.size() == 1);
  CHECK(call.out.lost[0].session_expired);
  CHECK(call.out.lost[0].attempt == 1);
  CHECK(call.out.ends.empty());

  auto before = call.out.engine.size();
  call.frame();  // no engine: dropped
  CHECK(call.out.engine.size() == before);

  call.bridge.on_engine_open(call.now);
  CHECK(call.out.engine.back()["type"] == "session.update");
  call.ev(openai::SessionUpdated{"audio/pcmu", "audio/pcmu"});
  REQUIRE(call.bridge.history().size() == 3);
  std::vector<json> reseed(call.out.engine.end() - 3, call.out.engine.end());
  CHECK(reseed[0]["item"]["role"] == "assistant");
  CHECK(reseed[1]["item"]["content"][0]["text"] == "Do you have parking?");
  CHECK(reseed[2]["item"]["content"][0] == json{{"type", "output_text"}, {"text", "Yes, there is a"}});
  CHECK(call.bridge.summary().engine_reconnects == 1);
  CHECK(call.out.has_event(CallEventKind::engine_reconnected));

  SUBCASE("a second loss beyond the limit falls back") {
    call.bridge.on_engine_closed(call.now, "reset");
    REQUIRE(call.out.ends.size() == 1);
    CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
    CHECK(call.bridge.summary().end_reason == EndReason::engine_lost);
  }
}

TEST_CASE("an engine lost mid-reply apologises after the reconnect") {
  Call call;
  call.greeted();
  call.response("r1");
  call.audio("r1", "a1", 100);
  call.bridge.on_engine_closed(call.now, "reset");
  call.bridge.on_engine_open(call.now);
  call.ev(openai::SessionUpdated{"audio/pcmu", "audio/pcmu"});
  CHECK(call.out.engine.back()["response"]["instructions"].get<std::string>().find("interrupted") !=
        std::string::npos);
  SUBCASE("a reconnect that never gets ready falls back") {
    Call other;
    other.greeted();
    other.bridge.on_engine_closed(other.now, "reset");
    other.bridge.on_tick(other.now + 10s);
    REQUIRE(other.out.ends.size() == 1);
    CHECK(other.bridge.summary().end_reason == EndReason::engine_lost);
  }
}

TEST_CASE("Twilio stop ends the call without EndStream and flushes the transcript") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0");  // its transcript never comes
  call.response("r1");
  call.audio("r1", "a1", 400);
  call.mark("a1:1");
  call.ev(openai::AssistantTranscriptDone{"a1", "Let me check that for you"});
  call.at(12s);
  call.bridge.on_twilio_stop(call.now);
  CHECK(call.out.ends.empty());
  CHECK(call.bridge.finished());
  CHECK(call.bridge.summary().end_reason == EndReason::caller_hung_up);
  CHECK(call.bridge.summary().duration_ms == 12000);
  REQUIRE(call.out.turns.size() == 2);
  CHECK(call.out.turns[1].item_id == "a1");
  CHECK(call.out.turns[1].text_heard == "Let me check that for you");  // all 400 ms were heard
  call.mark("a1:2");
  call.bridge.on_twilio_dtmf(call.now, "0");
  CHECK(call.out.ends.empty());
}

TEST_CASE("a hang-up before response.output_audio_transcript.done keeps the transcript deltas heard") {
  Call call;
  call.greeted();
  call.response("r1");
  call.ev(openai::ItemAdded{"a1", "a0", "assistant", "message"});
  call.ev(openai::AssistantTranscriptDelta{"a1", "Yes, there is "});
  call.audio("r1", "a1", 200);
  call.ev(openai::AssistantTranscriptDelta{"a1", "free parking"});
  call.audio("r1", "a1", 200);
  call.mark("a1:1");
  call.mark("a1:2");
  call.bridge.on_twilio_stop(call.now);
  REQUIRE(call.out.turns.size() == 2);
  CHECK(call.out.turns[1].item_id == "a1");
  CHECK(call.out.turns[1].text_heard == "Yes, there is free parking");
}

TEST_CASE("the summary measures greeting and turn latency from marks, and sums usage") {
  Call call;
  call.at(0ms);
  call.live();
  call.at(400ms);
  call.response("r0");
  call.audio("r0", "a0", 500);
  call.at(700ms);
  call.mark("a0:1");
  CHECK(call.bridge.summary().greeting_sent_ms == 400);
  CHECK(call.bridge.summary().greeting_heard_ms == 700);
  call.ev(openai::ResponseDone{"r0", "completed", "", "", {100, 50, 10, 40, 5, 150}});

  call.at(5000ms);
  call.ev(openai::SpeechStarted{"u1", 0});
  call.at(6000ms);
  call.ev(openai::SpeechStopped{"u1", 1000});
  call.at(6600ms);
  call.response("r1");
  call.audio("r1", "a1", 500);
  call.at(6900ms);
  call.mark("a1:1");
  call.ev(openai::ResponseDone{"r1", "completed", "", "", {1, 2, 3, 4, 5, 6}});
  CHECK(call.bridge.summary().turn_latencies_ms == std::vector<int64_t>{900});
  CHECK(call.bridge.summary().usage == engine::Usage{101, 52, 13, 44, 10, 156});
  CHECK(call.bridge.summary().responses == 2);
}

TEST_CASE("unknown marks, ignored events and odd input change nothing") {
  Call call;
  call.greeted();
  call.out.clear_log();
  call.mark("nonsense");
  call.mark("");
  call.ev(openai::Ignored{"rate_limits.updated"});
  call.ev(openai::AssistantTranscriptDelta{"a0", "x"});
  call.ev(openai::EngineError{"invalid_request_error", "response_cancel_not_active", "nothing to cancel", "", ""});
  call.ev(openai::AudioDone{"r404", "nope"});
  call.ev(openai::InputTranscriptFailed{"nope", "x"});
  call.bridge.on_engine_open(call.now);  // already open: ignored
  CHECK(call.out.log.empty());
  CHECK(call.out.ends.empty());
}

TEST_CASE("an active-response error requeues our instructions until the engine's response is done") {
  Call call;
  call.greeted();
  call.at(20s);
  call.bridge.on_tick(call.now);  // silence check-in requested
  auto creates = call.out.count("response.create");
  call.ev(openai::EngineError{"invalid_request_error", "conversation_already_has_active_response", "busy", "", ""});
  call.done("r_auto");
  CHECK(call.out.count("response.create") == creates + 1);
  CHECK(call.out.engine.back()["response"]["instructions"].get<std::string>().find("still there") != std::string::npos);
}

// ---- stages -------------------------------------------------------------------------------------

namespace {

Config staged_config() {
  Config c = test_config();
  auto stages = std::make_shared<std::vector<org::Stage>>(2);
  (*stages)[0].name = "identify";
  (*stages)[0].next = {"assist"};
  (*stages)[1].name = "assist";
  c.bridge.stages = stages;
  return c;
}

}  // namespace

TEST_CASE("OpenAI stage, same voice: session.update of prompt and tools, then the output, then a response") {
  Call call(staged_config());
  call.out.stage_session.instructions = "Now assist the caller.";
  call.out.stage_session.voice = "marin";
  call.greeted();
  call.caller_turn("u1", "a0");
  call.response("r1");
  call.out.clear_log();
  call.function_call("r1", "call_1", "move_to_assist", R"({"handoff":"Jane, verified"})");
  call.done("r1");
  CHECK(call.out.log == std::vector<std::string>{"stage:assist", "engine:session.update", "engine:conversation.item.create",
                                                 "engine:response.create"});
  const auto updates = call.out.engine_of_type("session.update");
  const json& session = updates.back()["session"];
  CHECK(session["type"] == "realtime");
  CHECK(session["instructions"] == "Now assist the caller.");
  CHECK_FALSE(session.contains("audio"));  // the voice and formats stay as they are
  const auto outputs = call.out.engine_of_type("conversation.item.create");
  CHECK(json::parse(outputs.back()["item"]["output"].get<std::string>())["stage"] == "assist");
  CHECK(call.bridge.stage() == "assist");
}

TEST_CASE("OpenAI stage, another voice: a fresh session at the turn boundary, in the new voice, seeded, and it speaks") {
  Call call(staged_config());
  call.out.stage_session.instructions = "Now assist the caller.";
  call.out.stage_session.voice = "cedar";
  call.greeted();
  call.caller_turn("u1", "a0");
  call.ev(openai::InputTranscriptCompleted{"u1", "Jane Doe, HB123456."});
  call.response("r1");
  call.function_call("r1", "call_1", "move_to_assist", R"({"handoff":"Jane"})");
  // Nothing more goes to the session that cannot take the voice: no output, no partial update.
  CHECK(call.out.count("conversation.item.create") == 1);  // the greeting's system item only
  const auto updates_before = call.out.count("session.update");
  call.done("r1");
  CHECK(call.out.count("response.create") == 1);  // the greeting's; no follow-up on the old session
  call.out.clear_log();
  call.bridge.on_engine_open(call.now);
  const auto updates = call.out.engine_of_type("session.update");
  REQUIRE(updates.size() == updates_before + 1);
  CHECK(updates.back()["session"]["audio"]["output"]["voice"] == "cedar");
  CHECK(updates.back()["session"]["instructions"] == "Now assist the caller.");
  call.ev(openai::SessionUpdated{"audio/pcmu", "audio/pcmu"});
  CHECK(call.out.log == std::vector<std::string>{"engine:session.update", "engine:conversation.item.create",
                                                 "engine:conversation.item.create", "engine:response.create"});
  const auto create = call.out.engine_of_type("response.create").back();
  CHECK_FALSE(create.contains("response"));  // the session's (new stage's) instructions, not one-off ones
}
