// The call bridge on its own, engine-neutrally: a scripted FakeAdapter stands in for the engine
// and records every call the bridge makes to it; engine events are fed as neutral events. What is
// asserted is what the bridge asks of the world (Twilio media, marks and clears, tools, the end of
// the stream, records) and of the adapter — never any provider's wire format. What one provider
// hears of the same behaviour is tested in core_engine_openai_realtime_adapter_test.cpp.
#include <doctest/doctest.h>

#include <deque>
#include <map>

#include "core/call/bridge.hpp"
#include "core/org/profile.hpp"

using namespace sonoria;
using namespace sonoria::call;
using namespace std::chrono_literals;

namespace {

// One line per action or adapter call, in the order they happened ("twilio:clear",
// "engine:cut(a1,500)"), shared by the recorder and the fake adapter.
using Log = std::vector<std::string>;

// The engine, as the bridge sees it: records every call; busy() is what the test says, and
// becomes true whenever the bridge asks the engine to speak (as a real adapter's would: a reply
// is then asked for or owed). It never sends a frame.
struct FakeAdapter final : engine::Adapter {
  struct Said {
    engine::Speech speech;
    bool now = false;
  };
  struct ToolResult {
    std::string call_id;
    std::string output;
    bool reply = false;
  };
  struct Cut {
    std::string item_id;
    int64_t heard_ms = 0;
  };

  FakeAdapter(std::string name, Log& log) : name_(std::move(name)), log_(log) {}

  std::string_view name() const override { return name_; }
  const engine::Capabilities& capabilities() const override { return capabilities_; }
  engine::AudioMerger audio_merger() const override { return nullptr; }

  void open(const std::vector<engine::HistoryLine>& history) override {
    opens.push_back(history);
    log_.push_back("engine:open(" + std::to_string(history.size()) + ")");
  }
  // "malformed" is not understood; anything else reports the next scripted batch of events.
  bool receive(std::string_view data, bool binary, engine::EventSink& events) override {
    received.emplace_back(data);
    received_binary.push_back(binary);
    if (data == "malformed") return false;
    if (script.empty()) return true;
    auto batch = std::move(script.front());
    script.pop_front();
    for (const auto& e : batch) events.on_engine_event(e);
    return true;
  }
  void closed() override {
    ++closes;
    busy_ = false;
    log_.push_back("engine:closed");
  }
  void tick(TimePoint) override { ++ticks; }

  bool caller_audio(std::string_view payload_b64) override {
    if (payload_b64.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
        std::string_view::npos)
      return false;
    audio.emplace_back(payload_b64);
    return true;
  }
  void greet(const engine::Speech& speech) override {
    greets.push_back(speech);
    busy_ = true;
    log_.push_back("engine:greet");
  }
  void say(const engine::Speech& speech, bool now) override {
    says.push_back({speech, now});
    busy_ = true;
    log_.push_back("engine:say");
  }
  void caller_text(std::string_view text) override {
    texts.emplace_back(text);
    busy_ = true;
    log_.push_back("engine:caller_text");
  }
  void tool_result(std::string_view call_id, std::string_view output, bool reply) override {
    results.push_back({std::string(call_id), std::string(output), reply});
    if (reply) busy_ = true;
    log_.push_back("engine:tool_result(" + std::string(call_id) + "," + (reply ? "reply" : "no reply") + ")");
  }
  void cut(std::string_view item_id, int64_t heard_ms) override {
    cuts.push_back({std::string(item_id), heard_ms});
    log_.push_back("engine:cut(" + std::string(item_id) + "," + std::to_string(heard_ms) + ")");
  }
  engine::StageChange change_stage(std::string_view call_id, std::string_view output,
                                   const engine::SessionConfig& next) override {
    stage_changes.push_back({std::string(call_id), std::string(output), next.instructions, next.voice});
    log_.push_back("engine:change_stage(" + std::string(call_id) + "," + next.voice + ")");
    if (stage_change == engine::StageChange::in_place) busy_ = true;  // the agent speaks on in the new stage
    return stage_change;
  }
  void reply() override {
    ++replies;
    busy_ = true;
    log_.push_back("engine:reply");
  }
  bool busy() const override { return busy_; }

  struct StageChange {
    std::string call_id;
    std::string output;
    std::string instructions;
    std::string voice;
  };
  engine::StageChange stage_change = engine::StageChange::in_place;
  std::vector<StageChange> stage_changes;
  int replies = 0;
  bool busy_ = false;
  std::deque<std::vector<engine::Event>> script;
  std::vector<std::vector<engine::HistoryLine>> opens;
  std::vector<std::string> received;
  std::vector<bool> received_binary;
  std::vector<std::string> audio;
  std::vector<engine::Speech> greets;
  std::vector<Said> says;
  std::vector<std::string> texts;
  std::vector<ToolResult> results;
  std::vector<Cut> cuts;
  int closes = 0;
  int ticks = 0;

 private:
  std::string name_;
  Log& log_;
  engine::Capabilities capabilities_{};
};

// Records every action of the bridge. The fake adapter sends no frames, so a frame for the engine
// can only be the bridge speaking a wire format itself: that fails the test.
struct Recorder : ActionSink {
  Log log;
  std::vector<std::string> media;
  std::vector<std::string> marks;
  int clears = 0;
  std::vector<ToolRequest> tools;
  std::vector<EndStream> ends;
  std::vector<EngineLost> lost;
  std::vector<TranscriptTurn> turns;
  std::vector<CallEvent> events;

  void send_engine(engine::Frame frame) override { FAIL_CHECK("the bridge sent an engine frame: " << frame.data); }
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
  void engine_rollover(std::string_view reason) override { log.push_back("rollover(" + std::string(reason) + ")"); }
  engine::SessionConfig enter_stage(const StageEntered& stage) override {
    entered.push_back(stage);
    log.push_back("stage:" + stage.name);
    engine::SessionConfig session;
    session.instructions = "stage " + stage.name;
    session.voice = "voice of " + stage.name;
    return session;
  }
  std::vector<StageEntered> entered;
  bool try_next_engine(std::string_view reason, std::string_view kind) override {
    next_engine_asked.emplace_back(reason);
    next_engine_kinds.emplace_back(kind);
    log.push_back("next_engine");
    return next_engines-- > 0;
  }
  void record_turn(const TranscriptTurn& t) override { turns.push_back(t); }
  void record_event(const CallEvent& e) override { events.push_back(e); }

  int next_engines = 0;                     // how many more engines the call has
  std::vector<std::string> next_engine_asked;
  std::vector<std::string> next_engine_kinds;

  std::vector<CallEvent> events_of(CallEventKind kind) const {
    std::vector<CallEvent> out;
    for (const auto& e : events)
      if (e.kind == kind) out.push_back(e);
    return out;
  }
  bool has_timer(std::string_view name) const {
    for (const auto& e : events_of(CallEventKind::timer))
      if (e.detail["timer"] == name) return true;
    return false;
  }
};

// Base64 of n silent μ-law bytes (0xFF), so lengths decode exactly.
std::string silence_b64(size_t bytes) {
  std::string out;
  for (size_t i = 0; i < bytes / 3; ++i) out += "////";
  if (bytes % 3 == 1) out += "/w==";
  if (bytes % 3 == 2) out += "//8=";
  return out;
}

const std::string k_greeting = "Thanks for calling Lotus Yoga, how can I help?";

BridgeConfig test_config() {
  BridgeConfig c;
  c.greeting = k_greeting;
  c.transfer_number = "+15550001111";
  c.max_duration = 10min;
  c.silence_timeout = 20s;
  c.wrap_up_timeout = 30s;
  c.hangup_timeout = 15s;
  c.engine_ready_timeout = 10s;
  c.caller_transcript_wait = 30s;
  c.max_engine_reconnects = 1;
  c.silent_engine_timeout = 0s;  // its own tests turn it on
  return c;
}

std::unique_ptr<engine::Adapter> fake_adapter(const std::string& name, Log& log, FakeAdapter*& out) {
  auto adapter = std::make_unique<FakeAdapter>(name, log);
  out = adapter.get();
  return adapter;
}

using Role = engine::HistoryLine::Role;

std::vector<std::pair<Role, std::string>> lines(const std::vector<engine::HistoryLine>& history) {
  std::vector<std::pair<Role, std::string>> out;
  for (const auto& line : history) out.emplace_back(line.role, line.text);
  return out;
}

struct Call {
  Recorder out;
  TimePoint t0 = TimePoint{} + 1h;
  TimePoint now = t0;
  FakeAdapter* engine = nullptr;  // owned by the bridge
  CallBridge bridge;
  int64_t media_ts = 0;

  explicit Call(BridgeConfig c = test_config())
      : bridge(std::move(c), fake_adapter("fake", out.log, engine), out, t0) {}

