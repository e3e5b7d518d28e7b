#include <doctest/doctest.h>

#include "core/call/call_record.hpp"

using namespace sonoria;
using namespace sonoria::call;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

const db::TimePoint k_at = db::TimePoint{} + 1'800'000'000'000ms;

TranscriptTurn turn(int seq, Speaker speaker, std::string heard, std::string generated = {}, int64_t offset_ms = 0,
                    bool interrupted = false) {
  TranscriptTurn t;
  t.seq = seq;
  t.item_id = "item_" + std::to_string(seq);
  t.speaker = speaker;
  t.offset_ms = offset_ms;
  t.text_heard = heard;
  t.text_generated = generated.empty() ? heard : generated;
  t.interrupted = interrupted;
  return t;
}

CallSummary summary() {
  CallSummary s;
  s.caller_turns = 2;
  s.assistant_turns = 3;
  s.interruptions = 1;
  s.tool_calls = 2;
  s.frames_in = 500;
  s.frames_out = 300;
  s.usage = engine::Usage{100, 50, 10, 40, 5, 150};
  s.greeting_sent_ms = 400;
  s.greeting_heard_ms = 700;
  s.turn_latencies_ms = {900, 1100};
  return s;
}

// What a first stage that transferred left: its stored row.
db::CallFinished earlier_row() {
  CallRecord first("CA1");
  return first.finished(summary(), {"transferred", "transferred"}, k_at, 60'000);
}

}  // namespace

TEST_CASE("a transcript turn becomes an entry numbered and timed as the bridge gave it") {
  CallRecord record("CA1");
  auto e = record.turn(turn(1, Speaker::assistant, "Hello, Lotus Yoga.", "", 420));
  CHECK(e.call_sid == "CA1");
  CHECK(e.sequence == 1);
  CHECK(e.offset_ms == 420);
  CHECK(e.speaker == "assistant");
  CHECK(e.text == "Hello, Lotus Yoga.");
  CHECK_FALSE(e.generated_text.has_value());  // all of it was heard
  CHECK_FALSE(e.interrupted);
  CHECK(e.item_id == "item_1");
  CHECK(record.next_sequence() == 2);

  SUBCASE("a cut turn keeps what was generated besides what was heard") {
    auto cut = record.turn(turn(2, Speaker::assistant, "We open at", "We open at nine tomorrow", 3000, true));
    CHECK(cut.text == "We open at");
    CHECK(cut.generated_text == "We open at nine tomorrow");
    CHECK(cut.interrupted);
  }
  SUBCASE("speakers by name") {
    CHECK(record.turn(turn(2, Speaker::caller, "hi")).speaker == "caller");
    CHECK(record.turn(turn(3, Speaker::system, "Texted the link")).speaker == "system");
    CHECK(record.next_sequence() == 4);
  }
}

TEST_CASE("an event becomes a row with its kind, the tool's name and the detail as JSON") {
  CallRecord record("CA1");
  CallEvent tool{CallEventKind::tool_call, 1234, {{"call_id", "c1"}, {"name", "end_call"}, {"arguments", "{}"}}};
  auto e = record.event(tool, k_at);
  CHECK(e.call_sid == "CA1");
  CHECK(e.at == k_at);
  CHECK(e.offset_ms == 1234);
  CHECK(e.kind == "tool_call");
  CHECK(e.name == "end_call");
  REQUIRE(e.detail_json);
  CHECK(json::parse(*e.detail_json) == tool.detail);

  SUBCASE("the kind can be named otherwise, and details without a name have none") {
    CallEvent failover{CallEventKind::engine_failover, 10, {{"from", "openai"}, {"to", "deepgram"}}};
    auto f = record.event(failover, k_at, "failover");
    CHECK(f.kind == "failover");
    CHECK_FALSE(f.name.has_value());
    CallEvent odd{CallEventKind::error, 10, {{"name", 42}}};
    CHECK_FALSE(record.event(odd, k_at).name.has_value());
  }
  SUBCASE("text that is not UTF-8 does not break the row") {
    CallEvent bad{CallEventKind::error, 0, {{"message", std::string("caf\xe9")}}};
    REQUIRE(record.event(bad, k_at).detail_json);
    CHECK(record.event(bad, k_at).detail_json->find("caf") != std::string::npos);
  }
}

