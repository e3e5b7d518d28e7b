#include "tests/support/test_secrets.hpp"

namespace sonoria::test {

const std::vector<std::string>& known_test_secrets() {
  static const std::vector<std::string> secrets = {
      "f1e2d3c4b5a697887766554433221100",  // the Twilio auth token of the loopback daemons (k_token)
      "auth-token-secret",                 // the Twilio auth token of the REST tests
      "sk-test-key",                       // the fake OpenAI's API key
      "dg-test-key",                       // the fake Deepgram's
      "uv-test-key",                       // the fake Ultravox's
      "test-api-token-0123456789abcdef",   // the REST API's bearer token (api_test)
      "canary-secret-",                    // the prefix of every secret the secrets test configures
  };
  return secrets;
}

std::string secret_in(std::string_view text) {
  for (const auto& secret : known_test_secrets())
    if (text.find(secret) != std::string_view::npos) return secret;
  return "";
}

}  // namespace sonoria::test
