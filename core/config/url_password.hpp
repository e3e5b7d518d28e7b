#pragma once
// Where a database URL (or libpq key=value string) holds its password: the user info
// (user:password@, ending at the last '@' before the query, since a password may hold '/', '@' or
// '%') and any password=… parameter or word. Pure; used to keep passwords out of what is printed.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace sonoria::config {

// (offset, length) of each password as written in `url`, in order.
std::vector<std::pair<std::size_t, std::size_t>> url_password_spans(const std::string& url);

// `url` with each password replaced by "…(redacted)": database.url as `config show` prints it.
std::string redact_url_password(const std::string& url);

}  // namespace sonoria::config
