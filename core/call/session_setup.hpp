#pragma once
// How a call is set up, decided from the business profile, the daemon's settings and the call's
// circumstances: which engines serve it (in order), what each engine's session is told (prompt,
// voice, model, tools, turn detection), and the call bridge's own rules (greeting, transfer digit,
// time limits). Pure functions: no I/O, deterministic for a given `now`.

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/call/bridge.hpp"
#include "core/config/settings.hpp"
#include "core/engine/providers.hpp"
#include "core/engine/session_config.hpp"
#include "core/org/profile.hpp"

namespace sonoria::call {

struct CallCircumstances {
  bool outbound = false;
  std::chrono::sys_seconds now{};
  std::vector<std::string> tool_names;     // the tools the call has (tools::Registry::names())
  nlohmann::json session_tools = nlohmann::json::array();  // their schemas (Registry::session_tools())
  // A caller back from a transfer nobody answered: Twilio's DialCallStatus and the conversation so
  // far as (speaker, text) pairs. The assistant then takes a message and cannot transfer again.
  std::optional<std::string> comeback_dial_status;
  std::vector<std::pair<std::string, std::string>> earlier_turns;
  // What the call-start webhook said (core/call/call_start.hpp): facts for the prompt and a greeting.
  std::vector<std::pair<std::string, std::string>> caller_facts;
  std::string greeting;              // "" = the profile's
  // Why the local engine cannot run here ("" = it can): engines_for().
  std::string local_problem;
};

struct CallSetup {
  std::vector<engine::Provider> engines;   // in order of preference; never empty
  engine::SessionConfig session;            // for engines.front(); session_for() gives the others
  BridgeConfig bridge;
  std::string prompt_problem;               // why the prompt could not be built ("" = it was)
};

// The engines that serve an assistant's calls, in order: its own (assistant.engines), less those
// that cannot be connected for want of a key while another can be; then the local engine as the
// last resort (engines.local.last_resort) unless `local_problem` says it cannot run (its model
// files are missing: engine::local::installation_problem). Never empty.
std::vector<engine::Provider> engines_for(const org::Assistant& assistant, const config::Settings& settings,
                                          const std::string& local_problem = "");

CallSetup setup_call(const org::Profile& profile, const config::Settings& settings, const CallCircumstances& call);

// The session for `provider` within a setup: the same prompt, tools and turn detection, with that
// engine's voice and model (the profile's [assistant.<engine>] options, else for the first engine
// the assistant's voice and model, else the daemon's defaults for the engine).
engine::SessionConfig session_for(engine::Provider provider, const CallSetup& setup, const org::Profile& profile,
                                  const config::Settings& settings);
// The same from the first engine's session (`setup.session`, kept apart: a daemon shares it
// between the calls that have the same one) and the engines in order.
engine::SessionConfig session_for(engine::Provider provider, const engine::SessionConfig& first_session,
                                  const std::vector<engine::Provider>& engines, const org::Profile& profile,
                                  const config::Settings& settings);

}  // namespace sonoria::call
