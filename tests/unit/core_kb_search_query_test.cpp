#include "core/kb/search_query.hpp"

#include <doctest/doctest.h>

using namespace sonoria::kb;

TEST_CASE("a question's content words, without the words every question has") {
  CHECK(query_terms("What's your cancellation policy?") == std::vector<std::string>{"cancellation", "policy"});
  CHECK(query_terms("Do you take Delta Dental insurance? Delta, please.") ==
        std::vector<std::string>{"take", "delta", "dental", "insurance"});
  // Apostrophes split a word as the index's tokenizer does; one letter alone is no word.
  CHECK(query_terms("Is there parking at O'Brien Street 5?") ==
        std::vector<std::string>{"parking", "brien", "street", "5"});
}

TEST_CASE("the FTS5 query quotes every term, so nothing a caller says is query syntax") {
  CHECK(fts_query("cancel OR \"NEAR\" parking*") == "\"cancel\" OR \"near\" OR \"parking\"");
  CHECK(fts_query("what is it?").empty());
  CHECK(fts_query("").empty());
}
