#include "core/auth/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "core/twilio/base64.hpp"

namespace sonoria::auth {
namespace {

constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_key_bytes = 32;
// Bounds on what a stored hash may ask for: a tampered row must not make us allocate gigabytes.
constexpr int k_max_log2_n = 20;
constexpr int k_max_r = 32;
constexpr int k_max_p = 16;

std::vector<unsigned char> derive(std::string_view password, std::string_view salt, const ScryptCost& cost) {
  std::vector<unsigned char> key(k_key_bytes);
  const uint64_t n = uint64_t{1} << cost.log2_n;
  // scrypt needs 128·N·r·p bytes plus a little; allow twice that.
  const uint64_t max_memory = 2 * 128 * n * static_cast<uint64_t>(cost.r) * static_cast<uint64_t>(cost.p) + (1u << 20);
  if (EVP_PBE_scrypt(password.data(), password.size(), reinterpret_cast<const unsigned char*>(salt.data()), salt.size(), n,
                     static_cast<uint64_t>(cost.r), static_cast<uint64_t>(cost.p), max_memory, key.data(), key.size()) != 1)
    throw std::runtime_error("scrypt failed (OpenSSL EVP_PBE_scrypt)");
  return key;
}

bool read_int(std::string_view text, std::string_view name, int& out) {
  if (!text.starts_with(name) || text.size() <= name.size() || text[name.size()] != '=') return false;
  text.remove_prefix(name.size() + 1);
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

struct Parsed {
  ScryptCost cost;
  std::string salt;
  std::string key;
};

std::optional<Parsed> parse(std::string_view stored) {
  // "", "scrypt", "ln=15,r=8,p=1", salt, key
  std::vector<std::string_view> parts;
  while (true) {
    auto cut = stored.find('$');
    parts.push_back(stored.substr(0, cut));
    if (cut == std::string_view::npos) break;
    stored.remove_prefix(cut + 1);
  }
  if (parts.size() != 5 || !parts[0].empty() || parts[1] != "scrypt") return std::nullopt;
  Parsed out;
  std::string_view params = parts[2];
  auto first = params.find(',');
  auto second = first == std::string_view::npos ? first : params.find(',', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  if (!read_int(params.substr(0, first), "ln", out.cost.log2_n) ||
      !read_int(params.substr(first + 1, second - first - 1), "r", out.cost.r) ||
      !read_int(params.substr(second + 1), "p", out.cost.p))
    return std::nullopt;
  if (out.cost.log2_n < 1 || out.cost.log2_n > k_max_log2_n || out.cost.r < 1 || out.cost.r > k_max_r ||
      out.cost.p < 1 || out.cost.p > k_max_p)
    return std::nullopt;
  auto salt = twilio::base64_decode(parts[3]);
  auto key = twilio::base64_decode(parts[4]);
  if (!salt || !key || salt->empty() || key->size() != k_key_bytes) return std::nullopt;
  out.salt = std::move(*salt);
  out.key = std::move(*key);
  return out;
}

}  // namespace

std::string hash_password(std::string_view password, ScryptCost cost) {
  unsigned char salt[k_salt_bytes];
  if (RAND_bytes(salt, sizeof salt) != 1) throw std::runtime_error("cannot make a salt: OpenSSL RAND_bytes failed");
  const std::string salt_text(reinterpret_cast<const char*>(salt), sizeof salt);
  const auto key = derive(password, salt_text, cost);
  return "$scrypt$ln=" + std::to_string(cost.log2_n) + ",r=" + std::to_string(cost.r) + ",p=" + std::to_string(cost.p) +
         "$" + twilio::base64_encode(salt_text) + "$" +
         twilio::base64_encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

bool verify_password(std::string_view password, std::string_view stored) {
  const auto parsed = parse(stored);
  if (!parsed) return false;
  std::vector<unsigned char> key;
  try {
    key = derive(password, parsed->salt, parsed->cost);
  } catch (const std::runtime_error&) {
    return false;
  }
  return CRYPTO_memcmp(key.data(), parsed->key.data(), k_key_bytes) == 0;
}

void verify_nothing(std::string_view password) {
  static const std::string dummy = hash_password("sonoria-no-such-user");
  (void)verify_password(password, dummy);
}

std::optional<std::string> password_problem(std::string_view password, std::string_view username) {
  std::size_t characters = 0;
  for (unsigned char c : password)
    if ((c & 0xC0) != 0x80) ++characters;  // count UTF-8 characters, not bytes
  if (characters < 10) return "the password is too short (expected at least 10 characters)";
  if (password.size() > 1024) return "the password is too long (expected at most 1024 bytes)";
  if (password == username) return "the password is the username (expected something else)";
  return std::nullopt;
}

}  // namespace sonoria::auth
