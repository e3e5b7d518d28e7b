#include "core/db/record_journal.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "core/db/record_json.hpp"
#include "core/error.hpp"

namespace sonoria::db {
namespace {

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw UserError(path + ": " + what + ": " + std::strerror(errno));
}

void sync_directory_of(const std::string& path) {
  auto dir = std::filesystem::path(path).parent_path();
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::string journal_path_for(const std::string& database_path) { return database_path + ".journal"; }

RecordJournal::RecordJournal(std::string path) : path_(std::move(path)) {}

bool RecordJournal::exists() const {
  std::error_code ec;
  return std::filesystem::exists(path_, ec);
}

void RecordJournal::append(const std::vector<Record>& records) {
  if (records.empty()) return;
  std::string text;
  for (const auto& r : records) text += record_to_json(r) + "\n";
  const bool created = !exists();
  // Call data: readable by the daemon's user alone.
  int fd = ::open(path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) fail(path_, "cannot open the write journal");
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int saved = errno;
      // Leave no half line behind: the next append would glue onto it.
      ::ftruncate(fd, ::lseek(fd, 0, SEEK_END) - static_cast<off_t>(text.size() - rest.size()));
      ::close(fd);
      errno = saved;
      fail(path_, "cannot write the write journal");
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    fail(path_, "cannot sync the write journal");
  }
  ::close(fd);
  if (created) sync_directory_of(path_);
}

JournalContents RecordJournal::read() const {
  JournalContents out;
  std::ifstream in(path_);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (auto record = record_from_json(line)) out.records.push_back(std::move(*record));
    else ++out.unreadable;
  }
  return out;
}

void RecordJournal::remove() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) fail(path_, "cannot remove the write journal");
  sync_directory_of(path_);
}

}  // namespace sonoria::db
