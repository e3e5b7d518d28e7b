#include "core/db/backup.hpp"
#include "core/db/database_copy.hpp"
#include "core/db/sqlite.hpp"

#include "core/files/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <sqlite3.h>
#include <unistd.h>

#include "core/error.hpp"

namespace sonoria::db {

std::string integrity_check(const std::string& path) {
  OpenOptions options;
  options.read_only = true;
  options.create = false;
  SqliteConnection copy(path, options);
  Statement s(copy, "PRAGMA integrity_check");
  std::string out;
  while (s.step()) out += (out.empty() ? "" : "; ") + s.text(0);
  return out;
}

BackupResult backup_database(Connection& source, const std::string& target_path) {
  namespace fs = std::filesystem;
  fs::path target(target_path);
  fs::path temp = target;
  temp += ".tmp-" + std::to_string(::getpid());
  std::error_code ec;
  fs::remove(temp, ec);
  BackupResult result;
  if (source.dialect() == Dialect::postgresql) {
    try {
      {
        if (int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
        SqliteConnection copy(temp.string());
        result.rows = copy_database(source, copy).rows();
        copy.exec("PRAGMA journal_mode = DELETE");
      }
      result.integrity = integrity_check(temp.string());
      if (result.integrity != "ok") throw DataError(target_path + ": the copy failed PRAGMA integrity_check: " + result.integrity);
      files::publish_file(temp.string(), target_path);
      result.bytes = static_cast<int64_t>(fs::file_size(target, ec));
    } catch (...) {
      fs::remove(temp, ec);
      throw;
    }
    return result;
  }
  try {
    {
      // A backup holds every call: readable by its owner alone (SQLite would create it 0644).
      if (int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); fd >= 0) ::close(fd);
      SqliteConnection copy(temp.string());
      auto* sqlite_source = dynamic_cast<SqliteConnection*>(&source);
      if (!sqlite_source) throw UserError("backup_database: not a SQLite database");
      sqlite3_backup* backup = sqlite3_backup_init(copy.handle(), "main", sqlite_source->handle(), "main");
      if (!backup) copy.fail("cannot start the backup");
      // -1: every page in one step, under one read lock: a single consistent snapshot, and no
      // restarts when the daemon commits meanwhile (WAL readers do not block the writer).
      int rc = sqlite3_backup_step(backup, -1);
      result.pages = sqlite3_backup_pagecount(backup);
      int finish = sqlite3_backup_finish(backup);
      if (rc != SQLITE_DONE || finish != SQLITE_OK) copy.fail("backup failed");
      // A backup should be one self-contained file.
      copy.exec("PRAGMA journal_mode = DELETE");
    }
    result.integrity = integrity_check(temp.string());
    if (result.integrity != "ok")
      throw DataError(target_path + ": the copy failed PRAGMA integrity_check: " + result.integrity +
                      " (the source may be damaged; run `sqlite3 " + source.path() + " 'PRAGMA integrity_check'`)");
    files::publish_file(temp.string(), target_path);
    result.bytes = static_cast<int64_t>(fs::file_size(target, ec));
  } catch (...) {
    fs::remove(temp, ec);
    throw;
  }
  return result;
}

}  // namespace sonoria::db