  void at(std::chrono::milliseconds since_start) { now = t0 + since_start; }
  void ev(engine::Event e) { bridge.on_engine_event(now, e); }
  void live() {
    bridge.on_twilio_start(now, "MZ123");
    bridge.on_engine_open(now);
    ev(engine::Ready{});
  }
  void frame() {
    bridge.on_twilio_media(now, media_ts, silence_b64(160));
    media_ts += 20;
  }
  // One chunk of assistant audio of `ms` milliseconds.
  void audio(const std::string& reply, const std::string& item, int ms) {
    ev(engine::AgentAudio{reply, item, silence_b64(static_cast<size_t>(ms) * 8)});
  }
  void mark(const std::string& name) { bridge.on_twilio_mark(now, name); }
  // The reply is over: the engine is quiet again.
  void done(const std::string& reply, engine::Usage usage = {}) {
    engine->busy_ = false;
    ev(engine::ReplyDone{reply, false, "", usage});
  }
  // A full reply: started, item placed after `previous`, `chunks` of 100 ms, text, done; marks
  // not yet echoed.
  void reply(const std::string& r, const std::string& item, const std::string& previous, int chunks,
             const std::string& text) {
    ev(engine::ReplyStarted{r});
    ev(engine::ItemPlaced{item, previous});
    for (int i = 0; i < chunks; ++i) audio(r, item, 100);
    ev(engine::AgentAudioDone{r, item});
    ev(engine::AgentText{item, text});
    done(r);
  }
  void play_all(const std::string& item, int chunks) {
    for (int i = 1; i <= chunks; ++i) mark(item + ":" + std::to_string(i));
  }
  // Live, and the greeting (reply r0, item a0) fully played.
  void greeted() {
    live();
    reply("r0", "a0", "", 2, k_greeting);
    play_all("a0", 2);
  }
  // The caller speaks a turn after `previous`; its text comes with it unless "".
  void caller_turn(const std::string& turn, const std::string& previous, const std::string& text) {
    ev(engine::CallerSpeechStarted{turn, -1});
    ev(engine::CallerSpeechStopped{});
    ev(engine::CallerTurn{turn, previous});
    if (!text.empty()) ev(engine::CallerText{turn, text});
  }
  void tool_call(const std::string& reply, const std::string& call_id, const std::string& name,
                 const std::string& arguments = "{}") {
    ev(engine::ToolCall{reply, "f_" + call_id, call_id, name, arguments});
  }
};

}  // namespace

// ---- the start ----------------------------------------------------------------------------------

TEST_CASE("the greeting waits for both the engine's Ready and the start of the Twilio stream") {
  Call call;
  SUBCASE("the engine is ready first") {
    call.bridge.on_engine_open(call.now);
    REQUIRE(call.engine->opens.size() == 1);
    CHECK(call.engine->opens[0].empty());  // a first session is not seeded
    call.ev(engine::Ready{});
    CHECK(call.engine->greets.empty());
    call.at(300ms);
    call.bridge.on_twilio_start(call.now, "MZ1");
  }
  SUBCASE("the stream starts first") {
    call.bridge.on_twilio_start(call.now, "MZ1");
    call.bridge.on_engine_open(call.now);
    CHECK(call.engine->greets.empty());
    call.ev(engine::Ready{});
  }
  REQUIRE(call.engine->greets.size() == 1);
  CHECK(call.engine->greets[0].words == k_greeting);  // said word for word
  CHECK(call.engine->greets[0].instructions.empty());
  CHECK(call.bridge.stream_sid() == "MZ1");

  // Once only.
  call.ev(engine::Ready{});
  call.bridge.on_twilio_start(call.now, "MZ2");
  CHECK(call.engine->greets.size() == 1);
  CHECK(call.bridge.stream_sid() == "MZ1");
}

TEST_CASE("an event before the engine connection is open changes nothing") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ1");
  call.ev(engine::Ready{});
  CHECK(call.engine->greets.empty());
  call.bridge.on_engine_open(call.now);
  call.bridge.on_engine_open(call.now);  // already open: ignored
  CHECK(call.engine->opens.size() == 1);
  call.ev(engine::Ready{});
  CHECK(call.engine->greets.size() == 1);
}

TEST_CASE("without fixed words the greeting is an instruction, with words for engines that only speak words") {
  auto config = test_config();
  config.greeting = "";
  SUBCASE("the profile's instruction and words") {
    config.greeting_instruction = "Greet the caller as Ava from Lotus Yoga.";
    config.greeting_words = "Thanks for calling Lotus Yoga.";
    Call call(config);
    call.live();
    REQUIRE(call.engine->greets.size() == 1);
    CHECK(call.engine->greets[0].instructions == "Greet the caller as Ava from Lotus Yoga.");
    CHECK(call.engine->greets[0].words == "Thanks for calling Lotus Yoga.");
  }
  SUBCASE("a warm generic greeting when the profile says nothing") {
    Call call(config);
    call.live();
    REQUIRE(call.engine->greets.size() == 1);
    CHECK(call.engine->greets[0].instructions.find("Greet the caller") != std::string::npos);
    CHECK(call.engine->greets[0].words.find("How can I help") != std::string::npos);
  }
}

TEST_CASE("caller audio that comes before the first session is ready waits for it, in order") {
  Call call;
  call.bridge.on_twilio_media(call.now, 0, "AAAA");  // no engine yet
  call.bridge.on_twilio_start(call.now, "MZ1");
  call.bridge.on_engine_open(call.now);
  call.bridge.on_twilio_media(call.now, 20, "BBBB");  // configuring
  CHECK(call.engine->audio.empty());

  call.ev(engine::Ready{});
  REQUIRE(call.engine->audio.size() == 2);
  CHECK(call.engine->audio[0] == "AAAA");
  CHECK(call.engine->audio[1] == "BBBB");
  call.frame();
  REQUIRE(call.engine->audio.size() == 3);
  CHECK(call.engine->audio[2] == silence_b64(160));  // the payload as it came
  CHECK(call.bridge.summary().frames_in == 3);
  CHECK(call.bridge.summary().frames_waited == 2);
  CHECK(call.bridge.summary().frames_dropped == 0);

  SUBCASE("a payload the adapter refuses is counted as dropped") {
    call.bridge.on_twilio_media(call.now, 60, "not base64!");
    CHECK(call.engine->audio.size() == 3);
    CHECK(call.bridge.summary().frames_dropped == 1);
    CHECK(call.bridge.summary().drops.at("caller_malformed") == 1);
  }
  SUBCASE("while the engine is reconnecting after a loss, audio is dropped, not held") {
    call.bridge.on_engine_closed(call.now, "reset");
    call.frame();
    call.bridge.on_engine_open(call.now);
    call.frame();
    CHECK(call.engine->audio.size() == 3);
    call.ev(engine::Ready{});
    call.frame();
    CHECK(call.engine->audio.size() == 4);
    CHECK(call.bridge.summary().frames_dropped == 2);
    CHECK(call.bridge.summary().drops.at("caller_during_reconnect") == 2);
  }
}

TEST_CASE("at most 2 s of early caller audio waits: beyond it the oldest goes, and what never reached an engine is counted") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ1");
  auto payload = [](int i) { return "F" + std::to_string(1000 + i).substr(1); };  // "F000": base64 of 3 bytes
  for (int i = 0; i < 120; ++i) call.bridge.on_twilio_media(call.now, i * 20, payload(i));
  SUBCASE("the session comes: the newest 2 s go to it") {
    call.bridge.on_engine_open(call.now);
    call.ev(engine::Ready{});
    REQUIRE(call.engine->audio.size() == 100);
    CHECK(call.engine->audio.front() == payload(20));
    CHECK(call.engine->audio.back() == payload(119));
    CHECK(call.bridge.summary().frames_waited == 100);
    CHECK(call.bridge.summary().frames_dropped == 20);
    CHECK(call.bridge.summary().drops == std::map<std::string, int64_t>{{"caller_before_engine_ready", 20}});
  }
  SUBCASE("the caller hangs up first: all of it is counted as dropped") {
    call.bridge.on_twilio_stop(call.now);
    CHECK(call.bridge.summary().frames_dropped == 120);
    CHECK(call.bridge.summary().drops.at("caller_before_engine_ready") == 120);
  }
}

TEST_CASE("the adapter gets the ticks only while a connection is open") {
  Call call;
  call.bridge.on_tick(call.now);
  CHECK(call.engine->ticks == 0);
  call.live();
  call.bridge.on_tick(call.now + 1s);
  CHECK(call.engine->ticks == 1);
  call.bridge.on_engine_closed(call.now + 1s, "reset");
  call.bridge.on_tick(call.now + 2s);
  CHECK(call.engine->ticks == 1);
}

// ---- the assistant's audio ----------------------------------------------------------------------

TEST_CASE("assistant audio goes to Twilio as it comes, each chunk followed by a mark") {
  Call call;
  call.live();
  call.out.log.clear();
  call.ev(engine::ReplyStarted{"r0"});
  call.audio("r0", "a0", 100);
  call.audio("r0", "a0", 100);
  CHECK(call.out.log == Log{"twilio:media", "twilio:mark", "twilio:media", "twilio:mark"});
  CHECK(call.out.marks == std::vector<std::string>{"a0:1", "a0:2"});
  CHECK(call.out.media[0] == silence_b64(800));
  CHECK(call.bridge.summary().frames_out == 2);
  CHECK(call.bridge.summary().bytes_out == 1600);
}

TEST_CASE("assistant audio before the Twilio stream started has nowhere to go and is dropped") {
  Call call;
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  call.audio("r0", "a0", 100);
  CHECK(call.out.media.empty());
  CHECK(call.bridge.summary().frames_out_dropped == 1);
}

TEST_CASE("a reply's turn is recorded once its text is known and it has played out") {
  Call call;
  call.live();
  call.reply("r0", "a0", "", 2, k_greeting);
  CHECK(call.out.turns.empty());  // still playing
  call.mark("a0:1");
  CHECK(call.out.turns.empty());
  call.mark("a0:2");
  REQUIRE(call.out.turns.size() == 1);
  CHECK(call.out.turns[0].speaker == Speaker::assistant);
  CHECK(call.out.turns[0].text_heard == k_greeting);
  CHECK_FALSE(call.out.turns[0].interrupted);
}

