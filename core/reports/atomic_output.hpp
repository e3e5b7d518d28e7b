#pragma once
// A file that appears whole or not at all: written to a temporary file beside the target,
// flushed and fsync'ed by close(), then renamed into place by publish(). Dropping it unpublished
// removes the temporary file. Blocking disk I/O: call from the CLI or a worker, never an io
// thread. Throws UserError naming the path when a step fails.

#include <fstream>
#include <string>

namespace sonoria::reports {

class AtomicOutput {
 public:
  // `temp_path` defaults to "<target>.tmp-<pid>".
  explicit AtomicOutput(std::string target_path, std::string temp_path = {});
  ~AtomicOutput();
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;

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

// fsync a file or directory by path; throws UserError naming it.
void sync_path(const std::string& path);

}  // namespace sonoria::reports
