#include "core/twilio/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "core/twilio/base64.hpp"

namespace sonoria::twilio {
namespace {

bool constant_time_equal(std::string_view a, std::string_view b) {
  // The length of a signature is public (always 28 characters); only the content must not leak.
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hmac_sha1_base64(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  // An empty token is still a key; OpenSSL wants a non-null pointer for it.
  const void* key_data = key.empty() ? static_cast<const void*>("") : key.data();
  const unsigned char* ok = HMAC(EVP_sha1(), key_data, static_cast<int>(key.size()),
                                 reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                                 mac.data(), &mac_size);
  if (ok == nullptr) throw std::runtime_error("HMAC-SHA1 failed in OpenSSL");
  return base64_encode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac_size));
}

std::optional<std::uint16_t> default_port(std::string_view scheme) {
  if (scheme == "https" || scheme == "wss") return 443;
  if (scheme == "http" || scheme == "ws") return 80;
  return std::nullopt;
}

// The spellings of `url` the official helper libraries accept (protocols.md §2.4): as given,
// without its port, and with the scheme's default port when it had none. A URL Boost.URL cannot
// parse is tried only as given.
std::vector<std::string> url_candidates(std::string_view url) {
  std::vector<std::string> candidates{std::string(url)};
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return candidates;
  auto add = [&](std::string candidate) {
    if (std::find(candidates.begin(), candidates.end(), candidate) == candidates.end()) {
      candidates.push_back(std::move(candidate));
    }
  };
  if (parsed->has_port()) {
    boost::urls::url without(*parsed);
    without.remove_port();
    add(std::string(without.buffer()));
  } else if (parsed->has_authority()) {
    if (auto port = default_port(parsed->scheme())) {
      boost::urls::url with(*parsed);
      with.set_port_number(*port);
      add(std::string(with.buffer()));
    }
  }
  return candidates;
}

// Names sorted byte-wise; a repeated name contributes each distinct value once, sorted.
std::string signed_suffix(const FormParams& params) {
  std::map<std::string_view, std::set<std::string_view>> sorted;
  for (const auto& [name, value] : params) sorted[name].insert(value);
  std::string suffix;
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) {
      suffix += name;
      suffix += value;
    }
  }
  return suffix;
}

std::optional<std::string> query_value(std::string_view url, std::string_view name) {
  auto parsed = boost::urls::parse_uri_reference(url);
  if (!parsed) return std::nullopt;
  for (const auto& param : parsed->params()) {
    if (param.key == name && param.has_value) return param.value;
  }
  return std::nullopt;
}

}  // namespace

std::string body_sha256_hex(std::string_view raw_body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(raw_body.data(), raw_body.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed in OpenSSL");
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex += k_hex[digest[i] >> 4];
    hex += k_hex[digest[i] & 0x0F];
  }
  return hex;
}

std::string compute_signature(std::string_view auth_token, std::string_view url, const FormParams& params) {
  std::string message(url);
  message += signed_suffix(params);
  return hmac_sha1_base64(auth_token, message);
}

bool validate_signature(std::string_view auth_token, std::string_view header, std::string_view url,
                        const FormParams& params, std::optional<std::string_view> raw_json_body) {
  if (header.empty()) return false;
  std::string suffix;
  if (raw_json_body) {
    const auto claimed = query_value(url, "bodySHA256");
    if (!claimed || !constant_time_equal(body_sha256_hex(*raw_json_body), *claimed)) return false;
  } else {
    suffix = signed_suffix(params);
  }
  // Every candidate is computed and compared, so the time taken does not tell which one matched.
  bool valid = false;
  for (const auto& candidate : url_candidates(url)) {
    valid |= constant_time_equal(hmac_sha1_base64(auth_token, candidate + suffix), header);
  }
  return valid;
}

}  // namespace sonoria::twilio
