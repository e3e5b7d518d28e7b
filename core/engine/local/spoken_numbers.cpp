#include "core/engine/local/spoken_numbers.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "core/org/money.hpp"

namespace sonoria::engine::local {
// Named, not anonymous: the engine module compiles eight sources to a translation unit, and
// file-local names must not meet their neighbours'.
namespace spoken_numbers_detail {

constexpr std::array<std::string_view, 20> k_units = {
    "zero",    "one",     "two",       "three",    "four",     "five",    "six",
    "seven",   "eight",   "nine",      "ten",      "eleven",   "twelve",  "thirteen",
    "fourteen", "fifteen", "sixteen",  "seventeen", "eighteen", "nineteen"};
constexpr std::array<std::string_view, 20> k_unit_ordinals = {
    "zeroth",     "first",      "second",      "third",       "fourth",     "fifth",      "sixth",
    "seventh",    "eighth",     "ninth",       "tenth",       "eleventh",   "twelfth",    "thirteenth",
    "fourteenth", "fifteenth",  "sixteenth",   "seventeenth", "eighteenth", "nineteenth"};
// Index = tens digit; 0 and 1 are unused.
constexpr std::array<std::string_view, 10> k_tens = {"",      "",      "twenty",  "thirty", "forty",
                                                     "fifty", "sixty", "seventy", "eighty", "ninety"};
constexpr std::array<std::string_view, 10> k_tens_ordinals = {
    "", "", "twentieth", "thirtieth", "fortieth", "fiftieth", "sixtieth", "seventieth", "eightieth", "ninetieth"};

enum class Kind { unit, tens, hundred, thousand };

struct Word {
  Kind kind;
  int value;
  bool ordinal;
};

template <std::size_t N>
std::optional<int> index_in(const std::array<std::string_view, N>& table, std::string_view word) {
  for (std::size_t i = 0; i < N; ++i)
    if (!table[i].empty() && table[i] == word) return static_cast<int>(i);
  return std::nullopt;
}

std::optional<Word> classify(std::string_view w) {
  if (auto i = index_in(k_units, w)) return Word{Kind::unit, *i, false};
  if (auto i = index_in(k_unit_ordinals, w)) return Word{Kind::unit, *i, true};
  if (auto i = index_in(k_tens, w)) return Word{Kind::tens, *i * 10, false};
  if (auto i = index_in(k_tens_ordinals, w)) return Word{Kind::tens, *i * 10, true};
  if (w == "hundred" || w == "hundredth") return Word{Kind::hundred, 100, w == "hundredth"};
  if (w == "thousand" || w == "thousandth") return Word{Kind::thousand, 1000, w == "thousandth"};
  return std::nullopt;
}

// "24", "24th", "1st": what a recogniser writes when it prefers digits.
std::optional<SpokenNumber> read_digits(std::string_view w) {
  std::size_t end = 0;
  long value = 0;
  while (end < w.size() && std::isdigit(static_cast<unsigned char>(w[end])) && end < 7)
    value = value * 10 + (w[end++] - '0');
  if (end == 0) return std::nullopt;
  const std::string_view suffix = w.substr(end);
  const bool ordinal = suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th";
  if (!suffix.empty() && !ordinal) return std::nullopt;
  return SpokenNumber{static_cast<int>(value), ordinal, 1};
}

// The state of a number being read word by word: `small` is the part below a thousand.
struct Reader {
  int thousands = 0;
  int small = 0;
  std::optional<Kind> last;
  bool last_was_teen_or_unit = false;

  // Whether `word` can continue the number read so far.
  bool accepts(const Word& word) const {
    if (!last) return word.kind != Kind::thousand && word.kind != Kind::hundred;
    switch (word.kind) {
      case Kind::unit:
        if (*last == Kind::tens) return word.value >= 1 && word.value <= 9;
        return *last == Kind::hundred || *last == Kind::thousand;
      case Kind::tens: return *last == Kind::hundred || *last == Kind::thousand;
      case Kind::hundred: return last_was_teen_or_unit && small % 100 == small && small > 0;
      case Kind::thousand: return thousands == 0 && small > 0;
    }
    return false;
  }

  void take(const Word& word) {
    switch (word.kind) {
      case Kind::unit:
      case Kind::tens: small += word.value; break;
      case Kind::hundred: small *= 100; break;
      case Kind::thousand:
        thousands = small;
        small = 0;
        break;
    }
    last_was_teen_or_unit = word.kind == Kind::unit;
    last = word.kind;
  }

