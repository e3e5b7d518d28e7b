#pragma once
// The phone numbers of a profile: which country a number typed without its country code belongs
// to, and the E.164 form every number is stored in (read by core/phone).

#include <string>

#include "core/org/profile.hpp"

namespace sonoria::org {

// organization.country when it names a region, else the region of the first phone number
// (+1 → "US", +44 → "GB"); "" when neither says, and then every number needs its "+".
std::string default_region(const Organization& org);

// Rewrites each number of the profile (phone_numbers, owner, locations, fallback numbers) that
// reads as a phone number to its E.164 form. One that does not stays as typed, for
// validate_profile to report with its field.
void normalize_phone_numbers(Profile& profile);

}  // namespace sonoria::org
