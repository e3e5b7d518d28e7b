#pragma once
// Business profiles as TOML files: the format owners edit and keep in version control. The
// format is described, with every key, in examples/yoga-studio.toml.
//
// Import reads, then validates (profile_validate.hpp). Every problem found is reported, one per
// line, as "FILE:LINE: FIELD: problem (expected …)"; a TOML syntax error stops reading and is
// reported as "FILE:LINE:COLUMN: invalid TOML: …". Unknown keys are errors and name the nearest
// valid key. Nothing is returned when anything is wrong. Profile::id is not part of the file.
// All functions are callable from any thread.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/org/profile.hpp"

namespace sonoria::org {

// Parses TOML text; source_name ("profiles/yoga.toml") prefixes every message.
// Throws sonoria::DataError listing every problem.
Profile parse_profile_toml(std::string_view text, const std::string& source_name);

// One problem found by parse_profile_toml: `field` is the TOML path ("services[0].price", "" for
// a syntax error), `line` the line in the text (0 when it has none).
struct ProfileIssue {
  int line = 0;
  std::string field;
  std::string message;
};

struct ProfileRead {
  std::optional<Profile> profile;    // set when there is no issue
  std::vector<ProfileIssue> issues;  // in the order of the text
};

// parse_profile_toml without the exception: the same reading and the same rules, each problem
// with its field, for a caller that shows them beside the values (the dashboard's profile form).
ProfileRead read_profile_toml(std::string_view text, const std::string& source_name);

// Reads and parses a file, named in messages as the path was given.
// Throws sonoria::DataError if the file cannot be read or the profile is invalid.
Profile load_profile_file(const std::filesystem::path& path);

// Writes a profile as TOML in the format's own section and key order, leaving out optional
// text that is empty. For a valid profile, parse_profile_toml(export_profile_toml(p)) == p
// (apart from id). Deterministic: the same profile always gives the same bytes.
std::string export_profile_toml(const Profile& profile);

}  // namespace sonoria::org
