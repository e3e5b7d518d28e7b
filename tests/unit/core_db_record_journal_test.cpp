#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sys/stat.h>

#include "core/db/record_journal.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::db;

TEST_CASE("the write journal keeps records in order across appends, is private to its owner, and goes once written") {
  test::TempDir dir;
  RecordJournal journal(journal_path_for((dir / "sonoria.db").string()));
  CHECK(journal.path() == (dir / "sonoria.db.journal").string());
  CHECK_FALSE(journal.exists());
  journal.append({CallAnswered{"CA1", "MZ1", TimePoint{}}, CallAnswered{"CA2", "MZ2", TimePoint{}}});
  journal.append({CallRecorded{"CA1", "a.wav", 10}});
  struct stat st {};
  REQUIRE(::stat(journal.path().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto contents = journal.read();
  REQUIRE(contents.records.size() == 3);
  CHECK(std::get<CallAnswered>(contents.records[0]).call_sid == "CA1");
  CHECK(std::get<CallAnswered>(contents.records[1]).call_sid == "CA2");
  CHECK(std::get<CallRecorded>(contents.records[2]).path == "a.wav");
  CHECK(contents.unreadable == 0);
  journal.remove();
  CHECK_FALSE(journal.exists());
  CHECK_NOTHROW(journal.remove());  // already gone is fine
}

TEST_CASE("a torn last line (a crash mid-append) is skipped and counted; the records before it are kept") {
  test::TempDir dir;
  RecordJournal journal((dir / "j").string());
  journal.append({CallAnswered{"CA1", "MZ1", TimePoint{}}});
  std::ofstream(journal.path(), std::ios::app) << R"({"type":"CallAnswered","rec)";
  auto contents = journal.read();
  CHECK(contents.records.size() == 1);
  CHECK(contents.unreadable == 1);
}
