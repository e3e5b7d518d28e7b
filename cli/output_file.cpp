#include "cli/output_file.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/error.hpp"

namespace sonoria::cli {

void write_file_atomically(const std::string& path, const std::string& content) {
  std::filesystem::path target(path);
  std::filesystem::path temp = target;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw UserError(path + ": cannot write (check the directory exists and is writable)");
    out << content;
    out.flush();
    if (!out) throw UserError(path + ": write failed (disk full?)");
  }
  std::error_code ec;
  std::filesystem::rename(temp, target, ec);
  if (ec) {
    std::filesystem::remove(temp, ec);
    throw UserError(path + ": cannot replace the file: " + ec.message());
  }
}

}  // namespace sonoria::cli
