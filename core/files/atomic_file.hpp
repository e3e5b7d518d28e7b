#pragma once
// Files that appear whole or not at all, and survive a power cut once written: the one way sonoria
// writes an output in place (exports and their state, backups, recordings, `--out`/`--output`
// files, the starter config, WAV files). The bytes go to a temporary file beside the target,
// created with the target's mode (0600 by default: call data and settings are the user's alone),
// flushed and fsynced, renamed over the target, and the directory fsynced so the rename itself
// is durable. Dropping an AtomicFile unpublished removes the temporary file. Blocking disk I/O:
// call from the CLI or a worker thread, never an io thread. Throws UserError naming the path.

#include <sys/types.h>

#include <fstream>
#include <string>
#include <string_view>

namespace sonoria::files {

class AtomicFile {
 public:
  // `temp_path` defaults to "<target>.tmp-<pid>".
  explicit AtomicFile(std::string target_path, mode_t mode = 0600, std::string temp_path = {});
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::string& temp_path() const { return temp_; }
  const std::string& target_path() const { return target_; }
  void close();     // flush, check for write errors, fsync
  void publish();   // close() if needed, then rename over the target and fsync its directory

 private:
  std::string target_;
  std::string temp_;
  std::ofstream out_;
  bool closed_ = false;
  bool published_ = false;
};

// The whole of `bytes` as `path`, atomically (AtomicFile).
void write_file_atomically(const std::string& path, std::string_view bytes, mode_t mode = 0600);

// A file written some other way (SQLite's backup API) at `temp_path`: fsync it, rename it over
// `target_path`, fsync the directory.
void publish_file(const std::string& temp_path, const std::string& target_path);

// fsync a file or directory by path; throws UserError naming it.
void sync_path(const std::string& path);
// fsync the directory that holds `path` (after creating, renaming or removing a file in it).
void sync_parent_directory(const std::string& path);

}  // namespace sonoria::files
