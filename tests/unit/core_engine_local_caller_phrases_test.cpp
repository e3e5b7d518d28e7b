#include "core/engine/local/caller_phrases.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::engine::local;

namespace caller_phrases_test {

org::Profile example(const std::string& name) {
  return org::load_profile_file(sonoria::test::source_dir() / "examples" / (name + ".toml"));
}

bool has(const std::vector<std::string>& phrases, const std::string& phrase) {
  return std::find(phrases.begin(), phrases.end(), phrase) != phrases.end();
}

}  // namespace caller_phrases_test

using caller_phrases_test::has;

TEST_CASE("phrase text is lowercase words with numbers spelled out") {
  CHECK(phrase_text("I have never done yoga. Which class should I take?") == "i have never done yoga which class should i take");
  CHECK(phrase_text("Do you take walk-ins?") == "do you take walk ins");
  CHECK(phrase_text("Is it 95 degrees?") == "is it ninety five degrees");
  CHECK(phrase_text("Mats for $3 & towels") == "mats for three dollars and towels");
  CHECK(phrase_text("Women's cut and style") == "women's cut and style");
  CHECK(phrase_text("Dr. Priya Raman") == "doctor priya raman");
  CHECK(phrase_text("  'quoted'   words  ") == "quoted words");
  CHECK(phrase_text("What\xE2\x80\x99s on the 24th?") == "what's on the twenty fourth");
  CHECK(phrase_text("100% sure") == "one hundred percent sure");
}

TEST_CASE("every phrase is plain lowercase words, once each") {
  for (const char* name : {"yoga-studio", "dental-clinic", "hair-salon", "physio-clinic", "insurance-agency"}) {
    CAPTURE(name);
    const auto phrases = caller_phrases(caller_phrases_test::example(name));
    CHECK(phrases.size() >= 300u);
    CHECK(phrases.size() <= 5000u);
    CHECK(std::set<std::string>(phrases.begin(), phrases.end()).size() == phrases.size());
    for (const auto& p : phrases) {
      CAPTURE(p);
      REQUIRE_FALSE(p.empty());
      REQUIRE(std::all_of(p.begin(), p.end(), [](char c) { return (c >= 'a' && c <= 'z') || c == '\'' || c == ' '; }));
      REQUIRE(p.find("  ") == std::string::npos);
      REQUIRE(p.front() != ' ');
      REQUIRE(p.back() != ' ');
    }
  }
}

TEST_CASE("the FAQ questions are in, as written") {
  const auto phrases = caller_phrases(caller_phrases_test::example("yoga-studio"));
  CHECK(has(phrases, "i have never done yoga which class should i take"));
  CHECK(has(phrases, "what should i bring"));
  CHECK(has(phrases, "is there parking"));
  CHECK(has(phrases, "can i bring my child"));
}

TEST_CASE("the profile's services, add-ons, team, locations and fallback numbers fill the templates") {
  const auto yoga = caller_phrases(caller_phrases_test::example("yoga-studio"));
  CHECK(has(yoga, "how much is a private session"));
  CHECK(has(yoga, "how long is hot yoga"));
  CHECK(has(yoga, "how much is drop in class"));
  CHECK(has(yoga, "how much is mat rental"));
  CHECK(has(yoga, "can i speak to maya"));
  CHECK(has(yoga, "can i speak to luis ortega"));
  CHECK(has(yoga, "transfer me to the front desk"));
  const auto dental = caller_phrases(caller_phrases_test::example("dental-clinic"));
  CHECK(has(dental, "where is the oak park office"));
  CHECK(has(dental, "can i speak to priya"));
  CHECK(has(dental, "is doctor marcus webb available"));
  CHECK(has(dental, "transfer me to the after hours emergency line"));
}

TEST_CASE("days, dates and holidays are said as words") {
  const auto phrases = caller_phrases(caller_phrases_test::example("hair-salon"));
  CHECK(has(phrases, "are you open on saturday"));
  CHECK(has(phrases, "are you open tomorrow"));
  CHECK(has(phrases, "are you open now"));
  CHECK(has(phrases, "are you open on december twenty fourth"));
  CHECK(has(phrases, "are you open on the thirty first"));
  CHECK(has(phrases, "are you open on christmas eve"));
  CHECK(has(phrases, "are you open on new year's day"));
  CHECK_FALSE(has(phrases, "are you open on february thirtieth"));
}

TEST_CASE("booking, messages, transfers, goodbyes, yes and no are in") {
  const auto phrases = caller_phrases(caller_phrases_test::example("physio-clinic"));
  for (const char* p : {"i'd like to book an appointment", "can i leave a message", "can i speak to a person",
                        "transfer me", "thank you goodbye", "no that's it", "yes", "no", "that's right"})
    CHECK(has(phrases, p));
}

TEST_CASE("the same profile always gives the same phrases in the same order") {
  const auto profile = caller_phrases_test::example("insurance-agency");
  CHECK(caller_phrases(profile) == caller_phrases(profile));
}

TEST_CASE("an empty profile still gives the general phrases") {
  const auto phrases = caller_phrases(org::Profile{});
  CHECK(phrases.size() >= 300u);
  CHECK(has(phrases, "what are your hours"));
}
