#include "daemon/outbound.hpp"

#include <algorithm>

#include "core/config/duration.hpp"
#include "core/org/phone_numbers.hpp"

namespace sonoria::daemon {

namespace {

const std::string k_or_list = ", or add the number to calls.outbound.allowed_numbers";

}  // namespace

phone::Parsed read_destination(const config::Settings& settings, const org::Profile* profile, std::string_view typed) {
  const std::string region =
      profile ? org::default_region(profile->organization) : phone::region_of(settings.twilio.from);
  return phone::parse(typed, region);
}

std::optional<std::string> destination_refusal(const config::OutboundSettings& outbound, const phone::Number& number) {
  const auto& listed = outbound.allowed_numbers;
  if (std::find(listed.begin(), listed.end(), number.e164) != listed.end()) return std::nullopt;
  if (!number.valid)
    return number.e164 + " is not assigned in any country's numbering plan (a fictional or unused range): it is "
                         "called only when listed in calls.outbound.allowed_numbers";
  std::vector<std::string> regions = outbound.allowed_regions;
  if (outbound.allow_us_canada) regions.insert(regions.end(), {"US", "CA"});
  if (std::find(regions.begin(), regions.end(), number.region) == regions.end())
    return number.e164 + " is a number in " + number.region +
           ", which calls.outbound.allowed_regions does not include: add \"" + number.region + "\" there" + k_or_list;
  const std::string type(phone::name_of(number.type));
  const auto& types = outbound.allowed_types;
  if (std::find(types.begin(), types.end(), type) == types.end())
    return number.e164 + " is a " + type + " number, which calls.outbound.allowed_types does not include: add \"" +
           type + "\" there" + k_or_list;
  return std::nullopt;
}

std::optional<std::string> text_refusal(const config::Settings& settings, const org::Profile& profile,
                                        std::string_view to) {
  const auto parsed = read_destination(settings, &profile, to);
  if (!parsed.number) return "not texting: " + parsed.error;
  const phone::Number& number = *parsed.number;
  auto refusal = destination_refusal(settings.calls.outbound, number);
  const std::string home = org::default_region(profile.organization);
  if (refusal && number.valid && !home.empty() && number.region == home) {
    // At home only the line type can refuse it.
    config::OutboundSettings at_home = settings.calls.outbound;
    at_home.allowed_regions = {home};
    refusal = destination_refusal(at_home, number);
  }
  if (!refusal) return std::nullopt;
  return "not texting: " + *refusal;
}

std::optional<std::string> outbound_refusal(const config::Settings& settings, const phone::Number& destination,
                                            const OutboundFacts& facts) {
  const auto& outbound = settings.calls.outbound;
  if (auto refusal = destination_refusal(outbound, destination)) return refusal;
  const std::string& number = destination.e164;
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
  // The daemon placing the call answers it (its own URL, behind a load balancer).
  std::string base = settings.own_url();
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
