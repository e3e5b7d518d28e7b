#pragma once
// Suggests the nearest valid name for a misspelled key or subcommand ("servces" → "services",
// "duraton" → "duration_minutes"). The one implementation: config keys, profile keys at every
// depth, API fields and subcommands all use it. Header-only so every core module can use it
// without a library dependency.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria {

// Edit distance counting a swap of two neighbours as one edit ("nmae" → "name"). Three rows of
// the table, not all of it: a long word costs time in proportion, and no allocation per letter.
inline size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) current[j] = std::min(current[j], before[j - 2] + 1);
    }
    std::swap(before, previous);
    std::swap(previous, current);
  }
  return previous[b.size()];
}

// How far `word` is from `candidate`; a key's first words count too, one edit further, so that
// "duraton" finds "duration_minutes" and "duration" finds it as well. A candidate whose length
// alone puts it further than `cap` is not measured (the answer is then only "more than cap"):
// a 1 MB key typed into a profile is compared with nothing.
inline size_t name_distance(std::string_view word, std::string_view candidate, size_t cap = static_cast<size_t>(-1)) {
  const auto measured = [&](std::string_view c, size_t extra) {
    const size_t gap = word.size() > c.size() ? word.size() - c.size() : c.size() - word.size();
    if (gap > cap || gap + extra > cap) return static_cast<size_t>(-1);
    return edit_distance(word, c) + extra;
  };
  size_t d = measured(candidate, 0);
  for (size_t underscore = candidate.find('_'); underscore != std::string_view::npos;
       underscore = candidate.find('_', underscore + 1))
    d = std::min(d, measured(candidate.substr(0, underscore), 1));
  return d;
}

// Close enough to be a typo: one edit per three letters, at least two.
inline size_t typo_limit(std::string_view word) { return std::max<size_t>(2, word.size() / 3); }

// The candidate closest to `word` within `limit` edits, else "". Candidates: any range of strings.
template <typename Names>
std::string nearest_name(std::string_view word, const Names& candidates, size_t limit) {
  std::string best;
  size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const size_t d = name_distance(word, c, best_distance - 1);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

inline std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
  return nearest_name(word, candidates, typo_limit(word));
}

// " (did you mean \"services\"?)" or "".
inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto n = nearest_name(word, candidates);
  return n.empty() ? std::string() : " (did you mean \"" + n + "\"?)";
}

}  // namespace sonoria