// ---- barge-in -----------------------------------------------------------------------------------

TEST_CASE("barge-in clears Twilio, tells the adapter what was heard, and cuts the transcript to it") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0", "When are you open?");
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "u1"});
  for (int i = 0; i < 4; ++i) call.audio("r1", "a1", 250);  // 1 s sent, faster than real time
  call.mark("a1:1");
  call.mark("a1:2");  // the caller has heard 500 ms
  call.out.log.clear();

  call.ev(engine::CallerSpeechStarted{"u2", -1});
  CHECK(call.out.log == Log{"twilio:clear", "engine:cut(a1,500)"});
  CHECK(call.bridge.summary().interruptions == 1);
  auto cuts = call.out.events_of(CallEventKind::interruption);
  REQUIRE(cuts.size() == 1);
  CHECK(cuts[0].detail["item_id"] == "a1");
  CHECK(cuts[0].detail["audio_end_ms"] == 500);
  CHECK(cuts[0].detail["received_ms"] == 1000);

  SUBCASE("echoes of the flushed marks and late audio of the cut item change nothing") {
    call.out.log.clear();
    call.mark("a1:3");
    call.mark("a1:4");
    call.audio("r1", "a1", 250);
    CHECK(call.out.log.empty());
    CHECK(call.bridge.summary().frames_out_dropped == 1);
    call.ev(engine::CallerSpeechStarted{"u2", -1});
    CHECK(call.out.clears == 1);
    CHECK(call.engine->cuts.size() == 1);
  }
  SUBCASE("the assistant's turn keeps what was generated and what was heard") {
    call.ev(engine::AgentAudioDone{"r1", "a1"});
    call.ev(engine::AgentText{"a1", "We open at nine and close at eight tonight"});
    call.done("r1");
    call.ev(engine::AgentCut{"a1", 500});  // the engine's word on it agrees
    REQUIRE(call.out.turns.size() == 3);
    const auto& a1 = call.out.turns[2];
    CHECK(a1.item_id == "a1");
    CHECK(a1.interrupted);
    CHECK(a1.text_generated == "We open at nine and close at eight tonight");
    CHECK(a1.text_heard == "We open at nine and");  // 500 of 1000 ms, whole words
    CHECK(lines(call.bridge.history()).back() == std::pair{Role::assistant, std::string("We open at nine and")});
  }
  SUBCASE("the engine's own cut point, when it differs, is what the transcript keeps") {
    call.ev(engine::AgentCut{"a1", 250});
    call.ev(engine::AgentText{"a1", "We open at nine and close at eight tonight"});
    call.done("r1");
    REQUIRE(call.out.turns.size() == 3);
    CHECK(call.out.turns[2].text_heard == "We open at");  // 250 of 1000 ms
  }
}

TEST_CASE("speech that starts after the assistant finished playing is an ordinary turn") {
  Call call;
  call.greeted();
  call.out.log.clear();
  call.ev(engine::CallerSpeechStarted{"u1", -1});
  CHECK(call.out.log.empty());
  CHECK(call.engine->cuts.empty());
  CHECK(call.bridge.summary().interruptions == 0);
}

TEST_CASE("a cut before the first echo of the playing item is at zero, never negative") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.audio("r1", "a1", 300);
  call.ev(engine::CallerSpeechStarted{"u2", -1});
  REQUIRE(call.engine->cuts.size() == 1);
  CHECK(call.engine->cuts[0].item_id == "a1");
  CHECK(call.engine->cuts[0].heard_ms == 0);
}

TEST_CASE("with replies queued back to back only the one playing is cut, and the ones behind it were never heard") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "a0"});
  call.audio("r1", "a1", 200);
  call.ev(engine::ItemPlaced{"a2", "a1"});
  call.audio("r1", "a2", 200);  // a second item queued behind the first
  call.audio("r1", "a2", 200);
  call.mark("a1:1");            // a1 fully heard
  call.mark("a2:1");            // 200 ms of a2 heard
  call.ev(engine::CallerSpeechStarted{"u2", -1});
  REQUIRE(call.engine->cuts.size() == 1);
  CHECK(call.engine->cuts[0].item_id == "a2");
  CHECK(call.engine->cuts[0].heard_ms == 200);
  CHECK(call.out.clears == 1);

  SUBCASE("an item still waiting behind the playing one is recorded as unheard") {
    Call other;
    other.greeted();
    other.ev(engine::ReplyStarted{"r1"});
    other.ev(engine::ItemPlaced{"a1", "a0"});
    other.audio("r1", "a1", 100);
    other.audio("r1", "a1", 100);
    other.ev(engine::ItemPlaced{"a2", "a1"});
    other.audio("r1", "a2", 200);
    other.mark("a1:1");  // 100 ms of a1 heard; a2 waits behind it
    other.ev(engine::CallerSpeechStarted{"u2", -1});
    REQUIRE_FALSE(other.engine->cuts.empty());
    CHECK(other.engine->cuts[0].item_id == "a1");
    CHECK(other.engine->cuts[0].heard_ms == 100);
    other.ev(engine::AgentAudioDone{"r1", "a1"});
    other.ev(engine::AgentText{"a1", "Our classes are at six."});
    other.ev(engine::AgentAudioDone{"r1", "a2"});
    other.ev(engine::AgentText{"a2", "Anything else?"});
    other.done("r1");
    REQUIRE(other.out.turns.size() == 3);
    CHECK(other.out.turns[1].text_heard == "Our classes");
    CHECK(other.out.turns[2].item_id == "a2");
    CHECK(other.out.turns[2].interrupted);
    CHECK(other.out.turns[2].text_heard.empty());
    CHECK(other.out.turns[2].text_generated == "Anything else?");
    // Only the playing item is cut on the engine's side (protocols.md §3.7); a fresh session is
    // seeded with what was heard, which leaves a2 out.
    CHECK(other.engine->cuts.size() == 1);
    CHECK(lines(other.bridge.history()).back() == std::pair{Role::assistant, std::string("Our classes")});
  }
}

TEST_CASE("audio still streaming for a reply the caller talked over is dropped") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "a0"});
  call.audio("r1", "a1", 100);
  call.mark("a1:1");  // everything sent so far was heard: nothing to clear
  call.ev(engine::CallerSpeechStarted{"u2", -1});
  CHECK(call.out.clears == 0);
  CHECK(call.engine->cuts.empty());
  auto media_before = call.out.media.size();
  call.audio("r1", "a1", 100);  // in flight before the engine stopped
  CHECK(call.out.media.size() == media_before);
  CHECK(call.bridge.summary().frames_out_dropped == 1);
  call.ev(engine::AgentText{"a1", "Sure"});
  call.done("r1");
  REQUIRE(call.out.turns.size() == 2);
  CHECK(call.out.turns[1].interrupted);
  CHECK(call.out.turns[1].text_heard == "Sure");
}

TEST_CASE("an item whose text came without any of its audio was never heard") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "a0"});
  call.ev(engine::CallerSpeechStarted{"u2", -1});  // cut before its first chunk
  call.ev(engine::AgentText{"a1", "Let me check"});
  call.done("r1");
  REQUIRE(call.out.turns.size() == 2);
  CHECK(call.out.turns[1].item_id == "a1");
  CHECK(call.out.turns[1].interrupted);
  CHECK(call.out.turns[1].text_heard.empty());
  CHECK(call.out.turns[1].text_generated == "Let me check");
  CHECK(lines(call.bridge.history()).size() == 1);  // only the greeting was heard
}

// ---- the transcript -----------------------------------------------------------------------------

TEST_CASE("a caller transcript arriving after the reply is still recorded before it") {
  Call call;
  call.greeted();
  REQUIRE(call.out.turns.size() == 1);
  call.caller_turn("u1", "a0", "");
  call.reply("r1", "a1", "u1", 2, "We open at nine.");
  call.play_all("a1", 2);
  CHECK(call.out.turns.size() == 1);  // a1 waits for u1's text
  call.ev(engine::CallerText{"u1", "When do you open tomorrow?"});
  REQUIRE(call.out.turns.size() == 3);
  CHECK(call.out.turns[1].item_id == "u1");
  CHECK(call.out.turns[1].speaker == Speaker::caller);
  CHECK(call.out.turns[1].text_heard == "When do you open tomorrow?");
  CHECK(call.out.turns[2].item_id == "a1");
  CHECK(call.out.turns[1].seq < call.out.turns[2].seq);
  CHECK(call.bridge.summary().caller_turns == 1);
  CHECK(call.bridge.summary().assistant_turns == 2);

  SUBCASE("a transcript that failed releases the turns behind it") {
    Call other;
    other.greeted();
    other.caller_turn("u1", "a0", "");
    other.reply("r1", "a1", "u1", 1, "Could you say that again?");
    other.play_all("a1", 1);
    other.ev(engine::CallerTextFailed{"u1", "audio unclear"});
    REQUIRE(other.out.turns.size() == 2);
    CHECK(other.out.turns[1].item_id == "a1");
    REQUIRE(other.out.events_of(CallEventKind::transcription_failed).size() == 1);
  }
}

