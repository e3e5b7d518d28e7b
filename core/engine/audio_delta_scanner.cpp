#include "core/engine/audio_delta_scanner.hpp"

#include "core/net/json_cursor.hpp"

namespace sonoria::engine {

std::optional<AudioDeltaView> scan_audio_delta(std::string_view text) noexcept {
  net::JsonCursor cursor(text);
  AudioDeltaView view;
  bool type = false, response = false, item = false, delta = false;
  if (!cursor.consume('{') || cursor.consume('}')) return std::nullopt;
  for (;;) {
    std::string_view key;
    if (!cursor.plain_string(key) || !cursor.consume(':')) return std::nullopt;
    bool ok = false;
    if (key == "type") {
      std::string_view name;
      // Any other event is handed over as soon as it is known.
      ok = !type && cursor.plain_string(name) && (name == "response.output_audio.delta" || name == "response.audio.delta");
      type = true;
    } else if (key == "delta") {
      ok = !delta && cursor.plain_string(view.delta_b64);
      delta = true;
    } else if (key == "response_id") {
      ok = !response && cursor.plain_string(view.response_id);
      response = true;
    } else if (key == "item_id") {
      ok = !item && cursor.plain_string(view.item_id);
      item = true;
    } else {
      ok = cursor.skip_value(1);
    }
    if (!ok) return std::nullopt;
    if (cursor.consume(',')) continue;
    if (!cursor.consume('}')) return std::nullopt;
    break;
  }
  if (!cursor.at_end() || !type || !delta) return std::nullopt;
  return view;
}

}  // namespace sonoria::engine
