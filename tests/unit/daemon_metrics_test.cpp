#include "daemon/metrics.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>

#include "core/db/sqlite.hpp"
#include "tests/support/temp_dir.hpp"

namespace metrics_test {

using sonoria::daemon::exact_decimal;

TEST_CASE("exact_decimal writes scaled integers exactly") {
  CHECK(exact_decimal(0, 6) == "0");
  CHECK(exact_decimal(5, 6) == "0.000005");
  CHECK(exact_decimal(1234567, 6) == "1.234567");
  CHECK(exact_decimal(1000000, 6) == "1");
  CHECK(exact_decimal(50, 3) == "0.05");
  CHECK(exact_decimal(10000, 3) == "10");
  CHECK(exact_decimal(18446744073709551615ULL, 6) == "18446744073709.551615");
  CHECK(exact_decimal(42, 0) == "42");
}

TEST_CASE("a histogram's _sum keeps every microsecond however large it grows") {
  sonoria::daemon::LatencyHistogram histogram;
  for (int i = 0; i < 1000; ++i) histogram.observe(1234.567);  // 1.234567 s each
  const std::string text = histogram.render("sonoria_turn_latency_seconds", "help");
  CHECK(text.find("sonoria_turn_latency_seconds_sum 1234.567\n") != std::string::npos);
  CHECK(text.find("sonoria_turn_latency_seconds_count 1000\n") != std::string::npos);
  CHECK(text.find("_bucket{le=\"0.05\"} 0\n") != std::string::npos);
  CHECK(text.find("_bucket{le=\"1.5\"} 1000\n") != std::string::npos);
}

TEST_CASE("/metrics shows the memory SQLite holds, which grows with an open database") {
  sonoria::daemon::Metrics metrics;
  const auto shown = [&] {
    const std::string text = metrics.render();
    const auto at = text.find("\nsonoria_sqlite_memory_bytes ");
    REQUIRE(at != std::string::npos);
    return std::stoll(text.substr(at + 29));
  };
  const long long before = shown();
  sonoria::test::TempDir dir;
  sonoria::db::SqliteConnection connection((dir.path() / "m.db").string());
  connection.exec("CREATE TABLE t (x TEXT); INSERT INTO t VALUES (hex(randomblob(4000)))");
  CHECK(shown() > before);
}

TEST_CASE("/metrics shows the heap in use, which follows what is allocated, and what the allocator keeps free") {
  sonoria::daemon::Metrics metrics;
  const auto shown = [&](std::string_view name) {
    const std::string text = metrics.render();
    const auto at = text.find("\n" + std::string(name) + " ");
    REQUIRE(at != std::string::npos);
    return std::stoll(text.substr(at + name.size() + 2));
  };
  const long long before = shown("sonoria_heap_in_use_bytes");
  CHECK(before > 0);
  CHECK(shown("sonoria_heap_free_bytes") >= 0);
  constexpr long long k_block = 16 << 20;
  auto block = std::make_unique<char[]>(k_block);
  std::fill_n(block.get(), k_block, 'x');
  const long long holding = shown("sonoria_heap_in_use_bytes");
  CHECK(holding >= before + k_block);
  CHECK(block[k_block - 1] == 'x');  // the block is used, so it is really allocated
  block.reset();
  CHECK(shown("sonoria_heap_in_use_bytes") <= holding - k_block / 2);
}

}  // namespace metrics_test
