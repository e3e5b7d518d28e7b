#pragma once
// Suggests the nearest valid name for a misspelled key or subcommand ("servces" → "services").
// Header-only so every core module can use it without a library dependency.

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria {

inline size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The candidate closest to `word` when it is close enough to be a plausible typo, else "".
inline std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

// " (did you mean \"services\"?)" or "".
inline std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto n = nearest_name(word, candidates);
  return n.empty() ? std::string() : " (did you mean \"" + n + "\"?)";
}

}  // namespace sonoria
