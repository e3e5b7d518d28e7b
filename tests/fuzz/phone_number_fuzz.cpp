// A phone number as typed (core/phone/phone_number.hpp): what a caller says to a model that
// passes it as a tool argument, what an API client or a CRM's call-start answer sends.
#include <string>

#include "core/phone/phone_number.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::phone_number {

SONORIA_FUZZ_TARGET(phone_number) {
  // The first byte picks the default region (none, the US, the UK, Germany, Jamaica, Japan).
  static const char* const k_regions[] = {"", "US", "GB", "DE", "JM", "JP"};
  if (input.empty()) return;
  const std::string region = k_regions[static_cast<unsigned char>(input[0]) % 6];
  const std::string_view text = input.substr(1);

  const phone::Parsed parsed = phone::parse(text, region);
  FUZZ_CHECK(parsed.number.has_value() != !parsed.error.empty());
  if (!parsed.number) return;
  // What is stored reads back as itself, in any region, and is E.164.
  const std::string& e164 = parsed.number->e164;
  FUZZ_CHECK(phone::is_e164(e164));
  const phone::Parsed again = phone::parse(e164, "");
  FUZZ_CHECK(again.number && *again.number == *parsed.number);
  FUZZ_CHECK(!phone::region_of(e164).empty() || parsed.number->region.empty());
  (void)phone::display(e164);
}

}  // namespace sonoria::fuzz::phone_number
