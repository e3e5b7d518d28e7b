// The Deepgram Voice Agent adapter on its own: Deepgram's messages (protocols.md §6) in, the
// neutral engine events and the frames it sends out, recorded. How the call uses those events is
// tested with the bridge in core_call_bridge_test.cpp and the OpenAI adapter's tests.
#include <doctest/doctest.h>

#include "core/engine/deepgram/agent_adapter.hpp"
#include "core/twilio/base64.hpp"

#include <type_traits>

using namespace sonoria;
using namespace sonoria::engine;
namespace deepgram = sonoria::engine::deepgram;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// Every frame the adapter sends to Deepgram, in order.
struct Wire final : FrameSink {
  std::vector<Frame> frames;
  void send_engine(Frame frame) override { frames.push_back(std::move(frame)); }

  // The JSON text frames, parsed.
  std::vector<json> messages() const {
    std::vector<json> out;
    for (const auto& f : frames)
      if (!f.binary) out.push_back(json::parse(f.data));
    return out;
  }
  // One word per frame: the message type, or "audio" for a binary frame.
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& f : frames) out.push_back(f.binary ? "audio" : json::parse(f.data)["type"].get<std::string>());
    return out;
  }
  json last() const {
    REQUIRE_FALSE(frames.empty());
    REQUIRE_FALSE(frames.back().binary);
    return json::parse(frames.back().data);
  }
  void clear() { frames.clear(); }
};

// One line per event, so that order and ids read at a glance.
std::string line_of(const Event& event) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, Ready>) return "Ready";
        else if constexpr (std::is_same_v<T, Rejected>) return "Rejected";
        else if constexpr (std::is_same_v<T, Error>) return (e.fatal ? "FatalError " : "Error ") + e.code;
        else if constexpr (std::is_same_v<T, SessionLimit>) return "SessionLimit";
        else if constexpr (std::is_same_v<T, CallerSpeechStarted>) return "CallerSpeechStarted " + e.turn_id;
        else if constexpr (std::is_same_v<T, CallerSpeechStopped>) return "CallerSpeechStopped";
        else if constexpr (std::is_same_v<T, ItemPlaced>) return "ItemPlaced " + e.item_id + " after " + e.previous_item_id;
        else if constexpr (std::is_same_v<T, CallerTurn>) return "CallerTurn " + e.turn_id + " after " + e.previous_item_id;
        else if constexpr (std::is_same_v<T, CallerText>) return "CallerText " + e.turn_id + ": " + e.text;
        else if constexpr (std::is_same_v<T, CallerTextFailed>) return "CallerTextFailed " + e.turn_id;
        else if constexpr (std::is_same_v<T, ReplyStarted>) return "ReplyStarted " + e.reply_id;
        else if constexpr (std::is_same_v<T, AgentAudio>) return "AgentAudio " + e.reply_id + "/" + e.item_id;
        else if constexpr (std::is_same_v<T, engine::AgentAudioDone>) return "AgentAudioDone " + e.reply_id + "/" + e.item_id;
        else if constexpr (std::is_same_v<T, AgentText>) return "AgentText " + e.item_id + ": " + e.text;
        else if constexpr (std::is_same_v<T, AgentTextDelta>) return "AgentTextDelta " + e.item_id + ": " + e.delta;
        else if constexpr (std::is_same_v<T, AgentCut>) return "AgentCut " + e.item_id;
        else if constexpr (std::is_same_v<T, ToolCall>) return "ToolCall " + e.call_id + " " + e.name;
        else if constexpr (std::is_same_v<T, ToolCallCancelled>) return "ToolCallCancelled " + e.call_id;
        else return "ReplyDone " + e.reply_id;
      },
      event);
}

// Every event the adapter reports, in order.
struct Events final : EventSink {
  std::vector<Event> all;
  void on_engine_event(const Event& event) override { all.push_back(event); }

  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& e : all) out.push_back(line_of(e));
    return out;
  }
  template <class T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const auto& e : all)
      if (auto* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
  void clear() { all.clear(); }
};

using Lines = std::vector<std::string>;

SessionConfig config() {
  SessionConfig c;
  c.model = "gpt-4o-mini";
  c.instructions = "You are the receptionist of Lotus Yoga.";
  c.voice = "aura-2-thalia-en";
  c.tools = json::array({{{"type", "function"},
                          {"name", "send_booking_sms"},
                          {"description", "Text a booking link."},
                          {"parameters", {{"type", "object"}, {"properties", json::object()}}}}});
  return c;
}

// One call's adapter with its wire and event recorders, and Deepgram's side as small helpers.
struct Session {
  Wire wire;
  Events events;
  deepgram::AgentAdapter adapter;

  explicit Session(SessionConfig c = config()) : adapter(std::move(c), wire, {"sonoria"}) {}

