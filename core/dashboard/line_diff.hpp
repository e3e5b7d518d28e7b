#pragma once
// Which lines of one text became which of another: the comparison of two profile versions.
// Pure.

#include <string>
#include <string_view>
#include <vector>

namespace sonoria::dashboard {

struct DiffLine {
  enum class Kind { same, removed, added };
  Kind kind = Kind::same;
  std::string text;

  bool operator==(const DiffLine&) const = default;
};

// A shortest edit between the lines of `before` and `after` (a longest common subsequence),
// removals before additions where lines were replaced. Texts past a few thousand lines each are
// compared as wholly replaced rather than in quadratic time.
std::vector<DiffLine> diff_lines(std::string_view before, std::string_view after);

}  // namespace sonoria::dashboard
