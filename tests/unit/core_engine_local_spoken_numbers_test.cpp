#include "core/engine/local/spoken_numbers.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace sonoria::engine::local;

namespace spoken_numbers_test {

std::vector<std::string> words(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text + " ") {
    if (c == ' ') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  return out;
}

std::optional<SpokenNumber> number(const std::string& text) { return read_number(words(text)); }
std::optional<SpokenTime> clock(const std::string& text) { return read_clock_time(words(text)); }

}  // namespace spoken_numbers_test

using spoken_numbers_test::clock;
using spoken_numbers_test::number;

TEST_CASE("ordinals a recogniser writes read as day numbers") {
  CHECK(number_from_words("twenty fourth")->value == 24);
  CHECK(number_from_words("twenty fourth")->ordinal);
  CHECK(number_from_words("first")->value == 1);
  CHECK(number_from_words("thirty first")->value == 31);
  CHECK(number_from_words("twelfth")->value == 12);
  CHECK(number_from_words("twentieth")->value == 20);
  CHECK(number_from_words("24th")->value == 24);
  CHECK(number_from_words("24th")->ordinal);
}

TEST_CASE("cardinals read with hundreds, thousands and the joining and") {
  CHECK(number_from_words("ninety five")->value == 95);
  CHECK_FALSE(number_from_words("ninety five")->ordinal);
  CHECK(number_from_words("one hundred and five")->value == 105);
  CHECK(number_from_words("a hundred")->value == 100);
  CHECK(number_from_words("two thousand eleven")->value == 2011);
  CHECK(number_from_words("three hundred forty nine")->value == 349);
  CHECK(number_from_words("zero")->value == 0);
  CHECK(number_from_words("14")->value == 14);
}

TEST_CASE("a number stops before a word that cannot continue it") {
  const auto nine = number("nine thirty");
  REQUIRE(nine);
  CHECK(nine->value == 9);
  CHECK(nine->words == 1u);
  const auto twenty = number("twenty twenty six");
  REQUIRE(twenty);
  CHECK(twenty->value == 20);
  CHECK(twenty->words == 1u);
  CHECK(number("twenty four hours")->words == 2u);
  CHECK(number("one hundred and apples")->words == 2u);
}

TEST_CASE("words that are not a number read as nothing") {
  CHECK_FALSE(number_from_words("saturday"));
  CHECK_FALSE(number_from_words(""));
  CHECK_FALSE(number_from_words("twenty apples"));
  CHECK_FALSE(number("a"));
  CHECK_FALSE(number("hundred"));
  CHECK_FALSE(number("24x"));
}

TEST_CASE("clock times read with minutes and the half of the day") {
  const auto t = clock("nine thirty");
  REQUIRE(t);
  CHECK(t->hour == 9);
  CHECK(t->minute == 30);
  CHECK_FALSE(t->pm);
  CHECK(t->words == 2u);
  CHECK(t->minute_of_day(false) == 570);
  CHECK(t->minute_of_day(true) == 1290);

  CHECK(clock("seven p m")->minute_of_day(false) == 19 * 60);
  CHECK(clock("seven pm")->minute_of_day(false) == 19 * 60);
  CHECK(clock("seven in the evening")->minute_of_day(false) == 19 * 60);
  CHECK(clock("ten in the morning")->minute_of_day(true) == 600);
  CHECK(clock("nine oh five")->minute_of_day(false) == 545);
  CHECK(clock("ten o'clock")->minute_of_day(false) == 600);
  CHECK(clock("twelve p m")->minute_of_day(false) == 720);
  CHECK(clock("twelve a m")->minute_of_day(false) == 0);
  CHECK(clock("noon")->minute_of_day(false) == 720);
  CHECK(clock("midnight")->minute_of_day(false) == 0);
  CHECK(clock("half past nine")->minute_of_day(false) == 570);
  CHECK(clock("quarter to ten")->minute_of_day(false) == 585);
  CHECK(clock("seventeen thirty")->minute_of_day(false) == 1050);
  CHECK(clock("five thirty p m")->words == 4u);
}

TEST_CASE("things that are not clock times are refused") {
  CHECK_FALSE(clock("twenty fourth"));
  CHECK_FALSE(clock("christmas"));
  CHECK_FALSE(clock("zero"));
  CHECK_FALSE(clock("ninety"));
}

TEST_CASE("numbers are written out as words for the language model") {
  CHECK(number_words(0) == "zero");
  CHECK(number_words(95) == "ninety five");
  CHECK(number_words(14) == "fourteen");
  CHECK(number_words(100) == "one hundred");
  CHECK(number_words(1200) == "one thousand two hundred");
  CHECK(number_words(2011) == "two thousand eleven");
  CHECK(number_words(1000000) == "one million");
  CHECK(number_words(-3) == "minus three");
  CHECK(ordinal_words(24) == "twenty fourth");
  CHECK(ordinal_words(1) == "first");
  CHECK(ordinal_words(30) == "thirtieth");
  CHECK(ordinal_words(100) == "one hundredth");
}

TEST_CASE("digits inside text are spelled out, with prices, ordinals and a m p m") {
  CHECK(spell_out_numbers("Students must be 14 or older") == "Students must be fourteen or older");
  CHECK(spell_out_numbers("Mats for $3, towels for $2.") == "Mats for three dollars, towels for two dollars.");
  CHECK(spell_out_numbers("$99.50") == "ninety nine dollars fifty");
  CHECK(spell_out_numbers("the 24th") == "the twenty fourth");
  CHECK(spell_out_numbers("after 6 pm") == "after six p m");
  CHECK(spell_out_numbers("at 9am sharp") == "at nine a m sharp");
  CHECK(spell_out_numbers("95 degrees") == "ninety five degrees");
  CHECK(spell_out_numbers("1,200 members") == "one thousand two hundred members");
  CHECK(spell_out_numbers("9.5 hours") == "nine point five hours");
  CHECK(spell_out_numbers("no digits here") == "no digits here");
}

TEST_CASE("times are written the way the synthesiser reads them best") {
  CHECK(spoken_time(540) == "9 a.m.");
  CHECK(spoken_time(1050) == "5:30 p.m.");
  CHECK(spoken_time(725) == "12:05 p.m.");
  CHECK(spoken_time(720) == "noon");
  CHECK(spoken_time(0) == "midnight");
  CHECK(spoken_time(1440) == "midnight");
  CHECK(spoken_time(30) == "12:30 a.m.");
}

TEST_CASE("prices and durations are said plainly") {
  CHECK(spoken_price(2500, "USD") == "$25");
  CHECK(spoken_price(9950, "USD") == "$99.50");
  CHECK(spoken_price(0, "USD") == "free");
  CHECK(spoken_price(2500, "EUR") == "25 euros");
  CHECK(spoken_price(100, "GBP") == "1 pound");
  CHECK(spoken_price(2550, "XYZ") == "25.50 XYZ");
  CHECK(spoken_duration(60) == "an hour");
  CHECK(spoken_duration(90) == "an hour and a half");
  CHECK(spoken_duration(120) == "2 hours");
  CHECK(spoken_duration(150) == "2 and a half hours");
  CHECK(spoken_duration(75) == "75 minutes");
  CHECK(spoken_duration(0).empty());
}
