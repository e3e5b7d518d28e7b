#include "core/auth/session_token.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <stdexcept>

namespace sonoria::auth {
namespace {

void random_bytes(unsigned char* out, std::size_t n) {
  if (RAND_bytes(out, static_cast<int>(n)) != 1) throw std::runtime_error("cannot make a token: OpenSSL RAND_bytes failed");
}

std::string hex(const unsigned char* bytes, std::size_t n) {
  static constexpr char k_digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    out += k_digits[bytes[i] >> 4];
    out += k_digits[bytes[i] & 15];
  }
  return out;
}

}  // namespace

std::string new_session_token() {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  unsigned char bytes[33];  // 264 bits = 44 characters of 6 bits; the first 43 are used
  random_bytes(bytes, sizeof bytes);
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char b : bytes) {
    buffer = (buffer << 8) | b;
    bits += 8;
    while (bits >= 6 && out.size() < 43) {
      bits -= 6;
      out += k_alphabet[(buffer >> bits) & 63];
    }
  }
  return out;
}

std::string new_csrf_token() {
  unsigned char bytes[32];
  random_bytes(bytes, sizeof bytes);
  return hex(bytes, sizeof bytes);
}

std::string token_digest(std::string_view token) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest);
  return hex(digest, sizeof digest);
}

bool same_secret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sonoria::auth
