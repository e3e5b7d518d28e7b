#pragma once
// Retention: deletes the transcripts, events, messages and recordings of calls that ended before
// a cutoff (and messages sent before it that belong to no call). The call rows stay, so totals
// and analytics keep their history. Calls still ringing or in progress are never touched. A
// recording's file is deleted before its row forgets it, so a crash leaves no audio nobody knows of.
//
// Deletes run in bounded transactions (`batch` rows each) so the daemon's writer waits at most
// one small batch for the lock. Runs on the calling thread; throws UserError from the connection.

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/db/connection.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {

struct RetentionCounts {
  int64_t calls = 0;               // finished calls before the cutoff that still had data
  int64_t transcript_entries = 0;
  int64_t events = 0;
  int64_t messages = 0;
  int64_t recordings = 0;          // files deleted (or that would be)
  int64_t recording_failures = 0;  // files that could not be deleted (kept, and their rows with them)
  std::string first_failure;       // the first of those: file and reason
  int64_t transactions = 0;        // how many write transactions it took (0 for a dry run)
};

// With dry_run, counts what would go and changes nothing.
// `recordings` is the directory recordings are relative to (core/audio/recording_file.hpp).
RetentionCounts apply_retention(Connection& connection, TimePoint cutoff, bool dry_run,
                                const std::filesystem::path& recordings, int batch = 500);

}  // namespace sonoria::db
