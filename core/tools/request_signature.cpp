#include "core/tools/request_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

#include "core/text_bytes.hpp"

namespace sonoria::tools {
namespace {

std::string hmac_hex(std::string_view secret, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length))
    throw std::runtime_error("HMAC-SHA256 failed (OpenSSL)");
  return lower_hex(digest, length);
}

}  // namespace

std::string signature_value(std::string_view secret, int64_t unix_seconds, std::string_view body) {
  const std::string t = std::to_string(unix_seconds);
  return "t=" + t + ",v1=" + hmac_hex(secret, t + "." + std::string(body));
}

bool verify_signature(std::string_view header, std::string_view secret, std::string_view body, int64_t now_unix_seconds,
                      std::chrono::seconds tolerance) {
  std::string_view t;
  std::string_view v1;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.starts_with("t=")) t = part.substr(2);
    else if (part.starts_with("v1=")) v1 = part.substr(3);
  }
  int64_t at = 0;
  if (t.empty() || std::from_chars(t.data(), t.data() + t.size(), at).ec != std::errc() || v1.size() != 64) return false;
  const int64_t skew = now_unix_seconds > at ? now_unix_seconds - at : at - now_unix_seconds;
  if (skew > tolerance.count()) return false;
  const std::string expected = hmac_hex(secret, std::string(t) + "." + std::string(body));
  return CRYPTO_memcmp(expected.data(), v1.data(), expected.size()) == 0;
}

}  // namespace sonoria::tools
