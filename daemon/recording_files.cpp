#include "daemon/recording_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "core/files/atomic_file.hpp"
#include "core/files/private_directory.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "core/audio/wav.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics.hpp"

namespace sonoria::daemon {

struct RecordingFiles::Open {
  std::FILE* file = nullptr;
  std::uint64_t samples = 0;
  std::string error;  // the first failure; later pieces are not written
};

struct RecordingFiles::OpenFiles {
  std::map<std::string, Open> files;
  ~OpenFiles() {
    for (auto& [name, open] : files)
      if (open.file) std::fclose(open.file);
  }
};

RecordingFiles::RecordingFiles(std::filesystem::path directory, Metrics& metrics, std::size_t max_queued_bytes)
    : directory_(std::move(directory)), metrics_(metrics), max_queued_bytes_(max_queued_bytes),
      open_(std::make_unique<OpenFiles>()) {}

RecordingFiles::~RecordingFiles() { stop(); }

void RecordingFiles::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void RecordingFiles::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool RecordingFiles::append(const std::string& relative, std::string ulaw) {
  if (ulaw.empty()) return true;
  {
    std::lock_guard lock(mutex_);
    if (queued_bytes_ + ulaw.size() > max_queued_bytes_ || stopping_) {
      metrics_.recording_bytes_dropped += ulaw.size();
      return false;
    }
    queued_bytes_ += ulaw.size();
    jobs_.push_back(Job{relative, std::move(ulaw), nullptr});
  }
  cv_.notify_one();
  return true;
}

void RecordingFiles::finish(const std::string& relative, Finished done) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(Job{relative, {}, std::move(done)});
  }
  cv_.notify_one();
}

void RecordingFiles::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) break;  // stopping, and everything queued is written
      job = std::move(jobs_.front());
      jobs_.pop_front();
      queued_bytes_ -= job.ulaw.size();
    }
    write(job);
  }
  // Stopped with recordings still open (calls cut by the shutdown): their headers are patched,
  // and they are put in place.
  for (auto& [relative, open] : open_->files) {
    if (!open.file) continue;
    close_and_publish(open, directory_ / relative);
  }
}

std::string RecordingFiles::close_and_publish(Open& open, const std::filesystem::path& path) {
  std::string error;
  // The RIFF pad byte for an odd length, then the real lengths in the header.
  if (open.samples % 2 == 1) std::fputc(0, open.file);
  const std::string header = audio::ulaw_wav_header(static_cast<std::uint32_t>(open.samples));
  const bool patched = std::fseek(open.file, 0, SEEK_SET) == 0 &&
                       std::fwrite(header.data(), 1, header.size(), open.file) == header.size() &&
                       std::fflush(open.file) == 0;
  if (!patched) error = std::strerror(errno);
  const bool closed = std::fclose(open.file) == 0;
  open.file = nullptr;
  if (!closed && error.empty()) error = std::strerror(errno);
  if (!error.empty()) return error;
  // Written as "<name>.partial" and renamed once whole and on disk: a file under its real name is
  // a complete recording, even after a power cut.
  try {
    files::publish_file(partial_path(path).string(), path.string());
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::filesystem::path RecordingFiles::partial_path(const std::filesystem::path& path) {
  auto partial = path;
  partial += ".partial";
  return partial;
}

void RecordingFiles::write(Job& job) {
  auto& open = open_->files[job.relative];
  const auto path = directory_ / job.relative;
  if (!job.ulaw.empty() && open.error.empty()) {
    if (!open.file) {
      std::error_code ec;
      files::create_private_directories(path.parent_path(), ec);
      // A recording is call data: its owner's alone.
      const int fd = ec ? -1 : ::open(partial_path(path).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      open.file = fd < 0 ? nullptr : ::fdopen(fd, "wb");
      if (fd >= 0 && !open.file) ::close(fd);
      const std::string header = audio::ulaw_wav_header(0);
      if (!open.file || std::fwrite(header.data(), 1, header.size(), open.file) != header.size())
        open.error = ec ? ec.message() : std::strerror(errno);
    }
    if (open.error.empty()) {
      if (std::fwrite(job.ulaw.data(), 1, job.ulaw.size(), open.file) == job.ulaw.size())
        open.samples += job.ulaw.size();
      else
        open.error = std::strerror(errno);
    }
    if (!open.error.empty()) {
      metrics_.recording_bytes_dropped += job.ulaw.size();
      log_error("recording.write_failed", "", "a call recording could not be written: " + open.error,
                {{"file", path.string()}});
    }
  }
  if (!job.done) return;
  std::uint64_t samples = open.samples;
  std::string error = open.error;
  if (open.file) {
    const std::string closing = close_and_publish(open, path);
    if (error.empty()) error = closing;
  }
  open_->files.erase(job.relative);
  try {
    job.done(error.empty() ? samples : 0, error);
  } catch (const std::exception& e) {
    log_error("recording.finish_failed", "", e.what());
  }
}

}  // namespace sonoria::daemon
