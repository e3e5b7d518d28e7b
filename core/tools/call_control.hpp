#pragma once
// The tools that steer the call itself:
//   end_call(reason?)              → EndCall: hang up once the goodbye has played.
//   transfer_call(reason?, target?) → TransferCall to one of the organization's fallback numbers
//                                     (target = its name; default the first). With no fallback
//                                     number the model is told transfer is unavailable and to
//                                     offer to take a message instead.

#include "core/org/profile.hpp"
#include "core/tools/registry.hpp"

#include <vector>

namespace sonoria::tools {

// Adds end_call and transfer_call to `registry`. `fallback_numbers` in profile order (the first
// is the default target); entries with an empty number are skipped. Throws std::invalid_argument
// only if either tool is already registered.
void add_call_control_tools(Registry& registry, std::vector<org::FallbackNumber> fallback_numbers);

}  // namespace sonoria::tools
