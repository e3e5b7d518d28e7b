#include "core/db/postgresql_text.hpp"

#include <algorithm>
#include <cctype>

namespace sonoria::db {

PostgresqlSql postgresql_placeholders(std::string_view sql) {
  PostgresqlSql out;
  out.text.reserve(sql.size() + 16);
  std::size_t i = 0;
  const std::size_t n = sql.size();
  while (i < n) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {
      // A literal or quoted identifier, with its doubled quotes, copied as it is.
      const std::size_t start = i++;
      while (i < n) {
        if (sql[i] == c) {
          if (i + 1 < n && sql[i + 1] == c) {
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        ++i;
      }
      out.text.append(sql.substr(start, i - start));
    } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) end = n;
      out.text.append(sql.substr(i, end - i));
      i = end;
    } else if (c == '?') {
      ++i;
      int number = 0;
      bool numbered = false;
      while (i < n && std::isdigit(static_cast<unsigned char>(sql[i]))) {
        number = number * 10 + (sql[i] - '0');
        numbered = true;
        ++i;
      }
      if (!numbered) number = out.parameters + 1;
      out.parameters = std::max(out.parameters, number);
      out.text += '$';
      out.text += std::to_string(number);
    } else {
      out.text += c;
      ++i;
    }
  }
  return out;
}

namespace {

// The length of the valid UTF-8 sequence at `i`, or 0 (RFC 3629: no overlongs, no surrogates,
// nothing above U+10FFFF).
std::size_t valid_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = b(i);
  if (c < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) length = 2;
  else if (c == 0xE0) length = 3, low = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) length = 3;
  else if (c == 0xED) length = 3, high = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) length = 3;
  else if (c == 0xF0) length = 4, low = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) length = 4;
  else if (c == 0xF4) length = 4, high = 0x8F;
  else return 0;
  if (i + length > s.size()) return 0;
  if (b(i + 1) < low || b(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xBF) return 0;
  return length;
}

}  // namespace

bool postgresql_text_ok(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\0') return false;
    const std::size_t length = valid_sequence(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

std::string postgresql_text(std::string_view text) {
  if (postgresql_text_ok(text)) return std::string(text);
  std::string out;
  out.reserve(text.size() + 8);
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\0') {
      ++i;
      continue;
    }
    const std::size_t length = valid_sequence(text, i);
    if (length == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace sonoria::db
