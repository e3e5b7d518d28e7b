// The Ultravox adapter (server-WebSocket mode): what a joined call's messages become as neutral
// events, and what the call's inputs send to Ultravox. The last cases drive it through a real call
// bridge for the behaviours that only matter there (greeting, barge-in on the phone line).
#include "core/engine/ultravox/stream_adapter.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/audio/pcm16.hpp"
#include "core/call/bridge.hpp"
#include "core/twilio/base64.hpp"

using namespace sonoria;
using namespace sonoria::engine;
using sonoria::engine::ultravox::StreamAdapter;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

struct Frames final : FrameSink {
  std::vector<Frame> frames;
  void send_engine(Frame frame) override { frames.push_back(std::move(frame)); }
  std::vector<json> texts() const {
    std::vector<json> out;
    for (const auto& f : frames)
      if (!f.binary) out.push_back(json::parse(f.data));
    return out;
  }
};

std::string describe(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Ready>) return "Ready";
        else if constexpr (std::is_same_v<T, CallerSpeechStarted>) return "CallerSpeechStarted(" + e.turn_id + ")";
        else if constexpr (std::is_same_v<T, CallerSpeechStopped>) return "CallerSpeechStopped";
        else if constexpr (std::is_same_v<T, ItemPlaced>) return "ItemPlaced(" + e.item_id + "<-" + e.previous_item_id + ")";
        else if constexpr (std::is_same_v<T, CallerTurn>) return "CallerTurn(" + e.turn_id + "<-" + e.previous_item_id + ")";
        else if constexpr (std::is_same_v<T, CallerText>) return "CallerText(" + e.turn_id + ":" + e.text + ")";
        else if constexpr (std::is_same_v<T, ReplyStarted>) return "ReplyStarted(" + e.reply_id + ")";
        else if constexpr (std::is_same_v<T, AgentAudio>)
          return "AgentAudio(" + e.reply_id + "," + e.item_id + "," +
                 std::to_string(twilio::base64_decoded_size(e.audio_b64)) + ")";
        else if constexpr (std::is_same_v<T, AgentAudioDone>) return "AgentAudioDone(" + e.reply_id + "," + e.item_id + ")";
        else if constexpr (std::is_same_v<T, AgentText>) return "AgentText(" + e.item_id + ":" + e.text + ")";
        else if constexpr (std::is_same_v<T, AgentTextDelta>) return "AgentTextDelta(" + e.item_id + ":" + e.delta + ")";
        else if constexpr (std::is_same_v<T, ToolCall>)
          return "ToolCall(" + e.reply_id + "," + e.item_id + "," + e.call_id + "," + e.name + "," + e.arguments + ")";
        else if constexpr (std::is_same_v<T, ReplyDone>) return "ReplyDone(" + e.reply_id + ")";
        else return "other";
      },
      event);
}

struct Events final : EventSink {
  std::vector<Event> events;
  void on_engine_event(const Event& e) override { events.push_back(e); }
  std::vector<std::string> log() const {
    std::vector<std::string> out;
    for (const auto& e : events) out.push_back(describe(e));
    return out;
  }
  void clear() { events.clear(); }
};

// `samples` samples of s16le at a steady level.
std::string pcm(int samples, std::int16_t level = 8000) {
  std::string out;
  for (int i = 0; i < samples; ++i) {
    const auto u = static_cast<std::uint16_t>(i % 2 ? level : static_cast<std::int16_t>(-level));
    out.push_back(static_cast<char>(u & 0xFF));
    out.push_back(static_cast<char>(u >> 8));
  }
  return out;
}

json transcript(const std::string& role, int ordinal, const std::string& delta, bool final = false) {
  return {{"type", "transcript"}, {"role", role}, {"medium", "voice"}, {"delta", delta}, {"final", final}, {"ordinal", ordinal}};
}
json final_transcript(const std::string& role, int ordinal, const std::string& text, const std::string& medium = "voice") {
  return {{"type", "transcript"}, {"role", role}, {"medium", medium}, {"text", text}, {"final", true}, {"ordinal", ordinal}};
}
json state(const std::string& s) { return {{"type", "state"}, {"state", s}}; }
const json k_clear = {{"type", "playback_clear_buffer"}};

struct Uv {
  Frames out;
  StreamAdapter adapter{out};
  Events ev;

