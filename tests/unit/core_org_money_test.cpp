#include "core/org/money.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

using namespace sonoria::org;

TEST_CASE("US dollars are shown with a dollar sign and other currencies by their code") {
  CHECK(format_price(2500, "USD") == "$25.00");
  CHECK(format_price(1850, "USD") == "$18.50");
  CHECK(format_price(5, "USD") == "$0.05");
  CHECK(format_price(2500, "EUR") == "25.00 EUR");
  CHECK(format_price(-525, "USD") == "-$5.25");
}

TEST_CASE("amounts are written with exactly two decimals") {
  CHECK(format_amount(0) == "0.00");
  CHECK(format_amount(1850) == "18.50");
  CHECK(format_amount(-7) == "-0.07");
  CHECK(format_amount(std::numeric_limits<int64_t>::min()) == "-92233720368547758.08");
}

TEST_CASE("decimal amounts convert to exact cents despite binary rounding") {
  CHECK(cents_from_amount(25) == 2500);
  CHECK(cents_from_amount(18.5) == 1850);
  CHECK(cents_from_amount(18.99) == 1899);
  CHECK(cents_from_amount(0.07) == 7);
  CHECK(cents_from_amount(-5.25) == -525);
  CHECK(cents_from_amount(999999999.99) == 99999999999);
}

TEST_CASE("amounts with a third decimal, no finite value or an absurd size do not convert") {
  CHECK_FALSE(cents_from_amount(18.505).has_value());
  CHECK_FALSE(cents_from_amount(0.001).has_value());
  CHECK_FALSE(cents_from_amount(INFINITY).has_value());
  CHECK_FALSE(cents_from_amount(NAN).has_value());
  CHECK_FALSE(cents_from_amount(1e10).has_value());
}
