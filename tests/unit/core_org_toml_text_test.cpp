#include "core/org/toml_text.hpp"

#include <doctest/doctest.h>

#include <cmath>

using namespace sonoria::org;

TEST_CASE("quoted strings escape quotes, backslashes and control characters") {
  CHECK(toml_quote("plain") == "\"plain\"");
  CHECK(toml_quote("say \"hi\"\\") == "\"say \\\"hi\\\"\\\\\"");
  CHECK(toml_quote("a\nb\tc\rd") == "\"a\\nb\\tc\\rd\"");
  CHECK(toml_quote(std::string("\x01\x7f", 2)) == "\"\\u0001\\u007F\"");
  CHECK(toml_quote("café ☕") == "\"café ☕\"");
}

TEST_CASE("text with line breaks is written as a multi-line string") {
  CHECK(toml_string("one line") == "\"one line\"");
  CHECK(toml_string("first\nsecond \"quoted\"") == "\"\"\"\nfirst\nsecond \\\"quoted\\\"\"\"\"");
}

TEST_CASE("floats are written in their shortest form and always look like floats") {
  CHECK(toml_float(0.8) == "0.8");
  CHECK(toml_float(1.0) == "1.0");
  CHECK(toml_float(1e20) == "1e+20");
  CHECK(toml_float(-0.25) == "-0.25");
  CHECK(toml_float(INFINITY) == "inf");
  CHECK(toml_float(NAN) == "nan");
}
