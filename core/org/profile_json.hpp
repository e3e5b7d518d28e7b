#pragma once
// Profiles as JSON, the form the database stores (and the API serves). Keys are the struct
// members' names; hours are {"monday": [{"open_minute": 540, "close_minute": 720}], …}; prices
// stay in cents. Every value round-trips exactly, valid or not, including Profile::id.
//
// from_json is lenient about absent keys (and null), which keep their defaults, so rows written
// before a field existed still load; a present value of the wrong type throws sonoria::DataError
// naming its path ("services[2].price_cents: type must be number, but is string").
// Callable from any thread.

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <string_view>

#include "core/org/profile.hpp"

namespace sonoria::org {

void to_json(nlohmann::json& j, const Location& value);
void from_json(const nlohmann::json& j, Location& value);
void to_json(nlohmann::json& j, const OwnerContact& value);
void from_json(const nlohmann::json& j, OwnerContact& value);
void to_json(nlohmann::json& j, const Organization& value);
void from_json(const nlohmann::json& j, Organization& value);
void to_json(nlohmann::json& j, const VadSettings& value);
void from_json(const nlohmann::json& j, VadSettings& value);
void to_json(nlohmann::json& j, const Assistant& value);
void from_json(const nlohmann::json& j, Assistant& value);
void to_json(nlohmann::json& j, const Service& value);
void from_json(const nlohmann::json& j, Service& value);
void to_json(nlohmann::json& j, const AddOn& value);
void from_json(const nlohmann::json& j, AddOn& value);
void to_json(nlohmann::json& j, const TimeRange& value);
void from_json(const nlohmann::json& j, TimeRange& value);
void to_json(nlohmann::json& j, const WeeklyHours& value);
void from_json(const nlohmann::json& j, WeeklyHours& value);
void to_json(nlohmann::json& j, const Closure& value);
void from_json(const nlohmann::json& j, Closure& value);
void to_json(nlohmann::json& j, const Faq& value);
void from_json(const nlohmann::json& j, Faq& value);
void to_json(nlohmann::json& j, const BookingRules& value);
void from_json(const nlohmann::json& j, BookingRules& value);
void to_json(nlohmann::json& j, const TeamMember& value);
void from_json(const nlohmann::json& j, TeamMember& value);
void to_json(nlohmann::json& j, const SmsTemplates& value);
void from_json(const nlohmann::json& j, SmsTemplates& value);
void to_json(nlohmann::json& j, const FallbackNumber& value);
void from_json(const nlohmann::json& j, FallbackNumber& value);
void to_json(nlohmann::json& j, const Profile& value);
void from_json(const nlohmann::json& j, Profile& value);

// Compact JSON text for storage. Invalid UTF-8 in a text field becomes U+FFFD; never throws.
std::string profile_to_json_text(const Profile& profile);
// Parses stored text. Throws sonoria::DataError "SOURCE: profile JSON: …" for text that is not
// JSON or holds a value of the wrong type. The profile is not validated here.
Profile profile_from_json_text(std::string_view text, const std::string& source_name);

}  // namespace sonoria::org
