#include "core/tools/call_tools.hpp"

#include "core/tools/booking_tools.hpp"
#include "core/tools/call_control.hpp"
#include "core/tools/http_tools.hpp"
#include "core/tools/knowledge.hpp"

namespace sonoria::tools {

void add_call_tools(Registry& registry, const org::Profile& profile, const CallParties& parties,
                    const CallToolOptions& options, std::vector<std::string>* skipped) {
  add_call_control_tools(registry, options.can_transfer ? profile.fallback_numbers : std::vector<org::FallbackNumber>{});
  if (options.can_text) add_messaging_tools(registry, profile, parties);
  add_booking_tools(registry, profile, parties);
  if (options.has_knowledge) add_knowledge_tool(registry);
  add_http_tools(registry, profile, skipped);
}

}  // namespace sonoria::tools
