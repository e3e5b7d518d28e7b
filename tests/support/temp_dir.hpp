#pragma once
// Each test owns a temporary directory, removed when the test ends.
#include <filesystem>
#include <string>

namespace sonoria::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Writes `text` to a file in the directory and returns its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& path);
// The source tree (for examples/ and tests/data/), from SONORIA_SOURCE_DIR or the build-time path.
std::filesystem::path source_dir();

}  // namespace sonoria::test
