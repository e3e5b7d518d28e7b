#include <doctest/doctest.h>

#include "core/db/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;

namespace {

int64_t pragma(db::Connection& c, const char* name) {
  db::Statement s(c, std::string("PRAGMA ") + name);
  REQUIRE(s.step());
  return s.int64(0);
}

}  // namespace

TEST_CASE("a connection opens in WAL mode with foreign keys on, and its cache can be capped") {
  test::TempDir dir;
  db::SqliteConnection c((dir / "x.db").string());
  CHECK(pragma(c, "foreign_keys") == 1);
  db::Statement mode(c, "PRAGMA journal_mode");
  REQUIRE(mode.step());
  CHECK(mode.text(0) == "wal");
  const auto default_cache = pragma(c, "cache_size");
  c.limit_cache(512);
  CHECK(pragma(c, "cache_size") == -512);  // negative: KiB, not pages
  CHECK(default_cache != -512);
}
