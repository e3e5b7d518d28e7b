// A webhook's form body and its signature (core/twilio/form.hpp, signature.hpp): what anyone on
// the internet can POST to /twilio/voice.
#include <string>

#include "core/twilio/form.hpp"
#include "core/twilio/signature.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::webhook_form {

SONORIA_FUZZ_TARGET(webhook_form) {
  // The input is a body, or a signature header, a URL and a body, separated by NULs.
  const auto parts = split_messages(input);
  const std::string_view body = parts.back();
  const std::string_view header = parts.size() >= 3 ? parts[0] : std::string_view();
  const std::string_view url = parts.size() >= 3 ? parts[1] : std::string_view("https://example.com/twilio/voice");

  const auto params = twilio::parse_form(body);
  if (!params) return;
  // What was read is written back the same way and reads the same.
  const auto again = twilio::parse_form(twilio::encode_form(*params));
  FUZZ_CHECK(again && *again == *params);

  // A forged header never passes; the right one always does.
  const std::string token = "fuzz-auth-token";
  const std::string right = twilio::compute_signature(token, url, *params);
  if (header != right) FUZZ_CHECK(!twilio::validate_signature(token, header, url, *params));
  FUZZ_CHECK(twilio::validate_signature(token, right, url, *params));
  (void)twilio::validate_signature(token, header, url, *params, body);
}

}  // namespace sonoria::fuzz::webhook_form
