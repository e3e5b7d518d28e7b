#include "core/files/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.hpp"

namespace sonoria::files {

void sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError(path + ": cannot open to sync it to disk: " + std::strerror(errno));
  const int rc = ::fsync(fd);
  const int saved = errno;
  ::close(fd);
  if (rc != 0) throw UserError(path + ": cannot sync to disk (" + std::strerror(saved) + ")");
}

void sync_parent_directory(const std::string& path) {
  const auto dir = std::filesystem::path(path).parent_path();
  sync_path(dir.empty() ? "." : dir.string());
}

AtomicFile::AtomicFile(std::string target_path, mode_t mode, std::string temp_path)
    : target_(std::move(target_path)), temp_(std::move(temp_path)) {
  if (temp_.empty()) temp_ = target_ + ".tmp-" + std::to_string(::getpid());
  // Created with its mode from the start: never readable by others, not even for a moment.
  ::unlink(temp_.c_str());
  const int fd = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    throw UserError(target_ + ": cannot write (" + std::strerror(errno) + "; check the directory exists and is writable)");
  ::fchmod(fd, mode);  // the umask does not narrow what was asked for
  ::close(fd);
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw UserError(target_ + ": cannot write (check the directory exists and is writable)");
}

AtomicFile::~AtomicFile() {
  if (published_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void AtomicFile::close() {
  if (closed_) return;
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) throw UserError(target_ + ": write failed (disk full?)");
  sync_path(temp_);
  closed_ = true;
}

void AtomicFile::publish() {
  close();
  std::error_code ec;
  std::filesystem::rename(temp_, target_, ec);
  if (ec) throw UserError(target_ + ": cannot replace the file: " + ec.message());
  published_ = true;
  sync_parent_directory(target_);
}

void write_file_atomically(const std::string& path, std::string_view bytes, mode_t mode) {
  AtomicFile file(path, mode);
  file.stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  file.publish();
}

void publish_file(const std::string& temp_path, const std::string& target_path) {
  sync_path(temp_path);
  std::error_code ec;
  std::filesystem::rename(temp_path, target_path, ec);
  if (ec) throw UserError(target_path + ": cannot move the file into place: " + ec.message());
  sync_parent_directory(target_path);
}

}  // namespace sonoria::files
