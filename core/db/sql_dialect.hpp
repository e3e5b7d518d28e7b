#pragma once
// The SQL the two databases spell differently, as pure functions of the dialect: the stores write
// everything else once (core/db/connection.hpp). JSON columns are text in both databases.

#include <string>
#include <string_view>

#include "core/db/connection.hpp"

namespace sonoria::db {

// The text at `path` (dotted keys, "webhooks.call_end_url") of the JSON object in `column`;
// NULL when absent.
std::string json_text(Dialect dialect, std::string_view column, std::string_view path);

// True when the JSON array of strings in `column` holds the value bound at `placeholder`.
std::string json_array_contains(Dialect dialect, std::string_view column, std::string_view placeholder = "?");

// True when an object of the JSON array in `column` has `field` equal to the value bound at
// `placeholder` ([{"engine":"openai",…}, …]).
std::string json_array_has_field(Dialect dialect, std::string_view column, std::string_view field,
                                 std::string_view placeholder = "?");

// True when the text `haystack` contains `needle` (no pattern characters: a `%` is a `%`).
std::string text_contains(Dialect dialect, std::string_view haystack, std::string_view needle);

}  // namespace sonoria::db
