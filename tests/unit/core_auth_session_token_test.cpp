// Session and CSRF tokens: random, of the promised shape; the database keeps only a digest.
#include <doctest/doctest.h>

#include <set>

#include "core/auth/session_token.hpp"

using namespace sonoria::auth;

TEST_CASE("session tokens are 43 base64url characters and never repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    const std::string t = new_session_token();
    CHECK(t.size() == 43);
    CHECK(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
    seen.insert(t);
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("CSRF tokens are 64 hex digits; digests are SHA-256") {
  const std::string csrf = new_csrf_token();
  CHECK(csrf.size() == 64);
  CHECK(csrf.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(token_digest("abc") != token_digest("abd"));
}

TEST_CASE("secrets compare equal only when identical") {
  CHECK(same_secret("abc", "abc"));
  CHECK_FALSE(same_secret("abc", "abd"));
  CHECK_FALSE(same_secret("abc", "abcd"));
  CHECK_FALSE(same_secret("", "a"));
}
