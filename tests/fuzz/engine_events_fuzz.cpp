// What a speech engine sends (core/engine/<provider>/): each adapter is fed a conversation of
// messages from a hostile or broken engine, interleaved with what a call asks of it, so that
// its state machine is fuzzed along with its parser. Adapters promise never to throw on peer
// input, whatever state they are in.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/engine/adapter.hpp"
#include "core/engine/events.hpp"
#include "core/engine/providers.hpp"
#include "core/engine/session_config.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::engine_events {

using namespace sonoria::engine;

struct DropFrames final : FrameSink {
  std::size_t frames = 0;
  void send_engine(Frame) override { ++frames; }
};

// Remembers what a call would answer: the tool calls to send results for, the items to cut.
struct CallSide final : EventSink {
  std::vector<std::string> tool_calls;
  std::vector<std::string> items;
  bool ready = false;  // the inputs that need a live session wait for Ready, as the call does
  void on_engine_event(const Event& event) override {
    if (std::holds_alternative<Ready>(event)) ready = true;
    if (const auto* call = std::get_if<ToolCall>(&event)) tool_calls.push_back(call->call_id);
    if (const auto* audio = std::get_if<AgentAudio>(&event)) items.push_back(audio->item_id);
  }
};

SessionConfig session(PcmRates pcm) {
  SessionConfig s;
  s.instructions = "You are the receptionist of Lotus Yoga.";
  s.tools = nlohmann::json::array({{{"type", "function"},
                                    {"name", "end_call"},
                                    {"description", "Hang up."},
                                    {"parameters", {{"type", "object"}, {"properties", nlohmann::json::object()}}}}});
  s.pcm = pcm;
  return s;
}

// Each NUL-separated message: a text frame; or, by its first byte, a binary frame (0x01) or one
// of the call's inputs (0x02 and a selector byte).
void converse(Provider provider, std::string_view input, PcmRates pcm = {}) {
  config::Settings settings;
  DropFrames wire;
  CallSide call;
  auto adapter = make_adapter(provider, session(pcm), settings, wire, nullptr);
  adapter->open({});
  auto now = std::chrono::steady_clock::time_point{};
  int64_t heard_ms = 0;
  for (std::string_view message : split_messages(input)) {
    if (!message.empty() && message[0] == '\x01') {
      (void)adapter->receive(message.substr(1), true, call);
      continue;
    }
    if (message.size() < 2 || message[0] != '\x02') {
      (void)adapter->receive(message, false, call);
      continue;
    }
    const std::string_view rest = message.substr(2);
    switch (static_cast<unsigned char>(message[1]) % 10) {
      case 0:
        if (call.ready) (void)adapter->caller_audio(rest);
        break;
      case 1: adapter->say(Speech{std::string(rest), std::string(rest)}, rest.size() % 2); break;
      case 2: adapter->greet(Speech{std::string(rest), std::string(rest)}); break;
      case 3: adapter->caller_text(rest); break;
      case 4:
        if (!call.tool_calls.empty()) adapter->tool_result(call.tool_calls.back(), rest, rest.size() % 2);
        else adapter->tool_result(rest, "{}", true);
        break;
      case 5:
        heard_ms += static_cast<int64_t>(rest.size()) * 20;
        adapter->cut(call.items.empty() ? rest : std::string_view(call.items.back()), heard_ms);
        break;
      case 6:
        adapter->closed();
        call.ready = false;
        call.tool_calls.clear();
        adapter->open({{HistoryLine::Role::caller, "Hello"}, {HistoryLine::Role::assistant, std::string(rest)}});
        break;
      case 7:
        now += std::chrono::seconds(1 + rest.size());
        adapter->tick(now);
        break;
      case 8:
        if (call.ready && !call.tool_calls.empty()) {
          SessionConfig next = session(pcm);
          next.instructions = std::string(rest);
          (void)adapter->change_stage(call.tool_calls.back(), "{\"stage\":\"next\"}", next);
        }
        break;
      case 9: adapter->reply(); break;
    }
    (void)adapter->busy();
  }
  adapter->closed();
}

SONORIA_FUZZ_TARGET(openai_events) { converse(Provider::openai, input); }
SONORIA_FUZZ_TARGET(deepgram_events) { converse(Provider::deepgram, input); }
// Half the inputs at 8 kHz (G.711 only), half at the wider rates, which the adapter resamples.
SONORIA_FUZZ_TARGET(ultravox_events) {
  const bool wide = !input.empty() && (static_cast<unsigned char>(input.back()) & 1);
  converse(Provider::ultravox, input, wide ? PcmRates{16000, 24000} : PcmRates{});
}

}  // namespace sonoria::fuzz::engine_events
