#include "tests/support/time_scale.hpp"

#include <cstdlib>
#include <exception>
#include <string>

namespace sonoria::test {

double time_scale() {
  static const double scale = [] {
    const char* text = std::getenv("SONORIA_TEST_TIME_SCALE");
    if (!text) return 1.0;
    try {
      const double value = std::stod(text);
      return value >= 1.0 ? value : 1.0;
    } catch (const std::exception&) {
      return 1.0;
    }
  }();
  return scale;
}

}  // namespace sonoria::test
