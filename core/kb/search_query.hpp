#pragma once
// A caller's question as an SQLite FTS5 query (https://sqlite.org/fts5.html §3): its content words,
// lowercased, each quoted (so that nothing the caller says is FTS5 syntax), joined with OR so
// that BM25 ranks passages by how many rare words they share. Common English words that carry no
// topic ("what", "the", "do you") are left out. Pure.

#include <string>
#include <string_view>
#include <vector>

namespace sonoria::kb {

// The words of `question` the search uses, in order, without repeats.
std::vector<std::string> query_terms(std::string_view question);

// `"term1" OR "term2" …`; "" when the question has no word to search for.
std::string fts_query(std::string_view question);

}  // namespace sonoria::kb
