#pragma once
// Which address a request came from, for limits charged per client. Behind a reverse proxy every
// request arrives from the proxy: its X-Forwarded-For names the client, but only a proxy the
// operator listed (server.trusted_proxies) is believed, and only for the hops it and other trusted
// proxies appended — everything left of the right-most untrusted address the client could forge.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::net {

// The client's address: `peer` itself unless it is in `trusted_proxies`; then the right-most
// address of `forwarded_for` (comma-separated, ports and IPv6 brackets allowed) that is not a
// trusted proxy. Addresses compare by value ("::ffff:10.0.0.1" is 10.0.0.1).
std::string client_address(std::string_view peer, std::optional<std::string_view> forwarded_for,
                           const std::vector<std::string>& trusted_proxies);

// The key a client's limits are charged to: an IPv4 address itself ("::ffff:203.0.113.7" as
// "203.0.113.7"); an IPv6 address's /64, "2001:db8:1:2::/64", since one subscriber's network
// (and any host on it) may use any of its 2^64 addresses; anything else as it is.
std::string limit_key(std::string_view address);

}  // namespace sonoria::net
