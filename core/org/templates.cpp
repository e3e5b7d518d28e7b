#include "core/org/templates.hpp"

#include <algorithm>

namespace sonoria::org {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls on_text(text) for literal runs and on_marker(name) for each {{name}}, in order.
template <class OnText, class OnMarker>
void scan(std::string_view tmpl, OnText on_text, OnMarker on_marker) {
  std::size_t pos = 0;
  while (pos < tmpl.size()) {
    const std::size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    const std::size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    on_text(tmpl.substr(pos, open - pos));
    on_marker(trim(tmpl.substr(open + 2, close - open - 2)));
    pos = close + 2;
  }
  on_text(tmpl.substr(pos));
}

}  // namespace

bool is_known_placeholder(std::string_view name) {
  return std::find(k_placeholders.begin(), k_placeholders.end(), name) != k_placeholders.end();
}

std::vector<std::string> unknown_placeholders(std::string_view tmpl) {
  std::vector<std::string> unknown;
  scan(
      tmpl, [](std::string_view) {},
      [&](std::string_view name) {
        if (is_known_placeholder(name)) return;
        if (std::find(unknown.begin(), unknown.end(), name) == unknown.end()) unknown.emplace_back(name);
      });
  return unknown;
}

std::string render_template(std::string_view tmpl, const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(tmpl.size());
  scan(
      tmpl, [&](std::string_view text) { out += text; },
      [&](std::string_view name) {
        if (auto it = values.find(std::string(name)); it != values.end()) out += it->second;
      });
  return out;
}

}  // namespace sonoria::org
