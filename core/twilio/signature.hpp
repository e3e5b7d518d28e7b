#pragma once
// X-Twilio-Signature (protocols.md §2): HMAC-SHA1 over the URL Twilio requested followed by the
// sorted form parameters, base64. Sans-I/O; callable from any thread.

#include <optional>
#include <string>
#include <string_view>

#include "core/twilio/form.hpp"

namespace sonoria::twilio {

// The signature Twilio would send for `url` and `params` (used by fakes and the simulator).
std::string compute_signature(std::string_view auth_token, std::string_view url, const FormParams& params);

// True when `header` matches `url` (tried with and without the default port) and `params`.
// For a JSON body pass it as `raw_json_body`: the URL's bodySHA256 must match and no params are
// signed. Constant-time compare; an empty header is invalid.
bool validate_signature(std::string_view auth_token, std::string_view header, std::string_view url,
                        const FormParams& params, std::optional<std::string_view> raw_json_body = std::nullopt);

// Lowercase hex SHA-256 of a raw body: the `bodySHA256` query parameter Twilio adds to the URL of a
// JSON webhook (used by validate_signature, and by fakes that sign JSON bodies).
std::string body_sha256_hex(std::string_view raw_body);

}  // namespace sonoria::twilio