  bool text(const json& message) { return adapter.receive(message.dump(), false, events); }
  bool server(const std::string& type) { return text({{"type", type}}); }
  bool audio(const std::string& bytes) { return adapter.receive(bytes, true, events); }
  bool conversation(const std::string& role, const std::string& content) {
    return text({{"type", "ConversationText"}, {"role", role}, {"content", content}});
  }
  bool started_speaking() {
    return text({{"type", "AgentStartedSpeaking"}, {"total_latency", 0.8}, {"tts_latency", 0.2}, {"ttt_latency", 0.6}});
  }
  bool function_calls(const json& functions) { return text({{"type", "FunctionCallRequest"}, {"functions", functions}}); }
  // Through the Adapter interface, where `now` defaults to false.
  void say(const Speech& speech, bool now = false) { static_cast<Adapter&>(adapter).say(speech, now); }
  bool problem(const std::string& type, const std::string& code) {
    return text({{"type", type}, {"code", code}, {"description", "what happened"}});
  }

  // Connected, configured and live; the recorders start empty.
  void live(const std::vector<HistoryLine>& history = {}) {
    adapter.open(history);
    text({{"type", "Welcome"}, {"request_id", "fc553ec9"}});
    server("SettingsApplied");
    wire.clear();
    events.clear();
  }
  // An agent turn as the fake and Deepgram send it: its text, then its audio, then done.
  void agent_turn(const std::string& words, int frames = 2) {
    conversation("assistant", words);
    started_speaking();
    for (int i = 0; i < frames; ++i) audio(std::string(160, '\x7f'));
    server("AgentAudioDone");
  }
  void caller_turn(const std::string& words) {
    server("UserStartedSpeaking");
    conversation("user", words);
  }
};

// Base64 of `bytes`, as Twilio sends caller audio.
std::string b64(const std::string& bytes) { return twilio::base64_encode(bytes); }

}  // namespace

TEST_CASE("the adapter names itself deepgram and declares binary audio with engine-driven replies") {
  Session s;
  CHECK(s.adapter.name() == "deepgram");
  const Capabilities& c = s.adapter.capabilities();
  CHECK(c.binary_audio);
  CHECK_FALSE(c.client_truncation);
  CHECK_FALSE(c.client_driven_replies);
  CHECK_FALSE(c.spoken_instructions);
}

// ---- the connection -----------------------------------------------------------------------------

TEST_CASE("opening the connection sends Settings first, carrying the conversation so far") {
  Session s;
  std::vector<HistoryLine> history = {{HistoryLine::Role::assistant, "Thanks for calling, how can I help?"},
                                      {HistoryLine::Role::caller, "Is there a class tomorrow?"}};
  s.adapter.open(history);
  REQUIRE(s.wire.frames.size() == 1);
  CHECK_FALSE(s.wire.frames[0].binary);
  CHECK_FALSE(s.wire.frames[0].droppable);
  json settings = s.wire.last();
  CHECK(settings["type"] == "Settings");
  CHECK(settings["tags"] == json{"sonoria"});
  CHECK(settings["agent"]["think"]["prompt"] == "You are the receptionist of Lotus Yoga.");
  CHECK(settings["agent"]["think"]["functions"][0]["name"] == "send_booking_sms");
  CHECK(settings["agent"]["context"]["messages"] ==
        json::array({{{"type", "History"}, {"role", "assistant"}, {"content", "Thanks for calling, how can I help?"}},
                     {{"type", "History"}, {"role", "user"}, {"content", "Is there a class tomorrow?"}}}));
  SUBCASE("a first connection has no context") {
    Session fresh;
    fresh.adapter.open({});
    CHECK_FALSE(fresh.wire.last()["agent"].contains("context"));
  }
}

TEST_CASE("Ready is reported only once Deepgram applies the settings, and only once") {
  Session s;
  s.adapter.open({});
  CHECK(s.text({{"type", "Welcome"}, {"request_id", "fc553ec9"}}));
  CHECK(s.events.all.empty());
  CHECK(s.server("SettingsApplied"));
  CHECK(s.events.lines() == Lines{"Ready"});
  CHECK(s.server("SettingsApplied"));
  CHECK(s.events.lines() == Lines{"Ready"});
  SUBCASE("a SettingsApplied with no Settings sent means nothing") {
    Session unopened;
    CHECK(unopened.server("SettingsApplied"));
    CHECK(unopened.events.all.empty());
  }
}

TEST_CASE("an Error before the settings apply rejects the session; a Warning there does not") {
  Session s;
  s.adapter.open({});
  s.problem("Warning", "PROMPT_TOO_LONG");
  CHECK(s.events.lines() == Lines{"Error PROMPT_TOO_LONG"});
  s.events.clear();
  s.problem("Error", "INVALID_SETTINGS");
  REQUIRE(s.events.lines() == Lines{"Rejected"});
  auto rejected = s.events.of<Rejected>()[0];
  CHECK(rejected.detail.find("INVALID_SETTINGS") != std::string::npos);
  CHECK(rejected.detail.find("what happened") != std::string::npos);
}