TEST_CASE("a caller turn starts where the engine says the speech began, measured from the call start") {
  Call call;
  call.at(1000ms);
  call.live();  // the Twilio stream started 1 s into the call
  for (int i = 0; i < 100; ++i) call.frame();  // the first frame the engine got has timestamp 0
  call.at(4000ms);
  call.ev(engine::CallerSpeechStarted{"u1", 1500});
  call.ev(engine::CallerTurn{"u1", ""});
  call.ev(engine::CallerText{"u1", "hello"});
  REQUIRE(call.out.turns.size() == 1);
  CHECK(call.out.turns[0].offset_ms == 2500);

  SUBCASE("an engine that does not say is taken at its word's arrival") {
    call.at(7000ms);
    call.ev(engine::CallerSpeechStarted{"u2", -1});
    call.at(8000ms);
    call.ev(engine::CallerTurn{"u2", "u1"});
    call.ev(engine::CallerText{"u2", "anyone there?"});
    REQUIRE(call.out.turns.size() == 2);
    CHECK(call.out.turns[1].offset_ms == 7000);
  }
}

// ---- tools --------------------------------------------------------------------------------------

TEST_CASE("a tool call is run, and its result goes back to the adapter, which may reply") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "check_hours", R"({"day":"monday"})");
  REQUIRE(call.out.tools.size() == 1);
  CHECK(call.out.tools[0].call_id == "call_1");
  CHECK(call.out.tools[0].name == "check_hours");
  CHECK(call.out.tools[0].arguments == R"({"day":"monday"})");
  CHECK(call.bridge.summary().tool_calls == 1);
  REQUIRE(call.out.events_of(CallEventKind::tool_call).size() == 1);
  CHECK(call.engine->results.empty());

  call.tool_call("r1", "call_1", "check_hours");  // reported twice: runs once
  CHECK(call.out.tools.size() == 1);

  call.done("r1");
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
  REQUIRE(call.engine->results.size() == 1);
  CHECK(call.engine->results[0].call_id == "call_1");
  CHECK(nlohmann::json::parse(call.engine->results[0].output)["open"] == true);
  CHECK(call.engine->results[0].reply);
  auto results = call.out.events_of(CallEventKind::tool_result);
  REQUIRE(results.size() == 1);
  CHECK(results[0].detail["ok"] == true);
  CHECK(results[0].detail["name"] == "check_hours");
  CHECK(call.out.ends.empty());

  SUBCASE("unknown and duplicate results are recorded and ignored") {
    call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({}));
    call.bridge.on_tool_result(call.now, "call_404", tools::tool_success({}));
    CHECK(call.engine->results.size() == 1);
    CHECK(call.out.events_of(CallEventKind::error).size() == 2);
  }
}

TEST_CASE("an engine over the tool-call limits has the call handed to the fallback, and nothing more runs") {
  BridgeConfig config = test_config();
  config.max_tool_calls = 5;
  config.max_tool_calls_per_reply = 3;
  Call call(config);
  call.greeted();
  SUBCASE("more in one reply than allowed") {
    call.ev(engine::ReplyStarted{"r1"});
    for (int i = 1; i <= 4; ++i) call.tool_call("r1", "call_" + std::to_string(i), "send_sms");
    CHECK(call.out.tools.size() == 3);
    REQUIRE(call.out.ends.size() == 1);
    CHECK(call.out.ends[0].reason == EndReason::tool_limit);
    CHECK(std::get<Fallback>(call.out.ends[0].disposition).reason.find("calls.max_tool_calls_per_reply") !=
          std::string::npos);
    CHECK(call.bridge.summary().end_reason == EndReason::tool_limit);
    const auto errors = call.out.events_of(CallEventKind::error);
    REQUIRE_FALSE(errors.empty());
    CHECK(errors.back().detail["code"] == "tool_limit");
    call.tool_call("r1", "call_9", "send_sms");
    CHECK(call.out.tools.size() == 3);
  }
  SUBCASE("more in the call than allowed, a few per reply") {
    for (int r = 1; r <= 3; ++r) {
      const std::string reply = "r" + std::to_string(r);
      call.ev(engine::ReplyStarted{reply});
      for (int i = 1; i <= 2; ++i) call.tool_call(reply, reply + "_" + std::to_string(i), "check_hours");
    }
    CHECK(call.out.tools.size() == 5);
    REQUIRE(call.out.ends.size() == 1);
    CHECK(call.out.ends[0].reason == EndReason::tool_limit);
    CHECK(std::get<Fallback>(call.out.ends[0].disposition).reason.find("calls.max_tool_calls)") != std::string::npos);
  }
  SUBCASE("within the limits nothing ends") {
    for (int r = 1; r <= 2; ++r) {
      const std::string reply = "r" + std::to_string(r);
      call.ev(engine::ReplyStarted{reply});
      for (int i = 1; i <= 2; ++i) call.tool_call(reply, reply + "_" + std::to_string(i), "check_hours");
    }
    CHECK(call.out.tools.size() == 4);
    CHECK(call.out.ends.empty());
  }
}

TEST_CASE("a tool's note goes into the transcript where the model called it") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0", "Can you text me the booking link?");
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"f_call_1", "u1"});
  call.tool_call("r1", "call_1", "send_booking_link");
  call.done("r1");
  auto outcome = tools::tool_success({{"sent", true}});
  outcome.transcript_note = "Texted the booking link to +15550009999";
  call.bridge.on_tool_result(call.now, "call_1", outcome);
  call.reply("r2", "a2", "f_call_1", 1, "Done, it's on its way.");
  call.play_all("a2", 1);
  REQUIRE(call.out.turns.size() == 4);
  CHECK(call.out.turns[2].speaker == Speaker::system);
  CHECK(call.out.turns[2].text_heard == "Texted the booking link to +15550009999");
  CHECK(call.out.turns[3].item_id == "a2");
  // Notes are not what the caller heard: a fresh session is not seeded with them.
  for (const auto& line : call.bridge.history()) CHECK(line.text.find("Texted") == std::string::npos);
}

TEST_CASE("a tool call the engine withdrew gets no result") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "check_hours");
  call.ev(engine::ToolCallCancelled{"call_1"});
  auto results = call.out.events_of(CallEventKind::tool_result);
  REQUIRE(results.size() == 1);
  CHECK(results[0].detail["ok"] == false);
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({}));
  CHECK(call.engine->results.empty());
}

TEST_CASE("a slow tool gets one filler sentence, unless the assistant is talking already") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "check_availability");
  call.bridge.on_tool_slow(call.now);
  CHECK(call.engine->says.empty());  // the reply is still going
  call.done("r1");
  call.bridge.on_tool_slow(call.now);
  REQUIRE(call.engine->says.size() == 1);
  CHECK(call.engine->says[0].now);  // even while the tool is outstanding
  CHECK(call.engine->says[0].speech.words == "One moment please, I'm taking care of that.");
  CHECK(call.out.has_timer("tool_filler"));
  call.engine->busy_ = false;
  call.bridge.on_tool_slow(call.now);
  CHECK(call.engine->says.size() == 1);  // once per batch

  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({}));
  call.done("r2");
  call.tool_call("r3", "call_2", "check_availability");
  call.bridge.on_tool_slow(call.now);
  CHECK(call.engine->says.size() == 2);  // a new batch
}

TEST_CASE("after a reconnect the first slow tool still gets its filler") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "check_availability");
  call.done("r1");
  call.bridge.on_tool_slow(call.now);
  REQUIRE(call.engine->says.size() == 1);
  call.engine->busy_ = false;  // the filler was said
  call.bridge.on_engine_closed(call.now, "reset");  // call_1's result has nowhere to go now
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  call.ev(engine::ReplyStarted{"r2"});
  call.tool_call("r2", "call_2", "check_availability");
  call.done("r2");
  call.bridge.on_tool_slow(call.now);
  REQUIRE(call.engine->says.size() == 2);
  CHECK(call.engine->says[1].now);
}

TEST_CASE("a result of a tool called on an earlier engine session is not given to the new one") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "check_hours");
  call.bridge.on_engine_closed(call.now, "reset");
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"open", true}}));
  CHECK(call.engine->results.empty());
  CHECK(call.out.events_of(CallEventKind::tool_result).size() == 1);
}

// ---- the end ------------------------------------------------------------------------------------

TEST_CASE("end_call hangs up once the goodbye's last mark has come back, and the model has no next turn") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "a0"});
  call.audio("r1", "a1", 500);
  call.audio("r1", "a1", 500);
  call.tool_call("r1", "call_1", "end_call", R"({"reason":"caller said bye"})");
  call.bridge.on_tool_result(call.now, "call_1",
                             tools::tool_success({{"status", "ending"}}, tools::EndCall{"caller said bye"}));
  REQUIRE(call.engine->results.size() == 1);
  CHECK_FALSE(call.engine->results[0].reply);
  call.ev(engine::AgentAudioDone{"r1", "a1"});
  call.ev(engine::AgentText{"a1", "Goodbye, have a great day!"});
  call.done("r1");
  CHECK(call.out.ends.empty());
  call.mark("a1:1");
  CHECK(call.out.ends.empty());
  call.at(3s);
  call.mark("a1:2");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Hangup>(call.out.ends[0].disposition));
  CHECK(call.out.ends[0].reason == EndReason::assistant_hung_up);
  CHECK(call.bridge.finished());
  CHECK(call.bridge.summary().end_reason == EndReason::assistant_hung_up);
  CHECK(call.bridge.summary().end_detail == "caller said bye");
  CHECK(call.bridge.summary().duration_ms == 3000);
  CHECK(call.out.turns.back().text_heard == "Goodbye, have a great day!");

  SUBCASE("nothing happens afterwards") {
    call.bridge.on_twilio_stop(call.now);
    call.bridge.on_twilio_dtmf(call.now, "0");
    call.bridge.on_tick(call.now + 1h);
    call.ev(engine::Ready{});
    CHECK(call.out.ends.size() == 1);
    CHECK(call.bridge.summary().end_reason == EndReason::assistant_hung_up);
  }
}