  void text(const json& message) { CHECK(adapter.receive(message.dump(), false, ev)); }
  void audio(const std::string& bytes) { CHECK(adapter.receive(bytes, true, ev)); }
  // Joined and live, with nothing recorded yet.
  void join() {
    adapter.open({});
    text({{"type", "call_started"}, {"callId", "c1"}});
    REQUIRE(ev.log() == std::vector<std::string>{"Ready"});
    ev.clear();
  }
  // One agent utterance as the fake sends it: thinking, speaking, deltas around audio, final.
  void utterance(int ordinal, const std::string& first, const std::string& second) {
    text(state("thinking"));
    text(state("speaking"));
    text(transcript("agent", ordinal, first));
    audio(pcm(800));
    text(transcript("agent", ordinal, second));
    audio(pcm(800));
    text(final_transcript("agent", ordinal, first + second));
    text(state("listening"));
  }
};

}  // namespace

TEST_CASE("the adapter names itself and says what Ultravox can do") {
  Frames out;
  StreamAdapter adapter(out);
  CHECK(adapter.name() == "ultravox");
  CHECK(adapter.capabilities().binary_audio);
  CHECK_FALSE(adapter.capabilities().client_truncation);
  CHECK_FALSE(adapter.capabilities().client_driven_replies);
  CHECK_FALSE(adapter.capabilities().spoken_instructions);
}

TEST_CASE("opening sends nothing and the first message on the joined socket reports Ready") {
  Uv uv;
  uv.adapter.open({{HistoryLine::Role::caller, "Hello?"}});  // the history went into the creation request
  CHECK(uv.out.frames.empty());
  CHECK_FALSE(uv.adapter.busy());
  uv.text({{"type", "call_started"}, {"callId", "c1"}});
  uv.text(state("listening"));
  CHECK(uv.ev.log() == std::vector<std::string>{"Ready"});
  CHECK(uv.out.frames.empty());

  SUBCASE("whatever comes first reports it, also audio") {
    Uv other;
    other.adapter.open({});
    other.audio(pcm(160));
    REQUIRE_FALSE(other.ev.log().empty());
    CHECK(other.ev.log()[0] == "Ready");
  }
}

TEST_CASE("caller audio goes out as s16le in droppable binary frames, once the call is live") {
  Uv uv;
  const std::string ulaw(160, '\x55');
  const std::string payload = twilio::base64_encode(ulaw);
  CHECK_FALSE(uv.adapter.caller_audio(payload));  // not joined
  uv.adapter.open({});
  CHECK_FALSE(uv.adapter.caller_audio(payload));  // not live yet
  uv.text({{"type", "call_started"}});
  CHECK(uv.adapter.caller_audio(payload));
  REQUIRE(uv.out.frames.size() == 1);
  CHECK(uv.out.frames[0].binary);
  CHECK(uv.out.frames[0].droppable);
  CHECK(uv.out.frames[0].data == audio::ulaw_to_pcm16le(ulaw));
  CHECK(uv.out.frames[0].data.size() == 320);

  CHECK_FALSE(uv.adapter.caller_audio("not base64!"));
  CHECK(uv.adapter.caller_audio(""));  // nothing to send
  CHECK(uv.out.frames.size() == 1);
}

TEST_CASE("a call created at 16 kHz in and 24 kHz out resamples both ways") {
  Frames out;
  StreamAdapter adapter(out, PcmRates{16000, 24000});
  Events ev;
  adapter.open({});
  CHECK(adapter.receive(json{{"type", "call_started"}}.dump(), false, ev));

  // One second of caller audio in 20 ms frames: 16000 samples, less the filter's few ms.
  const std::string ulaw(160, '\x55');
  for (int i = 0; i < 50; ++i) CHECK(adapter.caller_audio(twilio::base64_encode(ulaw)));
  std::size_t sent = 0;
  std::chrono::microseconds audio{0};
  for (const auto& f : out.frames) {
    CHECK(f.binary);
    CHECK(f.audio == std::chrono::milliseconds(20));  // what the caller said, not the bytes it takes
    sent += f.data.size();
    audio += f.audio;
  }
  CHECK(audio <= std::chrono::seconds(1));
  CHECK(sent % 2 == 0);
  CHECK(sent <= 32000);
  CHECK(sent > 32000 - 320);  // under 10 ms held back

  // 400 ms of agent audio at 24 kHz becomes about 400 ms of μ-law at 8 kHz.
  ev.clear();
  std::size_t heard = 0;
  for (int i = 0; i < 20; ++i) {
    CHECK(adapter.receive(pcm(480), true, ev));
    for (const auto& e : ev.events)
      if (auto* a = std::get_if<AgentAudio>(&e)) heard += twilio::base64_decoded_size(a->audio_b64);
    ev.clear();
  }
  CHECK(heard <= 3200);
  CHECK(heard > 3200 - 80);
  // The utterance's end lets out what the filter held back: exactly 400 ms in all.
  CHECK(adapter.receive(final_transcript("agent", 1, "Hello.").dump(), false, ev));
  for (const auto& e : ev.events)
    if (auto* a = std::get_if<AgentAudio>(&e)) heard += twilio::base64_decoded_size(a->audio_b64);
  CHECK(heard == 3200);
}

