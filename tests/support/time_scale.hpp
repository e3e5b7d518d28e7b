#pragma once
// How much slower than real time this build's tests run. Sanitizers slow code down, ThreadSanitizer
// five to fifteen times, so a test that judges by elapsed time (the line quiet for 1.5 s, twenty
// three-second calls on two cores) would fail for that alone. scripts/test sets
// SONORIA_TEST_TIME_SCALE for such a build, and those waits are stretched by it. A plain limit on
// how long to wait for something to happen is not stretched: such limits are generous already.

#include <chrono>

namespace sonoria::test {

// 1, or SONORIA_TEST_TIME_SCALE when it holds a number of at least 1.
double time_scale();

template <class Rep, class Period>
std::chrono::milliseconds scaled(std::chrono::duration<Rep, Period> d) {
  const auto ms = std::chrono::duration_cast<std::chrono::duration<double, std::milli>>(d).count();
  return std::chrono::milliseconds(static_cast<long long>(ms * time_scale()));
}

}  // namespace sonoria::test