TEST_CASE("Error on a live session is fatal, Warning is not; the two-hour codes also announce the limit") {
  Session s;
  s.live();
  s.problem("Warning", "SLOW_THINK_REQUEST");
  s.problem("Warning", "MAXIMUM_SESSION_LENGTH_APPROACHING");
  s.problem("Error", "MAXIMUM_SESSION_LENGTH_REACHED");
  s.problem("Error", "FAILED_TO_THINK");
  CHECK(s.events.lines() == Lines{"Error SLOW_THINK_REQUEST", "SessionLimit", "Error MAXIMUM_SESSION_LENGTH_APPROACHING",
                                  "SessionLimit", "FatalError MAXIMUM_SESSION_LENGTH_REACHED",
                                  "FatalError FAILED_TO_THINK"});
  auto errors = s.events.of<Error>();
  CHECK(errors[0].message == "what happened");
  CHECK(s.wire.frames.empty());
}

TEST_CASE("malformed messages are refused with no event; unknown ones are accepted and ignored") {
  Session s;
  s.live();
  for (const char* garbage : {"", "not json", "[]", R"({"type":5})", R"({"type":"FunctionCallRequest"})",
                              R"({"type":"FunctionCallRequest","functions":[{"name":"x"}]})"}) {
    CAPTURE(garbage);
    CHECK_FALSE(s.adapter.receive(garbage, false, s.events));
  }
  for (const char* ignored : {R"({"type":"History","role":"user","content":"hi"})",
                              R"({"type":"LatencyReport","total_latency":1.2})", R"({"type":"PromptUpdated"})",
                              R"({"type":"FunctionCallResponse","id":"x","name":"y","content":"{}"})",
                              R"({"type":"ConversationText","role":"system","content":"?"})",
                              R"({"type":"SomethingNew"})"}) {
    CAPTURE(ignored);
    CHECK(s.adapter.receive(ignored, false, s.events));
  }
  CHECK(s.events.all.empty());
  CHECK(s.wire.frames.empty());
}

// ---- caller audio -------------------------------------------------------------------------------

TEST_CASE("caller audio goes out only once the session is live, as raw μ-law in a binary droppable frame") {
  Session s;
  const std::string ulaw = std::string("\x00\x7f\xff\x80\x01", 5) + std::string(155, '\xff');
  CHECK_FALSE(s.adapter.caller_audio(b64(ulaw)));  // not connected
  s.adapter.open({});
  s.wire.clear();
  CHECK_FALSE(s.adapter.caller_audio(b64(ulaw)));  // audio before SettingsApplied is not defined (§6.2)
  CHECK(s.wire.frames.empty());
  s.server("SettingsApplied");
  CHECK(s.adapter.caller_audio(b64(ulaw)));
  REQUIRE(s.wire.frames.size() == 1);
  CHECK(s.wire.frames[0].binary);
  CHECK(s.wire.frames[0].droppable);
  CHECK(s.wire.frames[0].data == ulaw);
  CHECK(s.wire.frames[0].audio == std::chrono::milliseconds(20));
  SUBCASE("what is not base64 is refused and nothing is sent") {
    s.wire.clear();
    for (const char* bad : {"////A", "ab=c", "a b c d", "////\n"}) {
      CAPTURE(bad);
      CHECK_FALSE(s.adapter.caller_audio(bad));
    }
    CHECK(s.wire.frames.empty());
  }
  SUBCASE("an empty payload sends no empty frame") {
    s.wire.clear();
    CHECK(s.adapter.caller_audio(""));
    CHECK(s.wire.frames.empty());
  }
  SUBCASE("and none after the connection is gone") {
    s.adapter.closed();
    s.wire.clear();
    CHECK_FALSE(s.adapter.caller_audio(b64(ulaw)));
    CHECK(s.wire.frames.empty());
  }
}

TEST_CASE("the audio merger joins queued binary audio frames, up to one second of μ-law") {
  Session s;
  AudioMerger merge = s.adapter.audio_merger();
  const bool has_merger = merge != nullptr;
  REQUIRE(has_merger);
  std::string into(160, 'a');
  std::string b(160, 'b'), c(160, 'c');
  CHECK(merge(into, {b, c}) == 2);
  CHECK(into == std::string(160, 'a') + b + c);

  SUBCASE("stopping at the first frame that would pass the limit") {
    std::string big(7800, 'x');
    std::string small(200, 'y'), more(1, 'z');
    CHECK(merge(big, {small, more}) == 1);
    CHECK(big.size() == 8000);
    CHECK(merge(big, {more}) == 0);
    CHECK(big.size() == 8000);
  }
  SUBCASE("leaving everything as it was when nothing fits") {
    std::string head(100, 'h');
    std::string huge(7901, 'x');
    CHECK(merge(head, {huge, b}) == 0);
    CHECK(head == std::string(100, 'h'));
  }
  SUBCASE("with nothing queued") { CHECK(merge(into, {}) == 0); }
}

// ---- agent audio and text -----------------------------------------------------------------------

