#include "core/dashboard/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace sonoria::dashboard {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim_header_space(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `key` among the ;-separated parameters of a header value (quoted or not).
std::optional<std::string> parameter(std::string_view value, std::string_view key) {
  std::size_t at = 0;
  while (at < value.size()) {
    const auto semi = value.find(';', at);
    if (semi == std::string_view::npos) return std::nullopt;
    at = semi + 1;
    std::string_view rest = trim_header_space(value.substr(at));
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower_ascii(trim_header_space(rest.substr(0, eq))) != key) continue;
    std::string_view v = rest.substr(eq + 1);
    if (!v.empty() && v.front() == '"') {
      std::string out;
      for (std::size_t i = 1; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) out += v[++i];
        else if (v[i] == '"') return out;
        else out += v[i];
      }
      return std::nullopt;  // unterminated
    }
    const auto end = v.find(';');
    return std::string(trim_header_space(v.substr(0, end)));
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (lower_ascii(trim_header_space(content_type.substr(0, semi))) != "multipart/form-data") return std::nullopt;
  auto boundary = parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) return std::nullopt;
  return boundary;
}

std::optional<std::vector<FormPart>> parse_multipart(std::string_view body, std::string_view boundary) {
  const std::string delimiter = "--" + std::string(boundary);
  std::vector<FormPart> parts;
  if (body.substr(0, delimiter.size()) != delimiter) return std::nullopt;
  std::size_t at = delimiter.size();
  for (;;) {
    if (body.substr(at, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(at, 2) != "\r\n") return std::nullopt;
    at += 2;
    const auto head_end = body.find("\r\n\r\n", at);
    if (head_end == std::string_view::npos) return std::nullopt;
    FormPart part;
    bool named = false;
    std::string_view head = body.substr(at, head_end - at);
    while (!head.empty()) {
      const auto eol = head.find("\r\n");
      const std::string_view line = head.substr(0, eol);
      head = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) return std::nullopt;
      const std::string name = lower_ascii(trim_header_space(line.substr(0, colon)));
      const std::string_view value = trim_header_space(line.substr(colon + 1));
      if (name == "content-disposition") {
        if (lower_ascii(trim_header_space(value.substr(0, value.find(';')))) != "form-data") return std::nullopt;
        auto field = parameter(value, "name");
        if (!field) return std::nullopt;
        part.name = *field;
        part.filename = parameter(value, "filename");
        named = true;
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (!named) return std::nullopt;
    const auto data_start = head_end + 4;
    const auto next = body.find("\r\n" + delimiter, data_start);
    if (next == std::string_view::npos) return std::nullopt;
    part.data = std::string(body.substr(data_start, next - data_start));
    parts.push_back(std::move(part));
    at = next + 2 + delimiter.size();
  }
}

}  // namespace sonoria::dashboard
