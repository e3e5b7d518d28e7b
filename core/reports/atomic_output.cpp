#include "core/reports/atomic_output.hpp"

#include <fcntl.h>
#include <filesystem>
#include <unistd.h>

#include "core/error.hpp"

namespace sonoria::reports {

void sync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw UserError(path + ": cannot open to sync it to disk");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw UserError(path + ": cannot sync to disk (disk full or failing?)");
}

AtomicOutput::AtomicOutput(std::string target_path, std::string temp_path)
    : target_(std::move(target_path)), temp_(std::move(temp_path)) {
  if (temp_.empty()) temp_ = target_ + ".tmp-" + std::to_string(::getpid());
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) throw UserError(target_ + ": cannot write (check the directory exists and is writable)");
}

AtomicOutput::~AtomicOutput() {
  if (published_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void AtomicOutput::close() {
  if (closed_) return;
  out_.flush();
  bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok || out_.fail()) throw UserError(target_ + ": write failed (disk full?)");
  sync_path(temp_);
  closed_ = true;
}

void AtomicOutput::publish() {
  close();
  std::error_code ec;
  std::filesystem::rename(temp_, target_, ec);
  if (ec) throw UserError(target_ + ": cannot replace the file: " + ec.message());
  published_ = true;
  auto dir = std::filesystem::path(target_).parent_path();
  sync_path(dir.empty() ? "." : dir.string());
}

}  // namespace sonoria::reports