TEST_CASE("agent audio becomes AgentAudio of one reply and item, after ReplyStarted; its text streams, then settles") {
  Session s;
  s.live();
  s.conversation("assistant", "Thanks for calling Lotus Yoga.");
  CHECK(s.events.all.empty());  // the text waits for its item
  s.started_speaking();
  const std::string chunk1("\x01\x02\xff", 3), chunk2(320, '\x7f');
  CHECK(s.audio(chunk1));
  CHECK(s.audio(chunk2));
  // The text so far goes with the item at once, so that a call ending mid-reply keeps it.
  CHECK(s.events.lines() == Lines{"ReplyStarted dg_r1", "ItemPlaced dg_a2 after ",
                                  "AgentTextDelta dg_a2: Thanks for calling Lotus Yoga.", "AgentAudio dg_r1/dg_a2",
                                  "AgentAudio dg_r1/dg_a2"});
  auto audio = s.events.of<AgentAudio>();
  CHECK(audio[0].audio_b64 == "AQL/");
  CHECK(audio[1].audio_b64 == b64(chunk2));
  CHECK(s.adapter.busy());
  s.events.clear();
  s.server("AgentAudioDone");
  CHECK(s.events.lines() == Lines{"AgentAudioDone dg_r1/dg_a2", "AgentText dg_a2: Thanks for calling Lotus Yoga.",
                                  "ReplyDone dg_r1"});
  CHECK_FALSE(s.events.of<ReplyDone>()[0].failed);
  CHECK_FALSE(s.adapter.busy());
  CHECK(s.wire.frames.empty());  // Deepgram replies by itself: nothing to ask for

  SUBCASE("the next turn is a new reply and item, placed after the last") {
    s.events.clear();
    s.agent_turn("Anything else?");
    CHECK(s.events.lines() == Lines{"ReplyStarted dg_r3", "ItemPlaced dg_a4 after dg_a2",
                                    "AgentTextDelta dg_a4: Anything else?", "AgentAudio dg_r3/dg_a4",
                                    "AgentAudio dg_r3/dg_a4", "AgentAudioDone dg_r3/dg_a4",
                                    "AgentText dg_a4: Anything else?", "ReplyDone dg_r3"});
  }
  SUBCASE("text that comes while the item plays streams as it comes, joined as the final text is") {
    s.events.clear();
    s.started_speaking();
    CHECK(s.audio(chunk1));
    s.conversation("assistant", "We open at seven.");
    s.conversation("assistant", "See you then.");
    s.server("AgentAudioDone");
    CHECK(s.events.lines() == Lines{"ReplyStarted dg_r3", "ItemPlaced dg_a4 after dg_a2", "AgentAudio dg_r3/dg_a4",
                                    "AgentTextDelta dg_a4: We open at seven.", "AgentTextDelta dg_a4:  See you then.",
                                    "AgentAudioDone dg_r3/dg_a4", "AgentText dg_a4: We open at seven. See you then.",
                                    "ReplyDone dg_r3"});
  }
}

TEST_CASE("audio without AgentStartedSpeaking starts the reply itself; empty frames are nothing") {
  Session s;
  s.live();
  CHECK(s.audio(""));
  CHECK(s.events.all.empty());
  s.audio("\x7f\x7f");
  s.started_speaking();  // late: the reply is under way already
  s.audio("\x7f");
  CHECK(s.events.lines() == Lines{"ReplyStarted dg_r1", "ItemPlaced dg_a2 after ", "AgentAudio dg_r1/dg_a2",
                                  "AgentAudio dg_r1/dg_a2"});
}

TEST_CASE("agent audio before the settings apply is not played") {
  Session s;
  s.adapter.open({});
  CHECK(s.audio("\x7f\x7f"));
  CHECK(s.events.all.empty());
}

TEST_CASE("the assistant's text is reported when its item's audio is done, its parts joined") {
  Session s;
  s.live();
  s.conversation("assistant", "Yes, there is a class at nine.");
  s.started_speaking();
  s.audio("\x7f\x7f");
  s.conversation("assistant", "Would you like a booking link?");
  s.conversation("assistant", "");
  s.audio("\x7f\x7f");
  CHECK(s.events.of<AgentText>().empty());
  s.server("AgentAudioDone");
  auto text = s.events.of<AgentText>();
  REQUIRE(text.size() == 1);
  CHECK(text[0].text == "Yes, there is a class at nine. Would you like a booking link?");
  SUBCASE("an AgentAudioDone with no reply under way reports nothing and forgets stray text") {
    s.events.clear();
    s.conversation("assistant", "Stray.");
    s.server("AgentAudioDone");
    CHECK(s.events.all.empty());
    s.agent_turn("Fresh.");
    CHECK(s.events.of<AgentText>()[0].text == "Fresh.");
  }
}

// ---- the caller ---------------------------------------------------------------------------------

