#include "daemon/token_buckets.hpp"

#include <doctest/doctest.h>

#include <string>

namespace token_buckets_test {

using sonoria::daemon::TokenBuckets;
using namespace std::chrono_literals;

const TokenBuckets::Clock::time_point k_start = TokenBuckets::Clock::time_point{} + 1h;

TEST_CASE("a bucket gives its burst at once, then its rate") {
  TokenBuckets buckets(3, 2, 100);
  for (int i = 0; i < 3; ++i) CHECK(buckets.take("a", k_start));
  CHECK_FALSE(buckets.take("a", k_start));
  CHECK(buckets.take("b", k_start));  // every key its own
  CHECK_FALSE(buckets.take("a", k_start + 400ms));
  CHECK(buckets.take("a", k_start + 500ms));  // two a second
  CHECK_FALSE(buckets.take("a", k_start + 500ms));
  // Refilled to its burst, not beyond.
  for (int i = 0; i < 3; ++i) CHECK(buckets.take("a", k_start + 1h));
  CHECK_FALSE(buckets.take("a", k_start + 1h));
}

TEST_CASE("a full table makes room from buckets that have refilled, never by forgetting a client under its limit") {
  TokenBuckets buckets(2, 1, 3);
  // Three clients have used up their allowance.
  for (const char* key : {"a", "b", "c"}) {
    CHECK(buckets.take(key, k_start));
    CHECK(buckets.take(key, k_start));
  }
  // A fourth finds no room while they are all still limited: refused, and "a" stays limited.
  CHECK_FALSE(buckets.take("d", k_start + 100ms));
  CHECK_FALSE(buckets.take("a", k_start + 100ms));
  CHECK(buckets.size() == 3);

  SUBCASE("once some have refilled, they make room") {
    CHECK(buckets.take("b", k_start + 1500ms));  // b is still busy; a and c refill by 2 s
    CHECK(buckets.take("d", k_start + 2s));
    CHECK(buckets.size() == 2);  // b and d
    // b kept its count: one token, not a fresh bucket's two.
    CHECK(buckets.take("b", k_start + 2s));
    CHECK_FALSE(buckets.take("b", k_start + 2s));
  }
  SUBCASE("a flood of new keys does not sweep the table each time") {
    CHECK_FALSE(buckets.take("e", k_start + 1950ms));  // swept: nothing has refilled yet
    // a and c have refilled by 2.1 s, but the last sweep was under a second ago.
    CHECK_FALSE(buckets.take("e", k_start + 2100ms));
    CHECK(buckets.size() == 3);
    CHECK(buckets.take("e", k_start + 2950ms));
    CHECK(buckets.size() == 1);  // all three had refilled: only e
  }
}

}  // namespace token_buckets_test