  int value() const { return thousands * 1000 + small; }
};

bool is_number_word(std::string_view w) { return classify(w).has_value(); }

void append_below_thousand(std::string& out, int64_t n) {
  auto add = [&out](std::string_view w) {
    if (!out.empty()) out += ' ';
    out += w;
  };
  if (n >= 100) {
    add(k_units[static_cast<std::size_t>(n / 100)]);
    add("hundred");
    n %= 100;
  }
  if (n >= 20) {
    add(k_tens[static_cast<std::size_t>(n / 10)]);
    n %= 10;
    if (n > 0) add(k_units[static_cast<std::size_t>(n)]);
  } else if (n > 0) {
    add(k_units[static_cast<std::size_t>(n)]);
  }
}

// The last word of a cardinal as its ordinal: "twenty four" → "twenty fourth".
std::string ordinal_of_last(std::string cardinal) {
  const auto space = cardinal.rfind(' ');
  const std::string last = cardinal.substr(space == std::string::npos ? 0 : space + 1);
  const std::string head = space == std::string::npos ? "" : cardinal.substr(0, space + 1);
  if (auto i = index_in(k_units, last)) return head + std::string(k_unit_ordinals[static_cast<std::size_t>(*i)]);
  if (auto i = index_in(k_tens, last)) return head + std::string(k_tens_ordinals[static_cast<std::size_t>(*i)]);
  return cardinal + "th";  // hundred, thousand, million
}

bool is_word_at(std::span<const std::string> words, std::size_t i, std::string_view w) {
  return i < words.size() && words[i] == w;
}

// "p m", "pm", "p.m.", "in the evening" after a time: which half of the day, and how many words.
std::pair<std::optional<bool>, std::size_t> read_meridiem(std::span<const std::string> words, std::size_t i) {
  auto at = [&](std::size_t k, std::string_view w) { return is_word_at(words, i + k, w); };
  if (at(0, "am") || at(0, "a.m.") || at(0, "a.m")) return {false, 1};
  if (at(0, "pm") || at(0, "p.m.") || at(0, "p.m")) return {true, 1};
  if (at(0, "a") && at(1, "m")) return {false, 2};
  if (at(0, "p") && at(1, "m")) return {true, 2};
  if (at(0, "in") && at(1, "the") && at(2, "morning")) return {false, 3};
  if (at(0, "in") && at(1, "the") && (at(2, "afternoon") || at(2, "evening"))) return {true, 3};
  if (at(0, "at") && at(1, "night")) return {true, 2};
  if (at(0, "tonight")) return {true, 1};
  return {std::nullopt, 0};
}

// "half past nine", "quarter past ten", "quarter to ten", "ten past nine".
std::optional<SpokenTime> read_relative_time(std::span<const std::string> words) {
  int offset = 0;
  std::size_t used = 0;
  if (is_word_at(words, 0, "half")) {
    offset = 30;
    used = 1;
  } else if (is_word_at(words, 0, "quarter")) {
    offset = 15;
    used = 1;
  } else if (auto n = read_number(words); n && !n->ordinal && n->value > 0 && n->value < 30) {
    offset = n->value;
    used = n->words;
  } else {
    return std::nullopt;
  }
  const bool to = is_word_at(words, used, "to");
  if (!to && !is_word_at(words, used, "past")) return std::nullopt;
  auto hour = read_number(words.subspan(used + 1));
  if (!hour || hour->ordinal || hour->value < 1 || hour->value > 12) return std::nullopt;
  SpokenTime t;
  t.hour = to ? (hour->value == 1 ? 12 : hour->value - 1) : hour->value;
  t.minute = to ? 60 - offset : offset;
  t.words = used + 1 + hour->words;
  auto [pm, extra] = read_meridiem(words, t.words);
  t.pm = pm;
  t.words += extra;
  return t;
}

}  // namespace spoken_numbers_detail

std::optional<SpokenNumber> read_number(std::span<const std::string> words) {
  namespace d = spoken_numbers_detail;
  if (words.empty()) return std::nullopt;
  if (auto digits = d::read_digits(words[0])) return digits;
  d::Reader reader;
  std::size_t i = 0;
  // "a hundred", "a thousand"
  if (words[0] == "a" && words.size() > 1 && (words[1] == "hundred" || words[1] == "thousand")) {
    reader.small = 1;
    reader.last = d::Kind::unit;
    reader.last_was_teen_or_unit = true;
    i = 1;
  }
  bool ordinal = false;
  for (; i < words.size() && !ordinal; ++i) {
    // "one hundred and five": "and" only joins when a number word follows a hundred or thousand.
    if (words[i] == "and" && reader.last && (*reader.last == d::Kind::hundred || *reader.last == d::Kind::thousand) &&
        i + 1 < words.size() && d::is_number_word(words[i + 1]))
      continue;
    const auto word = d::classify(words[i]);
    if (!word || !reader.accepts(*word)) break;
    reader.take(*word);
    ordinal = word->ordinal;
  }
  if (!reader.last || (i == 1 && words[0] == "a")) return std::nullopt;
  return SpokenNumber{reader.value(), ordinal, i};
}

std::optional<SpokenNumber> number_from_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (c == ' ' || c == '-') {
      if (!current.empty()) words.push_back(std::move(current));
      current.clear();
    } else {
      current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!current.empty()) words.push_back(std::move(current));
  auto n = read_number(words);
  if (!n || n->words != words.size()) return std::nullopt;
  return n;
}

