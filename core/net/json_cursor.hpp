#pragma once
// An allocation-free cursor over JSON text, for the hot paths that read one message shape many
// times a second (Twilio media frames, engine audio deltas) without building a document. It reads
// only what it is sure of: strings without escapes, control or non-ASCII bytes, numbers without
// an exponent, nesting up to 16 deep. Every method returns false for "not understood", and the
// caller then hands the text to the full JSON parser, which decides. Sans-I/O; any thread.

#include <array>
#include <cstddef>
#include <string_view>

namespace sonoria::net {

namespace json_cursor_detail {

constexpr int k_max_depth = 16;
constexpr long k_max_number_length = 32;

inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Bytes that end a plain string or make the scanner unsure: '"', '\\', controls, non-ASCII.
constexpr std::array<bool, 256> make_string_stops() {
  std::array<bool, 256> stops{};
  for (std::size_t c = 0; c < 256; ++c) stops[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return stops;
}
constexpr auto k_string_stops = make_string_stops();

}  // namespace json_cursor_detail

class JsonCursor {
 public:
  explicit JsonCursor(std::string_view text) : p_(text.data()), end_(text.data() + text.size()) {}

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
    while (p_ != end_ && !json_cursor_detail::k_string_stops[static_cast<unsigned char>(*p_)]) ++p_;
    if (p_ == end_ || *p_ != '"') return false;
    out = std::string_view(start, static_cast<std::size_t>(p_ - start));
    ++p_;
    return true;
  }

  // Reads an object member by member: on_member(key) is called with the cursor at the member's
  // value, which it must read (or skip), returning false when it does not understand it.
  template <typename OnMember>
  bool object(OnMember&& on_member) {
    if (!consume('{')) return false;
    if (consume('}')) return true;
    for (;;) {
      std::string_view key;
      if (!plain_string(key) || !consume(':') || !on_member(key)) return false;
      if (consume(',')) continue;
      return consume('}');
    }
  }

  bool skip_value(int depth) {
    skip_whitespace();
    if (p_ == end_ || depth > json_cursor_detail::k_max_depth) return false;
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
    if (p_ == end_ || !json_cursor_detail::is_digit(*p_)) return false;
    if (*p_ == '0') {
      ++p_;
    } else {
      while (p_ != end_ && json_cursor_detail::is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !json_cursor_detail::is_digit(*p_)) return false;
      while (p_ != end_ && json_cursor_detail::is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) return false;
    return p_ - start <= json_cursor_detail::k_max_number_length;
  }

 private:
  const char* p_;
  const char* end_;
};

}  // namespace sonoria::net
