// Ultravox data messages on a joined call (protocols.md §7.4): server messages read into typed
// values, client messages written as Ultravox expects them.
#include "core/engine/ultravox/stream_protocol.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace sonoria::engine::ultravox;
using nlohmann::json;

namespace {

template <class T>
T as(std::string_view text) {
  auto message = parse_server_message(text);
  REQUIRE(message);
  REQUIRE(std::holds_alternative<T>(*message));
  return std::get<T>(*message);
}

}  // namespace

TEST_CASE("call_started, state, playback_clear_buffer, pong and debug are read") {
  CHECK(as<CallStarted>(R"({"type":"call_started","callId":"5fd6a7c3"})").call_id == "5fd6a7c3");
  CHECK(as<AgentState>(R"({"type":"state","state":"listening"})").state == "listening");
  CHECK(as<AgentState>(R"({"type":"state","state":"pondering"})").state == "pondering");  // new values pass
  as<PlaybackClearBuffer>(R"({"type":"playback_clear_buffer"})");
  CHECK(as<Pong>(R"({"type":"pong","timestamp":12.5})").timestamp == 12.5);
  CHECK(as<Debug>(R"({"type":"debug","message":"injected"})").message == "injected");
}

TEST_CASE("transcripts carry either the whole text so far or a delta") {
  const auto delta = as<Transcript>(
      R"({"type":"transcript","role":"agent","medium":"voice","delta":"Sure, I can","final":false,"ordinal":4})");
  CHECK(delta.role == "agent");
  CHECK(delta.medium == "voice");
  CHECK_FALSE(delta.text);
  CHECK(delta.delta == "Sure, I can");
  CHECK_FALSE(delta.final);
  CHECK(delta.ordinal == 4);

  const auto full = as<Transcript>(
      R"({"type":"transcript","role":"user","medium":"text","text":"I'd like a class.","final":true,"ordinal":1})");
  REQUIRE(full.text);
  CHECK(*full.text == "I'd like a class.");
  CHECK(full.delta.empty());
  CHECK(full.final);

  SUBCASE("absent or mistyped optional fields read as absent") {
    const auto bare = as<Transcript>(R"({"type":"transcript","role":"agent","text":7,"final":"yes","ordinal":2.5})");
    CHECK_FALSE(bare.text);
    CHECK(bare.medium.empty());
    CHECK_FALSE(bare.final);
    CHECK(bare.ordinal == -1);
  }
}

TEST_CASE("a client tool invocation carries its parameters as JSON text") {
  const auto call = as<ToolInvocation>(
      R"({"type":"client_tool_invocation","toolName":"send_booking_sms","invocationId":"inv_7","parameters":{"service":"yoga"}})");
  CHECK(call.tool_name == "send_booking_sms");
  CHECK(call.invocation_id == "inv_7");
  CHECK(json::parse(call.parameters) == json{{"service", "yoga"}});
  CHECK(as<ToolInvocation>(R"({"type":"client_tool_invocation","toolName":"a","invocationId":"b"})").parameters == "{}");
}

TEST_CASE("unknown types are kept as Other") {
  CHECK(as<Other>(R"({"type":"thread_spawned","threadId":"t1"})").type == "thread_spawned");
  CHECK(as<Other>(R"({"type":""})").type.empty());
}

TEST_CASE("malformed messages are refused without throwing") {
  const char* bad[] = {
      "",
      "not json",
      "[1,2]",
      "\"transcript\"",
      "{}",
      R"({"type":42})",
      R"({"type":null})",
      R"({"type":"transcript","text":"no role"})",
      R"({"type":"transcript","role":7})",
      R"({"type":"state"})",
      R"({"type":"state","state":1})",
      R"({"type":"client_tool_invocation","toolName":"x"})",
      R"({"type":"client_tool_invocation","invocationId":"x"})",
      R"({"type":"client_tool_invocation","toolName":"","invocationId":"x"})",
      R"({"type":"transcript","role":"agent")",
      "\xff\xfe{",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_NOTHROW(CHECK_FALSE(parse_server_message(text)));
  }
}

TEST_CASE("client messages are written as Ultravox reads them") {
  CHECK(json::parse(client_tool_result("inv_7", R"({"sent":true})")) ==
        json{{"type", "client_tool_result"}, {"invocationId", "inv_7"}, {"result", R"({"sent":true})"}});
  CHECK(json::parse(client_tool_result("inv_8", "ok", AgentReaction::listens))["agentReaction"] == "listens");
  CHECK(json::parse(client_tool_result("inv_9", "ok", AgentReaction::speaks_once))["agentReaction"] == "speaks-once");
  CHECK(json::parse(user_text_message("The caller pressed 1.")) ==
        json{{"type", "user_text_message"}, {"text", "The caller pressed 1."}, {"urgency", "soon"}});
  CHECK(json::parse(user_text_message("note", Urgency::later))["urgency"] == "later");
  CHECK(json::parse(forced_agent_message("Hello!")) ==
        json{{"type", "forced_agent_message"}, {"content", "Hello!"}, {"urgency", "soon"}});
  CHECK(json::parse(forced_agent_message("One moment.", Urgency::immediate))["urgency"] == "immediate");
  CHECK(json::parse(forced_agent_message("x", Urgency::later))["urgency"] == "soon");
  CHECK(json::parse(ping(1.25)) == json{{"type", "ping"}, {"timestamp", 1.25}});
}

TEST_CASE("text that is not UTF-8 still makes valid JSON") {
  const std::string result = client_tool_result("inv", "caf\xe9");
  CHECK(json::accept(result));
}
