#pragma once
// What the PostgreSQL connection does to SQL and values on their way to the server, as pure
// functions: SQLite's placeholders turned into PostgreSQL's, and text made acceptable to a UTF-8
// database (which refuses a NUL byte or an invalid sequence that SQLite stores as it is).

#include <string>
#include <string_view>

namespace sonoria::db {

struct PostgresqlSql {
  std::string text;     // with $1, $2, …
  int parameters = 0;   // the largest number used
};

// `?` is the next number after the largest so far, `?N` is N (SQLite's rule); a `?` inside a
// string literal, a quoted identifier or a comment is left alone.
PostgresqlSql postgresql_placeholders(std::string_view sql);

// `text` unchanged when it is valid UTF-8 without NUL; otherwise each invalid byte becomes U+FFFD
// and each NUL is dropped, so a record is stored rather than refused.
std::string postgresql_text(std::string_view text);
bool postgresql_text_ok(std::string_view text);

}  // namespace sonoria::db
