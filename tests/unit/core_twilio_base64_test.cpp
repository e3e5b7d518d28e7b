#include "core/twilio/base64.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace sonoria::twilio;

TEST_CASE("the RFC 4648 test vectors encode and decode") {
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},         {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    CAPTURE(plain);
    CHECK(base64_encode(plain) == encoded);
    CHECK(is_valid_base64(encoded));
    CHECK(base64_decode(encoded) == plain);
    CHECK(base64_decoded_size(encoded) == plain.size());
  }
}

TEST_CASE("every byte value and every length up to 300 survive a round trip") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    CAPTURE(i);
    const std::string encoded = base64_encode(bytes);
    CHECK(encoded.size() == 4 * ((bytes.size() + 2) / 3));
    REQUIRE(is_valid_base64(encoded));
    CHECK(base64_decode(encoded) == bytes);
    bytes.push_back(static_cast<char>((i * 37 + 11) & 0xFF));
  }
}

TEST_CASE("a 20 ms µ-law frame of silence is 216 characters") {
  const std::string frame(160, '\xFF');
  const std::string encoded = base64_encode(frame);
  CHECK(encoded == std::string(213, '/') + "w==");
  CHECK(base64_decode(encoded) == frame);
}

TEST_CASE("strict decoding rejects what a lax decoder would guess at") {
  const char* bad[] = {
      "Zg=",          // length not a multiple of 4
      "Zm9vY",        // length not a multiple of 4
      "Zm9v!A==",     // character outside the alphabet
      "Zm9v\nYmFy",   // line break
      " Zm9v",        // leading space
      "Zm9vYmFy ",    // trailing space
      "Zg==Zm9v",     // padding in the middle
      "Z===",         // three padding characters
      "====",         // nothing but padding
      "Zm-_",         // base64url alphabet
      "Zm9v\xC3\xA9==",  // non-ASCII bytes
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(is_valid_base64(text));
    CHECK_FALSE(base64_decode(text).has_value());
  }
  CHECK_FALSE(is_valid_base64(std::string_view("Zm9v\0AAA", 8)));
}

TEST_CASE("non-zero bits under the padding are accepted like Python and Node do") {
  CHECK(is_valid_base64("Zh=="));
  CHECK(base64_decode("Zh==") == "f");
  CHECK(base64_decode("Zm9=") == "fo");
}

TEST_CASE("the empty string is valid base64 for zero bytes") {
  CHECK(is_valid_base64(""));
  CHECK(base64_decode("") == "");
}

TEST_CASE("base64_decoded_size: exact for valid text, bounded for anything a peer sends") {
  using sonoria::twilio::base64_decoded_size;
  CHECK(base64_decoded_size("") == 0);
  CHECK(base64_decoded_size("QQ==") == 1);
  CHECK(base64_decoded_size("QUI=") == 2);
  CHECK(base64_decoded_size("QUJD") == 3);
  CHECK(base64_decoded_size(std::string(216, 'A')) == 162);
  CHECK(base64_decoded_size(std::string(212, 'A') + "AA==") == 160);  // a 20 ms Twilio frame
  CHECK(base64_decoded_size("QQ") == 1);                               // unpadded tails
  CHECK(base64_decoded_size("QUI") == 2);
  // Once 2^64 - 1 and 2^64 - 2: an engine's "delta": "=" made the audio's length absurd.
  CHECK(base64_decoded_size("=") == 0);
  CHECK(base64_decoded_size("==") == 0);
  CHECK(base64_decoded_size("A=") == 0);
  CHECK(base64_decoded_size("===") == 0);
}
