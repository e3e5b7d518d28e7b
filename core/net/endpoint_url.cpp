#include "core/net/endpoint_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace sonoria::net {

std::optional<EndpointUrl> parse_endpoint_url(std::string_view url, const EndpointScheme& s, std::string& error) {
  const auto fail = [&](std::string_view why) -> std::optional<EndpointUrl> {
    error = "\"" + std::string(url) + "\" is not " + std::string(s.kind) + ": " + std::string(why);
    return std::nullopt;
  };
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    if (s.plain == "http") return fail("expected http(s)://host[:port]/path");
    return fail("expected " + std::string(s.plain) + "://host[:port]/path or " + std::string(s.secure) +
                "://host[:port]/path");
  }
  const boost::urls::url_view& view = *parsed;

  EndpointUrl out;
  const std::string scheme(view.scheme());
  if (scheme == s.secure) {
    out.tls = true;
  } else if (scheme != s.plain) {
    return fail("scheme must be " + std::string(s.plain) + " or " + std::string(s.secure) + ", not \"" + scheme + "\"");
  }
  if (!view.has_authority() || view.encoded_host().empty()) return fail("the host is missing");
  if (view.has_userinfo()) return fail("user info (user@host) is not supported");
  if (view.has_fragment()) return fail("a fragment (#…) has no meaning here");

  out.host = std::string(view.encoded_host_address());
  out.port = out.tls ? 443 : 80;
  if (view.has_port()) {
    const std::string_view text = view.port();
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value == 0 || value > 65535) {
      return fail("port \"" + std::string(text) + "\" is not between 1 and 65535");
    }
    out.port = static_cast<std::uint16_t>(value);
  }
  out.host_header = std::string(view.encoded_host_and_port());
  out.target = std::string(view.encoded_path());
  if (out.target.empty()) out.target = "/";
  if (view.has_query()) out.target += "?" + std::string(view.encoded_query());
  return out;
}

}  // namespace sonoria::net
