#include <doctest/doctest.h>

#include "daemon/call_capacity.hpp"

using namespace sonoria::daemon;

TEST_CASE("before any call is measured, the prior bounds a burst") {
  CallCapacity c(0.8);
  REQUIRE(c.capacity());
  CHECK(*c.capacity() == static_cast<int>(0.8 / CallCapacity::k_prior_call_load));
  CHECK_FALSE(CallCapacity(0).capacity());  // 0: no limit
}

TEST_CASE("the capacity follows what calls in progress cost above the idle load") {
  CallCapacity c(0.8);
  c.add({0.02, 0});  // idle: timers only
  CHECK(c.idle_load() == doctest::Approx(0.02));
  // 100 calls keep the threads 32 % busy: 0.3 % each above idle. Each window moves a third of the way.
  for (int i = 0; i < 30; ++i) c.add({0.32, 100});
  CHECK(c.call_load() == doctest::Approx(0.003).epsilon(0.01));
  CHECK(*c.capacity() == doctest::Approx(260).epsilon(0.01));  // (0.8 − 0.02) / 0.003
}

TEST_CASE("a neighbour taking the CPU shows as waiting, and the capacity falls with it") {
  CallCapacity c(0.8);
  c.add({0.0, 0});
  for (int i = 0; i < 30; ++i) c.add({0.2, 100});
  const int alone = *c.capacity();
  // The same 100 calls, now waiting for a CPU half of the time they are runnable.
  for (int i = 0; i < 30; ++i) c.add({0.4, 100});
  CHECK(*c.capacity() < alone * 0.6);
  CHECK(*c.capacity() > 100);  // 100 calls at 40 % leave room under 80 %
  for (int i = 0; i < 30; ++i) c.add({0.9, 100});
  CHECK(*c.capacity() < 100);  // over the limit: the calls in progress stay, no new one comes
}

TEST_CASE("too few calls say nothing about one call's cost; one busy window does not halve the capacity") {
  CallCapacity c(0.8);
  c.add({0.01, 0});
  c.add({0.9, 3});  // three calls and something else: not their cost
  CHECK(c.call_load() == CallCapacity::k_prior_call_load);
  for (int i = 0; i < 30; ++i) c.add({0.21, 100});
  const int settled = *c.capacity();
  c.add({0.41, 100});
  CHECK(*c.capacity() > settled / 2);
  CHECK(*c.capacity() < settled);
}

TEST_CASE("a call is never free, and a limit of 0 is no limit after measurements too") {
  CallCapacity c(0.8);
  c.add({0.05, 0});
  for (int i = 0; i < 50; ++i) c.add({0.05, 100});  // no cost above idle measured
  CHECK(c.call_load() > 0);
  CHECK(*c.capacity() < 100000);
  c.set_max_load(0);
  CHECK_FALSE(c.capacity());
}
