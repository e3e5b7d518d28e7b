#include "core/dashboard/line_diff.hpp"

#include <doctest/doctest.h>

using namespace sonoria::dashboard;
using Kind = DiffLine::Kind;

namespace {

std::string show(const std::vector<DiffLine>& diff) {
  std::string out;
  for (const auto& d : diff) out += (d.kind == Kind::same ? " " : d.kind == Kind::added ? "+" : "-") + d.text + "|";
  return out;
}

}  // namespace

TEST_CASE("equal texts are all the same lines") {
  CHECK(show(diff_lines("a\nb\nc\n", "a\nb\nc\n")) == " a| b| c|");
}

TEST_CASE("a changed line is removed then added, with the rest kept") {
  CHECK(show(diff_lines("a\nb\nc\n", "a\nB\nc\n")) == " a|-b|+B| c|");
}

TEST_CASE("insertions and deletions in the middle keep the common lines") {
  CHECK(show(diff_lines("a\nb\nc\nd\n", "a\nc\nx\nd\n")) == " a|-b| c|+x| d|");
}

TEST_CASE("from nothing, everything is added; to nothing, everything removed") {
  CHECK(show(diff_lines("", "a\nb")) == "+a|+b|");
  CHECK(show(diff_lines("a\nb", "")) == "-a|-b|");
}

TEST_CASE("the shortest edit is found when lines repeat") {
  const auto diff = diff_lines("x\na\nb\nx\na\nb\n", "a\nb\nx\na\nb\nx\n");
  int changes = 0;
  for (const auto& d : diff) changes += d.kind != Kind::same;
  CHECK(changes == 2);
}
