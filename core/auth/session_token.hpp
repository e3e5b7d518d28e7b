#pragma once
// Dashboard session tokens. The browser holds the token (a cookie); the database holds only its
// SHA-256, so a copy of the database opens no session. Each session also has a CSRF token that
// every form and script request must send back (synchronizer token pattern).

#include <string>
#include <string_view>

namespace sonoria::auth {

// 32 random bytes as base64url without padding (43 characters): the cookie's value.
std::string new_session_token();
// 32 random bytes as lower-case hex: a session's CSRF token, or a login form's.
std::string new_csrf_token();
// Lower-case hex SHA-256 of the token: what the database keys sessions by.
std::string token_digest(std::string_view token);
// Constant-time equality of two secrets (false when the lengths differ).
bool same_secret(std::string_view a, std::string_view b);

}  // namespace sonoria::auth
