#include "core/tools/call_control.hpp"

#include <algorithm>

namespace sonoria::tools {
namespace {

using nlohmann::json;

constexpr int k_reason_max = 200;

json reason_property(const char* description) {
  return {{"type", "string"}, {"maxLength", k_reason_max}, {"description", description}};
}

ToolSpec end_call_spec() {
  return {"end_call",
          "Hang up the call. Use it when the conversation is over (the caller said goodbye or has nothing "
          "more). Say a short goodbye first; the line closes after your goodbye has played.",
          {{"type", "object"},
           {"properties", {{"reason", reason_property("Why the call ends, e.g. \"caller said goodbye\".")}}},
           {"additionalProperties", false}}};
}

ToolSpec transfer_call_spec(const std::vector<org::FallbackNumber>& numbers) {
  json properties = {{"reason", reason_property("Why the caller needs a person, in a few words.")}};
  std::string description =
      "Transfer the caller to a person at the business. Tell the caller you are transferring them before "
      "calling this; the transfer happens after your sentence has played.";
  if (numbers.empty()) {
    description += " No one is reachable right now: this will fail, so offer to take a message instead.";
  } else {
    json names = json::array();
    for (const auto& n : numbers) names.push_back(n.name);
    properties["target"] = {{"type", "string"},
                            {"enum", names},
                            {"description", "Who to transfer to; default \"" + numbers.front().name + "\"."}};
  }
  return {"transfer_call", description,
          {{"type", "object"}, {"properties", std::move(properties)}, {"additionalProperties", false}}};
}

}  // namespace

void add_call_control_tools(Registry& registry, std::vector<org::FallbackNumber> fallback_numbers) {
  std::erase_if(fallback_numbers, [](const org::FallbackNumber& n) { return n.number.empty(); });

  registry.add(end_call_spec(), [](const json& args) {
    return tool_success({{"status", "ending"},
                         {"message", "The call ends once your goodbye has played. Do not say anything more."}},
                        EndCall{string_arg(args, "reason")});
  });

  registry.add(transfer_call_spec(fallback_numbers), [numbers = fallback_numbers](const json& args) {
    if (numbers.empty())
      return tool_failure(
          "Transfer is not available: no one at the business can be reached by phone. Apologise and offer to "
          "take a message instead (the caller's name, phone number and what it is about).");
    std::string target = string_arg(args, "target");
    auto it = target.empty() ? numbers.begin()
                             : std::find_if(numbers.begin(), numbers.end(),
                                            [&](const org::FallbackNumber& n) { return n.name == target; });
    if (it == numbers.end()) return tool_failure("no transfer target named \"" + target + "\"");
    return tool_success({{"status", "transferring"},
                         {"target", it->name},
                         {"message", "The caller is transferred once your current sentence has played."}},
                        TransferCall{it->number, it->name, string_arg(args, "reason")});
  });
}

}  // namespace sonoria::tools
