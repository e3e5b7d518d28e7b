#include "core/net/client_address.hpp"

#include <algorithm>

#include "core/ip_address.hpp"

namespace sonoria::net {

namespace {

std::string_view trim_hop(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "203.0.113.7", "203.0.113.7:4711", "[2001:db8::1]:4711" or "2001:db8::1" → the address.
std::string_view hop_address(std::string_view hop) {
  if (!hop.empty() && hop.front() == '[') {
    const auto close = hop.find(']');
    return close == std::string_view::npos ? hop : hop.substr(1, close - 1);
  }
  const auto colon = hop.find(':');
  if (colon != std::string_view::npos && hop.find(':', colon + 1) == std::string_view::npos) return hop.substr(0, colon);
  return hop;
}

bool is_trusted_proxy(std::string_view address, const std::vector<std::string>& trusted) {
  const auto bytes = ip_address_bytes(address);
  if (!bytes) return false;
  for (const auto& t : trusted) {
    if (ip_address_bytes(t) == bytes) return true;
  }
  return false;
}

}  // namespace

std::string client_address(std::string_view peer, std::optional<std::string_view> forwarded_for,
                           const std::vector<std::string>& trusted_proxies) {
  if (!forwarded_for || !is_trusted_proxy(peer, trusted_proxies)) return std::string(peer);
  std::string_view rest = *forwarded_for;
  std::string_view closest = peer;  // the trusted hop nearest the client seen so far
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const std::string_view hop = hop_address(trim_hop(comma == std::string_view::npos ? rest : rest.substr(comma + 1)));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(0, comma);
    if (hop.empty()) continue;
    if (!is_trusted_proxy(hop, trusted_proxies)) return std::string(hop);
    closest = hop;
  }
  // Every hop was a trusted proxy: the left-most one is as close to the client as we can tell.
  return std::string(closest);
}

std::string limit_key(std::string_view address) {
  auto bytes = ip_address_bytes(address);
  if (!bytes) return std::string(address);
  char text[INET6_ADDRSTRLEN] = {};
  const bool v4 = std::all_of(bytes->begin(), bytes->begin() + 10, [](unsigned char b) { return b == 0; }) &&
                  (*bytes)[10] == 0xff && (*bytes)[11] == 0xff;
  if (v4) {
    inet_ntop(AF_INET, bytes->data() + 12, text, sizeof text);
    return text;
  }
  std::fill(bytes->begin() + 8, bytes->end(), static_cast<unsigned char>(0));
  inet_ntop(AF_INET6, bytes->data(), text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace sonoria::net
