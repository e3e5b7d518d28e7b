#include "core/twilio/form.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/pct_string_view.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

namespace sonoria::twilio {
namespace {

std::optional<std::string> decode_component(std::string_view text) {
  auto pct = boost::urls::make_pct_string_view(text);
  if (!pct) return std::nullopt;
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  return pct->decode(opts);
}

std::string encode_component(std::string_view text) {
  boost::urls::encoding_opts opts;
  opts.space_as_plus = true;
  // RFC 3986 unreserved characters stay as they are; everything else, '+' and '&' and '='
  // included, is percent-encoded, and a space becomes '+'.
  return boost::urls::encode(text, boost::urls::unreserved_chars, opts);
}

}  // namespace

std::optional<FormParams> parse_form(std::string_view body) {
  FormParams params;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    // Empty pairs ("a=1&&b=2", a trailing '&') carry nothing, as in the WHATWG form parser.
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = decode_component(pair.substr(0, eq));
    auto value = decode_component(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    params.emplace_back(std::move(*name), std::move(*value));
  }
  return params;
}

std::string encode_form(const FormParams& params) {
  std::string body;
  for (const auto& [name, value] : params) {
    if (!body.empty()) body += '&';
    body += encode_component(name);
    body += '=';
    body += encode_component(value);
  }
  return body;
}

std::optional<std::string_view> form_value(const FormParams& params, std::string_view name) {
  for (const auto& [n, v] : params) {
    if (n == name) return std::string_view{v};
  }
  return std::nullopt;
}

}  // namespace sonoria::twilio
