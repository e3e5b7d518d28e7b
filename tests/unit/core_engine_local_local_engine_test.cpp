// The local engine on its own, as its adapter drives it: messages in, messages out, with the
// example yoga studio's profile, real speech recognition (espeak-ng's voice) and real synthesis.
// "caller says X → the engine says Y, calls Z".
#include <doctest/doctest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/audio/speech_synth.hpp"
#include "core/engine/local/local_engine.hpp"
#include "core/engine/local/model_cache.hpp"
#include "core/org/profile_toml.hpp"
#include "core/twilio/base64.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::engine::local;
using nlohmann::json;

namespace local_engine_test {

std::shared_ptr<const org::Profile> yoga() {
  static auto profile =
      std::make_shared<const org::Profile>(org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml"));
  return profile;
}

ModelCache& models() {
  static ModelCache cache("/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict");
  return cache;
}

// Thursday 2026-03-12 10:00 in New York (14:00 UTC).
std::chrono::sys_seconds thursday_morning() {
  return std::chrono::sys_days{std::chrono::year{2026} / 3 / 12} + std::chrono::hours(14);
}

struct Engine {
  std::vector<json> out;
  std::unique_ptr<LocalEngine> engine;

  explicit Engine(std::vector<std::string> tools = {"send_booking_link", "notify_owner", "transfer_call", "end_call"}) {
    LocalEngineOptions options;
    options.profile = yoga();
    options.tools = std::move(tools);
    engine = std::make_unique<LocalEngine>(
        models().model_for(yoga()), options, [this](std::string m) { out.push_back(json::parse(m)); },
        [] { return thursday_morning(); });
  }
  void text(const json& message) { engine->receive(message.dump(), false); }
  void speak(const std::string& words) {
    // Half a second of line silence first, as on a call: the detector learns the line's noise.
    const std::string audio = std::string(4000, '\xff') + audio::synthesize_ulaw8k(words) + std::string(8000, '\xff');
    for (std::size_t at = 0; at < audio.size(); at += 160) engine->receive(std::string_view(audio).substr(at, 160), true);
  }
  std::vector<std::string> types() const {
    std::vector<std::string> t;
    for (const auto& m : out) t.push_back(m["type"]);
    return t;
  }
  std::vector<json> of(const std::string& type) const {
    std::vector<json> found;
    for (const auto& m : out)
      if (m["type"] == type) found.push_back(m);
    return found;
  }
  std::string said() const {
    std::string all;
    for (const auto& m : of("agent_text")) all += m["text"].get<std::string>() + " ";
    return all;
  }
  std::size_t audio_bytes() const {
    std::size_t n = 0;
    for (const auto& m : of("audio")) n += twilio::base64_decode(m["audio"].get<std::string>())->size();
    return n;
  }
};


TEST_CASE("start → ready; the greeting is the profile's, spoken") {
  Engine e;
  e.text({{"type", "start"}, {"history", json::array()}});
  CHECK(e.types() == std::vector<std::string>{"ready"});
  e.text({{"type", "say"}, {"words", ""}});
  CHECK(e.said().find("Thank you for calling Lotus Yoga Studio") != std::string::npos);
  CHECK(e.audio_bytes() > 8000);  // over a second of speech
  CHECK(e.types().back() == "reply_done");
  CHECK(e.of("audio_done").size() == 1);
}

TEST_CASE("caller asks, spoken, whether the studio is open on Saturday → turn heard, answer with Saturday's hours") {
  Engine e;
  e.speak("What time do you open on Saturday?");
  const auto types = e.types();
  REQUIRE(types.size() > 4);
  CHECK(types[0] == "speech_started");
  CHECK(types[1] == "speech_stopped");
  CHECK(types[2] == "caller_text");
  INFO(e.of("caller_text")[0].dump(), " / ", e.said());
  CHECK(e.of("caller_text")[0]["text"].get<std::string>().find("saturday") != std::string::npos);
  CHECK(e.said().find("Saturday") != std::string::npos);
  CHECK(e.said().find("8 a.m.") != std::string::npos);
  CHECK(e.audio_bytes() > 4000);
}

TEST_CASE("caller says goodbye → a goodbye, then end_call; its result asks for nothing more") {
  Engine e;
  e.text({{"type", "caller_text"}, {"text", "thank you goodbye"}});
  auto calls = e.of("tool_call");
  REQUIRE(calls.size() == 1);
  CHECK(calls[0]["name"] == "end_call");
  CHECK(json::parse(calls[0]["arguments"].get<std::string>()).is_object());
  CHECK_FALSE(e.said().empty());
  const auto before = e.out.size();
  e.text({{"type", "tool_result"}, {"call_id", calls[0]["call_id"]}, {"output", R"({"ok":true})"}, {"reply", false}});
  CHECK(e.out.size() == before);
}

TEST_CASE("a tool the call does not offer is never called") {
  Engine e(std::vector<std::string>{});
  e.text({{"type", "caller_text"}, {"text", "thank you goodbye"}});
  CHECK(e.of("tool_call").empty());
  CHECK_FALSE(e.said().empty());
}

TEST_CASE("messages the engine does not know are answered with an error, and it goes on") {
  Engine e;
  e.text({{"type", "frobnicate"}});
  e.engine->receive("{not json", false);
  REQUIRE(e.of("error").size() == 2);
  CHECK(e.of("error")[0]["fatal"] == false);
  e.text({{"type", "start"}});
  CHECK(e.types().back() == "ready");
}

}  // namespace local_engine_test
