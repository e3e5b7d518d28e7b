#include "core/phone/phone_number.hpp"

#include <phonenumbers/logger.h>
#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <functional>
#include <set>

namespace sonoria::phone {
namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// The library's singleton, with its logger silenced once: by default it writes to stdout, which
// is where `sonoria` prints JSON.
const PhoneNumberUtil& util() {
  static const PhoneNumberUtil* instance = [] {
    PhoneNumberUtil* u = PhoneNumberUtil::GetInstance();
    u->SetLogger(new i18n::phonenumbers::NullLogger());
    return u;
  }();
  return *instance;
}

constexpr std::array<std::string_view, 12> k_type_names = {
    "fixed_line", "mobile", "fixed_line_or_mobile", "toll_free", "premium_rate", "shared_cost",
    "voip",       "personal_number", "pager", "uan", "voicemail", "unknown"};

LineType type_of(PhoneNumberUtil::PhoneNumberType type) {
  switch (type) {
    case PhoneNumberUtil::FIXED_LINE: return LineType::fixed_line;
    case PhoneNumberUtil::MOBILE: return LineType::mobile;
    case PhoneNumberUtil::FIXED_LINE_OR_MOBILE: return LineType::fixed_line_or_mobile;
    case PhoneNumberUtil::TOLL_FREE: return LineType::toll_free;
    case PhoneNumberUtil::PREMIUM_RATE: return LineType::premium_rate;
    case PhoneNumberUtil::SHARED_COST: return LineType::shared_cost;
    case PhoneNumberUtil::VOIP: return LineType::voip;
    case PhoneNumberUtil::PERSONAL_NUMBER: return LineType::personal_number;
    case PhoneNumberUtil::PAGER: return LineType::pager;
    case PhoneNumberUtil::UAN: return LineType::uan;
    case PhoneNumberUtil::VOICEMAIL: return LineType::voicemail;
    case PhoneNumberUtil::UNKNOWN: break;
  }
  return LineType::unknown;
}

// Quoted for a message: printable ASCII as is, anything else as \xNN (the text may come from a
// model or a web form), clipped so that a pasted page does not become the error.
std::string quoted(std::string_view text) {
  constexpr std::size_t k_max = 40;
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size() && i < k_max; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    }
  }
  if (text.size() > k_max) out += "…";
  return out + "\"";
}

std::string region_name(std::string_view region) { return region.empty() ? "its country" : std::string(region); }

}  // namespace

std::string_view name_of(LineType type) { return k_type_names[static_cast<std::size_t>(type)]; }

std::optional<LineType> line_type_named(std::string_view name) {
  const auto it = std::find(k_type_names.begin(), k_type_names.end(), name);
  if (it == k_type_names.end()) return std::nullopt;
  return static_cast<LineType>(it - k_type_names.begin());
}

const std::vector<std::string_view>& line_type_names() {
  static const std::vector<std::string_view> names(k_type_names.begin(), k_type_names.end());
  return names;
}

bool is_region(std::string_view code) {
  static const std::set<std::string, std::less<>> regions = [] {
    std::set<std::string> supported;
    util().GetSupportedRegions(&supported);
    return std::set<std::string, std::less<>>(supported.begin(), supported.end());
  }();
  return code.size() == 2 && regions.find(code) != regions.end();
}

namespace {

// The expected form, with an example from `example_region` (the number's own country once it is
// known, else the default region, else the US).
std::string expected_text(std::string_view default_region, std::string_view example_region) {
  const PhoneNumberUtil& u = util();
  PhoneNumber example;
  const bool has_default = is_region(default_region);
  std::string region = is_region(example_region) ? std::string(example_region) : std::string(default_region);
  if (!is_region(region)) region = "US";
  if (!u.GetExampleNumber(region, &example)) return "a number such as \"+1 201-555-0123\"";
  std::string international;
  u.Format(example, PhoneNumberUtil::INTERNATIONAL, &international);
  if (!has_default) return "\"+\" and the country code, such as \"" + international + "\"";
  if (region != default_region) return "a number such as \"" + international + "\"";
  std::string national;
  u.Format(example, PhoneNumberUtil::NATIONAL, &national);
  return "a number such as \"" + international + "\" or \"" + national + "\"";
}

}  // namespace

std::string expected_form(std::string_view default_region) { return expected_text(default_region, ""); }

