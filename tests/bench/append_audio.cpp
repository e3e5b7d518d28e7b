#include "tests/bench/append_audio.hpp"

namespace sonoria::bench {

namespace {

constexpr std::string_view k_append = "\"input_audio_buffer.append\"";

std::size_t skip_space(std::string_view text, std::size_t at) noexcept {
  while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == '\n' || text[at] == '\r')) ++at;
  return at;
}

// Position just after `"key"` + optional space + ':' + optional space, at the first occurrence
// followed by a colon (so a string value that happens to read "key" is skipped); npos if none.
std::size_t value_of(std::string_view text, std::string_view quoted_key) noexcept {
  std::size_t from = 0;
  while (true) {
    const std::size_t at = text.find(quoted_key, from);
    if (at == std::string_view::npos) return at;
    std::size_t after = skip_space(text, at + quoted_key.size());
    if (after < text.size() && text[after] == ':') return skip_space(text, after + 1);
    from = at + 1;
  }
}

}  // namespace

std::optional<std::string_view> scan_append_audio(std::string_view text) noexcept {
  const std::size_t start = skip_space(text, 0);
  if (start >= text.size() || text[start] != '{') return std::nullopt;
  const std::size_t type = value_of(text, "\"type\"");
  if (type == std::string_view::npos || text.compare(type, k_append.size(), k_append) != 0) return std::nullopt;
  const std::size_t audio = value_of(text, "\"audio\"");
  if (audio == std::string_view::npos || audio >= text.size() || text[audio] != '"') return std::nullopt;
  const std::size_t end = text.find('"', audio + 1);
  if (end == std::string_view::npos) return std::nullopt;
  const std::string_view payload = text.substr(audio + 1, end - audio - 1);
  if (payload.find('\\') != std::string_view::npos) return std::nullopt;
  return payload;
}

}  // namespace sonoria::bench