TEST_CASE("end_call waits for a busy engine, but no longer than the hang-up timeout") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "end_call");
  call.done("r1");
  call.engine->busy_ = true;  // the goodbye is still to come
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({}, tools::EndCall{}));
  CHECK_FALSE(call.engine->results[0].reply);
  call.bridge.on_tick(call.now + 14s);
  CHECK(call.out.ends.empty());
  call.bridge.on_tick(call.now + 15s);
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Hangup>(call.out.ends[0].disposition));
  CHECK(call.out.has_timer("ending_deadline"));
}

TEST_CASE("transfer_call transfers once the sentence has played") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.audio("r1", "a1", 300);
  call.tool_call("r1", "call_1", "transfer_call");
  call.bridge.on_tool_result(call.now, "call_1",
                             tools::tool_success({}, tools::TransferCall{"+15550002222", "manager", "refund"}));
  CHECK_FALSE(call.engine->results[0].reply);
  call.done("r1");
  CHECK(call.out.ends.empty());
  call.mark("a1:1");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::get<Transfer>(call.out.ends[0].disposition).number == "+15550002222");
  CHECK(call.out.ends[0].reason == EndReason::transferred);
  CHECK(call.bridge.summary().end_detail == "manager: refund");
}

TEST_CASE("a tool result while the call is already ending asks for no reply") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "call_1", "notify_owner");
  call.tool_call("r1", "call_2", "end_call");
  call.done("r1");
  call.engine->busy_ = true;
  call.bridge.on_tool_result(call.now, "call_2", tools::tool_success({}, tools::EndCall{}));
  call.bridge.on_tool_result(call.now, "call_1", tools::tool_success({{"sent", true}}));
  REQUIRE(call.engine->results.size() == 2);
  CHECK_FALSE(call.engine->results[1].reply);
}

TEST_CASE("the caller hanging up ends the call without EndStream and records what was heard") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0", "");  // its text never comes
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "u1"});
  call.audio("r1", "a1", 400);
  call.audio("r1", "a1", 400);
  call.mark("a1:1");
  call.ev(engine::AgentText{"a1", "Let me check that for you"});
  call.at(12s);
  call.bridge.on_twilio_stop(call.now);
  CHECK(call.out.ends.empty());
  CHECK(call.bridge.finished());
  CHECK(call.bridge.summary().end_reason == EndReason::caller_hung_up);
  CHECK(call.bridge.summary().duration_ms == 12000);
  REQUIRE(call.out.turns.size() == 2);  // the caller turn without text is skipped
  CHECK(call.out.turns[1].item_id == "a1");
  CHECK(call.out.turns[1].interrupted);
  CHECK(call.out.turns[1].text_heard == "Let me check");  // 400 of 800 ms

  SUBCASE("while the call was ending, the ending's reason stands") {
    Call other;
    other.greeted();
    other.ev(engine::ReplyStarted{"r1"});
    other.audio("r1", "a1", 300);
    other.tool_call("r1", "call_1", "end_call");
    other.bridge.on_tool_result(other.now, "call_1", tools::tool_success({}, tools::EndCall{"done"}));
    other.bridge.on_twilio_stop(other.now);
    CHECK(other.out.ends.empty());
    CHECK(other.bridge.summary().end_reason == EndReason::assistant_hung_up);
    CHECK(other.bridge.summary().end_detail == "done");
  }
}

TEST_CASE("a hang-up before the engine's final text keeps the words streamed so far, cut to what was heard") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "a0"});
  call.ev(engine::AgentTextDelta{"a1", "Yes, there is "});  // text ahead of its audio
  call.audio("r1", "a1", 400);
  call.ev(engine::AgentTextDelta{"a1", "free street parking"});
  call.audio("r1", "a1", 400);

  SUBCASE("everything sent was heard: the whole text so far") {
    call.mark("a1:2");
    call.bridge.on_twilio_stop(call.now);
    REQUIRE(call.bridge.finished());
    REQUIRE(call.out.turns.size() == 2);
    CHECK(call.out.turns[1].item_id == "a1");
    CHECK(call.out.turns[1].text_heard == "Yes, there is free street parking");
  }
  SUBCASE("half of it was heard: half of the words") {
    call.mark("a1:1");
    call.bridge.on_twilio_stop(call.now);
    REQUIRE(call.out.turns.size() == 2);
    CHECK(call.out.turns[1].text_heard == "Yes, there is");
    CHECK(call.out.turns[1].interrupted);
  }
  SUBCASE("the final text, when it comes, is what counts") {
    call.ev(engine::AgentText{"a1", "Yes, there is free street parking after six."});
    call.ev(engine::AgentAudioDone{"r1", "a1"});
    call.mark("a1:2");
    call.bridge.on_twilio_stop(call.now);
    REQUIRE(call.out.turns.size() == 2);
    CHECK(call.out.turns[1].text_heard == "Yes, there is free street parking after six.");
  }
  SUBCASE("an engine lost mid-reply: the new session is seeded with the words heard") {
    call.mark("a1:2");
    call.bridge.on_engine_closed(call.now, "reset");
    call.bridge.on_engine_open(call.now);
    REQUIRE(call.engine->opens.size() == 2);
    const auto& history = call.engine->opens.back();
    REQUIRE_FALSE(history.empty());
    CHECK(history.back().role == engine::HistoryLine::Role::assistant);
    CHECK(history.back().text == "Yes, there is free street parking");
  }
}

TEST_CASE("at the time limit the assistant wraps up, then the call hangs up") {
  auto config = test_config();
  config.silence_timeout = 0ms;
  Call call(config);
  call.greeted();
  call.bridge.on_tick(call.t0 + 9min);
  CHECK(call.engine->says.empty());
  call.at(10min);
  call.bridge.on_tick(call.now);
  REQUIRE(call.engine->says.size() == 1);
  CHECK(call.engine->says[0].speech.instructions.find("time limit") != std::string::npos);
  CHECK(call.engine->says[0].speech.words.find("time limit") != std::string::npos);
  CHECK_FALSE(call.engine->says[0].now);
  CHECK(call.out.has_timer("max_duration"));
  CHECK(call.out.ends.empty());  // the wrap-up is asked for, not yet said
  call.reply("r9", "a9", "a0", 1, "I'm sorry, I have to end the call now. Goodbye!");
  CHECK(call.out.ends.empty());
  call.mark("a9:1");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(call.bridge.summary().end_reason == EndReason::max_duration);

  SUBCASE("without an engine to say it, the call just hangs up") {
    Call other(config);
    other.greeted();
    other.at(10min - 5s);
    other.bridge.on_engine_closed(other.now, "reset");
    other.bridge.on_engine_open(other.now);  // reconnecting when the limit comes
    other.bridge.on_tick(other.t0 + 10min);
    REQUIRE(other.out.ends.size() == 1);
    CHECK(std::holds_alternative<Hangup>(other.out.ends[0].disposition));
    CHECK(other.bridge.summary().end_reason == EndReason::max_duration);
  }
}

TEST_CASE("silence gets a check-in, then a goodbye") {
  Call call;
  call.greeted();
  call.at(19s);
  call.bridge.on_tick(call.now);
  CHECK(call.engine->says.empty());
  call.at(20s);
  call.bridge.on_tick(call.now);
  REQUIRE(call.engine->says.size() == 1);
  CHECK(call.engine->says[0].speech.words == "Are you still there?");
  CHECK(call.engine->says[0].speech.instructions.find("still there") != std::string::npos);
  CHECK(call.out.has_timer("silence_check"));

  SUBCASE("the caller answers: the silence count starts over") {
    call.reply("r1", "a1", "a0", 1, "Are you still there?");
    call.play_all("a1", 1);
    call.ev(engine::CallerSpeechStarted{"u1", -1});
    call.at(35s);
    call.bridge.on_tick(call.now);
    CHECK(call.engine->says.size() == 1);
    call.at(40s);
    call.bridge.on_tick(call.now);
    REQUIRE(call.engine->says.size() == 2);
    CHECK(call.engine->says[1].speech.words == "Are you still there?");
    CHECK(call.out.ends.empty());
  }
  SUBCASE("still silent: goodbye and hang up") {
    call.reply("r1", "a1", "a0", 1, "Are you still there?");
    call.play_all("a1", 1);
    call.at(40s);
    call.bridge.on_tick(call.now);
    REQUIRE(call.engine->says.size() == 2);
    CHECK(call.engine->says[1].speech.instructions.find("goodbye") != std::string::npos);
    CHECK(call.out.ends.empty());
    call.reply("r2", "a2", "a1", 1, "Goodbye!");
    call.play_all("a2", 1);
    REQUIRE(call.out.ends.size() == 1);
    CHECK(std::holds_alternative<Hangup>(call.out.ends[0].disposition));
    CHECK(call.bridge.summary().end_reason == EndReason::silence);
  }
}

TEST_CASE("silence is not counted while the engine is busy or a tool is running") {
  Call call;
  call.greeted();
  SUBCASE("busy engine") { call.engine->busy_ = true; }
  SUBCASE("outstanding tool") {
    call.ev(engine::ReplyStarted{"r1"});
    call.tool_call("r1", "call_1", "check_hours");
    call.done("r1");
  }
  call.at(30s);
  call.bridge.on_tick(call.now);
  CHECK(call.engine->says.empty());
}

