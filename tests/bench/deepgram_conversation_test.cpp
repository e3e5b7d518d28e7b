#include "tests/bench/deepgram_conversation.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/simulate/probe.hpp"

using namespace sonoria::bench;
using nlohmann::json;
namespace simulate = sonoria::simulate;

namespace {

constexpr std::uint64_t k_ms = 1'000'000;

// A Deepgram conversation plus what it said: JSON messages, and binary audio frames apart.
struct Harness {
  explicit Harness(EngineOptions o = {}) : options(o), conversation(options, stats, 6) {}

  std::vector<json> drain() {
    std::vector<json> messages;
    for (auto& m : out) {
      if (m.binary) audio.push_back(std::move(m.data));
      else messages.push_back(json::parse(m.data));
    }
    out.clear();
    return messages;
  }
  std::vector<json> send(const json& message, std::uint64_t now = 0) {
    conversation.on_message(message.dump(), false, now, out);
    return drain();
  }
  // `frames` 20 ms caller frames with probes (stream 9), as sonoria forwards them: raw μ-law, binary.
  std::vector<json> caller(int frames, bool speech, std::uint64_t now) {
    std::string raw;
    for (int i = 0; i < frames; ++i) {
      std::string frame(simulate::k_frame_bytes, speech ? '\x10' : '\xFF');
      simulate::stamp_probe(frame, {9, caller_sequence++, now > 500'000 ? now - 500'000 : 0, speech});
      raw += frame;
    }
    conversation.on_message(raw, true, now, out);
    return drain();
  }
  void configure() {
    conversation.open(out);
    drain();
    send({{"type", "Settings"}, {"audio", json::object()}, {"agent", json::object()}});
  }

  EngineOptions options;
  EngineStats stats;
  DeepgramConversation conversation;
  Outbox out;
  std::vector<std::string> audio;
  std::uint32_t caller_sequence = 0;
};

std::vector<std::string> types(const std::vector<json>& messages) {
  std::vector<std::string> t;
  for (const auto& m : messages) t.push_back(m.value("type", ""));
  return t;
}

}  // namespace

TEST_CASE("Deepgram: Welcome, then Settings before anything else, once") {
  Harness h;
  h.conversation.open(h.out);
  auto opened = h.drain();
  REQUIRE(opened.size() == 1);
  CHECK(opened[0]["type"] == "Welcome");
  h.caller(1, false, 0);
  CHECK(h.stats.error_codes.at("NON_SETTINGS_MESSAGE_BEFORE_SETTINGS") == 1);
  CHECK(h.stats.frames.received == 0);
  CHECK(types(h.send({{"type", "Settings"}})) == std::vector<std::string>{"SettingsApplied"});
  auto again = h.send({{"type", "Settings"}});
  CHECK(again[0]["type"] == "Error");
  CHECK(again[0]["code"] == "SETTINGS_ALREADY_APPLIED");
  CHECK(h.send({{"type", "KeepAlive"}}).empty());
}

TEST_CASE("Deepgram: the greeting is spoken as paced binary μ-law with probes, then AgentAudioDone") {
  EngineOptions o;
  o.delta_ms = 100;
  o.reply_ms = 300;
  Harness h(o);
  h.configure();
  const std::uint64_t t0 = 1'000 * k_ms;
  auto started = h.send({{"type", "InjectAgentMessage"}, {"message", "Hello there"}}, t0);
  CHECK(types(started) == std::vector<std::string>{"ConversationText", "AgentStartedSpeaking"});
  CHECK(started[0]["role"] == "assistant");
  CHECK(started[0]["content"] == "Hello there");
  REQUIRE(h.audio.size() == 1);
  CHECK(h.audio[0].size() == 800);
  auto probe = simulate::read_probe(h.audio[0]);
  REQUIRE(probe);
  CHECK(probe->stream == 6);
  CHECK(probe->sequence == 0);
  CHECK(h.conversation.next_due_ns() == t0 + 100 * k_ms);

  // While it speaks, another injection is refused.
  auto refused = h.send({{"type", "InjectAgentMessage"}, {"message", "Hi again"}}, t0 + 10 * k_ms);
  CHECK(types(refused) == std::vector<std::string>{"InjectionRefused"});

  h.conversation.on_due(t0 + 250 * k_ms, h.out);
  auto rest = h.drain();
  CHECK(types(rest) == std::vector<std::string>{"AgentAudioDone"});
  CHECK(h.audio.size() == 3);
  CHECK(simulate::read_probe(std::string_view(h.audio[2]).substr(4 * simulate::k_frame_bytes))->sequence == 14);
  CHECK_FALSE(h.conversation.next_due_ns());
  CHECK(h.stats.responses == 1);
  CHECK(h.stats.audio_deltas == 3);
}

