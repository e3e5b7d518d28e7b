// A business's profile (core/org/): TOML a person types or pastes into the dashboard, and the
// JSON it is stored as. Errors are values (read_profile_toml) or DataErrors; a profile that
// reads without an issue writes back to the same profile.
#include <string>

#include "core/error.hpp"
#include "core/org/profile_json.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::profile {

SONORIA_FUZZ_TARGET(profile_toml) {
  const org::ProfileRead read = org::read_profile_toml(input, "fuzz.toml");
  if (!read.profile) {
    FUZZ_CHECK(!read.issues.empty());
    return;
  }
  org::Profile again = org::parse_profile_toml(org::export_profile_toml(*read.profile), "exported.toml");
  again.id = read.profile->id;
  FUZZ_CHECK(again == *read.profile);
  FUZZ_CHECK(org::profile_from_json_text(org::profile_to_json_text(*read.profile), "stored") == *read.profile);
}

SONORIA_FUZZ_TARGET(profile_json) {
  try {
    const org::Profile stored = org::profile_from_json_text(input, "stored");
    FUZZ_CHECK(org::profile_from_json_text(org::profile_to_json_text(stored), "again") == stored);
  } catch (const DataError&) {
  }
}

}  // namespace sonoria::fuzz::profile
