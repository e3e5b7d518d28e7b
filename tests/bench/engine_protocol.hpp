#pragma once
// What one bench-engine connection speaks, whatever the provider it stands in for: client messages
// in (text or binary, with their arrival time), server messages out, and when its paced audio is
// next due. The transport (engine_session.cpp) only moves bytes and runs one timer; each provider's
// conversation is pure code behind this interface:
//   openai   — Conversation (conversation.hpp): OpenAI Realtime GA, JSON text frames both ways;
//   deepgram — DeepgramConversation (deepgram_conversation.hpp): Voice Agent V1, raw μ-law binary;
//   ultravox — UltravoxConversation (ultravox_conversation.hpp): a joined call, s16le PCM binary.
//
// Not thread-safe: one protocol object per connection, used on the engine's one I/O thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::bench {

// How every provider's conversation paces its replies (sonoria-bench-engine's options).
struct EngineOptions {
  int delta_ms = 100;      // audio per delta (OpenAI) or binary audio frame (Deepgram, Ultravox); a multiple of 20
  int reply_ms = 2000;     // length of every spoken reply; rounded up to whole deltas
  int function_every = 4;  // every Nth response is a send_booking_link function call; 0 = never
};

// One server message: a text frame (JSON) or a binary frame (audio).
struct OutMessage {
  OutMessage(std::string text, bool is_binary = false) : data(std::move(text)), binary(is_binary) {}  // NOLINT: implicit
  std::string data;
  bool binary = false;
};

// Server messages to send, in order. The transport moves them out after each call.
using Outbox = std::vector<OutMessage>;

class Protocol {
 public:
  virtual ~Protocol() = default;

  // "openai", "deepgram" or "ultravox": how its sessions are counted in /stats.
  virtual std::string_view engine() const = 0;

  // The WebSocket is open: what the server says first.
  virtual void open(Outbox& out) = 0;

  // One client frame that arrived at `now_ns` (simulate::monotonic_ns()).
  virtual void on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) = 0;

  // When the next audio chunk of the speaking reply is due (monotonic ns); nullopt when silent.
  virtual std::optional<std::uint64_t> next_due_ns() const = 0;

  // Sends the chunks due by `now_ns` (several when the timer is late: the schedule is absolute) and,
  // after the last one, what closes the reply.
  virtual void on_due(std::uint64_t now_ns, Outbox& out) = 0;
};

}  // namespace sonoria::bench
