#pragma once
// Dashboard passwords, stored as scrypt hashes (OpenSSL's EVP_PBE_scrypt: memory-hard, so a
// stolen database costs an attacker 32 MiB of memory per guess). The stored form is PHC-style
// and carries its own parameters, so they can be raised later without breaking old hashes:
//
//   $scrypt$ln=15,r=8,p=1$<salt, base64>$<32-byte key, base64>
//
// Pure functions, callable from any thread; each hash or check takes tens of milliseconds, so
// the daemon runs them off its event loop.

#include <optional>
#include <string>
#include <string_view>

namespace sonoria::auth {

struct ScryptCost {
  int log2_n = 15;  // N = 2^15: 32 MiB with r = 8
  int r = 8;
  int p = 1;
};

// A new hash with a fresh random salt. Throws std::runtime_error only if OpenSSL fails.
std::string hash_password(std::string_view password, ScryptCost cost = {});

// True when `password` matches `stored` (compared in constant time). A malformed stored hash, or
// one whose parameters are out of bounds, never matches.
bool verify_password(std::string_view password, std::string_view stored);

// Why a new password is not acceptable, or nullopt: at least 10 characters, at most 1024, not
// the username itself. Written for the person choosing it.
std::optional<std::string> password_problem(std::string_view password, std::string_view username);

// Burns the same time as a real check, for logins naming no user (so timing tells no one which
// usernames exist).
void verify_nothing(std::string_view password);

}  // namespace sonoria::auth
