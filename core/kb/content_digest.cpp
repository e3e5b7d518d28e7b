#include "core/kb/content_digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "core/text_bytes.hpp"

namespace sonoria::kb {

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed (OpenSSL)");
  return lower_hex(digest, length);
}

}  // namespace sonoria::kb
