#pragma once
// Shared by the profile tests: the smallest valid profile, and the message parsing a profile
// produces.
#include <doctest/doctest.h>

#include <string>

#include "core/error.hpp"
#include "core/org/profile_toml.hpp"

namespace sonoria::test {

// The smallest valid profile: five lines, so whatever a test appends starts on line 6.
inline const std::string k_minimal_profile =
    "[organization]\n"
    "slug = \"lotus-yoga\"\n"
    "name = \"Lotus Yoga Studio\"\n"
    "timezone = \"America/New_York\"\n"
    "phone_numbers = [\"+15550001000\"]\n";

// The DataError message parsing `toml` (as profiles/yoga.toml) produces; fails the test if it parses.
inline std::string profile_problems(const std::string& toml) {
  try {
    org::parse_profile_toml(toml, "profiles/yoga.toml");
  } catch (const DataError& error) {
    return error.what();
  }
  FAIL("the profile was accepted");
  return {};
}

}  // namespace sonoria::test
