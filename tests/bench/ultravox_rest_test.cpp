#include "tests/bench/ultravox_rest.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

using namespace sonoria::bench;
using nlohmann::json;

namespace {

std::string body(int in = 8000, int out = 8000) {
  return json{{"systemPrompt", "You are a bench."},
              {"medium", {{"serverWebSocket", {{"inputSampleRate", in}, {"outputSampleRate", out}}}}}}
      .dump();
}

}  // namespace

TEST_CASE("creating an Ultravox call answers 201 with a joinUrl on this engine") {
  auto answer = create_call(true, body(), "127.0.0.1:4321", "uvbench-7");
  CHECK(answer.status == 201);
  const json call = json::parse(answer.body);
  CHECK(call["callId"] == "uvbench-7");
  CHECK(call["joinUrl"] == "ws://127.0.0.1:4321/calls/uvbench-7/join");
  CHECK(join_call_id("/calls/uvbench-7/join?apiVersion=1") == std::optional<std::string_view>("uvbench-7"));
}

TEST_CASE("a call without a key, or not at 8 kHz over a server WebSocket, is refused") {
  CHECK(create_call(false, body(), "h:1", "a").status == 401);
  CHECK(create_call(true, "not json", "h:1", "a").status == 400);
  CHECK(create_call(true, body(16000, 8000), "h:1", "a").status == 400);
  CHECK(create_call(true, body(8000, 24000), "h:1", "a").status == 400);
  CHECK(create_call(true, json{{"medium", {{"webRtc", json::object()}}}}.dump(), "h:1", "a").status == 400);
  const json problem = json::parse(create_call(true, body(16000), "h:1", "a").body);
  CHECK(problem.contains("medium"));
}

TEST_CASE("only /calls/<id>/join is a join") {
  CHECK_FALSE(join_call_id("/calls//join"));
  CHECK_FALSE(join_call_id("/calls/a/b/join"));
  CHECK_FALSE(join_call_id("/v1/realtime"));
  CHECK_FALSE(join_call_id("/calls/abc"));
}
