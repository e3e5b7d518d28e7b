// The call page shows the call as the caller heard it: cut turns marked, each tool beside its
// result, the summary and the texts sent; the list links each call and pages on.
#include <doctest/doctest.h>

#include "core/dashboard/call_page.hpp"
#include "core/dashboard/calls_page.hpp"

using namespace sonoria;
using namespace sonoria::dashboard;

namespace {

db::CallRow a_call() {
  db::CallRow c;
  c.call_sid = "CA123";
  c.from_number = "+15551230000";
  c.to_number = "+15550001000";
  c.direction = "inbound";
  c.status = "completed";
  c.started_at = "2026-12-05T14:03:07.120Z";
  c.duration_ms = 83'400;
  c.turns = 4;
  c.interruptions = 1;
  c.engines = {{"openai", 80'000}};
  c.stages = {"intake", "booking"};
  c.turn_latencies_ms = "[420, 610]";
  c.summary_json = R"({"summary":"Asked about <prices>.","caller_name":"Dana","reason":"prices","outcome":"answered","follow_up_needed":false})";
  return c;
}

db::TranscriptEntry turn(int64_t seq, const char* speaker, const char* text, bool cut = false, const char* generated = nullptr) {
  db::TranscriptEntry t;
  t.sequence = seq;
  t.offset_ms = seq * 5000;
  t.speaker = speaker;
  t.text = text;
  t.interrupted = cut;
  if (generated) t.generated_text = generated;
  return t;
}

db::CallEvent event(const char* kind, const char* detail) {
  db::CallEvent e;
  e.kind = kind;
  e.offset_ms = 12'000;
  e.detail_json = detail;
  return e;
}

}  // namespace

TEST_CASE("a call page: facts in the organization's time, the transcript as heard, tools with results") {
  auth::Viewer owner{2, "ana", auth::Role::owner, 7};
  Frame frame;
  frame.viewer = &owner;
  CallPageData data;
  data.detail.call = a_call();
  data.organization_name = "Lotus Yoga";
  data.timezone = "America/New_York";
  data.detail.transcript = {turn(0, "assistant", "Hello, Lotus Yoga."), turn(1, "caller", "<b>How much</b> is a class?"),
                            turn(2, "assistant", "A drop-in class is", true, "A drop-in class is twenty dollars."),
                            turn(3, "caller", "Thanks, bye")};
  data.detail.events = {event("tool_call", R"({"call_id":"c1","name":"send_sms","arguments":"{\"to\":\"+15551230000\"}","stage":"booking"})"),
                        event("tool_result", R"({"call_id":"c1","name":"send_sms","ok":true,"output":"{\"sent\":true}"})"),
                        event("tool_call", R"({"call_id":"c2","name":"transfer_call","arguments":"{}"})")};
  db::MessageRecord sms;
  sms.to_number = "+15551230000";
  sms.purpose = "booking_link";
  sms.status = "sent";
  sms.body = "Book at https://lotus.example";
  data.messages = {sms};
  data.cost_micro_usd = 123'456;
  const std::string page = render_call(frame, data);

  CHECK(page.find("Sat 05 Dec 2026 09:03") != std::string::npos);  // 14:03 UTC in New York
  CHECK(page.find("1m 23s") != std::string::npos);
  CHECK(page.find("intake → booking") != std::string::npos);
  CHECK(page.find("$0.1235") != std::string::npos);
  CHECK(page.find("&lt;b&gt;How much&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("<b>How much") == std::string::npos);
  CHECK(page.find("turn turn-assistant cut") != std::string::npos);
  CHECK(page.find("Cut off by the caller") != std::string::npos);
  CHECK(page.find(" twenty dollars.") != std::string::npos);
  // The greeting answers nobody; the cut answer to the caller's question waited 420 ms.
  CHECK(page.find("answered after 420 ms") != std::string::npos);
  CHECK(page.find("answered after 420 ms") > page.find("How much"));
  CHECK(page.find("answered after 610 ms") == std::string::npos);  // no assistant turn after "Thanks, bye"
  CHECK(page.find("Asked about &lt;prices&gt;.") != std::string::npos);
  CHECK(page.find("<dt>Caller</dt><dd>Dana</dd>") != std::string::npos);
  CHECK(page.find("send_sms <span class=\"tag\">booking</span>") != std::string::npos);
  CHECK(page.find("<span class=\"ok\">ok</span> <code>{&quot;sent&quot;:true}</code>") != std::string::npos);
  CHECK(page.find("transfer_call") != std::string::npos);
  CHECK(page.find("no result") != std::string::npos);
  CHECK(page.find("Book at https://lotus.example") != std::string::npos);
}

TEST_CASE("the calls table links each call and pages on with the same filters") {
  CallsPage page;
  page.filter.said = "class price";
  CallListRow row;
  row.call = a_call();
  row.organization = "Lotus Yoga";
  row.timezone = "UTC";
  page.rows = {row};
  page.next_cursor = "2026-12-05T14:03:07.120Z|42";
  const std::string table = render_calls_table(page);
  CHECK(table.find("href=\"/app/calls/CA123\"") != std::string::npos);
  CHECK(table.find("Sat 05 Dec 2026 14:03") != std::string::npos);
  CHECK(table.find("status-completed") != std::string::npos);
  CHECK(table.find("cursor=2026-12-05T14%3A03%3A07.120Z%7C42") != std::string::npos);
  CHECK(table.find("said=class%20price") != std::string::npos);
  page.rows.clear();
  CHECK(render_calls_table(page).find("No calls match.") != std::string::npos);
}

TEST_CASE("durations read as minutes and seconds") {
  CHECK(duration_text(std::nullopt) == "–");
  CHECK(duration_text(9'400) == "9s");
  CHECK(duration_text(125'000) == "2m 5s");
}