TEST_CASE("Deepgram: caller speech and silence make a turn; every Nth agent turn is a function call") {
  EngineOptions o;
  o.reply_ms = 200;
  o.function_every = 2;
  Harness h(o);
  h.configure();
  std::uint64_t now = 1'000 * k_ms;
  CHECK(types(h.caller(3, true, now)) == std::vector<std::string>{"UserStartedSpeaking"});
  CHECK(h.stats.speech_turns == 1);
  CHECK(h.stats.caller_to_engine.count() == 3);
  auto turn = h.caller(25, false, now += 600 * k_ms);  // 500 ms of silence ends it
  CHECK(types(turn) == std::vector<std::string>{"ConversationText", "AgentThinking", "ConversationText",
                                                "AgentStartedSpeaking"});
  CHECK(turn[0]["role"] == "user");
  CHECK(turn[0]["content"] == k_caller_transcript);
  CHECK(turn[2]["content"] == k_reply_text);
  h.conversation.on_due(now += 1'000 * k_ms, h.out);
  CHECK(types(h.drain()) == std::vector<std::string>{"AgentAudioDone"});

  h.caller(3, true, now += 100 * k_ms);
  auto second = h.caller(25, false, now += 600 * k_ms);
  REQUIRE(types(second) == std::vector<std::string>{"ConversationText", "AgentThinking", "FunctionCallRequest"});
  const json call = second[2]["functions"][0];
  CHECK(call["name"] == "send_booking_link");
  CHECK(call["arguments"] == "{}");
  CHECK(call["client_side"] == true);
  CHECK(h.stats.function_calls == 1);

  auto unknown = h.send({{"type", "FunctionCallResponse"}, {"id", "nope"}, {"name", "x"}, {"content", "{}"}});
  CHECK(unknown[0]["type"] == "Warning");
  // The answer: the agent goes on by itself.
  auto after = h.send({{"type", "FunctionCallResponse"}, {"id", call["id"]}, {"name", "send_booking_link"},
                       {"content", "{\"ok\":false}"}},
                      now += 5 * k_ms);
  CHECK(types(after) == std::vector<std::string>{"ConversationText", "AgentStartedSpeaking"});
  CHECK(h.stats.responses == 3);
  CHECK(h.stats.frames.lost == 0);
  CHECK(h.stats.frames.reordered == 0);
}

TEST_CASE("Deepgram: speech while the agent speaks stops its audio without AgentAudioDone") {
  EngineOptions o;
  o.reply_ms = 2000;
  Harness h(o);
  h.configure();
  std::uint64_t now = 1'000 * k_ms;
  h.send({{"type", "InjectAgentMessage"}, {"message", "Welcome"}}, now);
  auto barge = h.caller(3, true, now += 300 * k_ms);
  CHECK(types(barge) == std::vector<std::string>{"UserStartedSpeaking"});
  CHECK(h.stats.cancelled == 1);
  CHECK_FALSE(h.conversation.next_due_ns());
  // A typed user message is a turn of its own.
  auto typed = h.send({{"type", "InjectUserMessage"}, {"content", "press 1"}}, now += 10 * k_ms);
  CHECK(types(typed) == std::vector<std::string>{"ConversationText", "AgentThinking", "ConversationText",
                                                 "AgentStartedSpeaking"});
  CHECK(typed[0]["content"] == "press 1");
  CHECK(h.send({{"type", "UpdateSpeak"}})[0]["type"] == "Warning");
  CHECK(h.stats.error_codes.at("UNSUPPORTED_MESSAGE") == 1);
}
