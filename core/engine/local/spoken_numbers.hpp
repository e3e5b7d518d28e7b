#pragma once
// Numbers as a speech recogniser writes them and as a speech synthesiser should read them: the
// local engine hears "twenty fourth" and "nine thirty p m", and says "9 a.m." and "$25". Pure
// functions, callable from any thread; the readers never throw and return std::nullopt for words
// that are not a number.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace sonoria::engine::local {

// A number read from the front of a run of words.
struct SpokenNumber {
  int value = 0;
  bool ordinal = false;     // "fourth", "twenty fourth", "24th"
  std::size_t words = 0;    // how many words it took
};

// Reads the number at the front of `words` (lowercase, one word each): "twenty four" (24, two
// words), "one hundred and five", "a hundred", "twenty fourth" (ordinal), and digits as a
// recogniser may also write them ("24", "24th"). Stops before a word that cannot continue it, so
// "nine thirty" reads as 9 (one word) and "twenty twenty six" as 20. Up to 999999.
std::optional<SpokenNumber> read_number(std::span<const std::string> words);

// The whole of `text` as one number ("twenty fourth" → 24); std::nullopt if anything is left over.
std::optional<SpokenNumber> number_from_words(std::string_view text);

// A clock time read from the front of `words`: "nine", "nine thirty", "nine oh five", "ten
// o'clock", "seven p m", "seven pm", "seven in the evening", "noon", "midnight", "half past
// nine", "quarter to ten". `pm` is set when the words say which half of the day it is.
struct SpokenTime {
  int hour = 0;             // 0-23 when pm is set or the hour was above 12, else 1-12
  int minute = 0;
  std::optional<bool> pm;
  std::size_t words = 0;

  // Minutes since midnight, taking the hour as afternoon when `afternoon` and the words left it open.
  int minute_of_day(bool afternoon) const;
};
std::optional<SpokenTime> read_clock_time(std::span<const std::string> words);

// 95 → "ninety five", 1200 → "one thousand two hundred", -3 → "minus three".
std::string number_words(int64_t value);
// 24 → "twenty fourth", 1 → "first", 100 → "one hundredth".
std::string ordinal_words(int64_t value);

// `text` with its numbers written as words, for a language model that has no digits: "bring 14
// mats" → "bring fourteen mats", "$3.50" → "three dollars fifty", "24th" → "twenty fourth",
// "9.5" → "nine point five", "6 pm" → "six p m". Everything else is left as it is.
std::string spell_out_numbers(std::string_view text);

// For the synthesiser, which reads these better than words: 540 → "9 a.m.", 1050 → "5:30 p.m.",
// 720 → "noon", 0 and 1440 → "midnight".
std::string spoken_time(int minute_of_day);
// 2500 USD → "$25", 9950 USD → "$99.50", 0 → "free", 2500 EUR → "25 euros", 2550 XYZ → "25.50 XYZ".
std::string spoken_price(int64_t cents, std::string_view currency);
// 60 → "an hour", 90 → "an hour and a half", 120 → "2 hours", 75 → "75 minutes".
std::string spoken_duration(int minutes);

}  // namespace sonoria::engine::local