TEST_CASE("the audio merger joins caller frames up to one second of s16le") {
  Uv uv;
  const AudioMerger merge = uv.adapter.audio_merger();
  std::string into(320, 'a');
  const std::string frame(320, 'b');
  std::vector<std::string_view> next(100, frame);
  const std::size_t taken = merge(into, next);
  CHECK(taken == StreamAdapter::k_max_merged_bytes / 320 - 1);
  CHECK(into.size() == StreamAdapter::k_max_merged_bytes);
  CHECK(into.size() % 2 == 0);
  std::string full(StreamAdapter::k_max_merged_bytes, 'a');
  CHECK(merge(full, next) == 0);
  CHECK(full.size() == StreamAdapter::k_max_merged_bytes);
}

TEST_CASE("an agent utterance becomes one made-up item: μ-law audio, its words as they come, its text at the final transcript") {
  Uv uv;
  uv.join();
  uv.utterance(2, "Sure, I can ", "book that.");
  CHECK(uv.ev.log() == std::vector<std::string>{
                           "ReplyStarted(uv_r1)", "ItemPlaced(uv_a2<-)", "AgentTextDelta(uv_a2:Sure, I can )",
                           "AgentAudio(uv_r1,uv_a2,800)", "AgentTextDelta(uv_a2:book that.)",
                           "AgentAudio(uv_r1,uv_a2,800)", "AgentAudioDone(uv_r1,uv_a2)",
                           "AgentText(uv_a2:Sure, I can book that.)", "ReplyDone(uv_r1)"});
  const auto& audio = std::get<AgentAudio>(uv.ev.events[3]);
  CHECK(*twilio::base64_decode(audio.audio_b64) == audio::pcm16le_to_ulaw(pcm(800)));
  CHECK_FALSE(uv.adapter.busy());

  SUBCASE("the next utterance follows it in the conversation") {
    uv.ev.clear();
    uv.utterance(3, "Anything ", "else?");
    CHECK(uv.ev.log()[1] == "ItemPlaced(uv_a4<-uv_a2)");
  }
  SUBCASE("a whole-text message that rewrites what streamed: nothing more streams, the final text settles it") {
    uv.ev.clear();
    uv.text(transcript("agent", 3, "Our hours "));
    json rewritten = transcript("agent", 3, "");
    rewritten.erase("delta");
    rewritten["text"] = "The hours are";
    uv.text(rewritten);
    uv.text(transcript("agent", 3, " nine to five."));
    uv.text(final_transcript("agent", 3, "The hours are nine to five."));
    CHECK(uv.ev.log() == std::vector<std::string>{"ReplyStarted(uv_r3)", "ItemPlaced(uv_a4<-uv_a2)",
                                                  "AgentTextDelta(uv_a4:Our hours )", "AgentAudioDone(uv_r3,uv_a4)",
                                                  "AgentText(uv_a4:The hours are nine to five.)", "ReplyDone(uv_r3)"});
  }
}

TEST_CASE("while an utterance is under way the adapter is busy") {
  Uv uv;
  uv.join();
  uv.text(transcript("agent", 0, "Hello"));
  CHECK(uv.adapter.busy());
  uv.text(final_transcript("agent", 0, "Hello there."));
  CHECK_FALSE(uv.adapter.busy());
}

TEST_CASE("audio that comes before its transcript starts the item; the transcript joins it") {
  Uv uv;
  uv.join();
  uv.audio(pcm(160));
  uv.text(transcript("agent", 5, "Hi "));
  uv.audio(pcm(160));
  uv.text(transcript("agent", 5, "there.", true));
  CHECK(uv.ev.log() == std::vector<std::string>{"ReplyStarted(uv_r1)", "ItemPlaced(uv_a2<-)",
                                                "AgentAudio(uv_r1,uv_a2,160)", "AgentTextDelta(uv_a2:Hi )",
                                                "AgentAudio(uv_r1,uv_a2,160)", "AgentAudioDone(uv_r1,uv_a2)",
                                                "AgentText(uv_a2:Hi there.)", "ReplyDone(uv_r1)"});
}

