#pragma once
// The folders sonoria makes for its own files (the configuration's, the database's, recordings)
// hold settings and call data: each one it creates is its owner's alone (0700, as the XDG base
// directory spec asks). Folders that exist already are left as they are.

#include <filesystem>
#include <system_error>

namespace sonoria::files {

// Creates `dir` and any missing parents with mode 0700. Sets `ec` on failure.
void create_private_directories(const std::filesystem::path& dir, std::error_code& ec);

}  // namespace sonoria::files