int SpokenTime::minute_of_day(bool afternoon) const {
  int h = hour;
  if (pm) {
    h = hour % 12 + (*pm ? 12 : 0);
  } else if (afternoon && hour < 12) {
    h = hour + 12;
  }
  return h * 60 + minute;
}

std::optional<SpokenTime> read_clock_time(std::span<const std::string> words) {
  namespace d = spoken_numbers_detail;
  if (words.empty()) return std::nullopt;
  if (words[0] == "noon" || words[0] == "midday") return SpokenTime{12, 0, true, 1};
  if (words[0] == "midnight") return SpokenTime{0, 0, false, 1};
  if (auto relative = d::read_relative_time(words)) return relative;
  auto hour = read_number(words);
  if (!hour || hour->ordinal || hour->value > 23) return std::nullopt;
  SpokenTime t;
  t.hour = hour->value;
  t.words = hour->words;
  if (d::is_word_at(words, t.words, "o'clock")) {
    ++t.words;
  } else if (d::is_word_at(words, t.words, "oh") || d::is_word_at(words, t.words, "o")) {
    auto minute = read_number(words.subspan(t.words + 1));
    if (minute && !minute->ordinal && minute->value < 10) {
      t.minute = minute->value;
      t.words += 1 + minute->words;
    }
  } else if (auto minute = read_number(words.subspan(t.words)); minute && !minute->ordinal && minute->value >= 10 &&
                                                                minute->value < 60) {
    t.minute = minute->value;
    t.words += minute->words;
  }
  auto [pm, extra] = d::read_meridiem(words, t.words);
  if (t.hour > 12 || t.hour == 0) pm.reset();  // 24-hour clock: the hour already says it
  t.pm = pm;
  t.words += extra;
  if (t.hour == 0) return std::nullopt;  // "zero" is not how anyone says midnight
  return t;
}

