#include "daemon/outbound.hpp"

#include <algorithm>
#include <regex>

#include "core/config/duration.hpp"

namespace sonoria::daemon {

std::optional<std::string> outbound_refusal(const config::Settings& settings, const std::string& number,
                                            const OutboundFacts& facts) {
  static const std::regex k_e164(R"(^\+[1-9][0-9]{1,14}$)");
  if (!std::regex_match(number, k_e164))
    return "\"" + number + "\" is not a phone number in E.164 form (expected e.g. +15551234567)";
  const auto& outbound = settings.calls.outbound;
  const auto& allowed = outbound.allowed_numbers;
  const bool listed = std::find(allowed.begin(), allowed.end(), number) != allowed.end();
  const bool us_canada = outbound.allow_us_canada && number.rfind("+1", 0) == 0 && number.size() == 12;
  if (!listed && !us_canada)
    return number + " is not allowed by policy: add it to calls.outbound.allowed_numbers" +
           std::string(outbound.allow_us_canada ? "" : " (or set calls.outbound.allow_us_canada = true for +1 numbers)");
  if (facts.last_call_to_number && outbound.cooldown.count() > 0) {
    const auto since = facts.now - *facts.last_call_to_number;
    if (since < outbound.cooldown) {
      const auto wait = std::chrono::duration_cast<std::chrono::seconds>(outbound.cooldown - since).count() + 1;
      return number + " was called " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(since).count()) +
             " s ago; calls.outbound.cooldown is " + config::format_duration(outbound.cooldown) + ", so wait " +
             std::to_string(wait) + " s";
    }
  }
  if (facts.calls_in_progress >= settings.calls.max_concurrent)
    return std::to_string(facts.calls_in_progress) + " calls are in progress, the limit calls.max_concurrent is " +
           std::to_string(settings.calls.max_concurrent) + "; try again when one has ended";
  return std::nullopt;
}

std::string outbound_caller_id(const config::Settings& settings, const org::Profile& profile) {
  if (!profile.organization.phone_numbers.empty()) return profile.organization.phone_numbers.front();
  return settings.twilio.from;
}

twilio::CreateCall outbound_call(const config::Settings& settings, const org::Profile& profile,
                                 const std::string& number, bool machine_detection) {
  std::string base = settings.server.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  twilio::CreateCall call;
  call.to = number;
  call.from = outbound_caller_id(settings, profile);
  call.url = base + "/twilio/voice?org=" + std::to_string(profile.id);
  call.status_callback = base + "/twilio/status";
  call.status_callback_events = {"initiated", "ringing", "answered", "completed"};
  call.timeout_s = 30;
  if (settings.calls.max_duration.count() > 0)
    call.time_limit_s = static_cast<int>(std::chrono::duration_cast<std::chrono::seconds>(settings.calls.max_duration).count());
  if (machine_detection) call.machine_detection = "DetectMessageEnd";
  return call;
}

}  // namespace sonoria::daemon
