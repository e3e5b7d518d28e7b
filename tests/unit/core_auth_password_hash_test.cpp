// Dashboard passwords: scrypt hashes that carry their parameters, checked in constant time.
#include <doctest/doctest.h>

#include "core/auth/password_hash.hpp"

using namespace sonoria::auth;

namespace {
// Cheap parameters keep the tests fast; the format and the checks are the same.
const ScryptCost k_fast{10, 8, 1};
}  // namespace

TEST_CASE("a password hashes to a self-describing scrypt string that verifies only that password") {
  const std::string hash = hash_password("correct horse battery", k_fast);
  CHECK(hash.rfind("$scrypt$ln=10,r=8,p=1$", 0) == 0);
  CHECK(verify_password("correct horse battery", hash));
  CHECK_FALSE(verify_password("correct horse batterY", hash));
  CHECK_FALSE(verify_password("", hash));
  // A fresh salt each time: the same password never gives the same hash.
  CHECK(hash_password("correct horse battery", k_fast) != hash);
}

TEST_CASE("the default cost is scrypt N=2^15, r=8, p=1") {
  const std::string hash = hash_password("a long enough password");
  CHECK(hash.rfind("$scrypt$ln=15,r=8,p=1$", 0) == 0);
  CHECK(verify_password("a long enough password", hash));
}

TEST_CASE("a malformed or tampered stored hash never matches") {
  const std::string hash = hash_password("pass phrase here", k_fast);
  CHECK_FALSE(verify_password("pass phrase here", ""));
  CHECK_FALSE(verify_password("pass phrase here", "pass phrase here"));
  CHECK_FALSE(verify_password("pass phrase here", "$bcrypt$ln=10,r=8,p=1$AAAA$AAAA"));
  // Parameters beyond the bounds (memory a tampered row could make us allocate) are refused.
  std::string huge = hash;
  huge.replace(huge.find("ln=10"), 5, "ln=40");
  CHECK_FALSE(verify_password("pass phrase here", huge));
  // A changed key byte.
  std::string changed = hash;
  changed[changed.size() - 3] = changed[changed.size() - 3] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify_password("pass phrase here", changed));
  // Different parameters than it was made with give a different key.
  std::string other = hash;
  other.replace(other.find("ln=10"), 5, "ln=11");
  CHECK_FALSE(verify_password("pass phrase here", other));
}

TEST_CASE("new passwords must be long enough and not the username") {
  CHECK(password_problem("short", "ana").value_or("").find("too short") != std::string::npos);
  CHECK(password_problem("ana@studio.example", "ana@studio.example").value_or("").find("username") != std::string::npos);
  CHECK(password_problem(std::string(1025, 'x'), "ana").value_or("").find("too long") != std::string::npos);
  CHECK_FALSE(password_problem("ten chars!", "ana").has_value());
  // Characters, not bytes: nine accented letters are still too short.
  CHECK(password_problem("ééééééééé", "ana").has_value());
}