TEST_CASE("the caller's speech becomes a turn placed after the agent's item, with its text") {
  Session s;
  s.live();
  s.agent_turn("How can I help?");
  s.events.clear();
  s.server("UserStartedSpeaking");
  CHECK(s.events.lines() == Lines{"CallerSpeechStarted dg_u3"});
  CHECK(s.events.of<CallerSpeechStarted>()[0].audio_start_ms == -1);
  s.events.clear();
  s.conversation("user", "Is there a class tomorrow?");
  CHECK(s.events.lines() ==
        Lines{"CallerSpeechStopped", "CallerTurn dg_u3 after dg_a2", "CallerText dg_u3: Is there a class tomorrow?"});
  s.events.clear();
  s.agent_turn("Yes, at nine.");
  CHECK(s.events.lines()[1] == "ItemPlaced dg_a5 after dg_u3");

  SUBCASE("a transcript without UserStartedSpeaking still gets a turn of its own") {
    s.events.clear();
    s.conversation("user", "Thanks.");
    CHECK(s.events.lines() == Lines{"CallerSpeechStopped", "CallerTurn dg_u6 after dg_a5", "CallerText dg_u6: Thanks."});
  }
  SUBCASE("speech that starts twice before its transcript is one turn") {
    s.events.clear();
    s.server("UserStartedSpeaking");
    s.server("UserStartedSpeaking");
    s.conversation("user", "Hm.");
    CHECK(s.events.lines() == Lines{"CallerSpeechStarted dg_u6", "CallerSpeechStarted dg_u6", "CallerSpeechStopped",
                                    "CallerTurn dg_u6 after dg_a5", "CallerText dg_u6: Hm."});
  }
}

TEST_CASE("barge-in mid agent audio finishes the item, and its stale audio is muted until the agent's next turn") {
  Session s;
  s.live();
  s.conversation("assistant", "We have classes every morning at nine and on weekends too.");
  s.started_speaking();
  s.audio("\x7f\x7f");
  s.events.clear();

  s.server("UserStartedSpeaking");
  CHECK(s.events.lines() ==
        Lines{"CallerSpeechStarted dg_u3", "AgentAudioDone dg_r1/dg_a2",
              "AgentText dg_a2: We have classes every morning at nine and on weekends too.", "ReplyDone dg_r1"});
  CHECK_FALSE(s.adapter.busy());
  CHECK(s.wire.frames.empty());  // Deepgram keeps its own context: nothing to truncate
  s.events.clear();

  s.audio("\x7f\x7f");  // already in flight when the caller spoke
  s.server("AgentAudioDone");
  CHECK(s.events.all.empty());
  s.conversation("user", "What about Sunday?");
  s.audio("\x7f\x7f");
  CHECK(s.events.lines() == Lines{"CallerSpeechStopped", "CallerTurn dg_u3 after dg_a2",
                                  "CallerText dg_u3: What about Sunday?"});
  s.events.clear();

  SUBCASE("until the agent thinks again") { s.server("AgentThinking"); }
  SUBCASE("until the agent starts speaking again") { s.started_speaking(); }
  SUBCASE("until the agent's next text") { s.conversation("assistant", "On Sunday at ten."); }
  s.audio("\x7f\x7f");
  auto audio = s.events.of<AgentAudio>();
  REQUIRE(audio.size() == 1);
  CHECK(audio[0].reply_id == "dg_r4");
  CHECK(audio[0].item_id == "dg_a5");
}

TEST_CASE("barge-in before the reply's audio drops its text instead of lending it to the next reply") {
  Session s;
  s.live();
  s.conversation("assistant", "Let me think about the best class for you.");
  s.server("UserStartedSpeaking");  // Deepgram drops the reply before a sound of it is sent
  s.conversation("user", "Actually, just the prices please.");
  s.events.clear();
  s.agent_turn("A class is twenty dollars.");
  auto text = s.events.of<AgentText>();
  REQUIRE(text.size() == 1);
  CHECK(text[0].text == "A class is twenty dollars.");
}

TEST_CASE("keypad text is sent as InjectUserMessage, and its echo is not taken for the caller's speech") {
  Session s;
  s.adapter.caller_text("The caller pressed 1 on their keypad.");
  CHECK(s.wire.frames.empty());  // no session: nothing to tell
  s.live();
  s.adapter.caller_text("The caller pressed 1 on their keypad.");
  CHECK(s.wire.last() == json{{"type", "InjectUserMessage"}, {"content", "The caller pressed 1 on their keypad."}});
  CHECK(s.adapter.busy());  // the agent answers it
  s.conversation("user", "The caller pressed 1 on their keypad.");
  CHECK(s.events.all.empty());
  SUBCASE("while the caller's own turn goes on under its id") {
    s.server("UserStartedSpeaking");
    s.adapter.caller_text("The caller pressed 2 on their keypad.");
    s.conversation("user", "The caller pressed 2 on their keypad.");
    s.conversation("user", "Hello?");
    CHECK(s.events.lines() == Lines{"CallerSpeechStarted dg_u1", "CallerSpeechStopped", "CallerTurn dg_u1 after ",
                                    "CallerText dg_u1: Hello?"});
  }
  SUBCASE("but the caller saying the same words later is their speech") {
    s.conversation("user", "The caller pressed 1 on their keypad.");
    CHECK(s.events.of<CallerText>().size() == 1);
  }
}

// ---- tools --------------------------------------------------------------------------------------

