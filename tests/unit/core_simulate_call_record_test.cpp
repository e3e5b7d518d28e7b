#include "core/simulate/call_record.hpp"

#include <doctest/doctest.h>

#include <sstream>

using namespace sonoria::simulate;

namespace {

// The shape of GET /api/calls/{sid} (reports::call_detail_json with events), trimmed to what matters.
const char* k_detail = R"({
  "call_sid": "CA1", "status": "completed", "end_reason": "assistant_hung_up",
  "ended_at": "2026-11-24T10:00:30.000Z", "tool_call_count": 2,
  "turns": [
    {"sequence": 0, "speaker": "assistant", "offset_ms": 100, "text": "Hello!", "interrupted": false},
    {"sequence": 1, "speaker": "caller", "offset_ms": 2000, "text": "Text me the booking link", "interrupted": false},
    {"sequence": 2, "speaker": "assistant", "offset_ms": 3000, "text": "Done, it is on", "interrupted": true}
  ],
  "events": [
    {"kind": "tool_call", "name": "send_booking_link",
     "detail": {"call_id": "c1", "name": "send_booking_link", "arguments": "{\"service\":\"Yoga\"}"}},
    {"kind": "tool_call", "name": "end_call", "detail": {"call_id": "c2", "name": "end_call", "arguments": "not json"}},
    {"kind": "sms", "detail": {"ok": true}},
    {"kind": "tool_result", "name": "send_booking_link",
     "detail": {"call_id": "c1", "name": "send_booking_link", "ok": true, "output": "{\"ok\":true}"}}
  ]})";

}  // namespace

TEST_CASE("the API's call detail becomes tool calls paired with their results, the transcript and the status") {
  auto record = parse_call_record(k_detail);
  REQUIRE(record);
  CHECK(record->status == "completed");
  CHECK(record->end_reason == "assistant_hung_up");
  CHECK(record->ended);
  REQUIRE(record->turns.size() == 3);
  CHECK(record->turns[1].speaker == "caller");
  CHECK(record->turns[2].interrupted);
  REQUIRE(record->tools.size() == 2);
  CHECK(record->tools[0].name == "send_booking_link");
  CHECK(record->tools[0].arguments["service"] == "Yoga");
  CHECK(record->tools[0].ok == true);
  CHECK(record->tools[0].output == R"({"ok":true})");
  CHECK(record->tools[1].arguments == "not json");  // kept as the model sent it
  CHECK_FALSE(record->tools[1].ok);                 // no result recorded

  std::ostringstream text;
  EventLog log(text, LogFormat::text);
  log_call_record(log, *record);
  CHECK(text.str().find(R"(tool send_booking_link {"service":"Yoga"} → ok: {"ok":true})") != std::string::npos);
  CHECK(text.str().find("tool end_call not json → no result recorded") != std::string::npos);
  CHECK(text.str().find("caller: Text me the booking link") != std::string::npos);
  CHECK(text.str().find("assistant: Done, it is on [interrupted]") != std::string::npos);
  CHECK(text.str().find("recorded the call as completed (assistant_hung_up)") != std::string::npos);
}

TEST_CASE("a call still open, and answers that are not a call, are told apart") {
  auto open = parse_call_record(R"({"status":"in-progress","ended_at":null})");
  REQUIRE(open);
  CHECK_FALSE(open->ended);
  CHECK(open->turns.empty());
  std::string why;
  CHECK_FALSE(parse_call_record("<html>", &why));
  CHECK(why == "not a JSON object");
  CHECK_FALSE(parse_call_record(R"({"error":{"code":"not_found"}})", &why));
  CHECK(why == "no \"status\"");
}

TEST_CASE("the engines that answered and every failover are shown") {
  auto record = parse_call_record(R"({
    "status": "completed", "end_reason": "caller_hung_up", "ended_at": "2026-11-24T10:00:30.000Z",
    "engines": [{"engine": "openai", "ms": 0}, {"engine": "deepgram", "ms": 28000}],
    "events": [
      {"kind": "engine_failover", "detail": {"from": "openai", "to": "deepgram", "reason": "connect_failed",
                                             "detail": "HTTP 503"}},
      {"kind": "engine_lost", "detail": {"reason": "connection lost: End of file", "engine": "deepgram", "attempt": 1}}
    ]})");
  REQUIRE(record);
  REQUIRE(record->engines.size() == 2);
  CHECK(record->engines[1] == std::pair<std::string, int64_t>{"deepgram", 28000});
  REQUIRE(record->engine_changes.size() == 2);
  CHECK(record->engine_changes[0].from == "openai");
  CHECK(record->engine_changes[0].to == "deepgram");

  std::ostringstream text;
  EventLog log(text, LogFormat::text);
  log_call_record(log, *record);
  CHECK(text.str().find("engine openai → deepgram (connect_failed)") != std::string::npos);
  CHECK(text.str().find("engine connection lost: connection lost: End of file") != std::string::npos);
  CHECK(text.str().find("answered by openai, then deepgram") != std::string::npos);
}
