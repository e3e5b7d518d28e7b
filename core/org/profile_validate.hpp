#pragma once
// The rules a business profile must satisfy before sonoria answers calls with it. The TOML
// importer runs these after reading a file (so its messages carry line numbers); the database
// and API layers can run them on a Profile they built themselves.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/org/profile.hpp"

namespace sonoria::org {

// One broken rule. `field` is the TOML path of the value ("hours.monday[1]", "services[0].price";
// array indexes count from 0); `message` says what is wrong and what was expected:
// "\"12:00-09:00\" closes before it opens (expected the closing time after the opening time)".
struct Problem {
  std::string field;
  std::string message;

  bool operator==(const Problem&) const = default;
};

// Every problem in the profile, in the order of the TOML format (organization, assistant,
// services, …); empty when the profile is valid. Pure; callable from any thread.
std::vector<Problem> validate_profile(const Profile& profile);

// Throws sonoria::DataError listing every problem, one per line, as "SOURCE: FIELD: message",
// where SOURCE names where the profile came from ("database organization 4").
void ensure_valid_profile(const Profile& profile, const std::string& source_name);

inline constexpr double k_min_temperature = 0.6;
inline constexpr double k_max_temperature = 1.2;
inline constexpr int k_max_vad_ms = 10000;
inline constexpr int k_max_duration_minutes = 24 * 60;

// The individual rules, for callers that check a single value.
bool is_valid_slug(std::string_view slug);        // [a-z0-9][a-z0-9-]*
bool is_known_timezone(const std::string& name);  // present in the system tz database

}  // namespace sonoria::org
