#include "tests/bench/probe_sequence.hpp"

#include <doctest/doctest.h>

using namespace sonoria::bench;

TEST_CASE("a stream's first probe sets the baseline and earlier numbers count as missed at start") {
  ProbeSequence s;
  FrameCounts c;
  s.observe(7, 3, c);
  s.observe(7, 4, c);
  s.observe(7, 5, c);
  CHECK(c.missed_at_start == 3);
  CHECK(c.lost == 0);
  CHECK(c.reordered == 0);
}

TEST_CASE("a jump forward counts the skipped frames as lost and an old number as reordered") {
  ProbeSequence s;
  FrameCounts c;
  s.observe(1, 0, c);
  s.observe(1, 1, c);
  s.observe(1, 4, c);  // 2 and 3 missing
  CHECK(c.lost == 2);
  s.observe(1, 2, c);  // late
  s.observe(1, 4, c);  // duplicate
  CHECK(c.reordered == 2);
  s.observe(1, 5, c);
  CHECK(c.lost == 2);
}

TEST_CASE("streams are checked independently") {
  ProbeSequence s;
  FrameCounts c;
  s.observe(1, 0, c);
  s.observe(2, 0, c);
  s.observe(1, 1, c);
  s.observe(2, 1, c);
  CHECK(c.lost == 0);
  CHECK(c.reordered == 0);
  CHECK(c.missed_at_start == 0);
}
