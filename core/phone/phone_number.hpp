#pragma once
// The one reader of phone numbers, for every number a person or a model types: profiles, the
// config, `call`, `sms`, blocked lists, the API and the callback number an engine passes to a
// tool. Built on libphonenumber (Google's metadata for every country's numbering plan), so
// "(415) 555-0123" read for the US, "+1 415 555 0123" and "+14155550123" are the same number and
// "555-1234" is refused everywhere alike as a local number without its area code.
//
// libphonenumber stays inside phone_number.cpp: its header brings protobuf and Abseil along.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::phone {

// libphonenumber's number types, by their names in the config (calls.outbound.allowed_types).
enum class LineType {
  fixed_line,
  mobile,
  fixed_line_or_mobile,  // the plan does not tell (most US and Canadian numbers)
  toll_free,
  premium_rate,
  shared_cost,
  voip,
  personal_number,
  pager,
  uan,        // universal access number (a company's single number)
  voicemail,
  unknown,    // no type of the region's plan matches (also every number in a fictional range)
};

std::string_view name_of(LineType type);
std::optional<LineType> line_type_named(std::string_view name);
const std::vector<std::string_view>& line_type_names();

struct Number {
  std::string e164;       // "+14155550123": how sonoria stores, compares and dials it
  std::string region;     // ISO 3166-1 alpha-2 of the number ("US", "JM"); "" when none has it
  LineType type = LineType::unknown;
  // Assigned in its region's numbering plan. A number can be well formed without being valid:
  // the +1 555 range of the examples and the tests is possible but belongs to no one.
  bool valid = false;

  bool operator==(const Number&) const = default;
};

struct Parsed {
  std::optional<Number> number;
  // When `number` is empty: the quoted input, what is wrong and what was expected, ready to
  // follow a field name: "\"555-1234\" is a local number without its area code (expected …)".
  std::string error;
};

// Reads `text` as typed. `default_region` (ISO 3166-1 alpha-2, e.g. "US"; the organization's
// country) is the country of a number written without "+" and a country code; "" means such a
// number is refused. Accepts any punctuation a person uses, "00"/"011" international prefixes
// from the region, and vanity letters (1-800-FLOWERS). Refuses what cannot be dialled from
// anywhere: local-only numbers, wrong lengths, unknown country codes, extensions. Thread-safe.
Parsed parse(std::string_view text, std::string_view default_region);

// `text` read with no default region and already in E.164 form ("+14155550123"): what Twilio
// sends as From/To and what sonoria stores.
bool is_e164(std::string_view text);

// The region code for a number in E.164 form ("+14155550123" → "US"); for a number in no region
// (the +1 555 range) the main region of its country code ("US" for +1); "" when not E.164.
std::string region_of(std::string_view e164);

// A region libphonenumber knows, by its ISO 3166-1 alpha-2 code in capitals ("US", "GB").
bool is_region(std::string_view code);

// "+1 415-555-0123": the international format, for people to read.
std::string display(std::string_view e164);

// What an error expects, for messages that build their own: "a number such as \"+1 201-555-0123\""
// and, with a region, "or \"(201) 555-0123\"".
std::string expected_form(std::string_view default_region);

// For `sonoria --version --verbose`: libphonenumber and the Protocol Buffers runtime it brings,
// whose headers stay here.
std::string library_versions();

}  // namespace sonoria::phone
