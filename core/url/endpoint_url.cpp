#include "core/url/endpoint_url.hpp"

#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <charconv>

namespace sonoria::url {

namespace {

// The parts of `url`, or nullopt with `why` set to what is wrong with it.
std::optional<EndpointUrl> parse(std::string_view url, const EndpointScheme& s, std::string& why) {
  const auto fail = [&](std::string text) -> std::optional<EndpointUrl> {
    why = std::move(text);
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
  // Schemes are case-insensitive (RFC 3986 §3.1): "HTTPS://" is https.
  const std::string scheme(view.scheme());
  if (boost::urls::grammar::ci_is_equal(scheme, s.secure)) {
    out.tls = true;
  } else if (!boost::urls::grammar::ci_is_equal(scheme, s.plain)) {
    return fail("scheme must be " + std::string(s.plain) + " or " + std::string(s.secure) + ", not \"" + scheme + "\"");
  }
  if (!view.has_authority() || view.encoded_host().empty()) return fail("the host is missing");
  if (view.has_userinfo()) return fail("user info (user@host) is not supported");
  if (view.has_fragment()) return fail("a fragment (#…) has no meaning here");
  // Boost.URL 1.81 reads "http://[::1]https://x" as host [::1] and path "https://x", and
  // "http://h:80a/x" as port 80 and path "a/x" (boostorg/url#636, fixed in later releases); sent,
  // such a path would be an absolute-form target, a request for another host.
  if (const std::string_view path = view.encoded_path(); !path.empty() && path.front() != '/')
    return fail("\"" + std::string(path) + "\" follows the host (expected [:port], then '/', '?' or the end)");

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

}  // namespace

std::optional<EndpointUrl> parse_endpoint_url(std::string_view url, const EndpointScheme& s, std::string& error) {
  std::string why;
  auto parsed = parse(url, s, why);
  if (!parsed) error = "\"" + std::string(url) + "\" is not " + std::string(s.kind) + ": " + why;
  return parsed;
}

std::string endpoint_url_problem(std::string_view url, const EndpointScheme& s) {
  std::string why;
  return parse(url, s, why) ? std::string() : why;
}

}  // namespace sonoria::url
