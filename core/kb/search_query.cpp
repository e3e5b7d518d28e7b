#include "core/kb/search_query.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace sonoria::kb {
namespace {

// Words that say nothing about the topic of a question to a front desk.
constexpr std::array<std::string_view, 96> k_stop_words = {
    "a",      "about",  "am",    "an",     "and",    "any",   "are",    "as",     "at",     "be",    "been",
    "but",    "by",     "can",   "could",  "did",    "do",    "does",   "for",    "from",   "get",   "got",
    "had",    "has",    "have",  "he",     "her",    "here",  "him",    "his",    "how",    "i",     "i'm",
    "if",     "in",     "into",  "is",     "it",     "it's",  "its",    "just",   "know",   "let",   "like",
    "me",     "might",  "much",  "my",     "need",   "of",    "on",     "or",     "our",    "please", "really",
    "she",    "should", "so",    "some",   "tell",   "than",  "that",   "the",    "their",  "them",  "then",
    "there",  "these",  "they",  "this",   "to",     "too",   "up",     "us",     "want",   "was",   "we",
    "well",   "were",   "what",  "when",   "where",  "which", "who",    "why",    "will",   "with",  "would",
    "yes",    "you",    "your",  "you're", "hi",     "hello", "okay",   "ok"};

bool is_stop_word(std::string_view w) {
  return std::find(k_stop_words.begin(), k_stop_words.end(), w) != k_stop_words.end();
}

}  // namespace

std::vector<std::string> query_terms(std::string_view question) {
  std::vector<std::string> terms;
  std::string word;
  auto add = [&](const std::string& w) {
    const bool keep = !w.empty() && !is_stop_word(w) && (w.size() > 1 || std::isdigit(static_cast<unsigned char>(w[0])));
    if (keep && std::find(terms.begin(), terms.end(), w) == terms.end()) terms.push_back(w);
  };
  auto flush = [&] {
    while (!word.empty() && word.back() == '\'') word.pop_back();
    // "what's", "i'm" are stop words whole; otherwise the parts around an apostrophe are words of
    // their own, as FTS5's tokenizer splits them ("o'brien" → "o", "brien").
    if (!word.empty() && !is_stop_word(word)) {
      std::size_t start = 0;
      while (start <= word.size()) {
        auto end = word.find('\'', start);
        if (end == std::string::npos) end = word.size();
        add(word.substr(start, end - start));
        start = end + 1;
      }
    }
    word.clear();
  };
  for (char c : question) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || u >= 0x80 || (c == '\'' && !word.empty())) word += static_cast<char>(std::tolower(u));
    else flush();
  }
  flush();
  return terms;
}

std::string fts_query(std::string_view question) {
  std::string out;
  for (const auto& term : query_terms(question)) out += (out.empty() ? "\"" : " OR \"") + term + "\"";
  return out;
}

}  // namespace sonoria::kb
