#include "core/simulate/payload_codec.hpp"

#include <openssl/evp.h>

#include "core/twilio/base64.hpp"

namespace sonoria::simulate {

void append_base64(std::string& out, std::string_view bytes) {
  if (bytes.empty()) return;
  const std::size_t at = out.size();
  const std::size_t encoded = 4 * ((bytes.size() + 2) / 3);
  // EVP_EncodeBlock writes a terminating NUL after the text: room for it, then trimmed.
  out.resize(at + encoded + 1);
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + at),
                                      reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(at + static_cast<std::size_t>(written));
}

bool decode_base64_into(std::string& out, std::string_view text) {
  if (!twilio::is_valid_base64(text)) return false;
  out.resize(text.size() / 4 * 3);
  if (text.empty()) return true;
  // EVP_DecodeBlock decodes whole quads, padding included as zero bytes; the true size comes from
  // the padding count.
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return false;
  out.resize(twilio::base64_decoded_size(text));
  return true;
}

}  // namespace sonoria::simulate
