#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "core/intern_table.hpp"

using sonoria::InternTable;

TEST_CASE("equal values share one copy, different values do not") {
  InternTable<std::string> table;
  auto a = table.intern(1, std::string(5000, 'x'));
  auto b = table.intern(1, std::string(5000, 'x'));
  auto c = table.intern(2, std::string(5000, 'y'));
  CHECK(a.get() == b.get());
  CHECK(a.get() != c.get());
  CHECK(*c == std::string(5000, 'y'));
}

TEST_CASE("a hash collision between different values gives each its own copy") {
  InternTable<std::string> table;
  auto a = table.intern(7, "first");
  auto b = table.intern(7, "second");
  CHECK(*a == "first");
  CHECK(*b == "second");
  CHECK(table.intern(7, "second").get() == b.get());
}

TEST_CASE("a value no one holds is made afresh, and dead entries are swept as the table grows") {
  InternTable<std::string> table;
  const std::string* before = nullptr;
  {
    auto a = table.intern(1, "session");
    before = a.get();
    CHECK(before != nullptr);
  }
  auto again = table.intern(1, "session");
  CHECK(*again == "session");
  for (int i = 0; i < 1000; ++i) table.intern(static_cast<std::size_t>(i) + 100, std::to_string(i));
  CHECK(table.size() < 200);  // 1000 values, none held: swept, not accumulated
  CHECK(table.intern(1, "session").get() == again.get());
}

TEST_CASE("threads interning the same value get the same copy") {
  InternTable<std::string> table;
  std::vector<std::shared_ptr<const std::string>> got(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) got[t] = table.intern(42, "the prompt");
    });
  for (auto& thread : threads) thread.join();
  for (const auto& g : got) CHECK(g.get() == got[0].get());
}
