#include <doctest/doctest.h>

#include "core/db/record_json.hpp"

using namespace sonoria;
using namespace sonoria::db;

namespace {

TimePoint at(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

}  // namespace

TEST_CASE("every writer record survives a line of JSON unchanged, optionals and nested values included") {
  CallFinished finished;
  finished.call_sid = "CA1";
  finished.status = "completed";
  finished.end_reason = "caller_hung_up";
  finished.ended_at = at(1765000000123);
  finished.duration_ms = 61000;
  finished.usage.output_audio_tokens = 42;
  finished.greeting_latency_ms = 380;
  finished.turn_latencies_ms = {420, 510};
  finished.engines = {{"openai", 30000}, {"deepgram", 31000}};
  finished.reopened = true;
  finished.stages = {"intake", "booking"};
  TranscriptEntry turn{"CA1", 3, 4200, "caller", "When do you open? \"Saturday\"\n", std::nullopt, false, "item_1", "intake"};
  MessageRecord text{7, "CA1", std::nullopt, "booking_link", "+15550001000", "+15551112222", "Book: https://x.example/é", "queued",
                     std::nullopt, std::nullopt, at(5), "7f3a"};
  const std::vector<Record> records = {
      CallOpened{"CA1", 1, "inbound", "+15551112222", "+15550001000", "ringing", at(1), std::nullopt, std::nullopt},
      CallAnswered{"CA1", "MZ1", at(2)},
      CallStatusReport{"CA1", "completed", 4, 61, "human", at(3)},
      finished,
      turn,
      CallEvent{"CA1", at(4), 4100, "tool_call", "send_sms", R"({"to":"+15551112222"})"},
      WebhookAttempt{9, "pending", 2, 502, "bad gateway", "{}", at(6), at(7)},
      CallSummarized{"CA1", R"({"summary":"asked about Saturday"})"},
      text,
      CallRecorded{"CA1", "lotus-yoga/2026-12-06/CA1.wav", 61000},
  };
  for (const auto& record : records) {
    CAPTURE(record.index());
    const auto line = record_to_json(record);
    CHECK(line.find('\n') == std::string::npos);  // one record, one line
    const auto back = record_from_json(line);
    REQUIRE(back);
    CHECK(record_to_json(*back) == line);
  }
  const auto back = record_from_json(record_to_json(finished));
  const auto& f = std::get<CallFinished>(*back);
  CHECK(f.ended_at == finished.ended_at);
  CHECK(f.engines == finished.engines);
  CHECK(f.greeting_latency_ms == 380);
  CHECK(std::get<TranscriptEntry>(*record_from_json(record_to_json(turn))).generated_text == std::nullopt);
}

TEST_CASE("a line that is not exactly a record is refused: torn, foreign, or missing a field") {
  const auto line = record_to_json(CallAnswered{"CA1", "MZ1", at(2)});
  CHECK_FALSE(record_from_json(line.substr(0, line.size() / 2)));
  CHECK_FALSE(record_from_json(""));
  CHECK_FALSE(record_from_json(R"({"type":"CallEaten","record":{}})"));
  CHECK_FALSE(record_from_json(R"({"type":"CallAnswered","record":{"call_sid":"CA1"}})"));
  CHECK_FALSE(record_from_json(R"([1,2,3])"));
}
