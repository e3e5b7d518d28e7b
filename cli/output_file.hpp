#pragma once
// Writes a file atomically: a temporary file beside it, flushed, then renamed into place, so a
// reader (or cron) never sees half a file. Throws UserError naming the path.
#include <string>

namespace sonoria::cli {
void write_file_atomically(const std::string& path, const std::string& content);
}
