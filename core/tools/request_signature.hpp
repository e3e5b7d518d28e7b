#pragma once
// How sonoria signs what it sends to a business's own systems (HTTP tools, webhooks), so that a
// receiver can tell the request came from this sonoria and was not replayed later:
//
//   X-Sonoria-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
//
// The receiver recomputes the HMAC over the timestamp, a dot and the raw body with the
// organization's secret (`sonoria org secret SLUG`), compares in constant time, and refuses
// timestamps more than five minutes away from its clock. Pure (OpenSSL HMAC).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace sonoria::tools {

inline constexpr std::string_view k_signature_header = "X-Sonoria-Signature";
inline constexpr std::string_view k_idempotency_header = "X-Sonoria-Idempotency-Key";
inline constexpr std::chrono::seconds k_signature_tolerance{300};

// The header's value for `body` sent at `unix_seconds`.
std::string signature_value(std::string_view secret, int64_t unix_seconds, std::string_view body);

// Whether `header` (the X-Sonoria-Signature value) signs `body` with `secret`, within the
// tolerance of `now_unix_seconds`.
bool verify_signature(std::string_view header, std::string_view secret, std::string_view body, int64_t now_unix_seconds,
                      std::chrono::seconds tolerance = k_signature_tolerance);

}  // namespace sonoria::tools
