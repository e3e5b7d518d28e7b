#pragma once
// The call-start webhook (a profile's webhooks.call_start_url): while the phone rings, sonoria
// asks the business's system about the caller and may get back a greeting, facts for the prompt
// (the caller's name, their last appointment…), a stage to start in, or an instruction to transfer
// or reject the call. What is asked and how the answer is read are here, as pure functions; the
// voice webhook (daemon/routes.cpp) sends it with a short deadline and goes on with the defaults
// when it times out or fails.
//
// Request: POST {"event":"call.started","call_sid","from","to","direction","organization"}.
// Answer (2xx, JSON, every field optional):
//   {"greeting": "Hi Jane, …", "variables": {"caller_name": "Jane", …}, "stage": "assist",
//    "action": "transfer", "transfer_to": "+15550001001"}   // or "action": "reject"

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/org/profile.hpp"

namespace sonoria::call {

inline constexpr std::size_t k_max_start_variables = 20;
inline constexpr std::size_t k_max_start_text = 500;

struct CallStart {
  enum class Action { proceed, transfer, reject };
  Action action = Action::proceed;
  std::string transfer_to;           // E.164 (the profile's first fallback number when the answer named none)
  std::string greeting;              // "" = the profile's
  std::vector<std::pair<std::string, std::string>> variables;  // facts for the prompt, by name
  std::string stage;                 // a stage of the profile's flow to start in; "" = its start
  // What was wrong with the answer and left out ("" = nothing), for the record.
  std::string problem;
};

std::string call_start_body(std::string_view call_sid, std::string_view from, std::string_view to,
                            std::string_view direction, std::string_view organization);

// `status` 0 = no answer (then `error` says why). Anything but a 2xx JSON object proceeds with the
// defaults; parts of it that cannot be used are left out and named in `problem`.
CallStart read_call_start_answer(int status, std::string_view body, std::string_view error, const org::Profile& profile);

// The prompt's section with the facts the business's system gave about the caller ("" = none).
std::string caller_facts_prompt(const std::vector<std::pair<std::string, std::string>>& variables);

}  // namespace sonoria::call
