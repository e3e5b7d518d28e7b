#pragma once
// Whether each organization's numbers are set up on the Twilio account to reach this daemon:
// the number is on the account (IncomingPhoneNumbers), its voice webhook is
// <public_url>/twilio/voice by POST, and its status callback <public_url>/twilio/status. Pure:
// the account's numbers come in as Twilio listed them.

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/doctor/check.hpp"

namespace sonoria::doctor {

struct AnsweredNumber {
  std::string organization;         // slug
  std::string number;               // E.164
};

// What `doctor --fix` sets on a number: the form fields of POST IncomingPhoneNumbers/{sid}.json.
struct NumberFix {
  std::string sid;                  // PN…
  std::string number;
  std::vector<std::pair<std::string, std::string>> fields;  // VoiceUrl, VoiceMethod, StatusCallback, …
};

struct NumberFindings {
  std::vector<Check> checks;        // one per answered number
  std::vector<NumberFix> fixes;     // for the numbers on the account that point elsewhere
};

// `incoming`: the resources of IncomingPhoneNumbers.json (every page). `public_url` as configured
// (server.public_url, without a trailing slash).
NumberFindings check_numbers(const std::vector<AnsweredNumber>& answered, const nlohmann::json& incoming,
                             const std::string& public_url);

}  // namespace sonoria::doctor
