#pragma once
// Every tool one call offers, in one place: the daemon gives them to the engine, and
// `sonoria prompt` writes the guidance for the same set.

#include <string>
#include <vector>

#include "core/org/profile.hpp"
#include "core/tools/messaging.hpp"
#include "core/tools/registry.hpp"

namespace sonoria::tools {

struct CallToolOptions {
  bool can_text = true;              // Twilio REST credentials are configured
  bool can_transfer = true;          // false for a caller back from an unanswered transfer
  bool has_knowledge = false;        // the organization has a knowledge base to search
};

// Call control, texts, the appointment book, the knowledge base and the profile's HTTP tools, as
// far as each can work on this call. `profile` must outlive the registry. HTTP tools whose
// parameters sonoria cannot check are left out and named in `skipped`.
void add_call_tools(Registry& registry, const org::Profile& profile, const CallParties& parties,
                    const CallToolOptions& options, std::vector<std::string>* skipped = nullptr);

}  // namespace sonoria::tools
