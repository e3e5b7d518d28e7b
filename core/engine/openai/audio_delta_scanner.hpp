#pragma once
// The allocation-free fast path behind parse_openai_event for audio deltas — most of what an
// engine sends during a call (about ten a second while the assistant speaks). Sans-I/O; callable
// from any thread.

#include <optional>
#include <string_view>

namespace sonoria::engine::openai {

struct AudioDeltaView {
  std::string_view response_id;
  std::string_view item_id;
  std::string_view delta_b64;
};

// Returns the delta when `text` is a flat JSON object with "type" response.output_audio.delta (GA)
// or response.audio.delta (beta) and a "delta" string, which the scanner fully understands (see
// core/net/json_cursor.hpp: no escapes, no exponents; unknown fields are skipped; a repeated known
// key makes it unsure). nullopt for everything else — other events, malformed text, or text it is
// unsure about — and parse_openai_event then uses the full parser, which decides. The views point
// into `text`. Never accepts text the full parser would read differently.
std::optional<AudioDeltaView> scan_audio_delta(std::string_view text) noexcept;

}  // namespace sonoria::engine::openai
