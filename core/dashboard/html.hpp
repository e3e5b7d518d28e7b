#pragma once
// Writing HTML safely: every value from a person, a caller or a peer goes through escape() (or
// attr() inside an attribute). The dashboard has no template engine; pages are plain functions
// that concatenate these. Pure.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sonoria::dashboard {

// & < > " ' escaped: safe in element content and in quoted attribute values.
std::string escape(std::string_view text);
// A query string from name/value pairs, percent-encoded, leaving out empty values: "a=1&b=x%20y".
std::string query_string(const std::map<std::string, std::string>& params);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string percent_encode(std::string_view text);
// The value of a text input with its label, and an error beside it when there is one.
std::string text_field(const std::string& name, const std::string& label, const std::string& value,
                       const std::string& error = "", const std::string& type = "text", const std::string& extra = "");
// <select> with `options` as (value, label), `selected` marked.
std::string select_field(const std::string& name, const std::string& label,
                         const std::vector<std::pair<std::string, std::string>>& options, const std::string& selected);
// The hidden field every form posts back (daemon/dashboard_routes.hpp checks it).
std::string csrf_field(const std::string& token);

}  // namespace sonoria::dashboard
