#include "core/twilio/media_frame_scanner.hpp"

#include <limits>
#include <utility>

#include "core/net/json_cursor.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::twilio {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The frame's cursor, plus Twilio's string-numbers ("chunk": "12").
class Cursor : public net::JsonCursor {
 public:
  using net::JsonCursor::JsonCursor;

  bool string_number(std::int64_t& out) {
    std::string_view digits;
    if (!plain_string(digits)) return false;
    const auto value = parse_string_number(digits);
    if (!value) return false;
    out = *value;
    return true;
  }
};

// The inner "media" object: {"track":…, "chunk":…, "timestamp":…, "payload":…}.
bool scan_media_object(Cursor& cursor, Media& media) {
  bool track = false, chunk = false, timestamp = false, payload = false;
  const bool read = cursor.object([&](std::string_view key) {
    if (key == "payload") return !std::exchange(payload, true) && cursor.plain_string(media.payload);
    if (key == "timestamp") return !std::exchange(timestamp, true) && cursor.string_number(media.timestamp_ms);
    if (key == "chunk") return !std::exchange(chunk, true) && cursor.string_number(media.chunk);
    if (key == "track") return !std::exchange(track, true) && cursor.plain_string(media.track);
    return cursor.skip_value(2);
  });
  return read && track && chunk && timestamp && payload && is_valid_base64(media.payload);
}

}  // namespace

std::optional<std::int64_t> parse_string_number(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  constexpr auto k_max = std::numeric_limits<std::int64_t>::max();
  std::int64_t value = 0;
  for (char c : digits) {
    if (!is_digit(c)) return std::nullopt;
    const int d = c - '0';
    if (value > (k_max - d) / 10) return std::nullopt;
    value = value * 10 + d;
  }
  return value;
}

std::optional<Media> scan_media_frame(std::string_view text) noexcept {
  Cursor cursor(text);
  Media media;
  bool event = false, sequence = false, stream = false, inner = false;
  const bool read = cursor.object([&](std::string_view key) {
    if (key == "event") {
      std::string_view name;
      // Any other event is rare: hand it over as soon as it is known.
      return !std::exchange(event, true) && cursor.plain_string(name) && name == "media";
    }
    if (key == "media") return !std::exchange(inner, true) && scan_media_object(cursor, media);
    if (key == "sequenceNumber") return !std::exchange(sequence, true) && cursor.string_number(media.sequence_number);
    if (key == "streamSid") return !std::exchange(stream, true) && cursor.plain_string(media.stream_sid);
    return cursor.skip_value(1);
  });
  if (!read || !cursor.at_end() || !(event && sequence && stream && inner)) return std::nullopt;
  return media;
}

}  // namespace sonoria::twilio
