#pragma once
// The tools one call offers the model: their names, descriptions and parameter schemas (sent in
// the session config), argument validation, and a guard against doing the same thing twice.
//
// One Registry per call: it remembers which (tool, arguments) pairs already ran in this call.
// A repeated identical call is answered with the earlier result plus a note, and without the
// effect, unless the arguments carry "confirm_repeat": true (the model is told so in the note).
// Only successful runs are remembered, so a refused call can be retried as is. This applies to
// every tool, so tools with real-world side effects (SMS, …) get it without doing anything.
//
// Not thread-safe; used from the call's strand. Handlers run synchronously inside run(): a tool
// that needs a peer returns an effect describing the work instead of doing it (see outcome.hpp).

#include "core/tools/outcome.hpp"

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::tools {

struct ToolSpec {
  std::string name;                  // [a-zA-Z0-9_-]+, unique within the registry
  std::string description;           // what the model reads to decide when to call it
  nlohmann::json parameters_schema;  // JSON Schema subset, see core/org/tool_schema.hpp
};

// Receives arguments already validated against the spec's schema (without confirm_repeat).
// Returns the outcome; should not throw (if it does, run() turns it into a failure output).
using ToolHandler = std::function<ToolOutcome(const nlohmann::json& arguments)>;

// A handler's text argument: "" when it is absent or not a string (the schema said whether it may be).
inline std::string string_arg(const nlohmann::json& arguments, const char* name) {
  auto it = arguments.find(name);
  return it != arguments.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// The reserved argument that asks for a repeat of an identical earlier call.
inline constexpr std::string_view k_confirm_repeat = "confirm_repeat";

class Registry {
 public:
  // Adds a tool. Throws std::invalid_argument for a programming error: a bad or duplicate name, a
  // schema outside the supported subset, or an empty handler.
  void add(ToolSpec spec, ToolHandler handler);

  bool contains(std::string_view name) const;
  std::vector<std::string> names() const;  // in the order added

  // The `tools` array for the engine session: [{"type":"function","name","description","parameters"}].
  nlohmann::json session_tools() const;

  // Runs `name` with the model's argument text. Never throws. Failures come back as outputs the
  // model can act on (ok=false, NoEffect): unknown tool (listing the known ones), arguments that
  // are not a JSON object (empty text counts as {}), or arguments that fail the schema.
  ToolOutcome run(std::string_view name, std::string_view arguments_json);

  // Replaces what a run (identified by the outcome's repeat_key) is remembered as, once its effect
  // was carried out: a failed effect is forgotten so the model can retry, a successful one is
  // remembered with its final output. Unknown or empty keys are ignored.
  void settle(const ToolOutcome& final_outcome);

  // Forgets what ran (a new call reusing the registry).
  void forget_history() { executed_.clear(); }

 private:
  struct Tool {
    std::string name;
    std::string description;
    // Schemas are the same for every call of a profile: one document for the whole process,
    // rather than ~2 KiB of JSON nodes per tool per call (see intern_schema in registry.cpp).
    std::shared_ptr<const nlohmann::json> schema;
    ToolHandler handler;
  };
  const Tool* find(std::string_view name) const;

  std::vector<Tool> tools_;
  std::map<std::string, std::string> executed_;  // "name\n canonical args" → output_json
};

}  // namespace sonoria::tools
