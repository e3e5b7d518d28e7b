#pragma once
// SMS templates: text with {{placeholder}} markers filled in when a message is sent.
// A marker is "{{", a name (spaces around it are ignored), "}}". A "{{" with no closing "}}"
// is plain text. All functions are pure and callable from any thread.

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::org {

// Every placeholder an SMS template may use; the tools layer supplies their values.
inline constexpr std::array<std::string_view, 14> k_placeholders = {
    "customer_name", "service",      "booking_url", "portal_url",     "org_name",
    "org_phone",     "caller_phone", "message",     "assistant_name", "location",
    "date",          "time",         "team_member", "reference"};  // the last four: of an appointment

bool is_known_placeholder(std::string_view name);

// The names inside {{…}} that are not in k_placeholders, each once, in order of first use.
std::vector<std::string> unknown_placeholders(std::string_view tmpl);

// Replaces every {{name}} with values[name]; names without a value (known or not) render as
// empty text so a customer never sees raw braces.
std::string render_template(std::string_view tmpl, const std::map<std::string, std::string>& values);

}  // namespace sonoria::org