TEST_CASE("client-side function calls become ToolCalls placed in the conversation; server-side ones are Deepgram's") {
  Session s;
  s.live();
  s.caller_turn("Send me the link and tell me the hours.");
  s.events.clear();
  s.function_calls(json::array(
      {{{"id", "fc_1"}, {"name", "send_booking_sms"}, {"arguments", R"({"service":"yoga"})"}, {"client_side", true}},
       {{"id", "fc_2"}, {"name", "lookup_hours"}, {"arguments", "{}"}, {"client_side", false}},
       {{"id", "fc_3"}, {"name", "end_call"}, {"arguments", "{}"}, {"client_side", true}}}));
  CHECK(s.events.lines() == Lines{"ItemPlaced dg_f2 after dg_u1", "ToolCall fc_1 send_booking_sms",
                                  "ItemPlaced dg_f3 after dg_f2", "ToolCall fc_3 end_call"});
  auto calls = s.events.of<ToolCall>();
  CHECK(calls[0].arguments == R"({"service":"yoga"})");
  CHECK(calls[0].item_id == "dg_f2");
  CHECK(calls[0].reply_id.empty());  // no reply is speaking
  CHECK(calls[1].item_id == "dg_f3");
  CHECK(s.wire.frames.empty());
}

TEST_CASE("a tool result answers its call once, by id and name; unknown ids are ignored") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "send_booking_sms"}, {"arguments", "{}"}, {"client_side", true}},
                                {{"id", "fc_2"}, {"name", "lookup_hours"}, {"arguments", "{}"}, {"client_side", false}}}));
  s.adapter.tool_result("fc_1", R"({"sent":true})", true);
  REQUIRE(s.wire.frames.size() == 1);
  CHECK(s.wire.last() ==
        json{{"type", "FunctionCallResponse"}, {"id", "fc_1"}, {"name", "send_booking_sms"}, {"content", R"({"sent":true})"}});
  s.adapter.tool_result("fc_1", R"({"sent":true})", true);  // answered already
  s.adapter.tool_result("fc_2", "{}", true);                 // Deepgram's own
  s.adapter.tool_result("fc_9", "{}", true);                 // never asked
  CHECK(s.wire.frames.size() == 1);
}

TEST_CASE("a cancelled function call is reported and gets no response") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "send_booking_sms"}, {"arguments", "{}"}, {"client_side", true}}}));
  s.events.clear();
  s.server("UserStartedSpeaking");
  s.text({{"type", "FunctionCallCancelled"}, {"functions", json::array({{{"id", "fc_1"}, {"name", "send_booking_sms"}}})}});
  CHECK(s.events.lines() == Lines{"CallerSpeechStarted dg_u2", "ToolCallCancelled fc_1"});
  s.adapter.tool_result("fc_1", "{}", true);
  CHECK(s.wire.frames.empty());
}

TEST_CASE("the agent owes a reply after the last tool result, unless the call is ending") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "a"}, {"arguments", "{}"}, {"client_side", true}},
                                {{"id", "fc_2"}, {"name", "b"}, {"arguments", "{}"}, {"client_side", true}}}));
  CHECK_FALSE(s.adapter.busy());  // tools run: the call tracks them, a filler may be said
  s.adapter.tool_result("fc_1", "{}", true);
  CHECK_FALSE(s.adapter.busy());  // Deepgram waits for every result
  SUBCASE("going on talking") {
    s.adapter.tool_result("fc_2", "{}", true);
    CHECK(s.adapter.busy());
    s.started_speaking();
    s.audio("\x7f");
    s.server("AgentAudioDone");
    CHECK_FALSE(s.adapter.busy());
  }
  SUBCASE("or with the call ending") {
    s.adapter.tool_result("fc_2", "{}", false);
    CHECK_FALSE(s.adapter.busy());
  }
  SUBCASE("or calling another tool instead") {
    s.adapter.tool_result("fc_2", "{}", true);
    s.function_calls(json::array({{{"id", "fc_3"}, {"name", "a"}, {"arguments", "{}"}, {"client_side", true}}}));
    CHECK_FALSE(s.adapter.busy());
  }
}

// ---- what the assistant should say ----------------------------------------------------------------

TEST_CASE("the greeting is injected as the agent's words once the session is live") {
  Session s;
  s.adapter.open({});
  s.wire.clear();
  s.adapter.greet({"Greet the caller warmly.", "Thanks for calling Lotus Yoga, how can I help?"});
  CHECK(s.wire.frames.empty());
  CHECK(s.adapter.busy());
  s.server("SettingsApplied");
  CHECK(s.events.lines() == Lines{"Ready"});
  CHECK(s.wire.types() == Lines{"InjectAgentMessage"});
  CHECK(s.wire.last() ==
        json{{"type", "InjectAgentMessage"}, {"message", "Thanks for calling Lotus Yoga, how can I help?"}});
  SUBCASE("on a live session at once") {
    Session live;
    live.live();
    live.adapter.greet({"", "Hello!"});
    CHECK(live.wire.last() == json{{"type", "InjectAgentMessage"}, {"message", "Hello!"}});
  }
}

