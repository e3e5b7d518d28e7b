#include "core/engine/local/language_model.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <string_view>

namespace sonoria::engine::local {

namespace {

constexpr double k_discount = 0.5;
// ARPA's "never": how <s> is written as a unigram (it is never predicted, only a context).
constexpr double k_log_never = -99.0;
constexpr std::string_view k_begin = "<s>";
constexpr std::string_view k_end = "</s>";

using Ngram = std::vector<std::string>;

struct Counts {
  std::map<Ngram, double> grams[3];             // by order - 1: counts of each n-gram
};

// What follows one context: the total count and how many different words.
struct Followers {
  double total = 0;
  double distinct = 0;
};

std::map<Ngram, Followers> followers_of(const std::map<Ngram, double>& grams) {
  std::map<Ngram, Followers> out;
  for (const auto& [gram, count] : grams) {
    Ngram context(gram.begin(), gram.end() - 1);
    auto& f = out[context];
    f.total += count;
    f.distinct += 1;
  }
  return out;
}

std::string log10_text(double p) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6f", p > 0 ? std::log10(p) : k_log_never);
  return buf;
}

std::string join(const Ngram& gram) {
  std::string out;
  for (const auto& w : gram) {
    if (!out.empty()) out += ' ';
    out += w;
  }
  return out;
}

}  // namespace

std::vector<std::string> sentence_words(const std::string& sentence) {
  std::vector<std::string> words;
  std::string word;
  for (char c : sentence) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '\'') {
      word += static_cast<char>(std::tolower(u));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  // A lone apostrophe (a quote mark) is not a word.
  std::erase_if(words, [](const std::string& w) { return w.find_first_not_of('\'') == std::string::npos; });
  return words;
}

LanguageModel trigram_model(const std::vector<std::string>& sentences) {
  Counts counts;
  std::set<std::string> vocabulary;
  for (const auto& sentence : sentences) {
    auto words = sentence_words(sentence);
    if (words.empty()) continue;
    Ngram tokens{std::string(k_begin)};
    for (auto& w : words) {
      vocabulary.insert(w);
      tokens.push_back(std::move(w));
    }
    tokens.emplace_back(k_end);
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      for (std::size_t n = 1; n <= 3 && n <= i + 1; ++n) {
        Ngram gram(tokens.begin() + static_cast<std::ptrdiff_t>(i + 1 - n), tokens.begin() + static_cast<std::ptrdiff_t>(i + 1));
        if (n == 1 && gram[0] == k_begin) continue;  // counted as a context only
        counts.grams[n - 1][gram] += 1;
      }
    }
  }
  counts.grams[0][{std::string(k_end)}] += 0;  // </s> exists even with no sentence

  // Unigrams: relative frequencies (every word of the vocabulary was seen).
  double total = 0;
  for (const auto& [gram, count] : counts.grams[0]) total += count;
  std::map<Ngram, double> prob[3];
  for (const auto& [gram, count] : counts.grams[0]) prob[0][gram] = total > 0 ? count / total : 1.0;

  // The backoff-form probability of `gram` from order `order` (0-based) down.
  std::map<Ngram, double> backoff[2];  // context → weight, for orders 1 and 2
  auto lower = [&](const Ngram& gram, std::size_t order, auto& self) -> double {
    auto it = prob[order].find(gram);
    if (it != prob[order].end()) return it->second;
    if (order == 0) return 0.0;
    Ngram context(gram.begin(), gram.end() - 1);
    Ngram shorter(gram.begin() + 1, gram.end());
    auto bw = backoff[order - 1].find(context);
    double weight = bw == backoff[order - 1].end() ? 1.0 : bw->second;
    return weight * self(shorter, order - 1, self);
  };

  for (std::size_t order = 1; order < 3; ++order) {
    auto contexts = followers_of(counts.grams[order]);
    for (const auto& [gram, count] : counts.grams[order]) {
      Ngram context(gram.begin(), gram.end() - 1);
      Ngram shorter(gram.begin() + 1, gram.end());
      const auto& f = contexts[context];
      double p_lower = lower(shorter, order - 1, lower);
      prob[order][gram] = std::max(count - k_discount, 0.0) / f.total + k_discount * f.distinct / f.total * p_lower;
    }
    // Each context's weight: what its seen followers leave, spread over the lower order's share
    // of the unseen ones.
    std::map<Ngram, std::pair<double, double>> seen_mass;  // context → (this order, lower order)
    for (const auto& [gram, p] : prob[order]) {
      Ngram context(gram.begin(), gram.end() - 1);
      Ngram shorter(gram.begin() + 1, gram.end());
      auto& m = seen_mass[context];
      m.first += p;
      m.second += lower(shorter, order - 1, lower);
    }
    for (const auto& [context, mass] : seen_mass) {
      double left = std::max(1.0 - mass.first, 1e-9);
      double lower_left = std::max(1.0 - mass.second, 1e-9);
      backoff[order - 1][context] = left / lower_left;
    }
  }

  std::string arpa = "\\data\\\n";
  std::size_t n1 = prob[0].size() + 1;  // + <s>
  arpa += "ngram 1=" + std::to_string(n1) + "\n";
  if (!prob[1].empty()) arpa += "ngram 2=" + std::to_string(prob[1].size()) + "\n";
  if (!prob[2].empty()) arpa += "ngram 3=" + std::to_string(prob[2].size()) + "\n";
  auto weight_text = [&](const Ngram& context, std::size_t order) -> std::string {
    if (order >= 2) return {};
    auto it = backoff[order].find(context);
    if (it == backoff[order].end()) return {};
    return " " + log10_text(it->second);
  };
  arpa += "\n\\1-grams:\n";
  arpa += log10_text(0) + " " + std::string(k_begin) + weight_text({std::string(k_begin)}, 0) + "\n";
  for (const auto& [gram, p] : prob[0]) arpa += log10_text(p) + " " + join(gram) + weight_text(gram, 0) + "\n";
  for (std::size_t order = 1; order < 3; ++order) {
    if (prob[order].empty()) continue;
    arpa += "\n\\" + std::to_string(order + 1) + "-grams:\n";
    for (const auto& [gram, p] : prob[order]) arpa += log10_text(p) + " " + join(gram) + weight_text(gram, order) + "\n";
  }
  arpa += "\n\\end\\\n";
  return {std::move(arpa), std::vector<std::string>(vocabulary.begin(), vocabulary.end())};
}

}  // namespace sonoria::engine::local
