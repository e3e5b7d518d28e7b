#pragma once
// application/x-www-form-urlencoded bodies, as Twilio sends webhooks and expects REST requests.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::twilio {

// Decoded name/value pairs in the order received; repeated names are kept (signatures need them).
using FormParams = std::vector<std::pair<std::string, std::string>>;

// Parses a form body ('+' is a space, %XX decoded). Malformed escapes are an error: returns nullopt.
std::optional<FormParams> parse_form(std::string_view body);

// Encodes pairs as a form body, in the given order (Twilio REST requests).
std::string encode_form(const FormParams& params);

// The first value of `name`, or nullopt.
std::optional<std::string_view> form_value(const FormParams& params, std::string_view name);

}  // namespace sonoria::twilio
