#pragma once
// What callers are likely to say to one business, as sentences for the local engine's language
// model (language_model.hpp): the questions the receptionist answers (hours, days and dates,
// holidays, address, services and prices, add-ons, team, policies, booking, messages, transfers,
// goodbyes, yes and no) filled in with the profile's own names, and its FAQ questions as written.
// Pure functions; any thread.

#include <string>
#include <string_view>
#include <vector>

#include "core/org/profile.hpp"

namespace sonoria::engine::local {

// Sentences callers are likely to say to this business: lowercase words only (a-z, apostrophe,
// single spaces), numbers as words ("ninety five"), no duplicates. Several hundred to a few
// thousand, always in the same order for the same profile.
std::vector<std::string> caller_phrases(const org::Profile& profile);

// `text` as the recogniser would write it: lowercase, numbers spelled out ("$3" → "three
// dollars", "24th" → "twenty fourth"), "&" as "and", "Dr." as "doctor", hyphens and other
// punctuation as spaces, apostrophes kept inside words only.
std::string phrase_text(std::string_view text);

}  // namespace sonoria::engine::local
