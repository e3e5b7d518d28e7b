#pragma once
// Values written the way TOML spells them. The exporter uses these to write profiles, and error
// messages use them to quote the offending value as the person typed it. Pure functions.

#include <cstddef>
#include <string>
#include <string_view>

namespace sonoria::org {

// The path of an array element in error messages: index_path("services", 2) == "services[2]".
std::string index_path(const std::string& array, std::size_t index);

// A TOML basic string: "say \"hi\"\n". Control characters are escaped, everything else
// (including non-ASCII UTF-8) is kept as it is.
std::string toml_quote(std::string_view text);

// Like toml_quote, but text with line breaks becomes a multi-line basic string ("""…""") that
// keeps them as real lines, which reads better for long answers and personalities.
std::string toml_string(std::string_view text);

// A TOML float in its shortest exact form: 0.8, 1.0, 1e+20, inf, nan. Parsing it back yields the
// same double, bit for bit (apart from NaN payloads).
std::string toml_float(double value);

}  // namespace sonoria::org
