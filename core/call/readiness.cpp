#include "core/call/readiness.hpp"

#include <set>

#include "core/call/session_setup.hpp"
#include "core/engine/providers.hpp"

namespace sonoria::call {

std::string configuration_blocker(const config::Settings& settings, const std::vector<const org::Profile*>& organizations,
                                  const std::string& local_problem) {
  if (settings.twilio.validate_signatures && settings.twilio.auth_token.empty())
    return "not configured: twilio.auth_token is not set (or TWILIO_AUTH_TOKEN), so every Twilio webhook would be "
           "refused for its signature; set it, or twilio.validate_signatures = false for local tests only";
  if (organizations.empty()) return "not configured: no organization answers any number yet (sonoria org import FILE.toml)";
  // Why each engine cannot be used, once per engine, for the sentence.
  std::set<std::string> missing;
  for (const org::Profile* profile : organizations) {
    for (const auto provider : engines_for(profile->assistant, settings, local_problem)) {
      std::string problem = engine::missing_settings(provider, settings);
      if (provider == engine::Provider::local && problem.empty()) problem = local_problem;
      if (problem.empty()) return "";
      missing.insert(problem);
    }
  }
  if (settings.local.last_resort && !local_problem.empty()) missing.insert(local_problem);
  if (missing.empty()) return "not configured: no organization names an engine sonoria knows (assistant.engines)";
  std::string why;
  for (const auto& problem : missing) why += (why.empty() ? "" : "; ") + problem;
  return "not configured: no organization has an engine it can connect to (" + why + ")";
}

}  // namespace sonoria::call
