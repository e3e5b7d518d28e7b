#include "core/twilio/media_frame_scanner.hpp"

#include <array>
#include <limits>

#include "core/twilio/base64.hpp"

namespace sonoria::twilio {
namespace {

constexpr int k_max_depth = 16;
constexpr long k_max_number_length = 32;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes that end a plain string or make the scanner unsure: '"', '\\', controls, non-ASCII.
constexpr std::array<bool, 256> make_string_stops() {
  std::array<bool, 256> stops{};
  for (std::size_t c = 0; c < 256; ++c) stops[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return stops;
}
constexpr auto k_string_stops = make_string_stops();

// A cursor over the frame. Every method returns false for "not understood": the caller stops and
// lets the full parser decide, so nothing here has to explain what was wrong.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

  void skip_whitespace() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool consume(char c) {
    skip_whitespace();
    if (p_ == end_ || *p_ != c) return false;
    ++p_;
    return true;
  }

  bool at_end() {
    skip_whitespace();
    return p_ == end_;
  }

  // A string of printable ASCII without escapes: its content is exactly the bytes between the
  // quotes, so a view of them is the decoded value.
  bool plain_string(std::string_view& out) {
    if (!consume('"')) return false;
    const char* start = p_;
    while (p_ != end_ && !k_string_stops[static_cast<unsigned char>(*p_)]) ++p_;
    if (p_ == end_ || *p_ != '"') return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  bool skip_value(int depth) {
    skip_whitespace();
    if (p_ == end_ || depth > k_max_depth) return false;
    std::string_view ignored;
    switch (*p_) {
      case '"': return plain_string(ignored);
      case '{': return skip_container('}', true, depth);
      case '[': return skip_container(']', false, depth);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  // Object or array: '{' or '[' is at p_.
  bool skip_container(char close, bool is_object, int depth) {
    ++p_;
    if (consume(close)) return true;
    for (;;) {
      if (is_object) {
        std::string_view key;
        if (!plain_string(key) || !consume(':')) return false;
      }
      if (!skip_value(depth + 1)) return false;
      if (consume(',')) continue;
      return consume(close);
    }
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word) return false;
    p_ += word.size();
    return true;
  }

  // JSON number grammar without an exponent: -?(0|[1-9][0-9]*)(\.[0-9]+)?. Exponents and very
  // long numbers are left to the full parser, which rejects the ones that overflow a double.
  bool number() {
    const char* start = p_;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !is_digit(*p_)) return false;
      while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    return p_ - start <= k_max_number_length;
  }

  bool string_number(std::int64_t& out) {
    std::string_view digits;
    if (!plain_string(digits)) return false;
    const auto value = parse_string_number(digits);
    if (!value) return false;
    out = *value;
    return true;
  }

 private:
  const char* p_;
  const char* end_;
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
