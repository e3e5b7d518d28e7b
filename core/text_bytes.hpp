#pragma once
// Byte-level text helpers shared across core: lowercase hex of a digest, and where to cut UTF-8
// text so that no character is split. Header-only, pure.

#include <cstddef>
#include <string>
#include <string_view>

namespace sonoria {

inline std::string lower_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += k_hex[bytes[i] >> 4];
    out += k_hex[bytes[i] & 0xF];
  }
  return out;
}

// The largest length ≤ `max` at which `text` can be cut without splitting a UTF-8 sequence.
inline std::size_t utf8_cut(std::string_view text, std::size_t max) {
  if (text.size() <= max) return text.size();
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return end;
}

}  // namespace sonoria