TEST_CASE("silence is not counted before the caller is on the line") {
  auto config = test_config();
  config.silence_timeout = 5s;
  Call call(config);
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  call.bridge.on_tick(call.now + 6s);
  CHECK(call.engine->says.empty());  // nobody could hear a check-in
  call.at(8s);
  call.bridge.on_twilio_start(call.now, "MZ1");
  call.reply("r0", "a0", "", 1, k_greeting);
  call.play_all("a0", 1);
  call.at(13s);
  call.bridge.on_tick(call.now);
  REQUIRE(call.engine->says.size() == 1);
  CHECK(call.engine->says[0].speech.words == "Are you still there?");  // a check-in first, not a goodbye
}

// ---- the keypad ---------------------------------------------------------------------------------

TEST_CASE("a keypad digit is told to the engine as the caller's text") {
  Call call;
  call.greeted();
  call.bridge.on_twilio_dtmf(call.now, "1");
  REQUIRE(call.engine->texts.size() == 1);
  CHECK(call.engine->texts[0] == "The caller pressed 1 on their keypad.");
  REQUIRE(call.out.events_of(CallEventKind::dtmf).size() == 1);
  CHECK(call.out.events_of(CallEventKind::dtmf)[0].detail["digit"] == "1");
  SUBCASE("garbage digits are ignored") {
    call.bridge.on_twilio_dtmf(call.now, "12");
    call.bridge.on_twilio_dtmf(call.now, "x");
    call.bridge.on_twilio_dtmf(call.now, "");
    CHECK(call.engine->texts.size() == 1);
    CHECK(call.out.events_of(CallEventKind::dtmf).size() == 1);
  }
  SUBCASE("not while the engine is reconnecting") {
    call.bridge.on_engine_closed(call.now, "reset");
    call.bridge.on_twilio_dtmf(call.now, "2");
    CHECK(call.engine->texts.size() == 1);
  }
}

TEST_CASE("the transfer digit transfers at once to the default fallback number") {
  Call call;
  call.greeted();
  call.bridge.on_twilio_dtmf(call.now, "0");
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::get<Transfer>(call.out.ends[0].disposition).number == "+15550001111");
  CHECK(call.out.ends[0].reason == EndReason::keypad_transfer);
  CHECK(call.bridge.summary().end_reason == EndReason::keypad_transfer);
  CHECK(call.engine->texts.empty());
}

TEST_CASE("without a fallback number, or with the digit turned off, the transfer digit is just a digit") {
  auto config = test_config();
  SUBCASE("no number") { config.transfer_number = ""; }
  SUBCASE("digit off") { config.transfer_digit = ""; }
  Call call(config);
  call.greeted();
  call.bridge.on_twilio_dtmf(call.now, "0");
  CHECK(call.out.ends.empty());
  REQUIRE(call.engine->texts.size() == 1);
  CHECK(call.engine->texts[0] == "The caller pressed 0 on their keypad.");
}

// ---- the engine connection ----------------------------------------------------------------------

TEST_CASE("an engine that refuses the session ends the call with the fallback") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ1");
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Rejected{"the engine refused the voice 'nope'"});
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::get<Fallback>(call.out.ends[0].disposition).reason == "the engine refused the voice 'nope'");
  CHECK(call.out.ends[0].reason == EndReason::engine_failed);
  CHECK(call.bridge.finished());
  CHECK(call.engine->greets.empty());
  auto errors = call.out.events_of(CallEventKind::error);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].detail["engine"] == "fake");

  SUBCASE("and nothing happens afterwards") {
    call.ev(engine::Ready{});
    call.frame();
    call.bridge.on_tick(call.now + 1h);
    CHECK(call.out.ends.size() == 1);
    CHECK(call.engine->greets.empty());
    CHECK(call.engine->audio.empty());
  }
}

TEST_CASE("an engine refusing the session on a reconnect ends the call as lost") {
  Call call;
  call.greeted();
  call.bridge.on_engine_closed(call.now, "reset");
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Rejected{"refused"});
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
  CHECK(call.out.ends[0].reason == EndReason::engine_lost);
}

TEST_CASE("an engine that never gets ready, or closes first, ends the call with the fallback") {
  Call call;
  call.bridge.on_twilio_start(call.now, "MZ1");
  SUBCASE("timeout") {
    call.bridge.on_engine_open(call.now);
    call.bridge.on_tick(call.now + 9s);
    CHECK(call.out.ends.empty());
    call.bridge.on_tick(call.now + 10s);
    REQUIRE(call.out.ends.size() == 1);
  }
  SUBCASE("closed") {
    call.bridge.on_engine_closed(call.now, "401 Unauthorized");
    REQUIRE(call.out.ends.size() == 1);
    CHECK(std::get<Fallback>(call.out.ends[0].disposition).reason.find("401") != std::string::npos);
  }
  CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
  CHECK(call.bridge.summary().end_reason == EndReason::engine_failed);
}

TEST_CASE("a dropped engine is reconnected and the new session is seeded with what the caller heard") {
  Call call;
  call.greeted();
  call.caller_turn("u1", "a0", "Do you have parking?");
  call.reply("r1", "a1", "u1", 2, "Yes, there is a lot behind the studio");
  call.mark("a1:1");
  call.ev(engine::CallerSpeechStarted{"u2", -1});  // heard half of a1
  call.ev(engine::SessionLimit{"Your session hit the maximum duration."});
  call.bridge.on_engine_closed(call.now, "1001 going away");
  CHECK(call.engine->closes == 1);
  REQUIRE(call.out.lost.size() == 1);
  CHECK(call.out.lost[0].session_expired);
  CHECK(call.out.lost[0].attempt == 1);
  CHECK(call.out.lost[0].reason == "1001 going away");
  REQUIRE(call.out.events_of(CallEventKind::engine_lost).size() == 1);
  CHECK(call.out.ends.empty());

  call.bridge.on_engine_open(call.now);
  REQUIRE(call.engine->opens.size() == 2);
  CHECK(lines(call.engine->opens[1]) ==
        std::vector<std::pair<Role, std::string>>{{Role::assistant, k_greeting},
                                                  {Role::caller, "Do you have parking?"},
                                                  {Role::assistant, "Yes, there is a"}});
  CHECK(lines(call.engine->opens[1]) == lines(call.bridge.history()));
  call.ev(engine::Ready{});
  CHECK(call.bridge.summary().engine_reconnects == 1);
  REQUIRE(call.out.events_of(CallEventKind::engine_reconnected).size() == 1);
  CHECK(call.out.events_of(CallEventKind::engine_reconnected)[0].detail["reseeded_items"] == 3);
  CHECK(call.engine->greets.size() == 1);  // no second greeting
  CHECK(call.engine->says.empty());        // nothing was being said: no apology

  SUBCASE("a second loss beyond the limit falls back") {
    call.bridge.on_engine_closed(call.now, "reset");
    REQUIRE(call.out.ends.size() == 1);
    CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
    CHECK(call.bridge.summary().end_reason == EndReason::engine_lost);
    CHECK(call.out.lost.size() == 1);
  }
}

TEST_CASE("an engine lost mid-reply apologises after the reconnect") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.audio("r1", "a1", 100);
  call.engine->busy_ = true;
  call.bridge.on_engine_closed(call.now, "reset");
  call.bridge.on_engine_open(call.now);
  CHECK(call.engine->says.empty());
  call.ev(engine::Ready{});
  REQUIRE(call.engine->says.size() == 1);
  CHECK(call.engine->says[0].speech.instructions.find("interrupted") != std::string::npos);
  CHECK(call.engine->says[0].speech.words.find("Sorry") != std::string::npos);
}

TEST_CASE("barge-in on audio of the lost session still playing clears Twilio, but is not the new engine's to cut") {
  Call call;
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "a0"});
  call.audio("r1", "a1", 1000);
  call.audio("r1", "a1", 1000);
  call.ev(engine::AgentAudioDone{"r1", "a1"});
  call.ev(engine::AgentText{"a1", "We have classes every morning and every evening"});
  call.done("r1");
  call.bridge.on_engine_closed(call.now, "reset");  // Twilio still holds two seconds of a1
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  call.mark("a1:1");
  call.ev(engine::CallerSpeechStarted{"u2", -1});
  CHECK(call.out.clears == 1);
  CHECK(call.engine->cuts.empty());  // the new session never had a1 (it was seeded as text)
  REQUIRE(call.out.turns.size() == 2);
  CHECK(call.out.turns[1].interrupted);
  CHECK(call.out.turns[1].text_heard == "We have classes every");
}

TEST_CASE("a reconnect that never gets ready falls back") {
  Call call;
  call.greeted();
  call.bridge.on_engine_closed(call.now, "reset");
  call.bridge.on_tick(call.now + 9s);
  CHECK(call.out.ends.empty());
  call.bridge.on_tick(call.now + 10s);
  REQUIRE(call.out.ends.size() == 1);
  CHECK(call.bridge.summary().end_reason == EndReason::engine_lost);
}

