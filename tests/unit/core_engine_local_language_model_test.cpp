// The local engine's trigram model: a proper probability distribution in backoff form, which is
// what makes PocketSphinx prefer the business's own phrases without making others impossible.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/engine/local/language_model.hpp"

using namespace sonoria::engine::local;

namespace language_model_test {

// An ARPA model read back: log10 probabilities and backoff weights by n-gram.
struct Arpa {
  std::map<std::string, double> prob;
  std::map<std::string, double> backoff;
  std::map<int, int> declared;
  std::map<int, int> listed;
};

Arpa read(const std::string& text) {
  Arpa a;
  std::istringstream in(text);
  std::string line;
  int order = 0;
  while (std::getline(in, line)) {
    if (line.rfind("ngram ", 0) == 0) {
      a.declared[std::stoi(line.substr(6))] = std::stoi(line.substr(line.find('=') + 1));
    } else if (line.size() > 2 && line[0] == '\\' && std::isdigit(static_cast<unsigned char>(line[1]))) {
      order = line[1] - '0';
    } else if (order > 0 && !line.empty() && line[0] != '\\') {
      std::istringstream fields(line);
      double p = 0;
      fields >> p;
      std::vector<std::string> words;
      std::string w;
      for (int i = 0; i < order && fields >> w; ++i) words.push_back(w);
      std::string key;
      for (const auto& x : words) key += (key.empty() ? "" : " ") + x;
      a.prob[key] = p;
      double b = 0;
      if (fields >> b) a.backoff[key] = b;
      ++a.listed[order];
    }
  }
  return a;
}

// P(w | context) as a decoder computes it from the model (context: 0–2 words).
double probability(const Arpa& a, const std::vector<std::string>& context, const std::string& w) {
  std::string key;
  for (const auto& x : context) key += x + " ";
  key += w;
  if (auto it = a.prob.find(key); it != a.prob.end()) return std::pow(10.0, it->second);
  if (context.empty()) return 0.0;
  std::string ctx;
  for (const auto& x : context) ctx += (ctx.empty() ? "" : " ") + x;
  const auto bo = a.backoff.find(ctx);
  const double weight = bo == a.backoff.end() ? 1.0 : std::pow(10.0, bo->second);
  return weight * probability(a, std::vector<std::string>(context.begin() + 1, context.end()), w);
}

const std::vector<std::string> k_sentences = {
    "what time do you open on saturday", "what time do you close today", "are you open on saturday",
    "how much is a private session", "how much is hot yoga", "goodbye", "thank you goodbye",
};


TEST_CASE("sentence_words: lowercase words, apostrophes kept, punctuation and lone quotes dropped") {
  CHECK(sentence_words("What's your address?") == std::vector<std::string>{"what's", "your", "address"});
  CHECK(sentence_words("  Open 24 hours,  'really'  ") == std::vector<std::string>{"open", "24", "hours", "'really'"});
  CHECK(sentence_words(" ' - ").empty());
}

TEST_CASE("the model declares what it lists and names every word once") {
  const auto model = trigram_model(k_sentences);
  const auto a = read(model.arpa);
  CHECK(a.declared == a.listed);
  CHECK(model.vocabulary.front() == "a");
  CHECK(std::set<std::string>(model.vocabulary.begin(), model.vocabulary.end()).size() == model.vocabulary.size());
  CHECK(a.prob.at("<s>") == doctest::Approx(-99.0));
  CHECK(model.arpa.rfind("\\end\\\n") == model.arpa.size() - 6);
}

TEST_CASE("after any context the next word's probabilities sum to one") {
  const auto model = trigram_model(k_sentences);
  const auto a = read(model.arpa);
  std::vector<std::string> next = model.vocabulary;
  next.push_back("</s>");
  const std::vector<std::vector<std::string>> contexts = {
      {}, {"<s>"}, {"you"}, {"open"}, {"goodbye"}, {"do", "you"}, {"<s>", "what"}, {"you", "open"}, {"much", "is"},
      {"saturday", "goodbye"}};  // the last one was never seen: backs off all the way
  for (const auto& context : contexts) {
    double sum = 0;
    for (const auto& w : next) sum += probability(a, context, w);
    CAPTURE(context.size());
    CHECK(sum == doctest::Approx(1.0).epsilon(1e-4));
  }
}

TEST_CASE("seen continuations are likelier than unseen ones, which stay possible") {
  const auto a = read(trigram_model(k_sentences).arpa);
  const double seen = probability(a, {"do", "you"}, "open");
  const double unseen = probability(a, {"do", "you"}, "goodbye");
  CHECK(seen > 5 * unseen);
  CHECK(unseen > 0);
}

TEST_CASE("no sentence at all still gives a model a decoder can load") {
  const auto model = trigram_model({"", "  ?! "});
  const auto a = read(model.arpa);
  CHECK(model.vocabulary.empty());
  CHECK(a.declared.at(1) == 2);  // <s> and </s>
  CHECK(a.prob.contains("</s>"));
}

}  // namespace language_model_test
