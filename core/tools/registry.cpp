#include "core/tools/registry.hpp"

#include <functional>
#include <stdexcept>

#include "core/intern_table.hpp"
#include "core/org/tool_schema.hpp"

namespace sonoria::tools {
namespace {

using nlohmann::json;

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// The earlier result, marked so the model knows nothing was done again and how to insist.
std::string repeated_output(const std::string& earlier) {
  json j = json::parse(earlier, nullptr, false);
  if (!j.is_object()) j = json{{"result", j.is_discarded() ? json(earlier) : j}};
  j["repeated"] = true;
  j["note"] =
      "This exact call was already made earlier in this call, so it was not done again; this is the earlier "
      "result. If the caller explicitly wants it done again, call it again with \"confirm_repeat\": true.";
  return dump(j);
}

// Identical schemas share one immutable document, kept while any registry uses it.
std::shared_ptr<const json> intern_schema(json schema) {
  static InternTable<json> table;
  const auto hash = std::hash<std::string>{}(schema.dump());
  return table.intern(hash, std::move(schema));
}

}  // namespace

void Registry::add(ToolSpec spec, ToolHandler handler) {
  if (!valid_name(spec.name)) throw std::invalid_argument("tool name \"" + spec.name + "\" is not [a-zA-Z0-9_-]{1,64}");
  if (find(spec.name)) throw std::invalid_argument("tool \"" + spec.name + "\" is registered twice");
  if (auto problem = org::check_schema(spec.parameters_schema))
    throw std::invalid_argument("tool \"" + spec.name + "\": " + *problem);
  if (!handler) throw std::invalid_argument("tool \"" + spec.name + "\" has no handler");
  tools_.push_back({std::move(spec.name), std::move(spec.description), intern_schema(std::move(spec.parameters_schema)),
                    std::move(handler)});
}

const Registry::Tool* Registry::find(std::string_view name) const {
  for (const auto& t : tools_)
    if (t.name == name) return &t;
  return nullptr;
}

bool Registry::contains(std::string_view name) const { return find(name) != nullptr; }

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& t : tools_) out.push_back(t.name);
  return out;
}

json Registry::session_tools() const {
  json tools = json::array();
  for (const auto& t : tools_)
    tools.push_back({{"type", "function"},
                     {"name", t.name},
                     {"description", t.description},
                     {"parameters", *t.schema}});
  return tools;
}

ToolOutcome Registry::run(std::string_view name, std::string_view arguments_json) {
  const Tool* tool = find(name);
  if (!tool) {
    std::string known;
    for (const auto& t : tools_) known += (known.empty() ? "" : ", ") + t.name;
    return tool_failure("unknown tool \"" + std::string(name) + "\"" +
                        (known.empty() ? "; no tools are available" : "; available tools: " + known));
  }

  json args = arguments_json.find_first_not_of(" \t\r\n") == std::string_view::npos
                  ? json::object()
                  : json::parse(arguments_json.begin(), arguments_json.end(), nullptr, false);
  if (args.is_discarded()) return tool_failure("the arguments are not valid JSON; send a JSON object");
  if (!args.is_object()) return tool_failure("the arguments must be a JSON object");

  bool confirm_repeat = false;
  if (auto it = args.find(k_confirm_repeat); it != args.end()) {
    confirm_repeat = it->is_boolean() && it->get<bool>();
    args.erase(it);
  }
  if (auto problem = org::check_arguments(*tool->schema, args)) return tool_failure(*problem);

  std::string key = tool->name + '\n' + dump(args);  // object keys are sorted: canonical
  if (!confirm_repeat) {
    if (auto it = executed_.find(key); it != executed_.end()) return {repeated_output(it->second), NoEffect{}, true};
  }

  ToolOutcome outcome;
  try {
    outcome = tool->handler(args);
  } catch (const std::exception& e) {
    return tool_failure("the tool failed: " + std::string(e.what()));
  }
  if (outcome.ok) executed_[key] = outcome.output_json;
  outcome.repeat_key = std::move(key);
  return outcome;
}

void Registry::settle(const ToolOutcome& final_outcome) {
  if (final_outcome.repeat_key.empty()) return;
  if (final_outcome.ok) executed_[final_outcome.repeat_key] = final_outcome.output_json;
  else executed_.erase(final_outcome.repeat_key);
}

}  // namespace sonoria::tools