TEST_CASE("another engine can take over while no connection is open, seeded with the call so far") {
  Call call;
  FakeAdapter* second = nullptr;
  SUBCASE("before the first connection") {
    call.bridge.replace_engine(fake_adapter("second", call.out.log, second));
    call.live();  // the first adapter is gone: only the second is told anything
    REQUIRE(second->opens.size() == 1);
    CHECK(second->opens[0].empty());
    CHECK(second->greets.size() == 1);
  }
  SUBCASE("after the first was lost") {
    call.greeted();
    call.caller_turn("u1", "a0", "Is there parking?");
    call.engine->busy_ = true;  // it was about to answer
    call.bridge.on_engine_closed(call.now, "reset");
    call.bridge.replace_engine(fake_adapter("second", call.out.log, second));
    call.bridge.on_engine_open(call.now);
    REQUIRE(second->opens.size() == 1);
    CHECK(lines(second->opens[0]) == std::vector<std::pair<Role, std::string>>{
                                         {Role::assistant, k_greeting}, {Role::caller, "Is there parking?"}});
    call.ev(engine::Ready{});
    CHECK(call.out.events_of(CallEventKind::engine_reconnected).back().detail["engine"] == "second");
    REQUIRE(second->says.size() == 1);  // the apology comes from the engine that took over
    CHECK(second->greets.empty());
    call.frame();
    CHECK(second->audio.size() == 1);
  }
  CHECK(call.bridge.engine().name() == "second");

  // Not while a connection is open.
  FakeAdapter* third = nullptr;
  call.bridge.replace_engine(fake_adapter("third", call.out.log, third));
  CHECK(call.bridge.engine().name() == "second");
}

TEST_CASE("engine messages go through the adapter, and unreadable ones are counted") {
  Call call;
  call.bridge.on_engine_message(call.now, "malformed", false);  // no connection: not even read
  CHECK(call.engine->received.empty());
  CHECK(call.bridge.malformed_engine_messages() == 0);

  call.bridge.on_twilio_start(call.now, "MZ1");
  call.bridge.on_engine_open(call.now);
  call.engine->script.push_back({engine::Ready{}});
  call.bridge.on_engine_message(call.now, "ready", false);
  CHECK(call.engine->greets.size() == 1);

  call.bridge.on_engine_message(call.now, "malformed", false);
  call.bridge.on_engine_message(call.now, std::string("\x01\x02", 2), true);
  call.bridge.on_engine_message(call.now, "malformed", false);
  CHECK(call.bridge.malformed_engine_messages() == 2);
  CHECK(call.engine->received_binary == std::vector<bool>{false, false, true, false});
  CHECK(call.out.ends.empty());

  SUBCASE("one message may report several events") {
    call.engine->script.push_back({engine::ReplyStarted{"r0"}, engine::AgentAudio{"r0", "a0", silence_b64(800)},
                                   engine::AgentAudio{"r0", "a0", silence_b64(800)}});
    call.bridge.on_engine_message(call.now, "audio", false);
    CHECK(call.out.marks == std::vector<std::string>{"a0:1", "a0:2"});
  }
}

TEST_CASE("engine errors are recorded and the call goes on") {
  Call call;
  call.greeted();
  call.ev(engine::Error{"rate_limited", "slow down", "", false});
  call.ev(engine::ReplyDone{"r1", true, R"({"type":"failed"})", {}});
  auto errors = call.out.events_of(CallEventKind::error);
  REQUIRE(errors.size() == 2);
  CHECK(errors[0].detail["code"] == "rate_limited");
  CHECK(errors[1].detail["response_id"] == "r1");
  CHECK(call.out.ends.empty());
  CHECK_FALSE(call.bridge.finished());
}

// ---- the summary --------------------------------------------------------------------------------

TEST_CASE("the summary measures greeting and turn latency from marks, and sums usage") {
  Call call;
  call.live();
  call.at(400ms);
  call.ev(engine::ReplyStarted{"r0"});
  call.audio("r0", "a0", 500);
  call.at(700ms);
  call.mark("a0:1");
  CHECK(call.bridge.summary().greeting_sent_ms == 400);
  CHECK(call.bridge.summary().greeting_heard_ms == 700);
  call.done("r0", {100, 50, 10, 40, 5, 150});

  call.at(5000ms);
  call.ev(engine::CallerSpeechStarted{"u1", -1});
  call.at(6000ms);
  call.ev(engine::CallerSpeechStopped{});
  call.at(6600ms);
  call.ev(engine::ReplyStarted{"r1"});
  call.audio("r1", "a1", 500);
  call.at(6900ms);
  call.mark("a1:1");
  call.done("r1", {1, 2, 3, 4, 5, 6});
  CHECK(call.bridge.summary().turn_latencies_ms == std::vector<int64_t>{900});
  CHECK(call.bridge.summary().usage == engine::Usage{101, 52, 13, 44, 10, 156});
  CHECK(call.bridge.summary().responses == 2);
}

TEST_CASE("while a lost engine reconnects the caller hears the hold clip, once per loss, not before the stream") {
  BridgeConfig config = test_config();
  config.hold_clip = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"b25l", "bW9tZW50"});
  Call call(config);
  call.greeted();
  const auto media_before = call.out.media.size();
  call.bridge.on_engine_closed(call.now, "connection lost");
  REQUIRE(call.out.media.size() == media_before + 2);
  CHECK(call.out.media[media_before] == "b25l");
  CHECK(call.out.media[media_before + 1] == "bW9tZW50");
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  CHECK(call.out.media.size() == media_before + 2);  // nothing more once the engine is back
}

TEST_CASE("an engine that refuses the configuration or is never ready hands the call to the next one") {
  Call call;
  call.out.next_engines = 1;
  FakeAdapter* second = nullptr;
  call.bridge.on_twilio_start(call.now, "MZ123");
  call.bridge.on_engine_open(call.now);
  SUBCASE("refused") { call.ev(engine::Rejected{"invalid_value: voice"}); }
  SUBCASE("closed before ready") { call.bridge.on_engine_closed(call.now, "1011 server error"); }
  SUBCASE("not ready in time") { call.bridge.on_tick(call.now + 20s); }
  REQUIRE(call.out.next_engine_asked.size() == 1);
  CHECK(call.out.ends.empty());
  CHECK(call.engine->closes == 1);
  // The session swaps the adapter and connects the next engine: the call goes on there.
  call.bridge.replace_engine(fake_adapter("second", call.out.log, second));
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  CHECK(second->greets.size() == 1);
  CHECK(call.out.ends.empty());

  // The last engine refusing too: the apology and the fallback.
  call.ev(engine::Rejected{"invalid_value: voice"});
  REQUIRE(call.out.ends.size() == 1);
  CHECK(std::holds_alternative<Fallback>(call.out.ends[0].disposition));
}

TEST_CASE("a session rolls over at the first quiet moment after session_max, holding the caller's audio meanwhile") {
  BridgeConfig config = test_config();
  config.session_max = std::chrono::minutes(5);
  Call call(config);
  call.greeted();
  call.caller_turn("u1", "a0", "Do you have parking?");
  // Five minutes later, but the caller is speaking: not now.
  call.at(6min);
  call.ev(engine::CallerSpeechStarted{"u2", -1});
  call.bridge.on_tick(call.now);
  CHECK(call.out.events_of(CallEventKind::engine_rollover).empty());
  call.ev(engine::CallerSpeechStopped{});
  call.bridge.on_tick(call.now);
  REQUIRE(call.out.events_of(CallEventKind::engine_rollover).size() == 1);
  CHECK(std::count(call.out.log.begin(), call.out.log.end(), "rollover(limit)") == 1);
  CHECK(call.engine->closes == 1);
  CHECK(call.out.lost.empty());  // not a failure: no engine_lost, no hold clip, no apology

  // The caller talks while the fresh session connects: their audio waits, then goes first.
  call.frame();
  call.frame();
  CHECK(call.engine->audio.empty());
  call.bridge.on_engine_open(call.now);
  REQUIRE(call.engine->opens.size() == 2);
  CHECK_FALSE(call.engine->opens[1].empty());  // re-seeded
  call.ev(engine::Ready{});
  CHECK(call.engine->audio.size() == 2);
  CHECK(call.engine->says.empty());
  CHECK(call.out.ends.empty());
}

// ---- stages -------------------------------------------------------------------------------------

namespace {

BridgeConfig staged_config() {
  auto stages = std::make_shared<std::vector<org::Stage>>(3);
  auto& s = *stages;
  s[0].name = "identify";
  s[0].tools = std::vector<std::string>{"end_call"};
  s[0].next = {"assist"};
  s[1].name = "assist";
  s[1].next = {"wrap_up"};
  s[2].name = "wrap_up";
  BridgeConfig c = test_config();
  c.stages = stages;
  return c;
}

std::vector<std::string> stages_of(const std::vector<TranscriptTurn>& turns) {
  std::vector<std::string> out;
  for (const auto& t : turns) out.push_back(t.stage);
  return out;
}

}  // namespace

