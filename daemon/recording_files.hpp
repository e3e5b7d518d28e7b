#pragma once
// The thread that writes call recordings (core/audio/recording_file.hpp), so that no call's
// strand ever touches the disk. Sessions hand it mixed µ-law a second at a time; it keeps each
// recording's file open while the call lasts, writes the WAV header first with the length
// unknown and patches it when the call's recording is finished. The queue is bounded: beyond it a
// piece is dropped (counted in sonoria_recording_bytes_dropped_total, logged once per call) —
// a full disk or a slow one costs recordings, never calls.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace sonoria::daemon {

class Metrics;

class RecordingFiles {
 public:
  // Called on the writer thread once a recording is closed: its length in samples, or an error.
  using Finished = std::function<void(std::uint64_t samples, const std::string& error)>;

  RecordingFiles(std::filesystem::path directory, Metrics& metrics, std::size_t max_queued_bytes = 16u << 20);
  ~RecordingFiles();
  RecordingFiles(const RecordingFiles&) = delete;
  RecordingFiles& operator=(const RecordingFiles&) = delete;

  void start();
  // Writes and closes everything queued, then joins. Idempotent.
  void stop();

  // Any thread; never blocks on I/O. `relative` names the file under the directory; the first
  // piece creates it (and its folders). False when the queue is full: the piece is dropped.
  bool append(const std::string& relative, std::string ulaw);
  // Any thread: the recording is complete; `done` runs on the writer thread.
  void finish(const std::string& relative, Finished done);

  const std::filesystem::path& directory() const { return directory_; }

 private:
  struct Job {
    std::string relative;
    std::string ulaw;
    Finished done;  // set: finish
  };
  struct Open;
  void run();
  void write(Job& job);
  // Patches the header, syncs, and renames the ".partial" file to `path`; the error, or "".
  static std::string close_and_publish(Open& open, const std::filesystem::path& path);
  static std::filesystem::path partial_path(const std::filesystem::path& path);

  std::filesystem::path directory_;
  Metrics& metrics_;
  const std::size_t max_queued_bytes_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  std::size_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::thread thread_;
  struct OpenFiles;
  std::unique_ptr<OpenFiles> open_;
};

}  // namespace sonoria::daemon
