// Password guessing slows down: per username after 5 failures, per address after 20.
#include <doctest/doctest.h>

#include "core/auth/login_throttle.hpp"

using namespace sonoria::auth;
using namespace std::chrono_literals;

TEST_CASE("five free failures per username, then waits that double") {
  LoginThrottle throttle;
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) {
    CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 0s);
    throttle.failed("ana", "10.0.0.1", t);
  }
  // The sixth attempt waits a second after the fifth failure; the next ones 2 s, 4 s, …
  CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 1s);
  CHECK(throttle.wait_before("ana", "10.0.0.2", t) == 1s);  // from anywhere: it is the account
  CHECK(throttle.wait_before("ben", "10.0.0.1", t) == 0s);  // another account is not held up
  t += 1s;
  CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 0s);
  throttle.failed("ana", "10.0.0.1", t);
  CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 2s);
  throttle.failed("ana", "10.0.0.1", t);
  CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 4s);
  // A success clears the account.
  throttle.succeeded("ana");
  CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 0s);
}

TEST_CASE("an address guessing many usernames is slowed down after 20 failures") {
  LoginThrottle throttle;
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 20; ++i) throttle.failed("user" + std::to_string(i), "203.0.113.9", t);
  CHECK(throttle.wait_before("someone-new", "203.0.113.9", t) == 1s);
  CHECK(throttle.wait_before("someone-new", "198.51.100.1", t) == 0s);
}

TEST_CASE("failures are forgotten after the window, and waits are capped") {
  LoginThrottle::Policy policy;
  policy.max_wait = 60s;
  LoginThrottle throttle(policy);
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 30; ++i) throttle.failed("ana", "10.0.0.1", t);
  CHECK(throttle.wait_before("ana", "10.0.0.1", t) == 60s);
  CHECK(throttle.wait_before("ana", "10.0.0.1", t + 16min) == 0s);
}

TEST_CASE("the table stays bounded under a flood of made-up usernames") {
  LoginThrottle::Policy policy;
  policy.max_entries = 100;
  LoginThrottle throttle(policy);
  auto t = LoginThrottle::Clock::time_point{} + 1h;
  for (int i = 0; i < 5; ++i) throttle.failed("ana", "10.0.0.1", t + std::chrono::seconds(i));
  for (int i = 0; i < 1000; ++i) throttle.failed("x" + std::to_string(i), "10.0.0.1", t + 10s);
  // The flood's own one-failure entries went first: the address and ana keep their counts.
  CHECK(throttle.wait_before("nobody", "10.0.0.1", t + 10s) > 0s);
  CHECK(throttle.wait_before("ana", "10.0.0.9", t + 4s) == 1s);
}
