#include "core/simulate/payload_codec.hpp"

#include <doctest/doctest.h>

#include "core/twilio/base64.hpp"

using namespace sonoria;
using namespace sonoria::simulate;

TEST_CASE("appending base64 matches the checked encoder for every padding length") {
  for (std::size_t n : {0u, 1u, 2u, 3u, 160u, 161u, 4000u}) {
    std::string bytes(n, '\0');
    for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>(i * 37 + 11);
    std::string out = "prefix:";
    append_base64(out, bytes);
    CHECK(out == "prefix:" + twilio::base64_encode(bytes));
    std::string back;
    REQUIRE(decode_base64_into(back, twilio::base64_encode(bytes)));
    CHECK(back == bytes);
  }
}

TEST_CASE("decoding refuses what the strict decoder refuses and reuses its buffer") {
  std::string out;
  CHECK_FALSE(decode_base64_into(out, "abc"));
  CHECK_FALSE(decode_base64_into(out, "ab c"));
  CHECK_FALSE(decode_base64_into(out, "a===") );
  CHECK_FALSE(decode_base64_into(out, "AA=A"));
  REQUIRE(decode_base64_into(out, std::string(216, 'A')));
  const auto capacity = out.capacity();
  const auto* data = out.data();
  REQUIRE(decode_base64_into(out, "//8="));
  CHECK(out == "\xFF\xFF");
  CHECK(out.capacity() == capacity);
  CHECK(out.data() == data);
}
