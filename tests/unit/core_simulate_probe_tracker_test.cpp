#include "core/simulate/probe_tracker.hpp"

#include <doctest/doctest.h>

using namespace sonoria::simulate;

TEST_CASE("consecutive probes from 0 lose nothing") {
  ProbeTracker t;
  for (std::uint32_t i = 0; i < 100; ++i) t.see(7, i);
  CHECK(t.received() == 100);
  CHECK(t.lost() == 0);
  CHECK(t.reordered() == 0);
}

TEST_CASE("a gap counts its size as lost, and a frame going backwards counts as reordered") {
  ProbeTracker t;
  t.see(1, 0);
  t.see(1, 1);
  t.see(1, 4);  // 2 and 3 missing
  CHECK(t.lost() == 2);
  t.see(1, 3);  // late
  CHECK(t.reordered() == 1);
  t.see(1, 5);
  CHECK(t.lost() == 2);
  t.see(9, 2);  // a stream first seen at 2 lost 0 and 1
  CHECK(t.lost() == 4);
  t.see(9, 3);
  CHECK(t.lost() == 4);
  CHECK(t.received() == 7);
}