TEST_CASE("say waits while the agent speaks and goes out as InjectAgentMessage once it is quiet") {
  Session s;
  s.live();
  s.started_speaking();
  s.audio("\x7f");
  s.say({"Ask whether they are still there.", "Are you still there?"});
  CHECK(s.wire.frames.empty());
  CHECK(s.adapter.busy());
  s.audio("\x7f");
  CHECK(s.wire.frames.empty());
  s.server("AgentAudioDone");
  CHECK(s.wire.last() == json{{"type", "InjectAgentMessage"}, {"message", "Are you still there?"}});
  CHECK(s.wire.frames.size() == 1);

  SUBCASE("and the agent owes its words until it starts speaking them") {
    CHECK(s.adapter.busy());
    s.conversation("assistant", "Are you still there?");
    s.started_speaking();
    s.audio("\x7f");
    CHECK(s.adapter.busy());
    s.server("AgentAudioDone");
    CHECK_FALSE(s.adapter.busy());
  }
  SUBCASE("or refuses them") {
    s.text({{"type", "InjectionRefused"}, {"message", "The user is currently speaking."}});
    CHECK(s.events.lines().back() == "Error InjectionRefused");
    CHECK_FALSE(s.events.of<Error>().back().fatal);
    CHECK_FALSE(s.adapter.busy());
  }
  SUBCASE("or the caller takes the floor") {
    s.server("UserStartedSpeaking");
    CHECK_FALSE(s.adapter.busy());
  }
  SUBCASE("or its turn fails") {
    s.problem("Warning", "SPEAK_REQUEST_FAILED");
    CHECK_FALSE(s.adapter.busy());
  }
}

TEST_CASE("words to say wait while the agent owes a reply, so Deepgram does not refuse them") {
  Session s;
  s.live();
  s.adapter.caller_text("The caller pressed 0 on their keypad.");
  s.wire.clear();
  s.say({"", "We are closing now. Goodbye!"});
  CHECK(s.wire.frames.empty());
  s.agent_turn("Connecting you to the front desk.");
  CHECK(s.wire.last() == json{{"type", "InjectAgentMessage"}, {"message", "We are closing now. Goodbye!"}});
}

TEST_CASE("say with instructions only says nothing: Deepgram speaks words") {
  Session s;
  s.live();
  s.say({"Say goodbye politely.", ""});
  s.say({"Say one moment.", ""}, true);
  CHECK(s.wire.frames.empty());
  CHECK_FALSE(s.adapter.busy());
}

TEST_CASE("a filler goes out only into silence and is never held for later") {
  Session s;
  s.live();
  s.started_speaking();
  s.audio("\x7f");
  s.say({"", "One moment please."}, true);
  CHECK(s.wire.frames.empty());
  s.server("AgentAudioDone");
  CHECK(s.wire.frames.empty());
  CHECK_FALSE(s.adapter.busy());
  s.say({"", "One moment please."}, true);
  CHECK(s.wire.last() == json{{"type", "InjectAgentMessage"}, {"message", "One moment please."}});
  CHECK(s.adapter.busy());
}

TEST_CASE("no filler while a function call waits for its result: Deepgram would refuse it") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "send_booking_sms"}, {"arguments", "{}"}, {"client_side", true}}}));
  s.wire.frames.clear();
  s.say({"", "One moment please."}, true);
  CHECK(s.wire.frames.empty());
  s.adapter.tool_result("fc_1", "{\"ok\":true}", true);
  CHECK(s.wire.last()["type"] == "FunctionCallResponse");
}

// ---- the connection's end -------------------------------------------------------------------------

TEST_CASE("closing forgets the reply, the tool calls and the mute; a reopen sends Settings with the history again") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "send_booking_sms"}, {"arguments", "{}"}, {"client_side", true}}}));
  s.conversation("assistant", "Sending it now.");
  s.started_speaking();
  s.audio("\x7f");
  s.server("UserStartedSpeaking");  // muted
  s.started_speaking();
  s.audio("\x7f");
  CHECK(s.adapter.busy());
  s.adapter.closed();
  CHECK_FALSE(s.adapter.busy());
  s.adapter.tool_result("fc_1", "{}", true);  // its session is gone
  s.adapter.caller_text("The caller pressed 1 on their keypad.");
  s.say({"", "Hello?"}, true);
  s.events.clear();
  s.wire.clear();
  CHECK(s.audio("\x7f"));
  CHECK(s.events.all.empty());
  CHECK(s.wire.frames.empty());

  std::vector<HistoryLine> history = {{HistoryLine::Role::assistant, "Sending it now."}};
  s.adapter.open(history);
  REQUIRE(s.wire.frames.size() == 1);
  CHECK(s.wire.last()["type"] == "Settings");
  CHECK(s.wire.last()["agent"]["context"]["messages"][0]["content"] == "Sending it now.");
  s.server("SettingsApplied");
  CHECK(s.events.lines() == Lines{"Ready"});
  s.events.clear();
  s.audio("\x7f");  // not muted: a new connection, a new reply with ids not used before
  CHECK(s.events.lines() == Lines{"ReplyStarted dg_r7", "ItemPlaced dg_a8 after dg_a6", "AgentAudio dg_r7/dg_a8"});
}

