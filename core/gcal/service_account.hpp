#pragma once
// A Google service account (its JSON key file) and the OAuth 2.0 JWT bearer grant it signs in
// with (RFC 7523, RS256 through OpenSSL): the assertion, the token request body and the answer.
// Pure functions apart from the signature's randomness-free RSA; callable from any thread. The
// private key never appears in an error or a log.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::gcal {

struct ServiceAccount {
  std::string client_email;
  std::string private_key_pem;       // secret
  std::string private_key_id;
  std::string token_uri = "https://oauth2.googleapis.com/token";
};

inline constexpr std::string_view k_calendar_scope = "https://www.googleapis.com/auth/calendar";

// Reads a key file's text. Throws DataError naming `source` and the field that is missing or wrong
// (never the key itself).
ServiceAccount read_service_account(std::string_view json_text, const std::string& source);

// The signed assertion (header.claims.signature, base64url) for `audience` (the token URL), valid
// for an hour from `now`. Throws DataError when the private key cannot be read or used.
std::string jwt_assertion(const ServiceAccount& account, std::string_view scope, std::string_view audience,
                          int64_t now);

// The form body that trades the assertion for an access token.
std::string token_request_body(std::string_view assertion);

struct AccessToken {
  std::string value;                 // secret
  int64_t expires_at = 0;            // Unix seconds
};
// {"access_token": …, "expires_in": 3599, …} → the token; nullopt for anything else.
std::optional<AccessToken> read_token_answer(std::string_view body, int64_t now);

// RFC 4648 §5 without padding, as JWTs use.
std::string base64url(std::string_view bytes);

}  // namespace sonoria::gcal
