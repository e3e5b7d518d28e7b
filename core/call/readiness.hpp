#pragma once
// Whether the daemon, as configured, can answer a call at all: what /readyz says beyond the
// daemon's own state (draining, overload, database faults). A daemon that would answer every call
// with an apology, or refuse every webhook, is not ready, and says why so that the person reading
// it knows what to set. Pure; any thread.

#include <string>
#include <vector>

#include "core/config/settings.hpp"
#include "core/org/profile.hpp"

namespace sonoria::call {

// "" when calls can be answered; else the reason as a sentence naming the setting to change:
//  - Twilio signatures are required (twilio.validate_signatures) but there is no auth token to
//    check them with: every webhook would be refused;
//  - no organization answers any number;
//  - no organization has an engine it can connect to (each of its engines lacks its key, and the
//    local engine is off or cannot run: `local_problem`, see engines_for()).
// One organization without a usable engine does not make the daemon unready while others have
// one: their calls are answered, and its own go to its fallback (logged at start).
std::string configuration_blocker(const config::Settings& settings, const std::vector<const org::Profile*>& organizations,
                                  const std::string& local_problem = "");

}  // namespace sonoria::call
