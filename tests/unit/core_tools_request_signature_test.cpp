#include <doctest/doctest.h>

#include "core/tools/request_signature.hpp"

using namespace sonoria::tools;

TEST_CASE("a signature is t and the HMAC-SHA256 of t.body, and verifies only for that body, secret and time") {
  // HMAC-SHA256("secret", "1700000000.{}"), as `printf '1700000000.{}' | openssl dgst -sha256 -hmac secret` prints.
  const std::string value = signature_value("secret", 1700000000, "{}");
  CHECK(value == "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163");
  CHECK(verify_signature(value, "secret", "{}", 1700000100));
  CHECK_FALSE(verify_signature(value, "secret", "{ }", 1700000100));
  CHECK_FALSE(verify_signature(value, "other", "{}", 1700000100));
  CHECK_FALSE(verify_signature(value, "secret", "{}", 1700000000 + 301));  // replayed too late
  CHECK_FALSE(verify_signature("t=1700000000", "secret", "{}", 1700000000));
  CHECK_FALSE(verify_signature("", "secret", "{}", 1700000000));
}