TEST_CASE("the finished row carries the outcome and the summary's counters") {
  CallRecord record("CA1");
  auto f = record.finished(summary(), {"completed", "caller_hung_up"}, k_at, 95'000);
  CHECK(f.call_sid == "CA1");
  CHECK(f.status == "completed");
  CHECK(f.end_reason == "caller_hung_up");
  CHECK(f.ended_at == k_at);
  CHECK(f.duration_ms == 95'000);
  CHECK(f.turns == 5);
  CHECK(f.interruptions == 1);
  CHECK(f.tool_calls == 2);
  CHECK(f.frames_in == 500);
  CHECK(f.frames_out == 300);
  CHECK(f.usage.input_tokens == 100);
  CHECK(f.usage.output_tokens == 50);
  CHECK(f.usage.input_audio_tokens == 10);
  CHECK(f.usage.output_audio_tokens == 40);
  CHECK(f.usage.cached_tokens == 5);
  CHECK(f.greeting_latency_ms == 700);  // heard, when the marks said so
  CHECK(f.turn_latencies_ms == std::vector<int64_t>{900, 1100});
  CHECK_FALSE(f.reopened);

  SUBCASE("the greeting's latency is when it was sent when no echo came back") {
    auto s = summary();
    s.greeting_heard_ms.reset();
    CHECK(record.finished(s, {"completed", "caller_hung_up"}, k_at, 1).greeting_latency_ms == 400);
    s.greeting_sent_ms.reset();
    CHECK_FALSE(record.finished(s, {"completed", "caller_hung_up"}, k_at, 1).greeting_latency_ms.has_value());
  }
}

TEST_CASE("said() gives the conversation in order, earlier stages first") {
  CallRecord record("CA1");
  record.turn(turn(2, Speaker::caller, "Can I speak to Maya?"));
  record.turn(turn(1, Speaker::assistant, "Lotus Yoga, this is Ava."));  // a late turn
  record.turn(turn(3, Speaker::assistant, "Let me connect you."));
  CHECK(record.said() == CallRecord::Said{{"assistant", "Lotus Yoga, this is Ava."},
                                         {"caller", "Can I speak to Maya?"},
                                         {"assistant", "Let me connect you."}});
  CHECK(record.next_sequence() == 4);
  CHECK_FALSE(record.is_later_stage());
}

TEST_CASE("a caller back from an unanswered transfer continues the same record") {
  const int64_t base_ms = 75'000;  // the comeback stage started 75 s into the call
  CallRecord::Said earlier_said{{"caller", "Can I speak to Maya?"}, {"assistant", "Let me connect you."}};
  CallRecord record("CA1", earlier_row(), 7, earlier_said, base_ms);
  CHECK(record.is_later_stage());
  CHECK(record.next_sequence() == 7);

  SUBCASE("turns number on after the earlier stage, timed from the call's start") {
    auto e = record.turn(turn(1, Speaker::assistant, "Sorry, nobody could take your call.", "", 300));
    CHECK(e.sequence == 7);
    CHECK(e.offset_ms == base_ms + 300);
    CHECK(record.turn(turn(2, Speaker::caller, "Tell her I called.", "", 4000)).sequence == 8);
    CHECK(record.next_sequence() == 9);
    CHECK(record.said() == CallRecord::Said{{"caller", "Can I speak to Maya?"},
                                           {"assistant", "Let me connect you."},
                                           {"assistant", "Sorry, nobody could take your call."},
                                           {"caller", "Tell her I called."}});
  }
  SUBCASE("events are timed from the call's start") {
    CHECK(record.event({CallEventKind::dtmf, 500, {{"digit", "1"}}}, k_at).offset_ms == base_ms + 500);
  }
  SUBCASE("the finished row adds this stage to the earlier one") {
    auto s = summary();
    s.greeting_heard_ms = 250;  // the comeback's apology
    s.turn_latencies_ms = {800};
    auto f = record.finished(s, {"completed", "assistant_hung_up"}, k_at + 2min, 30'000);
    CHECK(f.status == "completed");
    CHECK(f.end_reason == "assistant_hung_up");
    CHECK(f.ended_at == k_at + 2min);
    CHECK(f.duration_ms == base_ms + 30'000);  // from the first stage's start
    CHECK(f.turns == 10);
    CHECK(f.interruptions == 2);
    CHECK(f.tool_calls == 4);
    CHECK(f.frames_in == 1000);
    CHECK(f.frames_out == 600);
    CHECK(f.usage.input_tokens == 200);
    CHECK(f.usage.output_tokens == 100);
    CHECK(f.usage.input_audio_tokens == 20);
    CHECK(f.usage.output_audio_tokens == 80);
    CHECK(f.usage.cached_tokens == 10);
    CHECK(f.greeting_latency_ms == 700);  // the call's greeting is the first stage's
    CHECK(f.turn_latencies_ms == std::vector<int64_t>{900, 1100, 800});
    CHECK(f.reopened);
  }
}
