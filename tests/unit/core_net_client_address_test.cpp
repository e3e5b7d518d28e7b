#include "core/net/client_address.hpp"

#include "core/ip_address.hpp"

#include <doctest/doctest.h>

namespace client_address_test {

using sonoria::net::client_address;
using sonoria::net::limit_key;
using sonoria::is_ip_address;

const std::vector<std::string> k_proxies = {"127.0.0.1", "10.0.0.5", "2001:db8::5"};

TEST_CASE("a peer that is not a trusted proxy is the client, whatever it forwards") {
  CHECK(client_address("198.51.100.9", "203.0.113.7", k_proxies) == "198.51.100.9");
  CHECK(client_address("198.51.100.9", std::nullopt, {}) == "198.51.100.9");
  CHECK(client_address("127.0.0.1", "203.0.113.7", {}) == "127.0.0.1");
}

TEST_CASE("behind trusted proxies the right-most untrusted hop is the client; what it forged is ignored") {
  CHECK(client_address("127.0.0.1", "203.0.113.7", k_proxies) == "203.0.113.7");
  // The client sent "X-Forwarded-For: 1.2.3.4" itself; the proxy appended the real address.
  CHECK(client_address("127.0.0.1", "1.2.3.4, 203.0.113.7", k_proxies) == "203.0.113.7");
  // Two trusted proxies in a row.
  CHECK(client_address("127.0.0.1", "1.2.3.4, 203.0.113.7, 10.0.0.5", k_proxies) == "203.0.113.7");
  CHECK(client_address("::ffff:127.0.0.1", "203.0.113.7", k_proxies) == "203.0.113.7");
}

TEST_CASE("ports, brackets, IPv6 and stray spaces in X-Forwarded-For") {
  CHECK(client_address("127.0.0.1", "203.0.113.7:4711", k_proxies) == "203.0.113.7");
  CHECK(client_address("127.0.0.1", "[2001:db8::1]:4711", k_proxies) == "2001:db8::1");
  CHECK(client_address("127.0.0.1", " 2001:db8::1 ,\t2001:db8::5 ", k_proxies) == "2001:db8::1");
  CHECK(client_address("127.0.0.1", "203.0.113.7,,", k_proxies) == "203.0.113.7");
}

TEST_CASE("a header of trusted hops only, or an empty one, leaves the nearest trusted address") {
  CHECK(client_address("127.0.0.1", "10.0.0.5", k_proxies) == "10.0.0.5");
  CHECK(client_address("127.0.0.1", "", k_proxies) == "127.0.0.1");
}

TEST_CASE("is_ip_address") {
  CHECK(is_ip_address("127.0.0.1"));
  CHECK(is_ip_address("::1"));
  CHECK_FALSE(is_ip_address("localhost"));
  CHECK_FALSE(is_ip_address("10.0.0.0/8"));
  CHECK_FALSE(is_ip_address("127.0.0.1:80"));
}

TEST_CASE("limits are charged to an IPv4 address, or to an IPv6 address's /64") {
  CHECK(limit_key("203.0.113.7") == "203.0.113.7");
  CHECK(limit_key("::ffff:203.0.113.7") == "203.0.113.7");
  CHECK(limit_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64");
  CHECK(limit_key("2001:db8:1:2::1") == limit_key("2001:db8:1:2:ffff:ffff:ffff:fffe"));
  CHECK(limit_key("2001:db8:1:3::1") != limit_key("2001:db8:1:2::1"));
  CHECK(limit_key("::1") == "::/64");
  CHECK(limit_key("") == "");
  CHECK(limit_key("not an address") == "not an address");
}

}  // namespace client_address_test