TEST_CASE("words waiting to be said survive a reconnect and go out once the new session is live") {
  Session s;
  s.live();
  s.started_speaking();
  s.say({"", "Sorry about that, where were we?"});
  s.adapter.closed();
  CHECK(s.adapter.busy());
  s.adapter.open({{HistoryLine::Role::caller, "Hello?"}});
  CHECK(s.wire.types() == Lines{"Settings"});
  s.server("SettingsApplied");
  CHECK(s.wire.types() == Lines{"Settings", "InjectAgentMessage"});
}

TEST_CASE("a KeepAlive goes out after five seconds with nothing sent, and none while audio flows") {
  Session s;
  const Adapter::TimePoint t0 = Adapter::TimePoint{} + 1h;
  REQUIRE(deepgram::AgentAdapter::k_keep_alive_after == 5s);
  s.live();  // Settings went out
  s.adapter.tick(t0);
  s.adapter.tick(t0 + 1s);
  s.adapter.tick(t0 + 4s);
  CHECK(s.wire.frames.empty());
  s.adapter.tick(t0 + 5s);
  CHECK(s.wire.types() == Lines{"KeepAlive"});
  s.adapter.tick(t0 + 6s);
  s.adapter.tick(t0 + 9s);
  CHECK(s.wire.types() == Lines{"KeepAlive"});
  s.adapter.tick(t0 + 10s);
  CHECK(s.wire.types() == Lines{"KeepAlive", "KeepAlive"});

  SUBCASE("audio every second keeps the connection busy") {
    s.wire.clear();
    for (int i = 11; i < 30; ++i) {
      s.adapter.caller_audio(b64(std::string(160, '\xff')));
      s.adapter.tick(t0 + std::chrono::seconds(i));
    }
    CHECK(s.wire.types() == Lines(19, "audio"));
  }
  SUBCASE("any message counts as traffic") {
    s.wire.clear();
    s.adapter.tick(t0 + 12s);
    s.adapter.caller_text("The caller pressed 1 on their keypad.");
    s.adapter.tick(t0 + 13s);
    s.adapter.tick(t0 + 17s);
    CHECK(s.wire.types() == Lines{"InjectUserMessage"});
    s.adapter.tick(t0 + 18s);
    CHECK(s.wire.types() == Lines{"InjectUserMessage", "KeepAlive"});
  }
  SUBCASE("no connection, no KeepAlive") {
    s.adapter.closed();
    s.wire.clear();
    s.adapter.tick(t0 + 30s);
    s.adapter.tick(t0 + 60s);
    CHECK(s.wire.frames.empty());
  }
}

TEST_CASE("cut sends nothing: Deepgram manages its own context at barge-in") {
  Session s;
  s.live();
  s.agent_turn("Hello.");
  s.adapter.cut("dg_a2", 120);
  CHECK(s.wire.frames.empty());
}

TEST_CASE("a new stage: UpdateThink (prompt and functions), UpdateSpeak for another voice, then the function's answer") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "move_to_assist"}, {"arguments", R"({"handoff":"Jane"})"},
                                 {"client_side", true}}}));
  SessionConfig next = config();
  next.instructions = "Now assist Jane.";
  next.voice = "aura-2-orion-en";
  next.tools = json::array({{{"type", "function"}, {"name", "move_to_wrap_up"}, {"description", "Wrap up."}}});
  s.wire.clear();
  CHECK(s.adapter.change_stage("fc_1", R"({"ok":true})", next) == StageChange::in_place);
  CHECK(s.wire.types() == std::vector<std::string>{"UpdateThink", "UpdateSpeak", "FunctionCallResponse"});
  const auto messages = s.wire.messages();
  CHECK(messages[0]["think"]["prompt"] == "Now assist Jane.");
  CHECK(messages[0]["think"]["functions"][0]["name"] == "move_to_wrap_up");
  CHECK(messages[1]["speak"]["provider"]["model"] == "aura-2-orion-en");
  CHECK(messages[2]["id"] == "fc_1");
  CHECK(s.adapter.busy());  // the agent speaks on by itself
  // A reconnect opens as the new stage.
  s.adapter.closed();
  s.wire.clear();
  s.adapter.open({});
  CHECK(s.wire.messages()[0]["agent"]["think"]["prompt"] == "Now assist Jane.");
  CHECK(s.wire.messages()[0]["agent"]["speak"]["provider"]["model"] == "aura-2-orion-en");
}

TEST_CASE("a new stage with the same voice sends no UpdateSpeak") {
  Session s;
  s.live();
  s.function_calls(json::array({{{"id", "fc_1"}, {"name", "move_to_assist"}, {"arguments", "{}"}, {"client_side", true}}}));
  s.wire.clear();
  SessionConfig next = config();
  next.instructions = "Now assist.";
  s.adapter.change_stage("fc_1", "{}", next);
  CHECK(s.wire.types() == std::vector<std::string>{"UpdateThink", "FunctionCallResponse"});
}
