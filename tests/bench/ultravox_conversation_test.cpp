#include "tests/bench/ultravox_conversation.hpp"

#include <doctest/doctest.h>

#include <optional>

#include <nlohmann/json.hpp>

#include "core/audio/pcm16.hpp"
#include "core/simulate/probe.hpp"

using namespace sonoria::bench;
using nlohmann::json;
namespace audio = sonoria::audio;
namespace simulate = sonoria::simulate;

namespace {

constexpr std::uint64_t k_ms = 1'000'000;

// An Ultravox conversation plus what it said: JSON data messages, and binary PCM frames apart.
struct Harness {
  explicit Harness(EngineOptions o = {}) : options(o), conversation(options, stats, 2, "call-1", fixed_clock) {}

  // A send time without a 0x7F byte: every chunk carries its probes (with the monotonic clock, one
  // run in about seventy sends a whole greeting unprobed).
  static std::uint64_t fixed_clock() { return 0x0102030405060708ULL; }

  std::vector<json> drain() {
    std::vector<json> messages;
    for (auto& m : out) {
      if (m.binary) pcm.push_back(std::move(m.data));
      else messages.push_back(json::parse(m.data));
    }
    out.clear();
    return messages;
  }
  std::vector<json> send(const json& message, std::uint64_t now = 0) {
    conversation.on_message(message.dump(), false, now, out);
    return drain();
  }
  // Caller frames with probes, as sonoria forwards them to Ultravox: μ-law decoded to s16le.
  std::vector<json> caller(int frames, bool speech, std::uint64_t now) {
    std::string ulaw;
    for (int i = 0; i < frames; ++i) {
      std::string frame(simulate::k_frame_bytes, speech ? '\x10' : '\xFF');
      simulate::stamp_probe(frame, {0x7F, caller_sequence++, now - 300'000, speech});
      ulaw += frame;
    }
    conversation.on_message(audio::ulaw_to_pcm16le(ulaw), true, now, out);
    return drain();
  }

  EngineOptions options;
  EngineStats stats;
  UltravoxConversation conversation;
  Outbox out;
  std::vector<std::string> pcm;
  std::uint32_t caller_sequence = 0x7A;
};

std::vector<std::string> types(const std::vector<json>& messages) {
  std::vector<std::string> t;
  for (const auto& m : messages) t.push_back(m.value("type", "") + (m.contains("state") ? ":" + m["state"].get<std::string>() : ""));
  return t;
}

}  // namespace

TEST_CASE("Ultravox: a joined call starts listening; the greeting is paced PCM whose probes survive sonoria's encoding") {
  EngineOptions o;
  o.delta_ms = 100;
  o.reply_ms = 200;
  Harness h(o);
  h.conversation.open(h.out);
  auto opened = h.drain();
  CHECK(types(opened) == std::vector<std::string>{"call_started", "state:listening"});
  CHECK(opened[0]["callId"] == "call-1");

  const std::uint64_t t0 = 1'000 * k_ms;
  auto greeting = h.send({{"type", "forced_agent_message"}, {"content", "Hello there"}, {"urgency", "soon"}}, t0);
  CHECK(types(greeting) == std::vector<std::string>{"state:speaking", "transcript"});
  CHECK(greeting[1]["role"] == "agent");
  CHECK(greeting[1]["final"] == false);
  CHECK(greeting[1]["delta"] == "Hello there");
  REQUIRE(h.pcm.size() == 1);
  CHECK(h.pcm[0].size() == 1600);
  h.conversation.on_due(t0 + 100 * k_ms, h.out);
  auto done = h.drain();
  CHECK(types(done) == std::vector<std::string>{"transcript", "state:listening"});
  CHECK(done[0]["final"] == true);
  CHECK(done[0]["text"] == "Hello there");
  CHECK(done[0]["ordinal"] == greeting[1]["ordinal"]);
  REQUIRE(h.pcm.size() == 2);

  audio::Pcm16leToUlawStream encoder;
  std::string ulaw;
  for (const auto& frame : h.pcm) encoder.push(frame, ulaw);
  CHECK(ulaw.size() == 10 * simulate::k_frame_bytes);
  // Every chunk carries its probes intact, in order (its send time holds no 0x7F byte).
  int probed = 0;
  std::optional<std::uint32_t> last;
  for (std::uint32_t f = 0; f < 10; ++f) {
    auto probe = simulate::read_probe(std::string_view(ulaw).substr(f * simulate::k_frame_bytes, simulate::k_frame_bytes));
    if (!probe) continue;
    ++probed;
    CHECK(probe->stream == 2);
    if (last) CHECK(probe->sequence > *last);
    last = probe->sequence;
  }
  CHECK(probed == 10);
}

TEST_CASE("Ultravox: caller speech and silence make a turn; every Nth turn invokes a client tool") {
  EngineOptions o;
  o.reply_ms = 200;
  o.function_every = 2;
  Harness h(o);
  h.conversation.open(h.out);
  h.drain();
  std::uint64_t now = 1'000 * k_ms;
  CHECK(h.caller(3, true, now).empty());  // nothing to say: the agent is quiet
  CHECK(h.stats.speech_turns == 1);
  auto turn = h.caller(25, false, now += 600 * k_ms);
  CHECK(types(turn) == std::vector<std::string>{"transcript", "state:thinking", "state:speaking", "transcript"});
  CHECK(turn[0]["role"] == "user");
  CHECK(turn[0]["medium"] == "voice");
  CHECK(turn[0]["text"] == k_caller_transcript);
  CHECK(turn[0]["final"] == true);
  h.conversation.on_due(now += 1'000 * k_ms, h.out);
  h.drain();

  h.caller(3, true, now += 100 * k_ms);
  auto second = h.caller(25, false, now += 600 * k_ms);
  REQUIRE(types(second) == std::vector<std::string>{"transcript", "state:thinking", "client_tool_invocation"});
  const json& call = second[2];
  CHECK(call["toolName"] == "send_booking_link");
  CHECK(call["parameters"] == json::object());
  h.send({{"type", "client_tool_result"}, {"invocationId", "nope"}, {"result", "{}"}});
  CHECK(h.stats.error_codes.at("unknown_invocation") == 1);
  auto after = h.send({{"type", "client_tool_result"}, {"invocationId", call["invocationId"]}, {"result", "{}"}},
                      now += 5 * k_ms);
  CHECK(types(after) == std::vector<std::string>{"state:speaking", "transcript"});
  CHECK(h.stats.responses == 3);
  CHECK(h.stats.function_calls == 1);
  // The caller's probes (stream 0x7F, sequences through 0x7F and 0xFF) came through PCM intact.
  CHECK(h.stats.frames.probes == 56);
  CHECK(h.stats.frames.lost == 0);
  CHECK(h.stats.frames.reordered == 0);
}

TEST_CASE("Ultravox: speech while the agent speaks barges in; words wait for the agent; ping is answered") {
  EngineOptions o;
  o.reply_ms = 2000;
  Harness h(o);
  h.conversation.open(h.out);
  h.drain();
  std::uint64_t now = 1'000 * k_ms;
  h.send({{"type", "forced_agent_message"}, {"content", "one two three"}}, now);
  // Words asked for while it speaks wait for it to finish.
  CHECK(h.send({{"type", "forced_agent_message"}, {"content", "later words"}}, now + k_ms).empty());
  auto barge = h.caller(3, true, now += 300 * k_ms);
  CHECK(types(barge) == std::vector<std::string>{"playback_clear_buffer", "transcript", "state:listening"});
  CHECK(barge[1]["final"] == true);
  CHECK(barge[1]["role"] == "agent");
  CHECK(barge[1]["text"] == "one");  // the first of four pieces: four of twenty chunks were sent
  CHECK(h.stats.cancelled == 1);
  CHECK_FALSE(h.conversation.next_due_ns());
  // The caller's turn is answered first; the waiting words come once the agent is free again.
  auto turn = h.caller(25, false, now += 600 * k_ms);
  CHECK(types(turn) == std::vector<std::string>{"transcript", "state:thinking", "state:speaking", "transcript"});
  h.conversation.on_due(now += 3'000 * k_ms, h.out);
  auto words = h.drain();
  REQUIRE(words.size() >= 2);
  CHECK(words[words.size() - 2]["state"] == "speaking");
  CHECK(words.back()["delta"] == "later");
  auto pong = h.send({{"type", "ping"}, {"timestamp", 12.5}});
  REQUIRE(pong.size() == 1);
  CHECK(pong[0]["type"] == "pong");
  CHECK(pong[0]["timestamp"] == 12.5);
  h.send({{"type", "hang_up"}});
  CHECK(h.stats.error_codes.at("unsupported_message") == 1);
}

TEST_CASE("Ultravox: typed user text is a turn, unless it may wait") {
  Harness h;
  h.conversation.open(h.out);
  h.drain();
  auto later = h.send({{"type", "user_text_message"}, {"text", "1"}, {"urgency", "later"}});
  CHECK(types(later) == std::vector<std::string>{"transcript"});
  CHECK(later[0]["medium"] == "text");
  auto now = h.send({{"type", "user_text_message"}, {"text", "2"}});
  CHECK(types(now) == std::vector<std::string>{"transcript", "state:thinking", "state:speaking", "transcript"});
}
