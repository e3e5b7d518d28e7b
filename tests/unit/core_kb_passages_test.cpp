#include "core/kb/passages.hpp"

#include <doctest/doctest.h>

using namespace sonoria::kb;

namespace {

std::string words(int n, const std::string& word = "word") {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i ? " " : "") + word;
  return out;
}

}  // namespace

TEST_CASE("short paragraphs of a section share a passage; a heading always starts a new one") {
  const auto p = split_passages({{"Parking", "Garage on Lake Ave.\n\nValidated."}, {"Payment", "Cards only."}});
  REQUIRE(p.size() == 2);
  CHECK(p[0] == Passage{"Parking", "Garage on Lake Ave.\n\nValidated."});
  CHECK(p[1] == Passage{"Payment", "Cards only."});
}

TEST_CASE("paragraphs are gathered up to about the target length") {
  const std::string para = words(50) + ".";
  const auto p = split_passages({{"H", para + "\n\n" + para + "\n\n" + para + "\n\n" + para}});
  REQUIRE(p.size() == 2);  // 100 words, then 100 words
  CHECK(p[0].text == para + "\n\n" + para);
}

TEST_CASE("a paragraph over the maximum is cut between sentences") {
  std::string para;
  for (int i = 0; i < 30; ++i) para += (i ? " " : "") + words(9) + ".";  // 300 words in 30 sentences
  const auto p = split_passages({{"", para}});
  REQUIRE(p.size() == 3);
  for (const auto& passage : p) CHECK(passage.text.back() == '.');
}

TEST_CASE("FAQs become passages: the question is the heading") {
  const auto p = faq_passages({{"Do you take insurance?", "Most PPO plans."}, {"", "orphan"}});
  REQUIRE(p.size() == 1);
  CHECK(p[0] == Passage{"Do you take insurance?", "Most PPO plans."});
}