Parsed parse(std::string_view text, std::string_view default_region) {
  const PhoneNumberUtil& u = util();
  const std::string region = is_region(default_region) ? std::string(default_region) : "ZZ";
  std::string example_region;  // once the country is known, the example comes from it
  const auto fail = [&](std::string_view problem) {
    return Parsed{std::nullopt, quoted(text) + " " + std::string(problem) + " (expected " +
                                    expected_text(default_region, example_region) + ")"};
  };
  // Twice the longest number with generous punctuation: longer is not a phone number, and the
  // library's own limit (250) is too kind to text from a model.
  if (text.size() > 64) return fail("is too long to be a phone number");
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    return Parsed{std::nullopt, "is empty (expected " + expected_form(default_region) + ")"};
  }

  PhoneNumber number;
  switch (u.ParseAndKeepRawInput(std::string(text), region, &number)) {
    case PhoneNumberUtil::NO_PARSING_ERROR: break;
    case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR:
      if (region == "ZZ" && text.find('+') == std::string_view::npos) return fail("has no country code");
      return fail("has an unknown country code");
    case PhoneNumberUtil::NOT_A_NUMBER: return fail("is not a phone number");
    case PhoneNumberUtil::TOO_SHORT_AFTER_IDD:
    case PhoneNumberUtil::TOO_SHORT_NSN: return fail("is too short to be a phone number");
    case PhoneNumberUtil::TOO_LONG_NSN: return fail("is too long to be a phone number");
  }
  std::string number_region;
  u.GetRegionCodeForNumber(number, &number_region);
  if (number_region == "ZZ") number_region.clear();
  std::string country_region;
  u.GetRegionCodeForCountryCode(number.country_code(), &country_region);
  if (country_region == "ZZ") country_region.clear();
  example_region = number_region.empty() ? country_region : number_region;
  const std::string where = region_name(example_region);
  if (number.has_extension()) return fail("has an extension, which sonoria cannot dial");
  const bool gave_country_code =
      number.country_code_source() != PhoneNumber::FROM_DEFAULT_COUNTRY;
  switch (u.IsPossibleNumberWithReason(number)) {
    case PhoneNumberUtil::IS_POSSIBLE: break;
    case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
      if (gave_country_code) return fail("is too short for a number in " + where);
      return fail("is a local number without its area code");
    case PhoneNumberUtil::INVALID_COUNTRY_CODE: return fail("has an unknown country code");
    case PhoneNumberUtil::TOO_SHORT: return fail("is too short for a number in " + where);
    case PhoneNumberUtil::INVALID_LENGTH: return fail("has the wrong number of digits for a number in " + where);
    case PhoneNumberUtil::TOO_LONG: return fail("is too long for a number in " + where);
  }

  Number out;
  u.Format(number, PhoneNumberUtil::E164, &out.e164);
  // The library finds some numbers possible that E.164 cannot hold: more than 15 digits, or a
  // national number whose leading zeros do not survive being written with the country code (in
  // Japan, "0044 20 7946 0958" is a national number to it, +81 0044…). What is stored must read
  // back as itself.
  if (out.e164.size() > 16) return fail("is too long for a number in " + where);
  PhoneNumber back;
  std::string back_e164;
  if (u.Parse(out.e164, "ZZ", &back) == PhoneNumberUtil::NO_PARSING_ERROR) u.Format(back, PhoneNumberUtil::E164, &back_e164);
  if (back_e164 != out.e164) return fail("is not a number that can be dialled from abroad in " + where);
  out.region = number_region;
  out.valid = u.IsValidNumber(number);
  out.type = out.valid ? type_of(u.GetNumberType(number)) : LineType::unknown;
  return Parsed{std::move(out), {}};
}

bool is_e164(std::string_view text) {
  if (text.size() < 3 || text.front() != '+') return false;
  const Parsed parsed = parse(text, "");
  return parsed.number && parsed.number->e164 == text;
}

std::string region_of(std::string_view e164) {
  const Parsed parsed = parse(e164, "");
  if (!parsed.number || parsed.number->e164 != e164) return "";
  if (!parsed.number->region.empty()) return parsed.number->region;
  PhoneNumber number;
  if (util().Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return "";
  std::string region;
  util().GetRegionCodeForCountryCode(number.country_code(), &region);
  return region == "ZZ" ? "" : region;
}

std::string display(std::string_view e164) {
  PhoneNumber number;
  if (util().Parse(std::string(e164), "ZZ", &number) != PhoneNumberUtil::NO_PARSING_ERROR) return std::string(e164);
  std::string out;
  util().Format(number, PhoneNumberUtil::INTERNATIONAL, &out);
  return out;
}

std::string library_versions() {
  // libphonenumber states no version in its headers; its soname does (libphonenumber8), and its
  // numbering plans are those of the Debian package installed.
  return "libphonenumber 8 (libphonenumber8: its numbering plans decide which numbers are valid)\n"
         "Protocol Buffers " + google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION);
}

}  // namespace sonoria::phone
