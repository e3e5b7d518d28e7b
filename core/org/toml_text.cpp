#include "core/org/toml_text.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace sonoria::org {
namespace {

// Escapes for a basic string; with keep_newlines, "\n" stays a real line break (for """…""").
void append_escaped(std::string& out, std::string_view text, bool keep_newlines) {
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += keep_newlines ? "\n" : "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04X", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buffer;
        } else {
          out += c;
        }
    }
  }
}

}  // namespace

std::string toml_quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  append_escaped(out, text, false);
  out += '"';
  return out;
}

std::string toml_string(std::string_view text) {
  if (text.find('\n') == std::string_view::npos) return toml_quote(text);
  // The line break right after the opening delimiter is dropped by TOML readers.
  std::string out = "\"\"\"\n";
  append_escaped(out, text, true);
  out += "\"\"\"";
  return out;
}

std::string toml_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  std::string out(buffer, result.ptr);
  // "1" would read back as an integer; TOML floats need a fraction or an exponent.
  if (out.find_first_of(".e") == std::string::npos) out += ".0";
  return out;
}

std::string index_path(const std::string& array, std::size_t index) {
  return array + "[" + std::to_string(index) + "]";
}

}  // namespace sonoria::org
