#include "core/engine/openai/audio_delta_scanner.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/engine/openai/realtime_protocol.hpp"

using namespace sonoria::engine;
using namespace sonoria::engine::openai;

TEST_CASE("real-shaped GA and beta audio deltas take the fast path with every field") {
  const std::string ga =
      R"({"type":"response.output_audio.delta","event_id":"event_C9x","response_id":"resp_1","item_id":"item_2",)"
      R"("output_index":0,"content_index":0,"delta":"//7+/w=="})";
  auto view = scan_audio_delta(ga);
  REQUIRE(view);
  CHECK(view->response_id == "resp_1");
  CHECK(view->item_id == "item_2");
  CHECK(view->delta_b64 == "//7+/w==");
  const std::string beta = R"( { "type" : "response.audio.delta", "delta" : "AAAA", "item_id":"i" } )";
  REQUIRE(scan_audio_delta(beta));
  CHECK(scan_audio_delta(beta)->response_id.empty());
}

TEST_CASE("anything the scanner is unsure of goes to the full parser, which reads it the same way") {
  const std::vector<std::string> texts = {
      R"({"type":"response.output_audio_transcript.delta","delta":"hi"})",        // another event
      R"({"type":"response.output_audio.delta"})",                                // no delta: malformed
      R"({"type":"response.output_audio.delta","delta":"A\/AA"})",                // an escape
      R"({"type":"response.output_audio.delta","delta":"AAAA","delta":"BBBB"})",  // repeated key
      R"({"type":"response.output_audio.delta","delta":null})",                   // wrong type
      R"({"type":"response.output_audio.delta","delta":"AAAA","x":1e5})",         // exponent
      R"({"type":"response.output_audio.delta","delta":"AAAA"} trailing)",        // not one object
      R"({"type":"response.output_audio.delta","delta":"AAAA","meta":{"a":[1,2,{"b":null}]}})",  // nested: fine
      R"({"delta":"AAAA","type":"response.output_audio.delta","response_id":7})",  // mistyped id
  };
  for (const auto& text : texts) {
    CAPTURE(text);
    auto fast = scan_audio_delta(text);
    auto full = parse_openai_event(text);
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (fast) {
      // Whenever it answers, it agrees with the document.
      REQUIRE(j.is_object());
      CHECK(j["delta"].get<std::string>() == fast->delta_b64);
      REQUIRE(full);
      REQUIRE(std::holds_alternative<AudioDelta>(*full));
      CHECK(std::get<AudioDelta>(*full).delta_b64 == fast->delta_b64);
    }
  }
  CHECK(scan_audio_delta(texts[7]));  // unknown nested fields are skipped, not a reason to fall back
  CHECK_FALSE(scan_audio_delta(texts[0]));
  CHECK_FALSE(scan_audio_delta(texts[1]));
  CHECK_FALSE(parse_openai_event(texts[1]));
  auto escaped = parse_openai_event(texts[2]);
  REQUIRE(escaped);
  CHECK(std::get<AudioDelta>(*escaped).delta_b64 == "A/AA");  // the full parser decoded the escape
  CHECK_FALSE(parse_openai_event(texts[6]));
  auto mistyped = parse_openai_event(texts[8]);
  REQUIRE(mistyped);
  CHECK(std::get<AudioDelta>(*mistyped).response_id.empty());
}
