#include "core/files/private_directory.hpp"

#include <sys/stat.h>

#include <cerrno>

namespace sonoria::files {

void create_private_directories(const std::filesystem::path& dir, std::error_code& ec) {
  ec.clear();
  if (dir.empty() || std::filesystem::is_directory(dir, ec)) return;
  ec.clear();
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    create_private_directories(dir.parent_path(), ec);
    if (ec) return;
  }
  // mkdir's mode is narrowed by the umask, never widened: 0700 stays 0700 or less.
  if (::mkdir(dir.c_str(), 0700) == 0) return;
  if (errno != EEXIST) {
    ec = std::error_code(errno, std::generic_category());
  } else if (!std::filesystem::is_directory(dir)) {
    ec = std::make_error_code(std::errc::not_a_directory);  // a file is in the way
  }
}

}  // namespace sonoria::files
