#include "daemon/api_query.hpp"

#include <boost/url/parse_query.hpp>
#include <boost/url/pct_string_view.hpp>

#include "daemon/api_routes.hpp"

namespace sonoria::daemon {

std::string api_path_segment(std::string_view segment) {
  const auto pct = boost::urls::make_pct_string_view(boost::urls::string_view(segment.data(), segment.size()));
  if (!pct) {
    throw ApiBadRequest{"invalid_path", "the path segment \"" + std::string(segment) + "\" is not valid percent-encoding",
                        "path", "a % followed by two hex digits"};
  }
  return pct->decode();
}

std::map<std::string, std::string> api_query(std::string_view query) {
  // Boost.URL 1.81's parse_query measures parts of its input with strlen() (boostorg/url#946,
  // found by the api_query fuzz target: "=&&a==b&c" and "" read past the end of a view): it gets a
  // NUL-terminated copy, where strlen stops at the query's end.
  if (query.empty()) return {};
  const std::string text(query);
  const auto params = boost::urls::parse_query(boost::urls::string_view(text.data(), text.size()));
  if (!params) {
    throw ApiBadRequest{"invalid_query", "the query \"" + std::string(query) + "\" is not valid percent-encoding",
                        "query", "a % followed by two hex digits"};
  }
  boost::urls::encoding_opts form;
  form.space_as_plus = true;
  std::map<std::string, std::string> out;
  for (const auto& param : *params) {
    if (param.key.empty()) continue;
    out[param.key.decode(form)] = param.has_value ? param.value.decode(form) : std::string();
  }
  return out;
}

}  // namespace sonoria::daemon
