#include "core/reports/call_summary.hpp"

#include <doctest/doctest.h>

using namespace sonoria;
using nlohmann::json;

TEST_CASE("the summary request carries the model, the instructions and the transcript as heard") {
  std::vector<db::TranscriptEntry> t(2);
  t[0].speaker = "caller";
  t[0].text = "I'd like to cancel Tuesday.";
  t[1].speaker = "assistant";
  t[1].text = "Of course, I have texted you";
  t[1].interrupted = true;
  const json body = json::parse(reports::summary_request_body("gpt-4o-mini", "Lotus Yoga", t));
  CHECK(body["model"] == "gpt-4o-mini");
  CHECK(body["response_format"]["type"] == "json_object");
  CHECK(body["messages"][0]["role"] == "system");
  CHECK(body["messages"][1]["content"] ==
        "Business: Lotus Yoga\nCaller: I'd like to cancel Tuesday.\nAssistant: Of course, I have texted you [cut off]\n");
}

TEST_CASE("the model's JSON becomes the stored summary; anything else an error saying why") {
  const std::string content = R"({"summary":"Jane cancelled Tuesday.","caller_name":"Jane","reason":"cancel","outcome":"resolved","follow_up_needed":false})";
  const json answer = {{"choices", json::array({{{"message", {{"role", "assistant"}, {"content", content}}}}})}};
  const json s = reports::read_summary_answer(200, answer.dump(), "");
  CHECK(s["summary"] == "Jane cancelled Tuesday.");
  CHECK(s["caller_name"] == "Jane");
  CHECK(s["follow_up_needed"] == false);
  CHECK(reports::read_summary_answer(200, R"({"choices":[{"message":{"content":"{\"summary\":\"x\"}"}}]})", "")["reason"]
            .is_null());
  CHECK(reports::read_summary_answer(0, "", "timed out")["error"] == "the summary model did not answer: timed out");
  CHECK(reports::read_summary_answer(429, "", "")["error"] == "the summary model answered HTTP 429");
  CHECK(reports::read_summary_answer(200, R"({"choices":[]})", "").contains("error"));
  CHECK(reports::read_summary_answer(200, R"({"choices":[{"message":{"content":"Sure! Here it is"}}]})", "")
            .contains("error"));
}
