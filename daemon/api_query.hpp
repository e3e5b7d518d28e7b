#pragma once
// Decoding what a REST API request carries in its URL: path segments and query parameters, by
// Boost.URL. A malformed escape is refused (ApiBadRequest, answered 400), not passed through.

#include <map>
#include <string>
#include <string_view>

namespace sonoria::daemon {

// A path segment, decoded. '+' is a plus in a path (RFC 3986), unlike in a query.
// Throws ApiBadRequest{"invalid_path"} for a malformed escape ("%zz").
std::string api_path_segment(std::string_view segment);

// The query's parameters, decoded ('+' is a space, as forms send it); the last of a repeated name
// wins, parameters without a name are skipped. Throws ApiBadRequest{"invalid_query"}.
std::map<std::string, std::string> api_query(std::string_view query);

}  // namespace sonoria::daemon
