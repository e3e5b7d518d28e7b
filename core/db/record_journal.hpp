#pragma once
// The database writer's overflow: an append-only file of records (core/db/record_json.hpp) that
// could not be written to the database yet, beside it ("<database>.journal"). Appends are
// fsynced; reading skips a torn last line (a crash mid-append) and reports it; the file is
// removed once everything in it is in the database. Not thread-safe: the writer thread owns it.

#include <cstddef>
#include <string>
#include <vector>

#include "core/db/records.hpp"

namespace sonoria::db {

std::string journal_path_for(const std::string& database_path);

struct JournalContents {
  std::vector<Record> records;  // in the order they were appended
  std::size_t unreadable = 0;   // lines that were not records (a torn last line)
};

class RecordJournal {
 public:
  explicit RecordJournal(std::string path);

  const std::string& path() const { return path_; }
  bool exists() const;
  // Appends and fsyncs. Throws UserError (naming the file) when it cannot: the disk is full too.
  void append(const std::vector<Record>& records);
  JournalContents read() const;
  // Everything in it is in the database. Throws UserError when it cannot be removed.
  void remove();

 private:
  std::string path_;
};

}  // namespace sonoria::db
