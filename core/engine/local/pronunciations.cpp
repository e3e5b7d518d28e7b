#include "core/engine/local/pronunciations.hpp"

#include <cctype>

namespace sonoria::engine::local {

PronouncingDictionary PronouncingDictionary::parse(std::string_view text) {
  PronouncingDictionary dict;
  dict.lines_.reserve(140000);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const auto space = line.find_first_of(" \t");
    if (space == 0 || space == std::string_view::npos || line.find_first_not_of(" \t", space) == std::string_view::npos)
      continue;
    // The word in lowercase, as the language model spells it ("word(2)" keeps its number).
    std::string entry;
    for (char c : line.substr(0, space)) entry += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string key = entry.substr(0, entry.find('('));
    auto& lines = dict.lines_[key];
    lines += entry;
    lines.append(line.substr(space));
    lines += '\n';
  }
  return dict;
}

bool PronouncingDictionary::has(std::string_view word) const { return lines_.contains(std::string(word)); }

std::string PronouncingDictionary::lines_for(const std::vector<std::string>& words, std::vector<std::string>* missing) const {
  std::string out;
  for (const auto& w : words) {
    auto it = lines_.find(w);
    if (it != lines_.end()) out += it->second;
    else if (missing) missing->push_back(w);
  }
  return out;
}

}  // namespace sonoria::engine::local
