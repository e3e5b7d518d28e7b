#pragma once
// The state of `sonoria export-transcripts --incremental STATE_FILE`: which finished calls were
// already exported, kept so that every call lands in exactly one published output, even when
// runs overlap or one is killed at any point.
//
// How: calls are numbered as they finish (calls.finished_seq). The state file holds the last
// number exported. A run holds an exclusive flock on "STATE_FILE.lock" for its whole life, so
// overlapping runs take turns (the later one starts from where the earlier one stopped). A run
// writes its output to a temporary file, records {pending: new number, temp file} in the state,
// renames the output into place, then records the new number. A run killed before the rename
// leaves the temporary file: the next run deletes it and keeps the old number (those calls are
// exported again, once). Killed after the rename, the temporary file is gone and the target
// holds exactly the pending output (same digest): the next run adopts the pending number (those
// calls are not exported again). Anything else (temp gone, target missing or different) is
// rolled back. Every state write is itself atomic (temp + fsync + rename).
//
// Blocking file I/O and locking: CLI side. Throws UserError naming the file on I/O failures and
// DataError when the state file is not one this command wrote.

#include <cstdint>
#include <optional>
#include <string>

namespace sonoria::reports {

struct ExportStateData {
  int64_t last_finished_seq = 0;
  std::optional<int64_t> pending_seq;
  std::string pending_temp;       // the temporary output of the pending run
  std::string pending_target;
  uint64_t pending_digest = 0;    // FNV-1a 64 of the pending output's bytes
  std::string updated_at;
};

class IncrementalExport {
 public:
  // Takes the lock (waits for another run to finish), reads the state (none = start from the
  // beginning) and resolves a run that was killed midway (see above).
  explicit IncrementalExport(std::string state_path);
  ~IncrementalExport();  // releases the lock
  IncrementalExport(const IncrementalExport&) = delete;
  IncrementalExport& operator=(const IncrementalExport&) = delete;

  // Calls with finished_seq above this are new.
  int64_t watermark() const { return state_.last_finished_seq; }
  // What recovery did when the constructor ran: "", "rolled back" or "adopted".
  const std::string& recovered() const { return recovered_; }

  // Phase 1, after the output is complete and synced in `temp_path` and before it is renamed.
  void prepare(int64_t new_watermark, const std::string& temp_path, const std::string& target_path);
  // Phase 2, after the rename.
  void commit();

  static ExportStateData read(const std::string& state_path);  // for tests and diagnostics
  // FNV-1a 64 of a file's bytes; nullopt when it cannot be read.
  static std::optional<uint64_t> file_digest(const std::string& path);

 private:
  void write();
  std::string path_;
  int lock_fd_ = -1;
  ExportStateData state_;
  std::string recovered_;
};

}  // namespace sonoria::reports