std::string number_words(int64_t value) {
  namespace d = spoken_numbers_detail;
  if (value == 0) return "zero";
  std::string out;
  uint64_t n = value < 0 ? static_cast<uint64_t>(-(value + 1)) + 1 : static_cast<uint64_t>(value);
  if (value < 0) out = "minus";
  static constexpr std::array<std::pair<uint64_t, std::string_view>, 4> k_scales = {
      {{1'000'000'000'000ULL, "trillion"}, {1'000'000'000ULL, "billion"}, {1'000'000ULL, "million"}, {1000ULL, "thousand"}}};
  for (const auto& [scale, name] : k_scales) {
    if (n >= scale) {
      const uint64_t count = n / scale;
      if (count >= 1000) {
        // Beyond a thousand trillion: rare enough to say the digits' groups plainly.
        out += (out.empty() ? "" : " ") + number_words(static_cast<int64_t>(count));
      } else {
        d::append_below_thousand(out, static_cast<int64_t>(count));
      }
      out += ' ';
      out += name;
      n %= scale;
    }
  }
  d::append_below_thousand(out, static_cast<int64_t>(n));
  return out;
}

std::string ordinal_words(int64_t value) { return spoken_numbers_detail::ordinal_of_last(number_words(value)); }

std::string spell_out_numbers(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  auto is_digit = [&](std::size_t k) { return k < text.size() && std::isdigit(static_cast<unsigned char>(text[k])); };
  auto is_alpha = [&](std::size_t k) { return k < text.size() && std::isalpha(static_cast<unsigned char>(text[k])); };
  auto add_word = [&out](const std::string& w) {
    if (!out.empty() && out.back() != ' ') out += ' ';
    out += w;
  };
  while (i < text.size()) {
    const bool dollar = text[i] == '$' && is_digit(i + 1);
    if (!dollar && !is_digit(i)) {
      out += text[i++];
      continue;
    }
    if (dollar) ++i;
    int64_t whole = 0;
    std::size_t digits = 0;
    // Thousands separators ("1,200") belong to the number.
    while (is_digit(i) || (text[i] == ',' && is_digit(i + 1) && digits > 0 && is_digit(i + 3) && !is_digit(i + 4))) {
      if (text[i] != ',' && digits < 15) whole = whole * 10 + (text[i] - '0');
      if (text[i] != ',') ++digits;
      ++i;
    }
    std::string fraction;
    if (i + 1 < text.size() && text[i] == '.' && is_digit(i + 1)) {
      ++i;
      while (is_digit(i)) fraction += text[i++];
    }
    if (dollar) {
      add_word(number_words(whole) + (whole == 1 ? " dollar" : " dollars"));
      if (!fraction.empty() && fraction != "00" && fraction != "0") add_word(number_words(std::stol(fraction)));
    } else if (!fraction.empty()) {
      std::string point = number_words(whole) + " point";
      for (char c : fraction) point += " " + number_words(c - '0');
      add_word(point);
    } else {
      const std::string_view rest = text.substr(i, 2);
      if ((rest == "st" || rest == "nd" || rest == "rd" || rest == "th") && !is_alpha(i + 2)) {
        add_word(ordinal_words(whole));
        i += 2;
      } else {
        add_word(number_words(whole));
      }
    }
    // "6 pm", "6pm": the letters said one by one, as the recogniser hears them.
    std::size_t k = i;
    while (k < text.size() && text[k] == ' ') ++k;
    const std::string_view next = text.substr(k, 2);
    if ((next == "am" || next == "pm") && !is_alpha(k + 2)) {
      add_word(next == "am" ? "a m" : "p m");
      i = k + 2;
    }
    if (is_alpha(i)) out += ' ';
  }
  return out;
}

std::string spoken_time(int minute_of_day) {
  const int m = ((minute_of_day % 1440) + 1440) % 1440;
  if (m == 0) return "midnight";
  if (m == 720) return "noon";
  const int hour24 = m / 60;
  const int minute = m % 60;
  const int hour12 = hour24 % 12 == 0 ? 12 : hour24 % 12;
  std::string out = std::to_string(hour12);
  if (minute != 0) out += (minute < 10 ? ":0" : ":") + std::to_string(minute);
  return out + (hour24 < 12 ? " a.m." : " p.m.");
}

std::string spoken_price(int64_t cents, std::string_view currency) {
  if (cents == 0) return "free";
  const std::string amount = cents % 100 == 0 ? std::to_string(cents / 100) : org::format_amount(cents);
  if (currency.empty() || currency == "USD") return "$" + amount;
  struct Name {
    std::string_view code, one, many;
  };
  static constexpr Name k_names[] = {{"EUR", "euro", "euros"},
                                     {"GBP", "pound", "pounds"},
                                     {"CAD", "Canadian dollar", "Canadian dollars"},
                                     {"AUD", "Australian dollar", "Australian dollars"},
                                     {"NZD", "New Zealand dollar", "New Zealand dollars"},
                                     {"CHF", "Swiss franc", "Swiss francs"},
                                     {"JPY", "yen", "yen"},
                                     {"MXN", "peso", "pesos"},
                                     {"INR", "rupee", "rupees"}};
  for (const auto& name : k_names)
    if (name.code == currency) return amount + " " + std::string(cents == 100 ? name.one : name.many);
  return amount + " " + std::string(currency);
}

std::string spoken_duration(int minutes) {
  if (minutes <= 0) return "";
  if (minutes == 60) return "an hour";
  if (minutes == 90) return "an hour and a half";
  if (minutes % 60 == 0) return std::to_string(minutes / 60) + " hours";
  if (minutes > 120 && minutes % 60 == 30) return std::to_string(minutes / 60) + " and a half hours";
  return std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

}  // namespace sonoria::engine::local