TEST_CASE("a frame that ends in half a sample is completed by the next") {
  Uv uv;
  uv.join();
  const std::string all = pcm(5);  // 10 bytes
  uv.audio(all.substr(0, 3));      // one sample and a half
  uv.audio(all.substr(3, 1));      // the other half
  uv.audio(all.substr(4, 1));      // half a sample: nothing to play yet
  uv.audio(all.substr(5));         // the rest
  std::string ulaw;
  for (const auto& e : uv.ev.events)
    if (auto* a = std::get_if<AgentAudio>(&e)) ulaw += *twilio::base64_decode(a->audio_b64);
  CHECK(ulaw == audio::pcm16le_to_ulaw(all));
  CHECK(uv.ev.log() == std::vector<std::string>{"ReplyStarted(uv_r1)", "ItemPlaced(uv_a2<-)",
                                                "AgentAudio(uv_r1,uv_a2,1)", "AgentAudio(uv_r1,uv_a2,1)",
                                                "AgentAudio(uv_r1,uv_a2,3)"});
}

TEST_CASE("an utterance whose final transcript never came ends when the next one begins") {
  Uv uv;
  uv.join();
  uv.text(transcript("agent", 2, "First "));
  uv.text(transcript("agent", 3, "Second"));
  uv.text(transcript("agent", 2, "late"));  // an older utterance's: ignored
  uv.text(final_transcript("agent", 3, "Second."));
  CHECK(uv.ev.log() == std::vector<std::string>{
                           "ReplyStarted(uv_r1)", "ItemPlaced(uv_a2<-)", "AgentTextDelta(uv_a2:First )",
                           "AgentAudioDone(uv_r1,uv_a2)", "AgentText(uv_a2:First )", "ReplyDone(uv_r1)",
                           "ReplyStarted(uv_r3)", "ItemPlaced(uv_a4<-uv_a2)", "AgentTextDelta(uv_a4:Second)",
                           "AgentAudioDone(uv_r3,uv_a4)", "AgentText(uv_a4:Second.)", "ReplyDone(uv_r3)"});
}

TEST_CASE("barge-in: playback_clear_buffer is the caller speaking, the utterance is over and its stale audio muted") {
  Uv uv;
  uv.join();
  uv.text(state("speaking"));
  uv.text(transcript("agent", 0, "Welcome to the studio, "));
  uv.audio(pcm(800));
  uv.ev.clear();

  uv.text(k_clear);
  CHECK(uv.ev.log() == std::vector<std::string>{"CallerSpeechStarted(uv_u3)", "AgentAudioDone(uv_r1,uv_a2)",
                                                "AgentText(uv_a2:Welcome to the studio, )", "ReplyDone(uv_r1)"});
  CHECK_FALSE(uv.adapter.busy());
  uv.ev.clear();

  uv.audio(pcm(800));                                                  // in flight before the clear
  uv.text(final_transcript("agent", 0, "Welcome to the studio, "));   // Ultravox's word on what was said
  uv.text(state("listening"));
  CHECK(uv.ev.events.empty());

  SUBCASE("the caller's words complete the turn the barge-in began") {
    uv.text(final_transcript("user", 1, "Do you have yoga?"));
    CHECK(uv.ev.log() == std::vector<std::string>{"CallerSpeechStopped", "CallerTurn(uv_u3<-uv_a2)",
                                                  "CallerText(uv_u3:Do you have yoga?)"});
  }
  SUBCASE("the agent moving on unmutes its audio") {
    uv.text(state("thinking"));
    uv.audio(pcm(160));
    CHECK(uv.ev.log() == std::vector<std::string>{"ReplyStarted(uv_r4)", "ItemPlaced(uv_a5<-uv_a2)",
                                                  "AgentAudio(uv_r4,uv_a5,160)"});
  }
  SUBCASE("so does a new utterance's transcript") {
    uv.text(transcript("agent", 2, "Yes, "));
    uv.audio(pcm(160));
    CHECK(uv.ev.log().size() == 4);
    CHECK(uv.ev.log()[3] == "AgentAudio(uv_r4,uv_a5,160)");
  }
}

