#include "core/twilio/media_frame_scanner.hpp"

#include <limits>

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
  if (!cursor.consume('{')) return false;
  bool track = false, chunk = false, timestamp = false, payload = false;
  if (!cursor.consume('}')) {
    for (;;) {
      std::string_view key;
      if (!cursor.plain_string(key) || !cursor.consume(':')) return false;
      bool ok = false;
      if (key == "payload") {
        ok = !payload && cursor.plain_string(media.payload);
        payload = true;
      } else if (key == "timestamp") {
        ok = !timestamp && cursor.string_number(media.timestamp_ms);
        timestamp = true;
      } else if (key == "chunk") {
        ok = !chunk && cursor.string_number(media.chunk);
        chunk = true;
      } else if (key == "track") {
        ok = !track && cursor.plain_string(media.track);
        track = true;
      } else {
        ok = cursor.skip_value(2);
      }
      if (!ok) return false;
      if (cursor.consume(',')) continue;
      if (!cursor.consume('}')) return false;
      break;
    }
  }
  return track && chunk && timestamp && payload && is_valid_base64(media.payload);
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
  if (!cursor.consume('{')) return std::nullopt;
  if (cursor.consume('}')) return std::nullopt;
  for (;;) {
    std::string_view key;
    if (!cursor.plain_string(key) || !cursor.consume(':')) return std::nullopt;
    bool ok = false;
    if (key == "event") {
      std::string_view name;
      // Any other event is rare: hand it over as soon as it is known.
      ok = !event && cursor.plain_string(name) && name == "media";
      event = true;
    } else if (key == "media") {
      ok = !inner && scan_media_object(cursor, media);
      inner = true;
    } else if (key == "sequenceNumber") {
      ok = !sequence && cursor.string_number(media.sequence_number);
      sequence = true;
    } else if (key == "streamSid") {
      ok = !stream && cursor.plain_string(media.stream_sid);
      stream = true;
    } else {
      ok = cursor.skip_value(1);
    }
    if (!ok) return std::nullopt;
    if (cursor.consume(',')) continue;
    if (!cursor.consume('}')) return std::nullopt;
    break;
  }
  if (!cursor.at_end() || !(event && sequence && stream && inner)) return std::nullopt;
  return media;
}

}  // namespace sonoria::twilio
