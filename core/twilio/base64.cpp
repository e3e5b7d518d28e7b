#include "core/twilio/base64.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>

namespace sonoria::twilio {
namespace {

constexpr std::uint8_t k_invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(k_invalid);
  constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto k_decode = make_decode_table();

constexpr std::array<std::uint8_t, 256> make_invalid_table() {
  std::array<std::uint8_t, 256> table{};
  for (std::size_t i = 0; i < 256; ++i) table[i] = k_decode[i] == k_invalid ? 1 : 0;
  return table;
}

constexpr auto k_invalid_char = make_invalid_table();

std::uint8_t sextet(char c) noexcept { return k_decode[static_cast<unsigned char>(c)]; }

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  if (bytes.empty()) return out;
  // EVP_EncodeBlock takes an int length; audio frames and signatures are far below that, but a
  // caller with a huge buffer gets it encoded in slices that are multiples of 3 bytes.
  constexpr std::size_t k_slice = 3 * (1u << 28);
  std::size_t written = 0;
  for (std::size_t pos = 0; pos < bytes.size(); pos += k_slice) {
    const std::size_t n = std::min(k_slice, bytes.size() - pos);
    written += static_cast<std::size_t>(
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data() + written),
                        reinterpret_cast<const unsigned char*>(bytes.data() + pos), static_cast<int>(n)));
  }
  out.resize(written);
  return out;
}

bool is_valid_base64(std::string_view text) noexcept {
  if (text.size() % 4 != 0) return false;
  if (text.empty()) return true;
  std::size_t body = text.size();
  if (text[body - 1] == '=') --body;
  if (text[body - 1] == '=') --body;
  // A third '=' stays in `body` and fails the alphabet check below.
  // Branch-free over the frame: the loop compiles to table lookups and ORs, with no early exit to
  // mispredict on the audio path.
  std::uint8_t invalid = 0;
  for (std::size_t i = 0; i < body; ++i) invalid |= k_invalid_char[static_cast<unsigned char>(text[i])];
  return invalid == 0;
}

std::size_t base64_decoded_size(std::string_view text) noexcept {
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::size_t bytes = text.size() / 4 * 3;
  // Unpadded tails ("QQ" = 1 byte, "QUI" = 2) are what lenient encoders send; they count too.
  const std::size_t tail = text.size() % 4;
  if (tail > 1) bytes += tail - 1;
  // A peer's "=" or "==" must not wrap around to a size of 2^64 (it was subtracted unchecked).
  return bytes >= padding ? bytes - padding : 0;
}

std::optional<std::string> base64_decode(std::string_view text) {
  if (!is_valid_base64(text)) return std::nullopt;
  std::string out;
  out.reserve(base64_decoded_size(text));
  std::uint32_t bits = 0;
  int pending = 0;
  for (char c : text) {
    if (c == '=') break;
    bits = (bits << 6) | sextet(c);
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      out.push_back(static_cast<char>((bits >> pending) & 0xFF));
    }
  }
  return out;
}

}  // namespace sonoria::twilio