TEST_CASE("barge-in before the utterance's first transcript: its late final transcript is no new item") {
  Uv uv;
  uv.join();
  uv.audio(pcm(800));
  uv.text(k_clear);
  uv.ev.clear();
  uv.text(final_transcript("agent", 4, "We are open"));
  uv.text(transcript("agent", 4, "late"));
  CHECK(uv.ev.events.empty());
  uv.text(transcript("agent", 6, "Next"));
  CHECK(uv.ev.log()[0] == "ReplyStarted(uv_r4)");
}

TEST_CASE("a clear with no utterance under way still reports the caller speaking (audio queued on the phone)") {
  Uv uv;
  uv.join();
  uv.text(k_clear);
  CHECK(uv.ev.log() == std::vector<std::string>{"CallerSpeechStarted(uv_u1)"});
}

TEST_CASE("the caller's speech becomes a turn with its text") {
  Uv uv;
  uv.join();
  uv.utterance(0, "Hello, ", "how can I help?");
  uv.ev.clear();

  SUBCASE("one final transcript") {
    uv.text(final_transcript("user", 1, "I'd like a yoga class."));
    CHECK(uv.ev.log() == std::vector<std::string>{"CallerSpeechStarted(uv_u3)", "CallerSpeechStopped",
                                                  "CallerTurn(uv_u3<-uv_a2)", "CallerText(uv_u3:I'd like a yoga class.)"});
  }
  SUBCASE("deltas, then the final") {
    uv.text(transcript("user", 1, "I'd like "));
    CHECK(uv.ev.log() == std::vector<std::string>{"CallerSpeechStarted(uv_u3)"});
    uv.text(transcript("user", 1, "a class"));
    uv.text({{"type", "transcript"}, {"role", "user"}, {"medium", "voice"}, {"final", true}, {"ordinal", 1}});
    CHECK(uv.ev.log().back() == "CallerText(uv_u3:I'd like a class)");
    CHECK(uv.ev.log().size() == 4);
  }
  SUBCASE("while the agent speaks, a transcript is no barge-in: Ultravox decides that") {
    uv.text(transcript("agent", 1, "We have "));
    uv.ev.clear();
    uv.text(final_transcript("user", 2, "Mhm."));
    CHECK(uv.ev.log() == std::vector<std::string>{"CallerSpeechStopped", "CallerTurn(uv_u5<-uv_a4)",
                                                  "CallerText(uv_u5:Mhm.)"});
  }
  SUBCASE("typed text is a turn without speech") {
    uv.text(final_transcript("user", 1, "The caller pressed 1 on their keypad.", "text"));
    CHECK(uv.ev.log() == std::vector<std::string>{"CallerTurn(uv_u3<-uv_a2)",
                                                  "CallerText(uv_u3:The caller pressed 1 on their keypad.)"});
  }
}

TEST_CASE("tool invocations become tool calls; each result goes back once") {
  Uv uv;
  uv.join();
  uv.text(state("thinking"));
  uv.text({{"type", "client_tool_invocation"},
           {"toolName", "send_booking_sms"},
           {"invocationId", "inv_7"},
           {"parameters", {{"service", "yoga"}}}});
  CHECK(uv.ev.log() == std::vector<std::string>{"ItemPlaced(uv_f1<-)",
                                                R"(ToolCall(,uv_f1,inv_7,send_booking_sms,{"service":"yoga"}))"});

  uv.adapter.tool_result("inv_99", "{}", true);  // not this connection's
  CHECK(uv.out.frames.empty());
  uv.adapter.tool_result("inv_7", R"({"sent":true})", true);
  REQUIRE(uv.out.texts().size() == 1);
  CHECK(uv.out.texts()[0] == json{{"type", "client_tool_result"}, {"invocationId", "inv_7"}, {"result", R"({"sent":true})"}});
  CHECK(uv.adapter.busy());  // the agent speaks about the result
  uv.adapter.tool_result("inv_7", "again", true);
  CHECK(uv.out.frames.size() == 1);

  SUBCASE("when the call is ending the agent listens instead of talking on") {
    uv.text({{"type", "client_tool_invocation"}, {"toolName", "end_call"}, {"invocationId", "inv_8"}});
    uv.adapter.tool_result("inv_8", R"({"ok":true})", false);
    CHECK(uv.out.texts().back()["agentReaction"] == "listens");
  }
  SUBCASE("a tool call during an utterance belongs to its reply") {
    uv.ev.clear();
    uv.text(transcript("agent", 3, "Let me check."));
    uv.text({{"type", "client_tool_invocation"}, {"toolName", "lookup"}, {"invocationId", "inv_9"}});
    CHECK(uv.ev.log().back() == "ToolCall(uv_r2,uv_f4,inv_9,lookup,{})");
    CHECK(uv.ev.log()[2] == "AgentTextDelta(uv_a3:Let me check.)");
    CHECK(uv.ev.log()[3] == "ItemPlaced(uv_f4<-uv_a3)");
  }
}

