#include "core/org/phone_numbers.hpp"

#include "core/phone/phone_number.hpp"

namespace sonoria::org {
namespace {

void normalize(std::string& number, const std::string& region) {
  if (number.empty()) return;
  const phone::Parsed parsed = phone::parse(number, region);
  if (parsed.number) number = parsed.number->e164;
}

}  // namespace

std::string default_region(const Organization& org) {
  if (phone::is_region(org.country)) return org.country;
  for (const std::string& number : org.phone_numbers) {
    // Only a number written with its country code tells the country.
    const phone::Parsed parsed = phone::parse(number, "");
    if (parsed.number) return phone::region_of(parsed.number->e164);
  }
  return "";
}

void normalize_phone_numbers(Profile& profile) {
  const std::string region = default_region(profile.organization);
  for (std::string& number : profile.organization.phone_numbers) normalize(number, region);
  normalize(profile.organization.owner.phone, region);
  for (Location& location : profile.organization.locations) normalize(location.phone, region);
  for (FallbackNumber& fallback : profile.fallback_numbers) normalize(fallback.number, region);
}

}  // namespace sonoria::org