TEST_CASE("stages: caller verified → the engine moves the call on → the live session becomes the next stage") {
  Call call(staged_config());
  call.greeted();
  CHECK(call.bridge.stage() == "identify");
  call.caller_turn("u1", "a0", "I'm Jane Doe, policy HB123456.");
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "c1", "move_to_assist", R"({"handoff":"Jane Doe, policy HB123456, verified"})");
  // The bridge answers the transition itself: no tool runs.
  CHECK(call.out.tools.empty());
  CHECK(call.bridge.stage() == "assist");
  REQUIRE(call.out.entered.size() == 1);
  CHECK(call.out.entered[0].name == "assist");
  CHECK(call.out.entered[0].index == 1);
  CHECK(call.out.entered[0].handoff == "Jane Doe, policy HB123456, verified");
  REQUIRE(call.engine->stage_changes.size() == 1);
  CHECK(call.engine->stage_changes[0].call_id == "c1");
  CHECK(call.engine->stage_changes[0].instructions == "stage assist");
  CHECK(nlohmann::json::parse(call.engine->stage_changes[0].output) == nlohmann::json{{"ok", true}, {"stage", "assist"}});
  const auto changed = call.out.events_of(CallEventKind::stage_changed);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0].detail == nlohmann::json{{"from", "identify"}, {"to", "assist"},
                                             {"handoff", "Jane Doe, policy HB123456, verified"}});
  const auto calls = call.out.events_of(CallEventKind::tool_call);
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].detail["stage"] == "identify");
  // The agent speaks on in the new stage, and the caller answers.
  call.audio("r1", "a1", 100);
  call.ev(engine::AgentAudioDone{"r1", "a1"});
  call.ev(engine::AgentText{"a1", "Thanks Jane. How can I help?"});
  call.done("r1");
  call.play_all("a1", 1);
  call.caller_turn("u2", "a1", "I'd like to file a claim.");
  call.bridge.on_twilio_stop(call.now);
  CHECK(stages_of(call.out.turns) == std::vector<std::string>{"identify", "identify", "assist", "assist"});
  CHECK(call.bridge.summary().stages == std::vector<std::string>{"identify", "assist"});
  CHECK(std::count(call.out.log.begin(), call.out.log.end(), "rollover(stage)") == 0);
}

TEST_CASE("stages: a move to a stage that is not next, and a tool the stage does not offer, are refused") {
  Call call(staged_config());
  call.greeted();
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "c1", "move_to_wrap_up", R"({"handoff":"x"})");
  call.tool_call("r1", "c2", "notify_owner", R"({"message":"call me"})");
  call.tool_call("r1", "c3", "move_to_nowhere", "{}");
  CHECK(call.out.tools.empty());
  CHECK(call.out.entered.empty());
  CHECK(call.bridge.stage() == "identify");
  REQUIRE(call.engine->results.size() == 3);
  CHECK(call.engine->results[0].output.find(R"(cannot move from the stage \"identify\" to \"wrap_up\")") != std::string::npos);
  CHECK(call.engine->results[1].output.find(R"(notify_owner is not available in the stage \"identify\")") != std::string::npos);
  CHECK(call.engine->results[0].reply);
  CHECK(call.out.events_of(CallEventKind::stage_changed).empty());
  // A tool the stage offers runs as usual.
  call.tool_call("r1", "c4", "end_call", "{}");
  REQUIRE(call.out.tools.size() == 1);
  CHECK(call.out.tools[0].name == "end_call");
}

TEST_CASE("stages: an engine that needs a fresh session for the stage gets it at the turn boundary, seeded, and speaks first") {
  Call call(staged_config());
  call.engine->stage_change = engine::StageChange::fresh_session;
  call.greeted();
  call.caller_turn("u1", "a0", "Jane Doe, HB123456.");
  call.ev(engine::ReplyStarted{"r1"});
  call.ev(engine::ItemPlaced{"a1", "u1"});
  call.audio("r1", "a1", 100);
  call.ev(engine::AgentText{"a1", "Thank you, Jane."});
  call.tool_call("r1", "c1", "move_to_assist", R"({"handoff":"Jane"})");
  // Not while the reply that moved the call is still under way.
  CHECK(std::count(call.out.log.begin(), call.out.log.end(), "rollover(stage)") == 0);
  call.ev(engine::AgentAudioDone{"r1", "a1"});
  call.done("r1");
  // Its audio is still playing: the swap does not wait for it (the new stage queues behind).
  CHECK(std::count(call.out.log.begin(), call.out.log.end(), "rollover(stage)") == 1);
  CHECK(call.engine->closes == 1);
  const auto rollovers = call.out.events_of(CallEventKind::engine_rollover);
  REQUIRE(rollovers.size() == 1);
  CHECK(rollovers[0].detail["reason"] == "stage");
  // What the caller says meanwhile waits for the fresh session.
  call.frame();
  CHECK(call.engine->audio.empty());
  call.bridge.on_engine_open(call.now);
  REQUIRE(call.engine->opens.size() == 2);
  CHECK(lines(call.engine->opens[1]) == std::vector<std::pair<Role, std::string>>{
                                            {Role::assistant, k_greeting},
                                            {Role::caller, "Jane Doe, HB123456."},
                                            {Role::assistant, "Thank you, Jane."}});
  call.ev(engine::Ready{});
  CHECK(call.engine->replies == 1);
  CHECK(call.engine->says.empty());  // no apology: nothing was lost
  CHECK(call.engine->audio.size() == 1);
  call.play_all("a1", 1);
  call.bridge.on_twilio_stop(call.now);
  CHECK(stages_of(call.out.turns) == std::vector<std::string>{"identify", "identify", "identify"});
}

TEST_CASE("stages: a call without stages names none and runs a move_to_ tool like any other") {
  Call call;
  call.greeted();
  CHECK(call.bridge.stage().empty());
  call.ev(engine::ReplyStarted{"r1"});
  call.tool_call("r1", "c1", "move_to_assist", "{}");
  REQUIRE(call.out.tools.size() == 1);
  CHECK(call.out.events_of(CallEventKind::tool_call)[0].detail.count("stage") == 0);
  CHECK(call.bridge.summary().stages.empty());
}

TEST_CASE("an engine that stays silent: after 2 s the caller hears a filler, and a dead engine is replaced by the next") {
  BridgeConfig c = test_config();
  c.silent_engine_timeout = 2s;
  c.hold_clip = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"T25l", "IG1v"});
  Call call(c);
  call.out.next_engines = 1;
  call.greeted();
  call.caller_turn("u1", "a0", "What time do you open?");
  const auto stopped = call.now;
  call.now = stopped + 1s;
  call.bridge.on_tick(call.now);
  CHECK(call.out.media.size() == 2);  // the greeting's two chunks, nothing more yet
  call.now = stopped + 2s;
  call.bridge.on_tick(call.now);
  // The filler, then the failover: the engine began no reply since the turn ended.
  REQUIRE(call.out.media.size() == 4);
  CHECK(call.out.media[2] == "T25l");
  CHECK(call.out.media[3] == "IG1v");
  CHECK(call.out.has_timer("engine_silent"));
  REQUIRE(call.out.next_engine_asked.size() == 1);
  CHECK(call.out.next_engine_asked[0].find("began no reply for 2000 ms") != std::string::npos);
  CHECK(call.out.next_engine_kinds[0] == "silent");
  // The next engine, once ready, answers the turn still owed (not a second greeting).
  FakeAdapter* next = nullptr;
  call.bridge.replace_engine(fake_adapter("next", call.out.log, next));
  call.bridge.on_engine_open(call.now);
  call.ev(engine::Ready{});
  CHECK(next->replies == 1);
  CHECK(next->greets.empty());
}

TEST_CASE("a slow but living engine only gets the filler; a greeting never begun goes to the next engine as a greeting") {
  BridgeConfig c = test_config();
  c.silent_engine_timeout = 2s;
  c.hold_clip = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"T25l"});
  SUBCASE("slow: it said something since the turn ended") {
    Call call(c);
    call.out.next_engines = 1;
    call.greeted();
    call.caller_turn("u1", "a0", "What time do you open?");
    call.now += 300ms;
    call.ev(engine::ReplyStarted{"r1"});  // it is working on the answer
    call.now += 3s;
    call.bridge.on_tick(call.now);
    CHECK(call.out.has_timer("engine_silent"));
    CHECK(call.out.media.back() == "T25l");
    CHECK(call.out.next_engine_asked.empty());
    call.now += 1s;
    call.bridge.on_tick(call.now);
    CHECK(call.out.events_of(CallEventKind::timer).size() == 1);  // one filler per wait
  }
  SUBCASE("dead before the greeting: the next engine greets") {
    Call call(c);
    call.out.next_engines = 1;
    call.live();
    call.at(3s);
    call.bridge.on_tick(call.now);
    REQUIRE(call.out.next_engine_asked.size() == 1);
    FakeAdapter* next = nullptr;
    call.bridge.replace_engine(fake_adapter("next", call.out.log, next));
    call.bridge.on_engine_open(call.now);
    call.ev(engine::Ready{});
    CHECK(next->greets.size() == 1);
  }
  SUBCASE("off") {
    c.silent_engine_timeout = 0s;
    Call call(c);
    call.live();
    call.at(5s);
    call.bridge.on_tick(call.now);
    CHECK_FALSE(call.out.has_timer("engine_silent"));
  }
}

TEST_CASE("an engine flooding errors has the first twenty recorded, clipped, and the rest counted at the end") {
  Call call;
  call.greeted();
  const std::string long_message(5000, 'x');
  for (int i = 0; i < 500; ++i) call.ev(engine::Error{"server_error", long_message, "", false});
  auto errors = call.out.events_of(CallEventKind::error);
  REQUIRE(errors.size() == 21);
  CHECK(errors[0].detail["message"].get<std::string>().size() < 600);
  CHECK(errors[20].detail["code"] == "errors_suppressed");
  CHECK_FALSE(call.bridge.finished());
  call.bridge.on_twilio_stop(call.now);
  errors = call.out.events_of(CallEventKind::error);
  REQUIRE(errors.size() == 22);
  CHECK(errors[21].detail["count"] == 500);
  CHECK(errors[21].detail["message"].get<std::string>().find("480 were not recorded") != std::string::npos);
}
