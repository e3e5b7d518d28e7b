#pragma once
// IP addresses as text: the check configuration uses (server.trusted_proxies) and the comparison
// core/net/client_address uses. Header-only, so that core/config needs no network library.

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria {

// The address as 16 bytes (IPv4 as IPv4-mapped IPv6, so both spellings compare equal), or nullopt
// when `text` is not an IPv4 or IPv6 address (no port, no brackets, no prefix length).
inline std::optional<std::array<unsigned char, 16>> ip_address_bytes(std::string_view text) {
  const std::string s(text);
  std::array<unsigned char, 16> bytes{};
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    bytes[10] = bytes[11] = 0xff;
    std::memcpy(bytes.data() + 12, &v4, 4);
    return bytes;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(bytes.data(), &v6, 16);
    return bytes;
  }
  return std::nullopt;
}

inline bool is_ip_address(std::string_view text) { return ip_address_bytes(text).has_value(); }

}  // namespace sonoria
