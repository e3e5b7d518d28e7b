#include "core/engine/openai/audio_delta_scanner.hpp"

#include <utility>

#include "core/net/json_cursor.hpp"

namespace sonoria::engine::openai {

std::optional<AudioDeltaView> scan_audio_delta(std::string_view text) noexcept {
  net::JsonCursor cursor(text);
  AudioDeltaView view;
  bool type = false, response = false, item = false, delta = false;
  // A repeated known key makes the scanner unsure: the full parser decides.
  auto once = [&](bool& seen, std::string_view& out) { return !std::exchange(seen, true) && cursor.plain_string(out); };
  const bool read = cursor.object([&](std::string_view key) {
    if (key == "type") {
      std::string_view name;
      // Any other event is handed over as soon as it is known.
      return once(type, name) && (name == "response.output_audio.delta" || name == "response.audio.delta");
    }
    if (key == "delta") return once(delta, view.delta_b64);
    if (key == "response_id") return once(response, view.response_id);
    if (key == "item_id") return once(item, view.item_id);
    return cursor.skip_value(1);
  });
  if (!read) return std::nullopt;
  if (!cursor.at_end() || !type || !delta) return std::nullopt;
  return view;
}

}  // namespace sonoria::engine::openai
