#include "core/call/stages.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/org/tool_names.hpp"

namespace sonoria::call {
namespace {

using nlohmann::json;

const std::string& stage_voice(const org::Stage& stage, engine::Provider provider, bool first_engine) {
  const std::string* own = &stage.voices.openai;
  if (provider == engine::Provider::deepgram) own = &stage.voices.deepgram;
  else if (provider == engine::Provider::ultravox) own = &stage.voices.ultravox;
  if (!own->empty() || !first_engine) return *own;
  return stage.voice;
}

json transition_schema(const org::Stage& to) {
  const std::string description =
      (to.description.empty() ? "Move the call on to the stage \"" + to.name + "\"."
                              : "Move the call on to the stage \"" + to.name + "\": " + to.description) +
      " The conversation carries on; do not tell the caller about stages.";
  return {{"type", "function"},
          {"name", transition_tool(to.name)},
          {"description", description},
          {"parameters",
           {{"type", "object"},
            {"properties",
             {{"handoff",
               {{"type", "string"},
                {"description",
                 "What the next stage must know: the caller's name, what they want, what was checked or agreed."}}}}},
            {"required", json::array({"handoff"})}}}};
}

std::string flow_instructions(const std::vector<org::Stage>& stages, std::size_t index, std::string_view handoff,
                              const std::vector<std::string>& tools) {
  const org::Stage& stage = stages[index];
  std::string out = "\n\n# Call flow\nThis call goes through stages. You are in the stage \"" + stage.name +
                    "\" now; what you do in it:\n" + stage.instructions + "\n";
  if (!handoff.empty()) out += "\nWhat the earlier stage passed on: " + std::string(handoff) + "\n";
  if (stage.tools) {
    out += "\nTools you may use in this stage: ";
    out += tools.empty() ? std::string("none") : "";
    for (std::size_t i = 0; i < tools.size(); ++i) out += (i ? ", " : "") + tools[i];
    out += ". Others mentioned above are not available here.\n";
  }
  if (stage.next.empty()) {
    out += "\nThis is the last stage of the call.\n";
  } else {
    out += "\nWhen the moment comes, move the call on by calling one of these tools (say nothing about it to "
           "the caller; the conversation simply goes on):\n";
    for (const auto& next : stage.next) {
      auto to = find_stage(stages, next);
      if (!to) continue;
      out += "- " + transition_tool(next) +
             (stages[*to].description.empty() ? std::string() : ": " + stages[*to].description) + "\n";
    }
  }
  return out;
}

}  // namespace

std::string transition_tool(std::string_view stage) { return std::string(org::k_transition_prefix) + std::string(stage); }

std::string_view transition_target(std::string_view tool) {
  if (tool.size() <= org::k_transition_prefix.size() || !tool.starts_with(org::k_transition_prefix)) return {};
  return tool.substr(org::k_transition_prefix.size());
}

std::optional<std::size_t> find_stage(const std::vector<org::Stage>& stages, std::string_view name) {
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (stages[i].name == name) return i;
  return std::nullopt;
}

bool stage_offers(const org::Stage& stage, std::string_view tool) {
  if (!stage.tools) return true;
  return std::find(stage.tools->begin(), stage.tools->end(), tool) != stage.tools->end();
}

std::string handoff_of(std::string_view arguments) {
  json j = json::parse(arguments.begin(), arguments.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return {};
  auto it = j.find("handoff");
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_null()) return {};
  return it->dump(-1, ' ', false, json::error_handler_t::replace);
}

engine::SessionConfig stage_session(engine::SessionConfig base, engine::Provider provider, bool first_engine,
                                    const std::vector<org::Stage>& stages, std::size_t index,
                                    std::string_view handoff) {
  if (index >= stages.size()) return base;
  const org::Stage& stage = stages[index];
  json tools = json::array();
  std::vector<std::string> offered;
  if (base.tools.is_array())
    for (const auto& tool : base.tools) {
      const auto name_at = tool.is_object() ? tool.find("name") : tool.end();
      const std::string name = name_at != tool.end() && name_at->is_string() ? name_at->get<std::string>() : "";
      if (!stage_offers(stage, name)) continue;
      tools.push_back(tool);
      offered.push_back(name);
    }
  for (const auto& next : stage.next)
    if (auto to = find_stage(stages, next)) tools.push_back(transition_schema(stages[*to]));
  base.tools = std::move(tools);
  base.instructions += flow_instructions(stages, index, handoff, offered);
  // A stage's voices name cloud engines' voices; the local engine keeps espeak-ng's.
  if (provider == engine::Provider::local) return base;
  if (const std::string& voice = stage_voice(stage, provider, first_engine); !voice.empty()) base.voice = voice;
  return base;
}

}  // namespace sonoria::call
