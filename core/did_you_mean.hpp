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

// Edit distance counting a swap of two neighbours as one edit ("nmae" → "name").
inline size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

// How far `word` is from `candidate`; a key's first words count too, one edit further, so that
// "duraton" finds "duration_minutes" and "duration" finds it as well.
inline size_t name_distance(std::string_view word, std::string_view candidate) {
  size_t d = edit_distance(word, candidate);
  for (size_t underscore = candidate.find('_'); underscore != std::string_view::npos;
       underscore = candidate.find('_', underscore + 1))
    d = std::min(d, edit_distance(word, candidate.substr(0, underscore)) + 1);
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
    const size_t d = name_distance(word, c);
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