TEST_CASE("a transition tool is answered with a new-stage result: the stage's prompt, tools and voice") {
  Uv uv;
  uv.join();
  uv.text({{"type", "client_tool_invocation"},
           {"toolName", "move_to_assist"},
           {"invocationId", "inv_1"},
           {"parameters", {{"handoff", "Jane, verified"}}}});
  SessionConfig next;
  next.instructions = "Now assist Jane.";
  next.voice = "Jessica";
  next.tools = json::array({{{"type", "function"}, {"name", "move_to_wrap_up"}, {"description", "Wrap up."},
                             {"parameters", {{"type", "object"}, {"properties", json::object()}}}}});
  CHECK(uv.adapter.change_stage("inv_1", R"({"ok":true})", next) == StageChange::in_place);
  REQUIRE(uv.out.texts().size() == 1);
  const json result = uv.out.texts()[0];
  CHECK(result["responseType"] == "new-stage");
  CHECK(result["invocationId"] == "inv_1");
  const json stage = json::parse(result["result"].get<std::string>());
  CHECK(stage["systemPrompt"] == "Now assist Jane.");
  CHECK(stage["voice"] == "Jessica");
  CHECK(stage["selectedTools"][0]["temporaryTool"]["modelToolName"] == "move_to_wrap_up");
  CHECK(uv.adapter.busy());  // the agent speaks on in the new stage
  // A stage without tools says so: the earlier stage's do not stay selected.
  uv.text({{"type", "client_tool_invocation"}, {"toolName", "move_to_wrap_up"}, {"invocationId", "inv_2"}});
  next.tools = json::array();
  uv.adapter.change_stage("inv_2", "{}", next);
  CHECK(json::parse(uv.out.texts()[1]["result"].get<std::string>())["selectedTools"] == json::array());
}

TEST_CASE("say and greet make the agent speak the words; the reply is owed until it begins") {
  Uv uv;
  uv.join();
  uv.adapter.greet({"Greet the caller warmly.", "Thanks for calling Lotus Yoga!"});
  REQUIRE(uv.out.texts().size() == 1);
  CHECK(uv.out.texts()[0] == json{{"type", "forced_agent_message"}, {"content", "Thanks for calling Lotus Yoga!"},
                                  {"urgency", "soon"}});
  CHECK(uv.adapter.busy());
  uv.text(state("thinking"));
  CHECK(uv.adapter.busy());
  uv.text(state("speaking"));
  uv.text(transcript("agent", 0, "Thanks for calling"));
  CHECK(uv.adapter.busy());
  uv.text(final_transcript("agent", 0, "Thanks for calling Lotus Yoga!"));
  CHECK_FALSE(uv.adapter.busy());

  SUBCASE("asked while the agent speaks: Ultravox holds it, and it is still owed after that utterance") {
    uv.text(transcript("agent", 1, "We open at nine"));
    uv.adapter.say({"", "Are you still there?"}, false);
    CHECK(uv.out.texts().back()["content"] == "Are you still there?");
    uv.text(final_transcript("agent", 1, "We open at nine."));
    uv.text(state("listening"));
    CHECK(uv.adapter.busy());
    uv.text(state("thinking"));
    uv.text(transcript("agent", 2, "Are you"));
    uv.text(final_transcript("agent", 2, "Are you still there?"));
    CHECK_FALSE(uv.adapter.busy());
  }
  SUBCASE("the agent thought and said nothing: nothing is owed any more") {
    uv.adapter.say({"", "Goodbye!"}, false);
    uv.text(state("listening"));  // already in flight when it was asked
    CHECK(uv.adapter.busy());
    uv.text(state("thinking"));
    uv.text(state("listening"));
    CHECK_FALSE(uv.adapter.busy());
  }
  SUBCASE("instructions alone say nothing: Ultravox speaks words") {
    const auto before = uv.out.frames.size();
    uv.adapter.say({"Say goodbye.", ""}, false);
    CHECK(uv.out.frames.size() == before);
    CHECK_FALSE(uv.adapter.busy());
  }
}

