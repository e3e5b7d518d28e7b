// The local engine's adapter on its own: the engine's messages (core/engine/local/local_engine.hpp)
// in, the neutral events and the messages it sends out, recorded. The engine behind it is tested
// in core_engine_local_local_engine_test.cpp.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/engine/local/local_adapter.hpp"
#include "core/twilio/base64.hpp"

using namespace sonoria;
using namespace sonoria::engine;
using nlohmann::json;

namespace local_adapter_test {

struct Wire final : FrameSink {
  std::vector<Frame> frames;
  void send_engine(Frame frame) override { frames.push_back(std::move(frame)); }
  json last() const { return json::parse(frames.back().data); }
};

struct Events final : EventSink {
  std::vector<Event> events;
  void on_engine_event(const Event& e) override { events.push_back(e); }
  template <class T>
  const T& at(std::size_t i) const { return std::get<T>(events.at(i)); }
};

SessionConfig session_with_tools() {
  SessionConfig s;
  s.tools = json::array({{{"type", "function"}, {"name", "end_call"}}, {{"type", "function"}, {"name", "notify_owner"}}});
  return s;
}

bool feed(local::LocalAdapter& adapter, Events& events, const json& message) {
  return adapter.receive(message.dump(), false, events);
}


TEST_CASE("open asks the engine to start; ready makes the caller's audio flow, as raw μ-law in binary") {
  Wire wire;
  Events events;
  local::LocalAdapter adapter(session_with_tools(), wire);
  adapter.open({{HistoryLine::Role::caller, "hi"}});
  CHECK(wire.last() == json{{"type", "start"}, {"history", {{{"role", "caller"}, {"text", "hi"}}}}});
  CHECK_FALSE(adapter.caller_audio(twilio::base64_encode(std::string(160, '\xff'))));  // not before ready
  REQUIRE(feed(adapter, events, {{"type", "ready"}}));
  CHECK(std::holds_alternative<Ready>(events.events.at(0)));
  CHECK(adapter.caller_audio(twilio::base64_encode(std::string(160, '\xff'))));
  CHECK(wire.frames.back().binary);
  CHECK(wire.frames.back().droppable);
  CHECK(wire.frames.back().data.size() == 160);
  CHECK(wire.frames.back().audio == std::chrono::milliseconds(20));
  CHECK_FALSE(adapter.caller_audio("not base64!"));
}

TEST_CASE("a caller's turn: speech started and stopped, then the turn with its words") {
  Wire wire;
  Events events;
  local::LocalAdapter adapter(session_with_tools(), wire);
  feed(adapter, events, {{"type", "speech_started"}, {"audio_start_ms", 1200}});
  feed(adapter, events, {{"type", "speech_stopped"}});
  feed(adapter, events, {{"type", "caller_text"}, {"turn_id", "lu3"}, {"text", "are you open now"}});
  CHECK(events.at<CallerSpeechStarted>(0).audio_start_ms == 1200);
  CHECK(std::holds_alternative<CallerSpeechStopped>(events.events.at(1)));
  CHECK(events.at<CallerTurn>(2).turn_id == "lu3");
  CHECK(events.at<CallerText>(3).text == "are you open now");
}

TEST_CASE("a reply: audio as it comes, the assistant's words once the audio is done, busy until it ends") {
  Wire wire;
  Events events;
  local::LocalAdapter adapter(session_with_tools(), wire);
  adapter.say({"", "Hello there."}, false);
  CHECK(wire.last() == json{{"type", "say"}, {"words", "Hello there."}});
  CHECK(adapter.busy());  // owed a reply before it starts
  feed(adapter, events, {{"type", "reply_started"}, {"reply_id", "lr1"}});
  feed(adapter, events, {{"type", "agent_text"}, {"item_id", "la2"}, {"text", "Hello there."}});
  feed(adapter, events, {{"type", "audio"}, {"reply_id", "lr1"}, {"item_id", "la2"}, {"audio", "//8="}});
  CHECK(adapter.busy());
  feed(adapter, events, {{"type", "audio_done"}, {"reply_id", "lr1"}, {"item_id", "la2"}});
  feed(adapter, events, {{"type", "reply_done"}, {"reply_id", "lr1"}});
  CHECK_FALSE(adapter.busy());
  REQUIRE(events.events.size() == 5);
  CHECK(events.at<AgentAudio>(1).audio_b64 == "//8=");
  CHECK(events.at<AgentAudioDone>(2).item_id == "la2");
  CHECK(events.at<AgentText>(3).text == "Hello there.");  // after the audio: cut to what was heard
  CHECK(events.at<ReplyDone>(4).reply_id == "lr1");
}

TEST_CASE("a tool call's result goes back once, and the engine owes the words after it") {
  Wire wire;
  Events events;
  local::LocalAdapter adapter(session_with_tools(), wire);
  feed(adapter, events,
       {{"type", "tool_call"}, {"reply_id", "lr1"}, {"call_id", "lc2"}, {"name", "end_call"}, {"arguments", "{}"}});
  CHECK(events.at<ToolCall>(0).name == "end_call");
  const auto sent = wire.frames.size();
  adapter.tool_result("lc9", "{}", true);  // not a call of this engine
  CHECK(wire.frames.size() == sent);
  adapter.tool_result("lc2", R"({"ok":true})", false);
  CHECK(wire.last() == json{{"type", "tool_result"}, {"call_id", "lc2"}, {"output", R"({"ok":true})"}, {"reply", false}});
  CHECK_FALSE(adapter.busy());  // told not to reply: nothing is owed
  adapter.tool_result("lc2", "{}", true);
  CHECK(wire.frames.size() == sent + 1);
}

TEST_CASE("a stage change gives the engine the new stage's tools, in place") {
  Wire wire;
  Events events;
  local::LocalAdapter adapter(session_with_tools(), wire);
  feed(adapter, events,
       {{"type", "tool_call"}, {"reply_id", "lr1"}, {"call_id", "lc2"}, {"name", "move_to_claims"}, {"arguments", "{}"}});
  SessionConfig next;
  next.tools = json::array({{{"type", "function"}, {"name", "transfer_call"}}});
  CHECK(adapter.change_stage("lc2", R"({"ok":true})", next) == StageChange::in_place);
  REQUIRE(wire.frames.size() == 2);
  CHECK(json::parse(wire.frames[0].data) == json{{"type", "tools"}, {"names", {"transfer_call"}}});
  CHECK(json::parse(wire.frames[1].data)["type"] == "tool_result");
}

TEST_CASE("what is not a message of the engine is reported malformed, and nothing happens") {
  Wire wire;
  Events events;
  local::LocalAdapter adapter(session_with_tools(), wire);
  CHECK_FALSE(adapter.receive("{", false, events));
  CHECK_FALSE(adapter.receive("[1]", false, events));
  CHECK_FALSE(adapter.receive(R"({"type":"nonsense"})", false, events));
  CHECK_FALSE(adapter.receive("\xff\xff", true, events));
  CHECK(feed(adapter, events, {{"type", "error"}, {"message", "speech synthesis failed"}, {"fatal", false}}));
  CHECK(events.at<Error>(0).message == "speech synthesis failed");
  CHECK(events.events.size() == 1);
}

TEST_CASE("tool_names: the names of a session's function schemas") {
  CHECK(local::tool_names(session_with_tools()) == std::vector<std::string>{"end_call", "notify_owner"});
  SessionConfig none;
  none.tools = nullptr;
  CHECK(local::tool_names(none).empty());
}

}  // namespace local_adapter_test
