#include "core/net/http_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace sonoria::net {

std::optional<HttpUrl> parse_http_url(std::string_view url, std::string& error) {
  const auto fail = [&](std::string_view why) -> std::optional<HttpUrl> {
    error = "\"" + std::string(url) + "\" is not an HTTP URL: " + std::string(why);
    return std::nullopt;
  };
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) return fail("expected http(s)://host[:port]/path");
  const boost::urls::url_view& view = *parsed;

  HttpUrl out;
  const std::string scheme(view.scheme());
  if (scheme == "https") {
    out.tls = true;
  } else if (scheme != "http") {
    return fail("scheme must be http or https, not \"" + scheme + "\"");
  }
  if (!view.has_authority() || view.encoded_host().empty()) return fail("the host is missing");
  // Credentials travel in the Authorization header, never in a URL that may end up in a log.
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