TEST_CASE("a filler is said at once, and only into silence") {
  Uv uv;
  uv.join();
  uv.adapter.say({"Say a filler.", "One moment please."}, /*now=*/true);
  REQUIRE(uv.out.texts().size() == 1);
  CHECK(uv.out.texts()[0]["urgency"] == "immediate");
  uv.text(transcript("agent", 0, "One moment"));
  uv.adapter.say({"", "One moment please."}, true);
  CHECK(uv.out.texts().size() == 1);
}

TEST_CASE("words asked for before the call is live wait for it") {
  Uv uv;
  uv.adapter.say({"", "Sorry about that, where were we?"}, false);
  CHECK(uv.out.frames.empty());
  CHECK(uv.adapter.busy());
  uv.adapter.say({"", "Sorry, the line dropped."}, true);  // a filler is not kept
  uv.adapter.open({});
  CHECK(uv.out.frames.empty());
  uv.text({{"type", "call_started"}});
  REQUIRE(uv.out.texts().size() == 1);
  CHECK(uv.out.texts()[0]["content"] == "Sorry about that, where were we?");
}

TEST_CASE("text from the caller's keypad goes in as their turn") {
  Uv uv;
  uv.adapter.caller_text("ignored: not live");
  CHECK(uv.out.frames.empty());
  uv.join();
  uv.adapter.caller_text("The caller pressed 1 on their keypad.");
  REQUIRE(uv.out.texts().size() == 1);
  CHECK(uv.out.texts()[0] ==
        json{{"type", "user_text_message"}, {"text", "The caller pressed 1 on their keypad."}, {"urgency", "soon"}});
  CHECK(uv.adapter.busy());
}

TEST_CASE("cut sends nothing: Ultravox keeps its own context at a barge-in") {
  Uv uv;
  uv.join();
  uv.adapter.cut("uv_a2", 1200);
  CHECK(uv.out.frames.empty());
}

TEST_CASE("a closed connection forgets what was in flight; the next join starts afresh with new ids") {
  Uv uv;
  uv.join();
  uv.text(transcript("agent", 7, "Half a"));
  uv.text({{"type", "client_tool_invocation"}, {"toolName", "lookup"}, {"invocationId", "inv_1"}});
  uv.adapter.caller_text("pressed 2");
  uv.audio(std::string(1, '\x10'));  // half a sample waiting
  CHECK(uv.adapter.busy());
  uv.adapter.closed();
  CHECK_FALSE(uv.adapter.busy());
  const auto sent = uv.out.frames.size();
  uv.adapter.tool_result("inv_1", "{}", true);
  CHECK(uv.out.frames.size() == sent);
  CHECK_FALSE(uv.adapter.caller_audio(twilio::base64_encode("abcd")));
  uv.ev.clear();
  uv.text(state("speaking"));  // a stale message after the close
  uv.audio(pcm(10));
  CHECK(uv.ev.events.empty());

  uv.adapter.open({});
  uv.text({{"type", "call_started"}});
  uv.text(transcript("agent", 0, "Where were we?"));  // ordinals start over on a new call
  uv.audio(pcm(2));
  CHECK(uv.ev.log() == std::vector<std::string>{"Ready", "ReplyStarted(uv_r4)", "ItemPlaced(uv_a5<-uv_f3)",
                                                "AgentTextDelta(uv_a5:Where were we?)", "AgentAudio(uv_r4,uv_a5,2)"});
}

TEST_CASE("malformed messages report nothing and are counted as such") {
  Uv uv;
  uv.join();
  for (const char* text : {"", "garbage", "[]", "{}", R"({"type":1})", R"({"type":"transcript"})",
                           R"({"type":"client_tool_invocation","toolName":"x"})", R"({"type":"state"})"}) {
    CAPTURE(text);
    CHECK_NOTHROW(CHECK_FALSE(uv.adapter.receive(text, false, uv.ev)));
  }
  CHECK(uv.ev.events.empty());
  CHECK(uv.out.frames.empty());

  SUBCASE("unknown types and values are well-formed and ignored") {
    uv.text({{"type", "thread_spawned"}, {"threadId", "t"}});
    uv.text(state("pondering"));
    uv.text({{"type", "transcript"}, {"role", "narrator"}, {"text", "x"}, {"final", true}});
    uv.text({{"type", "pong"}, {"timestamp", 1.0}});
    uv.text({{"type", "debug"}, {"message", "hi"}});
    uv.audio("");
    CHECK(uv.ev.events.empty());
  }
  SUBCASE("before open, a malformed message is still malformed") {
    Uv fresh;
    CHECK_FALSE(fresh.adapter.receive("nope", false, fresh.ev));
    CHECK(fresh.adapter.receive(R"({"type":"call_started"})", false, fresh.ev));
    CHECK(fresh.ev.events.empty());
  }
}

// ---- through a call bridge ----------------------------------------------------------------------

namespace {

struct Line final : call::ActionSink {
  std::vector<Frame> engine;
  std::vector<std::string> media;
  int clears = 0;
  std::vector<call::ToolRequest> tools;
  std::vector<call::EndStream> ends;
  std::vector<call::TranscriptTurn> turns;
  void send_engine(Frame frame) override { engine.push_back(std::move(frame)); }
  void send_twilio_media(std::string_view payload) override { media.emplace_back(payload); }
  void send_twilio_mark(std::string_view) override {}
  void send_twilio_clear() override { ++clears; }
  void run_tool(const call::ToolRequest& r) override { tools.push_back(r); }
  void end_stream(const call::EndStream& e) override { ends.push_back(e); }
  void engine_lost(const call::EngineLost&) override {}
  void record_turn(const call::TranscriptTurn& t) override { turns.push_back(t); }
  void record_event(const call::CallEvent&) override {}
  engine::SessionConfig enter_stage(const call::StageEntered&) override { return stage_session; }
  engine::SessionConfig stage_session;
  std::vector<json> texts() const {
    std::vector<json> out;
    for (const auto& f : engine)
      if (!f.binary) out.push_back(json::parse(f.data));
    return out;
  }
};

struct BridgedCall {
  Line line;
  call::TimePoint now = call::TimePoint{} + 1h;
  call::CallBridge bridge;

  static call::BridgeConfig config() {
    call::BridgeConfig c;
    c.greeting = "Thanks for calling Lotus Yoga, how can I help?";
    return c;
  }
  BridgedCall() : bridge(config(), std::make_unique<StreamAdapter>(line), line, now) {}

  void message(const json& m) { bridge.on_engine_message(now, m.dump(), false); }
  void audio(const std::string& pcm_bytes) { bridge.on_engine_message(now, pcm_bytes, true); }
};

}  // namespace

TEST_CASE("bridged: the greeting goes out once the call is live and the phone line has started") {
  BridgedCall c;
  c.bridge.on_engine_open(c.now);
  CHECK(c.line.engine.empty());
  c.message({{"type", "call_started"}, {"callId", "c1"}});
  CHECK(c.line.engine.empty());  // no caller to hear it yet
  c.bridge.on_twilio_start(c.now, "MZ1");
  REQUIRE(c.line.texts().size() == 1);
  CHECK(c.line.texts()[0]["type"] == "forced_agent_message");
  CHECK(c.line.texts()[0]["content"] == "Thanks for calling Lotus Yoga, how can I help?");

  c.bridge.on_twilio_media(c.now, 0, twilio::base64_encode(std::string(160, '\xff')));
  REQUIRE(c.line.engine.size() == 2);
  CHECK(c.line.engine[1].binary);
  CHECK(c.line.engine[1].data == std::string(320, '\0'));

  c.message(transcript("agent", 0, "Thanks for calling "));
  c.audio(pcm(800));
  REQUIRE(c.line.media.size() == 1);
  CHECK(*twilio::base64_decode(c.line.media[0]) == audio::pcm16le_to_ulaw(pcm(800)));
}

TEST_CASE("bridged: Ultravox's playback_clear_buffer clears the phone line") {
  BridgedCall c;
  c.bridge.on_engine_open(c.now);
  c.message({{"type", "call_started"}});
  c.bridge.on_twilio_start(c.now, "MZ1");
  c.message(transcript("agent", 0, "Thanks for calling Lotus Yoga, "));
  c.audio(pcm(1600));
  c.audio(pcm(1600));
  c.message(k_clear);
  CHECK(c.line.clears == 1);
  c.audio(pcm(1600));  // stale
  CHECK(c.line.media.size() == 2);
  CHECK_FALSE(c.bridge.engine().busy());
}
