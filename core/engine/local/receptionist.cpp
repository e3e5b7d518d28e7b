#include "core/engine/local/receptionist.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <set>
#include <utility>

#include "core/engine/local/spoken_numbers.hpp"
#include "core/error.hpp"
#include "core/org/schedule.hpp"

namespace sonoria::engine::local {
// Named, not anonymous: the engine module compiles eight sources to a translation unit, and
// file-local names must not meet their neighbours'.
namespace reception_detail {

using Words = std::vector<std::string>;
using Terms = std::vector<std::string>;
using namespace std::chrono;

// ---------------------------------------------------------------------------------------------
// Words and terms

Words tokenize(std::string_view text) {
  Words words;
  std::string current;
  auto flush = [&] {
    while (!current.empty() && current.back() == '\'') current.pop_back();
    while (!current.empty() && current.front() == '\'') current.erase(0, 1);
    if (!current.empty()) words.push_back(current);
    current.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // U+2019, the typographic apostrophe some recognisers write.
    if (c == 0xE2 && text.substr(i, 3) == "\xE2\x80\x99") {
      current += '\'';
      i += 2;
    } else if (std::isalnum(c) || c == '\'') {
      current += static_cast<char>(std::tolower(c));
    } else {
      flush();
    }
  }
  flush();
  return words;
}

std::string join(const Words& words, std::size_t from = 0, std::size_t to = std::string::npos) {
  std::string out;
  for (std::size_t i = from; i < std::min(to, words.size()); ++i) out += (out.empty() ? "" : " ") + words[i];
  return out;
}

bool has(const Words& words, std::initializer_list<std::string_view> any) {
  for (const auto& w : words)
    for (auto a : any)
      if (w == a) return true;
  return false;
}

// Where the words of `phrase` occur one after another in `words`.
std::optional<std::size_t> find_phrase(const Words& words, std::string_view phrase) {
  const Words needle = tokenize(phrase);
  if (needle.empty() || needle.size() > words.size()) return std::nullopt;
  for (std::size_t i = 0; i + needle.size() <= words.size(); ++i)
    if (std::equal(needle.begin(), needle.end(), words.begin() + static_cast<std::ptrdiff_t>(i))) return i;
  return std::nullopt;
}

bool has_phrase(const Words& words, std::initializer_list<std::string_view> phrases) {
  for (auto p : phrases)
    if (find_phrase(words, p)) return true;
  return false;
}

// Words that say nothing about what the caller wants: left out when matching FAQs, services
// and knowledge passages.
constexpr std::string_view k_stop_words[] = {
    "a",       "about",  "accept", "after",   "again", "all",    "also",    "am",      "an",      "and",
    "any",     "anyone", "are",    "as",      "at",    "be",     "been",    "but",     "by",      "can",
    "could",   "did",    "do",     "does",    "doing", "don't",  "for",     "from",    "get",     "got",
    "had",     "has",    "have",   "he",      "her",   "here",   "hey",     "hi",      "him",     "his",
    "how",     "i",      "i'd",    "i'll",    "i'm",   "i've",   "if",      "in",      "into",    "is",
    "it",      "it's",   "just",   "know",    "let",   "like",   "make",    "me",      "much",    "my",
    "need",    "no",     "not",    "now",     "of",    "off",    "oh",      "ok",      "okay",    "on",
    "one",     "or",     "our",    "out",     "please", "really", "should", "so",      "some",    "something",
    "take",    "tell",   "than",   "thank",   "thanks", "that",  "that's",  "the",     "their",   "them",
    "then",    "there",  "there's", "these",  "they",  "this",   "those",   "to",      "too",     "uh",
    "um",      "up",     "us",     "very",    "want",  "was",    "way",     "we",      "we're",   "well",
    "were",    "what",   "what's", "when",    "where", "which",  "who",     "why",     "will",    "with",
    "would",   "yeah",   "yes",    "you",     "you're", "your",  "yours",   "hello",   "mm",      "hmm",
    "er",      "ah",     "go",     "going",   "gonna", "wanna",  "kind",    "sort",    "maybe",   "ins"};

bool is_stop(std::string_view w) {
  return std::find(std::begin(k_stop_words), std::end(k_stop_words), w) != std::end(k_stop_words);
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

void undouble(std::string& w) {
  if (w.size() >= 3 && w[w.size() - 1] == w[w.size() - 2] && std::string_view("lsz").find(w.back()) == std::string_view::npos)
    w.pop_back();
}

// A crude suffix stripper: the same rules on the caller's words and the profile's, so "parking"
// meets "park" and "classes" meets "class". It only has to be consistent, not linguistic.
std::string stem(std::string w) {
  if (ends_with(w, "'s")) w.resize(w.size() - 2);
  std::erase(w, '\'');
  if (ends_with(w, "ies") && w.size() > 4) {
    w.replace(w.size() - 3, 3, "y");
  } else if (ends_with(w, "sses")) {
    w.resize(w.size() - 2);
  } else if (ends_with(w, "ches") || ends_with(w, "shes") || ends_with(w, "xes")) {
    w.resize(w.size() - 2);
  } else if (ends_with(w, "s") && !ends_with(w, "ss") && !ends_with(w, "us") && !ends_with(w, "is") && w.size() >= 3) {
    w.pop_back();
  }
  if (ends_with(w, "ing") && w.size() > 5) {
    w.resize(w.size() - 3);
    undouble(w);
  } else if (ends_with(w, "ed") && w.size() > 4) {
    w.resize(w.size() - 2);
    undouble(w);
  }
  if (w.size() > 4 && w.back() == 'e') w.pop_back();
  return w;
}

// Words a caller uses for the same thing, after stemming.
std::string canonical(const std::string& stemmed) {
  static const std::map<std::string, std::string, std::less<>> k_same = {
      {"kid", "child"},       {"children", "child"},  {"son", "child"},       {"daughter", "child"},
      {"toddler", "child"},   {"teen", "child"},      {"teenager", "child"},  {"baby", "child"},
      {"car", "park"},        {"garag", "park"},      {"cost", "pric"},       {"fee", "pric"},
      {"charg", "pric"},      {"rate", "pric"},       {"cancellation", "cancel"}, {"cancell", "cancel"},
      {"insur", "insuranc"},  {"locat", "location"},  {"bathroom", "restroom"}, {"toilet", "restroom"},
      {"wheelchair", "accessibl"}, {"disabl", "accessibl"}, {"pay", "payment"}, {"card", "payment"},
      {"cash", "payment"},    {"dog", "pet"},         {"walkin", "walk"},     {"urgent", "emergency"}};
  auto it = k_same.find(stemmed);
  return it == k_same.end() ? stemmed : it->second;
}

// The words that carry meaning, stemmed and deduplicated, in order.
Terms key_terms(const Words& words) {
  Terms terms;
  for (const auto& w : words) {
    if (is_stop(w)) continue;
    std::string t = canonical(stem(w));
    if (t.empty() || is_stop(t)) continue;
    if (std::find(terms.begin(), terms.end(), t) == terms.end()) terms.push_back(std::move(t));
  }
  return terms;
}

Terms key_terms(std::string_view text) { return key_terms(tokenize(text)); }

bool contains(const Terms& terms, std::string_view t) { return std::find(terms.begin(), terms.end(), t) != terms.end(); }

struct Overlap {
  int matched = 0;
  double recall = 0;     // of the target's terms, the share the caller said
  double precision = 0;  // of the caller's terms, the share in the target

  double f1() const { return recall + precision > 0 ? 2 * recall * precision / (recall + precision) : 0; }
};

Overlap overlap(const Terms& caller, const Terms& target) {
  Overlap o;
  for (const auto& t : target)
    if (contains(caller, t)) ++o.matched;
  if (!target.empty()) o.recall = static_cast<double>(o.matched) / static_cast<double>(target.size());
  if (!caller.empty()) o.precision = static_cast<double>(o.matched) / static_cast<double>(caller.size());
  return o;
}

// ---------------------------------------------------------------------------------------------
// Speakable text

std::string capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string lower_first(std::string s) {
  // "Holiday break" reads as "for holiday break"; "Independence Day" keeps its capitals.
  const bool proper = std::any_of(s.begin() + (s.empty() ? 0 : 1), s.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); });
  if (!s.empty() && !proper) s[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(s[0])));
  return s;
}

std::string ends_sentence(std::string s) {
  while (!s.empty() && s.back() == ' ') s.pop_back();
  if (!s.empty() && std::string_view(".!?").find(s.back()) == std::string_view::npos) s += '.';
  return s;
}

// "a, b and c"; "a, x, b, y, and c" when the items have commas of their own; "a; b; and c" with
// `separator` ";".
std::string list_text(const std::vector<std::string>& items, char separator = ',') {
  const bool commas = std::any_of(items.begin(), items.end(), [](const std::string& i) { return i.find(',') != std::string::npos; });
  const std::string between = std::string(1, separator) + " ";
  const std::string last = commas || separator != ',' ? between + "and " : " and ";
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? (items.size() == 2 && !commas ? " and " : last) : between;
    out += items[i];
  }
  return out;
}

// Sentences joined from pieces that end in "p.m." get no second full stop.
std::string tidy(std::string s) {
  for (auto at = s.find(".."); at != std::string::npos; at = s.find("..", at)) s.erase(at, 1);
  return s;
}

// Text written for reading made fit for a synthesiser: no links, no Markdown, no brackets.
std::string speakable(std::string_view text) {
  std::string out;
  Words dropped;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.substr(i, 7) == "http://" || text.substr(i, 8) == "https://" || text.substr(i, 4) == "www.") {
      while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }
    const char c = text[i++];
    if (c == '(' || c == ')' || c == '[' || c == ']') {
      while (!out.empty() && out.back() == ' ') out.pop_back();
      if (!out.empty() && out.back() != ',') out += ',';
      out += ' ';
      continue;
    }
    if (c == '*' || c == '#' || c == '_' || c == '`' || c == '>' || c == '|') continue;
    if (c == '\n' || c == '\t' || c == '\r') {
      out += ' ';
      continue;
    }
    out += c;
  }
  std::string collapsed;
  for (char c : out) {
    if (c == ' ' && (collapsed.empty() || collapsed.back() == ' ')) continue;
    if (c == ',' && !collapsed.empty() && collapsed.back() == ' ') collapsed.pop_back();
    if ((c == '.' || c == ',') && !collapsed.empty() && collapsed.back() == ',') collapsed.pop_back();
    collapsed += c;
  }
  while (!collapsed.empty() && (collapsed.back() == ' ' || collapsed.back() == ',')) collapsed.pop_back();
  return collapsed;
}

// `text` without the sentences that point at a link: read aloud, "See for details." is noise.
std::string without_link_sentences(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = start;
    while (end < text.size() && !((text[end] == '.' || text[end] == '!' || text[end] == '?') &&
                                  (end + 1 == text.size() || std::isspace(static_cast<unsigned char>(text[end + 1])))))
      ++end;
    const std::string sentence = text.substr(start, end + 1 - start);
    if (sentence.find("http://") == std::string::npos && sentence.find("https://") == std::string::npos &&
        sentence.find("www.") == std::string::npos)
      out += sentence;
    start = end + 1;
  }
  return out;
}

// The first sentences of `text`, up to about `max` bytes: a passage read aloud must be short.
std::string first_sentences(const std::string& text, std::size_t max) {
  std::size_t end = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool stop = (text[i] == '.' || text[i] == '!' || text[i] == '?') && (i + 1 == text.size() || text[i + 1] == ' ');
    if (!stop) continue;
    if (end > 0 && i + 1 > max) break;
    end = i + 1;
  }
  if (end == 0) end = text.size() <= max ? text.size() : text.rfind(' ', max);
  if (end == std::string::npos) end = std::min(text.size(), max);
  return text.substr(0, end);
}

// ---------------------------------------------------------------------------------------------
// Services and add-ons

struct Item {
  std::string name;
  std::string description;
  int minutes = 0;
  int64_t cents = 0;
  std::string currency;
  bool add_on = false;
};

std::vector<Item> items_of(const org::Profile& p) {
  std::vector<Item> items;
  for (const auto& s : p.services) items.push_back({s.name, s.description, s.duration_minutes, s.price_cents, s.currency, false});
  const std::string currency = p.services.empty() ? "USD" : p.services.front().currency;
  for (const auto& a : p.add_ons) items.push_back({a.name, a.description, 0, a.price_cents, currency, true});
  return items;
}

// The items the caller named. Each name's terms weigh less the more items share them, and half
// as much when they are in the business's own name ("yoga" at a yoga studio says little).
// Several items come back when the caller named only what they share ("whitening").
std::vector<std::size_t> named_items(const org::Profile& p, const std::vector<Item>& items, const Terms& caller) {
  std::vector<Terms> names;
  std::map<std::string, int> count;
  for (const auto& item : items) {
    names.push_back(key_terms(item.name));
    for (const auto& t : names.back()) ++count[t];
  }
  const Terms business = key_terms(p.organization.name + " " + p.organization.industry);
  auto weight = [&](const std::string& t) { return (contains(business, t) ? 0.5 : 1.0) / count[t]; };
  double best = 0;
  std::size_t best_index = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    double total = 0, matched = 0;
    for (const auto& t : names[i]) {
      total += weight(t);
      if (contains(caller, t)) matched += weight(t);
    }
    const double score = total > 0 ? matched / total : 0;
    if (score > best + 1e-9) {
      best = score;
      best_index = i;
    }
  }
  if (best < 0.3) return {};
  Terms said;
  for (const auto& t : names[best_index])
    if (contains(caller, t)) said.push_back(t);
  if (std::any_of(said.begin(), said.end(), [&](const std::string& t) { return count[t] == 1; })) return {best_index};
  std::vector<std::size_t> all;
  for (std::size_t i = 0; i < items.size() && all.size() < 3; ++i)
    if (std::all_of(said.begin(), said.end(), [&](const std::string& t) { return contains(names[i], t); })) all.push_back(i);
  return all;
}

bool asks_price(const Words& w) {
  return has(w, {"cost", "costs", "price", "prices", "pricing", "charge", "fee", "fees", "expensive", "cheap", "rate",
                 "rates", "pay", "dollars", "free"}) ||
         has_phrase(w, {"how much"});
}

bool asks_duration(const Words& w) {
  return has_phrase(w, {"how long", "how many minutes", "how many hours"}) || has(w, {"duration", "length", "last", "lasts"});
}

std::string item_sentence(const Item& item, bool price, bool duration, bool description) {
  std::string out;
  const bool plural = !item.name.empty() && item.name.back() == 's' && item.add_on;
  const std::string is = plural ? " are " : " is ";
  if (price && duration && item.minutes > 0) {
    out = item.name + " takes " + spoken_duration(item.minutes) + " and " +
          (item.cents == 0 ? std::string("is free") : "costs " + spoken_price(item.cents, item.currency)) + ".";
  } else if (duration && item.minutes > 0) {
    out = item.name + " takes " + spoken_duration(item.minutes) + ".";
  } else if (price) {
    out = item.name + is + spoken_price(item.cents, item.currency) + ".";
  }
  if (description && !item.description.empty()) out += (out.empty() ? "" : " ") + ends_sentence(speakable(item.description));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Days and hours

year_month_day plus_days(year_month_day d, int n) { return year_month_day{sys_days{d} + days{n}}; }
int days_between(year_month_day from, year_month_day to) { return static_cast<int>((sys_days{to} - sys_days{from}).count()); }

constexpr std::array<std::string_view, 12> k_months = {"january", "february", "march",     "april",   "may",      "june",
                                                        "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 12> k_month_names = {"January", "February", "March",     "April",   "May",      "June",
                                                             "July",    "August",   "September", "October", "November", "December"};

std::optional<unsigned> month_of(std::string_view w) {
  for (std::size_t i = 0; i < k_months.size(); ++i)
    if (k_months[i] == w) return static_cast<unsigned>(i + 1);
  return std::nullopt;
}

std::optional<int> weekday_of(std::string w) {
  for (int i = 0; i < 7; ++i) {
    const auto key = org::weekday_key(i);
    if (w == key || w == std::string(key) + "s") return i;
  }
  return std::nullopt;
}

// The next date on or after `today` that is month/day.
year_month_day next_date(year_month_day today, unsigned month_number, unsigned day_number) {
  year_month_day d{today.year(), month{month_number}, day{day_number}};
  if (!d.ok() || sys_days{d} < sys_days{today}) d = year_month_day{today.year() + years{1}, month{month_number}, day{day_number}};
  return d;
}

year_month_day next_weekday(year_month_day today, int weekday_index, bool skip_today) {
  const int ahead = (weekday_index - org::weekday_index(today) + 7) % 7;
  return plus_days(today, ahead == 0 && skip_today ? 7 : ahead);
}

// Holidays a caller names instead of a date: fixed dates and the US ones that move.
std::optional<year_month_day> holiday(const Words& w, year_month_day today) {
  struct Fixed {
    std::string_view phrase;
    unsigned month, day;
  };
  static constexpr Fixed k_fixed[] = {{"christmas eve", 12, 24},  {"christmas", 12, 25},      {"boxing day", 12, 26},
                                      {"new year's eve", 12, 31}, {"new years eve", 12, 31},  {"new year", 1, 1},
                                      {"new year's", 1, 1},       {"new years", 1, 1},        {"halloween", 10, 31},
                                      {"valentine's day", 2, 14}, {"valentines day", 2, 14},  {"independence day", 7, 4},
                                      {"veterans day", 11, 11},   {"juneteenth", 6, 19}};
  for (const auto& f : k_fixed)
    if (find_phrase(w, f.phrase)) return next_date(today, f.month, f.day);
  auto moving = [&](auto of_year) {
    year_month_day d = year_month_day{of_year(today.year())};
    if (sys_days{d} < sys_days{today}) d = year_month_day{of_year(today.year() + years{1})};
    return d;
  };
  if (has(w, {"thanksgiving"}))
    return moving([](year y) { return sys_days{year_month_weekday{y / November / Thursday[4]}}; });
  if (has_phrase(w, {"labor day", "labour day"}))
    return moving([](year y) { return sys_days{year_month_weekday{y / September / Monday[1]}}; });
  if (has_phrase(w, {"memorial day"}))
    return moving([](year y) { return sys_days{year_month_weekday_last{y / May / Monday[last]}}; });
  return std::nullopt;
}

// "december twenty fourth", "the twenty fourth of december", "on the twenty fourth", "july four".
std::optional<year_month_day> spoken_date(const Words& w, year_month_day today) {
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (auto m = month_of(w[i])) {
      std::size_t k = i + 1;
      if (k < w.size() && w[k] == "the") ++k;
      auto n = read_number(std::span(w).subspan(std::min(k, w.size())));
      if (n && n->value >= 1 && n->value <= 31) return next_date(today, *m, static_cast<unsigned>(n->value));
      continue;
    }
    auto n = read_number(std::span(w).subspan(i));
    if (!n || n->value < 1 || n->value > 31) continue;
    std::size_t after = i + n->words;
    if (after < w.size() && w[after] == "of") ++after;
    if (after < w.size())
      if (auto m = month_of(w[after])) return next_date(today, *m, static_cast<unsigned>(n->value));
    const bool introduced = i > 0 && (w[i - 1] == "the" || w[i - 1] == "on");
    if (n->ordinal && introduced) {
      const auto d = static_cast<unsigned>(n->value);
      year_month_day this_month{today.year(), today.month(), day{d}};
      if (this_month.ok() && sys_days{this_month} >= sys_days{today}) return this_month;
      const year_month_day next{plus_days(year_month_day{today.year(), today.month(), day{1}}, 32).year(),
                                plus_days(year_month_day{today.year(), today.month(), day{1}}, 32).month(), day{d}};
      if (next.ok()) return next;
    }
    i = after - 1;
  }
  return std::nullopt;
}

// What the caller asked about: now, some dates, or the whole week.
struct DayAsk {
  enum class Kind { none, now, dates, week };
  Kind kind = Kind::none;
  std::vector<year_month_day> dates;
};

DayAsk day_asked(const Words& w, year_month_day today) {
  DayAsk ask;
  auto dates = [&](std::vector<year_month_day> d) {
    ask.kind = DayAsk::Kind::dates;
    ask.dates = std::move(d);
    return ask;
  };
  if (has_phrase(w, {"right now", "at the moment", "still open", "currently"}) || has(w, {"now"})) {
    ask.kind = DayAsk::Kind::now;
    return ask;
  }
  if (auto h = holiday(w, today)) return dates({*h});
  if (auto d = spoken_date(w, today)) return dates({*d});
  if (has_phrase(w, {"day after tomorrow"})) return dates({plus_days(today, 2)});
  if (has(w, {"tomorrow"})) return dates({plus_days(today, 1)});
  if (has(w, {"today", "tonight", "later"}) || has_phrase(w, {"this morning", "this afternoon", "this evening"}))
    return dates({today});
  const bool next = has(w, {"next"});
  for (const auto& word : w)
    if (auto i = weekday_of(word)) return dates({next_weekday(today, *i, next)});
  if (has(w, {"weekend", "weekends"})) {
    const auto saturday = next_weekday(today, 5, false);
    return dates(org::weekday_index(today) == 6 ? std::vector{today} : std::vector{saturday, plus_days(saturday, 1)});
  }
  if (has(w, {"week", "weekdays", "weekday"})) ask.kind = DayAsk::Kind::week;
  return ask;
}

std::string month_day(year_month_day d) {
  return std::string(k_month_names[static_cast<unsigned>(d.month()) - 1]) + " " +
         std::to_string(static_cast<unsigned>(d.day()));
}

// "today", "tomorrow", "on Saturday" within the week, "on Thursday, December 24" beyond.
std::string day_label(year_month_day d, year_month_day today) {
  const int ahead = days_between(today, d);
  if (ahead == 0) return "today";
  if (ahead == 1) return "tomorrow";
  const std::string weekday(org::weekday_name(org::weekday_index(d)));
  if (ahead > 1 && ahead < 7) return "on " + weekday;
  return "on " + weekday + ", " + month_day(d);
}

std::optional<org::Closure> closure_on(const org::Profile& p, year_month_day d) {
  for (const auto& c : p.closures) {
    const auto from = org::parse_date(c.from);
    const auto to = c.to.empty() ? from : org::parse_date(c.to);
    if (from && to && sys_days{*from} <= sys_days{d} && sys_days{d} <= sys_days{*to}) return c;
  }
  return std::nullopt;
}

const std::vector<org::TimeRange>& ranges_on(const org::Profile& p, year_month_day d) {
  return p.hours.days[org::weekday_index(d)];
}

// "from 7 a.m. to noon and from 4 p.m. to 9 p.m."
std::string ranges_text(const std::vector<org::TimeRange>& ranges) {
  std::vector<std::string> parts;
  for (const auto& r : ranges) parts.push_back("from " + spoken_time(r.open_minute) + " to " + spoken_time(r.close_minute));
  return list_text(parts);
}

// ", with a break from noon to 4 p.m." between a day's openings; "" for one opening.
std::string breaks_text(const std::vector<org::TimeRange>& ranges) {
  std::vector<std::string> gaps;
  for (std::size_t i = 1; i < ranges.size(); ++i)
    gaps.push_back("from " + spoken_time(ranges[i - 1].close_minute) + " to " + spoken_time(ranges[i].open_minute));
  if (gaps.empty()) return "";
  return std::string(gaps.size() == 1 ? ", with a break " : ", with breaks ") + list_text(gaps);
}

bool any_hours(const org::Profile& p) {
  return std::any_of(std::begin(p.hours.days), std::end(p.hours.days), [](const auto& d) { return !d.empty(); });
}

// The first opening after the whole of date `d`, skipping closures: "on Sunday, December 27 at 9 a.m.".
std::string next_opening_after(const org::Profile& p, year_month_day d, year_month_day today) {
  for (int i = 1; i <= org::k_next_opening_search_days; ++i) {
    const auto next = plus_days(d, i);
    if (closure_on(p, next) || ranges_on(p, next).empty()) continue;
    return day_label(next, today) + " at " + spoken_time(ranges_on(p, next).front().open_minute);
  }
  return "";
}

// Which part of the hours the caller wants.
enum class HoursFocus { open_or_not, opening_time, closing_time };

HoursFocus hours_focus(const Words& w) {
  const bool when = has(w, {"when", "time", "what"}) || has_phrase(w, {"how late", "how early", "until when", "till when"});
  if (has(w, {"close", "closing", "closes", "shut", "until", "till", "late"}) && when) return HoursFocus::closing_time;
  if (has(w, {"open", "opening", "opens", "start", "early"}) && when && !has(w, {"are", "is"})) return HoursFocus::opening_time;
  return HoursFocus::open_or_not;
}

// A time the caller asked about ("are you open at seven on friday"), as minutes of the day; when
// they left morning or afternoon open, the reading that falls inside the day's hours.
std::optional<int> time_asked(const Words& w, const std::vector<org::TimeRange>& ranges) {
  for (std::size_t i = 0; i + 1 < w.size(); ++i) {
    if (w[i] != "at" && w[i] != "around" && w[i] != "by") continue;
    auto t = read_clock_time(std::span(w).subspan(i + 1));
    if (!t) continue;
    if (t->pm || t->hour > 12) return t->minute_of_day(false);
    for (bool afternoon : {false, true})
      for (const auto& r : ranges)
        if (t->minute_of_day(afternoon) >= r.open_minute && t->minute_of_day(afternoon) < r.close_minute)
          return t->minute_of_day(afternoon);
    return t->minute_of_day(t->hour < 7 || t->hour == 12);
  }
  return std::nullopt;
}

bool inside(const std::vector<org::TimeRange>& ranges, int minute) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const auto& r) { return minute >= r.open_minute && minute < r.close_minute; });
}

std::string hours_on_date(const org::Profile& p, year_month_day d, year_month_day today, const Words& w) {
  const std::string label = day_label(d, today);
  const auto& ranges = ranges_on(p, d);
  const HoursFocus focus = hours_focus(w);
  if (auto c = closure_on(p, d)) {
    std::string out = "No, we're closed " + label + (c->reason.empty() ? "" : " for " + lower_first(c->reason)) + ".";
    const std::string next = next_opening_after(p, d, today);
    return next.empty() ? out : out + " We open again " + next + ".";
  }
  if (ranges.empty()) {
    const std::string weekday(org::weekday_name(org::weekday_index(d)));
    return days_between(today, d) < 2 ? "No, we're closed " + label + "." : "No, we're closed on " + weekday + "s.";
  }
  if (auto t = time_asked(w, ranges))
    return (inside(ranges, *t) ? "Yes, we're open " : "No, we're open ") + label + " " + ranges_text(ranges) + ".";
  if (focus == HoursFocus::opening_time)
    return "We open " + label + " at " + spoken_time(ranges.front().open_minute) + breaks_text(ranges) + ", and close at " +
           spoken_time(ranges.back().close_minute) + ".";
  if (focus == HoursFocus::closing_time)
    return "We close " + label + " at " + spoken_time(ranges.back().close_minute) + breaks_text(ranges) + ".";
  return std::string(focus == HoursFocus::open_or_not ? "Yes, we're open " : "We're open ") + label + " " +
         ranges_text(ranges) + ".";
}

std::string next_opening_text(const org::DayStatus& s, year_month_day today) {
  if (!s.next_opening) return "";
  return day_label(s.next_opening->date, today) + " at " + spoken_time(s.next_opening->minute_of_day);
}

// Today, from day_status: it knows the local time and when the doors next open.
std::string hours_today(const org::Profile& p, const org::DayStatus& s, year_month_day today, const Words& w,
                        bool asked_now) {
  const std::string next = next_opening_text(s, today);
  const std::string again = next.empty() ? "" : " We open again " + next + ".";
  if (s.closed_for)
    return "No, we're closed today" + (s.closed_for->reason.empty() ? "" : " for " + lower_first(s.closed_for->reason)) + "." + again;
  const auto& ranges = ranges_on(p, today);
  if (ranges.empty()) return "No, we're closed today." + again;
  const int minute = org::parse_hhmm(s.local_time).value_or(0);
  if (auto t = time_asked(w, ranges); t && !asked_now)
    return (inside(ranges, *t) ? "Yes, we're open today " : "No, we're open today ") + ranges_text(ranges) + ".";
  std::vector<org::TimeRange> later;
  for (const auto& r : ranges)
    if (r.open_minute > minute) later.push_back(r);
  if (s.open_now) {
    const bool closing = hours_focus(w) == HoursFocus::closing_time;
    std::string out = (closing ? "We close at " : "Yes, we're open now until ") +
                      spoken_time(s.open_until ? s.open_until->minute_of_day : ranges.back().close_minute) + " today";
    if (!later.empty()) out += (closing ? ", then open again " : ", and again ") + ranges_text(later);
    return out + ".";
  }
  if (!later.empty() && later.size() == ranges.size())
    return (asked_now ? "We're closed right now. Today we're open " : "We're open today ") + ranges_text(ranges) + ".";
  if (!later.empty()) return "We're closed right now, and open again today " + ranges_text(later) + ".";
  return "We've closed for today." + again;
}

// "Monday to Thursday from 7 a.m. to noon and from 4 p.m. to 9 p.m."
std::string week_text(const org::Profile& p) {
  std::vector<std::string> open_parts, closed_days;
  int i = 0;
  while (i < 7) {
    int j = i;
    while (j + 1 < 7 && p.hours.days[j + 1] == p.hours.days[i]) ++j;
    const std::string days = i == j ? std::string(org::weekday_name(i))
                                    : std::string(org::weekday_name(i)) + (j == i + 1 ? " and " : " to ") + std::string(org::weekday_name(j));
    if (p.hours.days[i].empty()) {
      for (int k = i; k <= j; ++k) closed_days.push_back(std::string(org::weekday_name(k)) + "s");
    } else {
      open_parts.push_back(days + " " + ranges_text(p.hours.days[i]));
    }
    i = j + 1;
  }
  std::string out = "We're open " + list_text(open_parts) + ".";
  if (!closed_days.empty()) out += " We're closed on " + list_text(closed_days) + ".";
  return out;
}

std::string closures_note(const org::Profile& p, std::chrono::sys_seconds now, year_month_day today) {
  std::string out;
  for (const auto& c : org::upcoming_closures(p, now, 14)) {
    const auto from = org::parse_date(c.from);
    const auto to = c.to.empty() ? from : org::parse_date(c.to);
    if (!from || !to) continue;
    const bool started = sys_days{*from} <= sys_days{today};
    std::string when = from == to ? "on " + month_day(*from)
                                  : (started ? "until " + month_day(*to) : "from " + month_day(*from) + " to " + month_day(*to));
    out += std::string(started ? " We're closed " : " Please note we're closed ") + when +
           (c.reason.empty() ? "" : " for " + lower_first(c.reason)) + ".";
  }
  return out;
}

bool mentions_day(const Words& w) {
  if (has(w, {"today", "tomorrow", "tonight", "weekend", "weekends"})) return true;
  for (const auto& word : w)
    if (weekday_of(word) || month_of(word)) return true;
  return holiday(w, year_month_day{year{2000}, January, day{1}}).has_value();
}

bool asks_hours(const Words& w) {
  return has(w, {"hours", "hour", "open", "opening", "opens", "close", "closing", "closes", "closed", "shut"}) ||
         has_phrase(w, {"what time", "how late", "how early"});
}

std::string hours_answer(const org::Profile& p, const Words& w, std::chrono::sys_seconds now) {
  if (!any_hours(p)) return "";
  org::DayStatus status;
  try {
    status = org::day_status(p, now);
  } catch (const DataError&) {
    return "";  // an unknown time zone: validation reports it; the caller gets the honest fallback
  }
  const auto today = org::parse_date(status.local_date);
  if (!today) return "";
  const DayAsk ask = day_asked(w, *today);
  // "Are you closed on Sunday?" is answered "Yes, we're closed", not "No, we're closed".
  const bool asked_closed = has(w, {"closed", "shut"}) && !has(w, {"open"});
  auto answer_to = [&](std::string text) {
    if (asked_closed && text.rfind("No, ", 0) == 0) return "Yes, " + text.substr(4);
    if (asked_closed && text.rfind("Yes, ", 0) == 0) return "No, " + text.substr(5);
    return text;
  };
  if (ask.kind == DayAsk::Kind::now) return answer_to(hours_today(p, status, *today, w, true));
  if (ask.kind == DayAsk::Kind::dates) {
    std::string out;
    for (const auto& d : ask.dates)
      out += (out.empty() ? "" : " ") +
             answer_to(d == *today ? hours_today(p, status, *today, w, false) : hours_on_date(p, d, *today, w));
    return out;
  }
  if (hours_focus(w) != HoursFocus::open_or_not || (has(w, {"open", "closed"}) && has(w, {"are", "you"}) && !has(w, {"hours"})))
    return answer_to(hours_today(p, status, *today, w, has(w, {"are"})));
  return week_text(p) + closures_note(p, now, *today);
}

// ---------------------------------------------------------------------------------------------
// Locations, team, policies, FAQs

bool asks_location(const Words& w) {
  return has(w, {"where", "address", "located", "location", "locations", "directions", "parking", "park", "office",
                 "offices", "branch", "branches"}) ||
         has_phrase(w, {"get there", "find you", "how do i get"});
}

std::string location_line(const org::Location& l) {
  return l.name.empty() ? l.address : l.name + ", at " + l.address;
}

std::string location_answer(const org::Profile& p, const Words& w) {
  const auto& locations = p.organization.locations;
  if (locations.empty()) return "";
  const Terms caller = key_terms(w);
  const Terms business = key_terms(p.organization.name);
  bool parking = has(w, {"parking", "car", "garage"});
  // A location the caller named, by the words of its name that are not the business's.
  const org::Location* named = nullptr;
  if (locations.size() > 1)
    for (const auto& l : locations) {
      Terms own;
      for (const auto& t : key_terms(l.name))
        if (!contains(business, t)) own.push_back(t);
      if (!own.empty() && overlap(caller, own).recall >= 0.5) named = &l;
    }
  // "park" is parking unless it is part of the location's name ("Oak Park").
  if (named == nullptr && has(w, {"park"})) parking = true;
  if (parking) {
    std::vector<std::string> notes;
    for (const auto& l : locations)
      if (named == nullptr || named == &l)
        if (l.notes.find("park") != std::string::npos || l.notes.find("Park") != std::string::npos)
          notes.push_back((locations.size() > 1 ? "At " + l.name + ": " : "") + ends_sentence(speakable(l.notes)));
    if (notes.empty()) return "";
    std::string out;
    for (const auto& n : notes) out += (out.empty() ? "" : " ") + n;
    return out;
  }
  if (named != nullptr || locations.size() == 1) {
    const auto& l = named != nullptr ? *named : locations.front();
    std::string out = "We're at " + ends_sentence(l.address);
    if (named != nullptr) out = "Our " + l.name + " office is at " + ends_sentence(l.address);
    if (!l.notes.empty()) out += " " + ends_sentence(speakable(l.notes));
    return out;
  }
  std::vector<std::string> lines;
  for (const auto& l : locations) lines.push_back(location_line(l));
  return "We have " + number_words(static_cast<int64_t>(locations.size())) + " locations: " + list_text(lines, ';') + ".";
}

std::string team_member_line(const org::TeamMember& m) {
  return m.role.empty() ? m.name : m.name + ", " + lower_first(m.role);
}

std::string team_answer(const org::Profile& p, const Words& w) {
  const Terms caller = key_terms(w);
  for (const auto& m : p.team) {
    Terms name = key_terms(m.name);
    std::erase(name, "dr");
    if (!name.empty() && overlap(caller, name).matched > 0) {
      std::string out = m.name + (m.role.empty() ? " is on our team." : " is our " + lower_first(m.role) + ".");
      if (!m.bio.empty()) out += " " + ends_sentence(speakable(m.bio));
      return out;
    }
  }
  if (has(w, {"owner", "owns", "boss"}) && !p.organization.owner.name.empty())
    return "The owner is " + p.organization.owner.name + ".";
  if (p.team.empty() || !has(w, {"who", "team", "staff", "teachers", "teacher", "stylists", "stylist", "dentists",
                                 "dentist", "doctors", "doctor", "therapists", "therapist", "instructors", "instructor",
                                 "agents", "agent", "people", "works", "work"}))
    return "";
  std::vector<std::string> lines;
  for (const auto& m : p.team) lines.push_back(team_member_line(m));
  return "Our team is " + list_text(lines) + ".";
}

bool names_policy(const Words& w) {
  return has(w, {"policy", "policies", "rules", "refund", "refunds", "refundable", "cancellation", "cancellations"}) ||
         has_phrase(w, {"no show", "no shows"});
}

bool asks_policy(const Words& w) { return names_policy(w) || has(w, {"late", "arrive", "early"}); }

std::string policy_answer(const org::Profile& p, const Words& w) {
  const auto& policies = p.booking.policies;
  if (policies.empty()) return "";
  const Terms caller = key_terms(w);
  Terms specific;
  for (const auto& t : caller)
    if (t != "policy" && t != "rul") specific.push_back(t);
  int best = 0;
  std::size_t best_index = 0;
  for (std::size_t i = 0; i < policies.size(); ++i) {
    const int m = overlap(specific, key_terms(policies[i])).matched;
    if (m > best) {
      best = m;
      best_index = i;
    }
  }
  if (best > 0) return ends_sentence(speakable(policies[best_index]));
  if (!has(w, {"policy", "policies", "rules"})) return "";
  std::string out;
  for (std::size_t i = 0; i < policies.size() && i < 3; ++i) out += (out.empty() ? "" : " ") + ends_sentence(speakable(policies[i]));
  return out;
}

struct FaqMatch {
  std::size_t index = 0;
  Overlap overlap;
};

std::optional<FaqMatch> best_faq(const org::Profile& p, const Terms& caller) {
  std::optional<FaqMatch> best;
  for (std::size_t i = 0; i < p.faqs.size(); ++i) {
    const Overlap o = overlap(caller, key_terms(p.faqs[i].question));
    if (o.matched > 0 && (!best || o.f1() > best->overlap.f1())) best = FaqMatch{i, o};
  }
  return best;
}

// An FAQ that the caller's words cover almost entirely: it wins over the generic answers.
bool strong(const Overlap& o) { return o.recall >= 0.75 && o.precision >= 0.5; }
bool weak(const Overlap& o) { return o.f1() >= 0.45; }

// ---------------------------------------------------------------------------------------------
// Conversation words

std::optional<bool> yes_or_no(const Words& w) {
  static constexpr std::string_view k_yes[] = {"yes", "yeah", "yep", "yup", "correct", "right", "sure", "ok", "okay",
                                               "perfect", "exactly", "absolutely", "please", "definitely", "fine", "great"};
  static constexpr std::string_view k_no[] = {"no", "nope", "nah", "wrong", "incorrect", "don't", "not"};
  for (const auto& word : w) {
    if (std::find(std::begin(k_no), std::end(k_no), word) != std::end(k_no)) return false;
    if (std::find(std::begin(k_yes), std::end(k_yes), word) != std::end(k_yes)) return true;
  }
  if (has_phrase(w, {"go ahead", "send it", "sounds good", "that's it"})) return true;
  return std::nullopt;
}

bool only_filler(const Words& w) {
  return std::all_of(w.begin(), w.end(), [](const std::string& x) {
    return x == "um" || x == "uh" || x == "hmm" || x == "mm" || x == "er" || x == "ah" || x == "erm";
  });
}

bool says_goodbye(const Words& w) {
  if (has(w, {"bye", "goodbye", "byebye", "cheers"})) return true;
  return w.size() <= 7 && has_phrase(w, {"that's all", "that's it", "that is all", "that is it", "nothing else", "no thanks",
                                         "no thank you", "i'm good", "all set", "have a good day", "have a nice day",
                                         "i'm done", "that'll be all", "that will be all", "talk to you later", "see you",
                                         "i'm all set", "that's everything"});
}

// A question asked in the middle of taking a message ("who owns the studio" is not a name).
bool looks_like_question(const Words& w) {
  return w.size() >= 3 && has(Words{w.front()}, {"what", "what's", "who", "who's", "how", "when", "where", "where's", "is",
                                                 "are", "do", "does", "can", "could", "which", "why", "will"});
}

bool cancels(const Words& w) {
  return has_phrase(w, {"never mind", "nevermind", "forget it", "cancel that", "don't bother", "no need"});
}

bool wants_message(const Words& w) {
  return has(w, {"message", "voicemail", "callback"}) ||
         has_phrase(w, {"call me back", "call back", "get back to me", "have someone call", "have her call", "have him call",
                        "have them call", "leave a note", "pass on", "pass along", "let her know", "let him know",
                        "let them know", "tell her", "tell him", "tell them", "tell the owner", "tell the manager"});
}

// Someone the caller may ask for by name: the owner, a team member, a fallback number ("front desk").
bool names_someone(const org::Profile& p, const Words& w) {
  const Terms caller = key_terms(w);
  auto named = [&](const std::string& name) {
    Terms t = key_terms(name);
    std::erase(t, "dr");
    return !t.empty() && overlap(caller, t).matched > 0;
  };
  if (!p.organization.owner.name.empty() && named(p.organization.owner.name)) return true;
  for (const auto& m : p.team)
    if (named(m.name)) return true;
  for (const auto& n : p.fallback_numbers)
    if (overlap(caller, key_terms(n.name)).recall >= 0.5) return true;
  return false;
}

bool wants_person(const org::Profile& p, const Words& w) {
  if (has(w, {"transfer", "operator", "human", "representative"}) ||
      has_phrase(w, {"real person", "put me through", "connect me", "live person"}))
    return true;
  if (!has(w, {"speak", "talk", "reach", "connect", "get", "need", "want"})) return false;
  return has(w, {"someone", "somebody", "person", "manager", "owner", "receptionist", "staff", "anybody", "anyone",
                 "people"}) ||
         names_someone(p, w);
}

// The caller's choice when offered a message or a transfer.
bool chooses_transfer(const org::Profile& p, const Words& w) {
  return wants_person(p, w) || has(w, {"transfer", "person", "speak", "talk", "through"}) || names_someone(p, w);
}

bool wants_booking(const Words& w) {
  return has(w, {"book", "booking", "appointment", "appointments", "reserve", "reservation", "schedule", "slot",
                 "availability"}) ||
         has_phrase(w, {"sign up", "make an appointment"});
}

bool wants_list(const Words& w) {
  return has(w, {"services", "service", "offer", "treatments", "options", "menu", "classes", "provide"}) ||
         has_phrase(w, {"what do you do", "what kind", "what types", "what sort"});
}

bool asks_add_ons(const Words& w) {
  return has(w, {"add", "addon", "addons", "extra", "extras", "upgrade", "upgrades"}) && !has(w, {"address"});
}

// The caller's name from "my name is john smith", "it's john", "john".
std::string name_from(const Words& w) {
  static constexpr std::string_view k_lead_ins[] = {"my name is", "my name's", "the name is", "name is", "this is",
                                                    "it's", "it is", "i'm", "i am", "call me", "yes", "yeah", "sure",
                                                    "okay", "ok", "um", "uh", "it"};
  std::size_t start = 0;
  for (bool again = true; again;) {
    again = false;
    for (auto lead : k_lead_ins) {
      const Words lw = tokenize(lead);
      if (start + lw.size() <= w.size() &&
          std::equal(lw.begin(), lw.end(), w.begin() + static_cast<std::ptrdiff_t>(start))) {
        start += lw.size();
        again = true;
        break;
      }
    }
  }
  std::size_t end = w.size();
  while (end > start && has(Words{w[end - 1]}, {"thanks", "thank", "you", "please"})) --end;
  std::string name;
  for (std::size_t i = start; i < end && i < start + 5; ++i) name += (name.empty() ? "" : " ") + capitalised(w[i]);
  return name;
}

// Words given for a name that are rather the message: four words or more, not introduced as a name
// ("please call me back about my membership", said before the name was).
bool message_not_name(const Words& w) {
  if (w.size() < 4) return false;
  for (auto lead : {"my name", "the name", "name is", "this is", "it's", "it is", "i'm", "i am"}) {
    const Words lw = tokenize(lead);
    if (lw.size() <= w.size() && std::equal(lw.begin(), lw.end(), w.begin())) return false;
  }
  return true;
}

// The message itself when the caller said it with the request: "tell the owner that i'll be late".
std::string message_in(const Words& w) {
  for (auto marker : {"that", "saying", "says"}) {
    const auto at = std::find(w.begin(), w.end(), marker);
    if (at != w.end() && std::distance(at, w.end()) > 3) return join(w, static_cast<std::size_t>(std::distance(w.begin(), at)) + 1);
  }
  return "";
}

bool tool_ok(std::string_view output_json) {
  const auto j = nlohmann::json::parse(output_json, nullptr, false);
  return !j.is_discarded() && j.is_object() && j.value("ok", false);
}

constexpr const char* k_anything_else = " Is there anything else I can help with?";

}  // namespace reception_detail

// =============================================================================================

namespace rd = reception_detail;

Receptionist::Receptionist(const org::Profile& profile, std::vector<std::string> tools)
    : profile_(profile), tools_(std::move(tools)) {}

std::string Receptionist::greeting() const {
  if (!profile_.assistant.greeting.empty()) return profile_.assistant.greeting;
  const std::string business = profile_.organization.name.empty() ? std::string("us") : profile_.organization.name;
  return "Thank you for calling " + business + ", this is " + profile_.assistant.name + ". How can I help you today?";
}

Expecting Receptionist::expecting() const {
  switch (step_) {
    case Step::message_name: return Expecting::name;
    case Step::message_text: return Expecting::free_text;
    case Step::message_confirm: return Expecting::yes_no;
    case Step::idle: break;
  }
  return Expecting::question;
}

void Receptionist::set_tools(std::vector<std::string> tools) { tools_ = std::move(tools); }

bool Receptionist::offers(std::string_view tool) const {
  return std::find(tools_.begin(), tools_.end(), tool) != tools_.end();
}

Reply Receptionist::hear(std::string_view caller_words, std::chrono::sys_seconds now) {
  Reply reply = respond(caller_words, now);
  reply.say = rd::tidy(std::move(reply.say));
  return reply;
}

Reply Receptionist::respond(std::string_view caller_words, std::chrono::sys_seconds now) {
  aside_now_ = now;
  const rd::Words words = rd::tokenize(caller_words);
  if (words.empty() || rd::only_filler(words)) {
    if (step_ == Step::message_name) return {"Sorry, I didn't catch your name. Could you say it again?", std::nullopt};
    return {"Sorry, I didn't catch that. Could you say it again?", std::nullopt};
  }
  if (step_ != Step::idle) return continue_message(words);
  if (offer_ != Offer::none) {
    Reply r = answer_offer(words);
    if (!r.say.empty() || r.tool) return r;
    message_topic_.clear();  // the caller moved on: a later offer is about something else
  }
  offer_ = Offer::none;
  return answer(words, now);
}

Reply Receptionist::answer(const std::vector<std::string>& w, std::chrono::sys_seconds now) {
  const rd::Terms terms = rd::key_terms(w);
  if (rd::says_goodbye(w)) return goodbye();
  if (rd::wants_message(w) && !rd::asks_location(w)) return start_message("", rd::message_in(w));
  if (rd::wants_person(profile_, w)) return transfer(w, "caller asked for a person");

  const auto items = rd::items_of(profile_);
  const auto named = rd::named_items(profile_, items, terms);
  const bool price = rd::asks_price(w), duration = rd::asks_duration(w);
  if ((rd::has(w, {"cancel", "reschedule"}) ||
       (rd::has(w, {"change", "move"}) && rd::has(w, {"appointment", "booking", "reservation", "my"}))) &&
      !rd::names_policy(w))
    return booking(w);
  if (!named.empty() && (price || duration)) {
    std::string out;
    for (auto i : named) out += (out.empty() ? "" : " ") + rd::item_sentence(items[i], price, duration, false);
    last_item_ = items[named.front()].name;
    return {out, std::nullopt};
  }
  if (rd::wants_booking(w) && !rd::asks_hours(w)) return booking(w);
  if (rd::wants_booking(w) && rd::has(w, {"book", "booking", "appointment", "reserve"})) return booking(w);

  const auto faq = rd::best_faq(profile_, terms);
  if (faq && rd::strong(faq->overlap)) return {rd::ends_sentence(rd::speakable(profile_.faqs[faq->index].answer)), std::nullopt};
  if (rd::asks_hours(w) && !rd::names_policy(w))
    if (auto a = rd::hours_answer(profile_, w, now); !a.empty()) return {a, std::nullopt};
  if (rd::asks_location(w))
    if (auto a = rd::location_answer(profile_, w); !a.empty()) return {a, std::nullopt};
  if (rd::asks_add_ons(w) && !profile_.add_ons.empty()) {
    std::vector<std::string> parts;
    for (const auto& a : profile_.add_ons)
      parts.push_back(a.name + (a.price_cents == 0 ? std::string(", free") : " for " + spoken_price(a.price_cents, items.back().currency)));
    return {"We have these add-ons: " + rd::list_text(parts) + ".", std::nullopt};
  }
  if (!named.empty()) {
    std::string out;
    for (auto i : named) out += (out.empty() ? "" : " ") + rd::item_sentence(items[i], true, true, true);
    last_item_ = items[named.front()].name;
    return {out, std::nullopt};
  }
  // "how much is it?" right after talking about a service.
  if (!last_item_.empty() && (price || duration) && rd::has(w, {"it", "that", "this", "one"}))
    for (const auto& item : items)
      if (item.name == last_item_) return {rd::item_sentence(item, price, duration, false), std::nullopt};
  if ((rd::wants_list(w) || price) && !profile_.services.empty()) {
    std::vector<std::string> parts;
    for (const auto& s : profile_.services)
      parts.push_back(price ? s.name + " " + (s.price_cents == 0 ? std::string("is free") : "at " + spoken_price(s.price_cents, s.currency))
                            : s.name);
    return {std::string(price ? "Our prices: " : "We offer ") + rd::list_text(parts) + "." +
                (price ? "" : " Would you like the price of one of them?"),
            std::nullopt};
  }
  if (rd::asks_policy(w))
    if (auto a = rd::policy_answer(profile_, w); !a.empty()) return {a, std::nullopt};
  if (auto a = rd::team_answer(profile_, w); !a.empty()) return {a, std::nullopt};
  if (faq && rd::weak(faq->overlap)) return {rd::ends_sentence(rd::speakable(profile_.faqs[faq->index].answer)), std::nullopt};

  // A day on its own ("what about sunday") is a question about the hours.
  if (rd::mentions_day(w))
    if (auto a = rd::hours_answer(profile_, w, now); !a.empty()) return {a, std::nullopt};

  if (rd::has(w, {"thank", "thanks", "cheers", "appreciate"})) {
    offer_ = Offer::anything_else;
    return {"You're welcome! Is there anything else I can help with?", std::nullopt};
  }
  if (terms.empty()) {
    if (rd::has(w, {"hello", "hi", "hey"}) || rd::has_phrase(w, {"good morning", "good afternoon", "good evening"}))
      return {"Hi! How can I help you today?", std::nullopt};
    if (auto yes = rd::yes_or_no(w)) {
      if (*yes) return {"Sure, what can I help you with?", std::nullopt};
      offer_ = Offer::anything_else;
      return {"Okay. Is there anything else I can help with?", std::nullopt};
    }
  }
  return unknown(w);
}

Reply Receptionist::answer_offer(const std::vector<std::string>& w) {
  const Offer offer = offer_;
  // A new question, not an answer to the offer: handled as one.
  rd::Terms content = rd::key_terms(w);
  std::erase_if(content, [](const std::string& t) { return t == "messag" || t == "transfer" || t == "person" || t == "right"; });
  const bool wants_msg = rd::wants_message(w) || rd::has(w, {"message", "leave"});
  const bool wants_transfer = rd::chooses_transfer(profile_, w);
  const auto yes = rd::yes_or_no(w);
  if (!content.empty() && w.size() > 4 && !wants_msg && !wants_transfer) return {};
  if (rd::says_goodbye(w) && !(yes && *yes)) return {};
  offer_ = Offer::none;
  if ((offer == Offer::message_or_transfer || offer == Offer::message) && wants_msg)
    return start_message(message_topic_, "");
  if ((offer == Offer::message_or_transfer || offer == Offer::transfer) && wants_transfer && !wants_msg)
    return transfer(w, "caller asked for a person");
  if (!yes) {
    offer_ = offer;
    return {};
  }
  if (!*yes) {
    message_topic_.clear();
    if (offer == Offer::anything_else) return goodbye();
    offer_ = Offer::anything_else;
    return {"No problem. Is there anything else I can help with?", std::nullopt};
  }
  switch (offer) {
    case Offer::message:
    case Offer::message_or_transfer: return start_message(message_topic_, "");
    case Offer::transfer: return transfer(w, message_topic_.empty() ? "caller asked for a person" : message_topic_);
    case Offer::anything_else:
    case Offer::none: break;
  }
  return {"Sure, what can I help you with?", std::nullopt};
}

Reply Receptionist::start_message(std::string topic, std::string text) {
  if (!offers("notify_owner")) {
    if (offers("transfer_call") && !profile_.fallback_numbers.empty()) {
      offer_ = Offer::transfer;
      return {"I'm sorry, I can't take messages on this line, but I can put you through to the " +
                  profile_.fallback_numbers.front().name + ". Would you like that?",
              std::nullopt};
    }
    return {"I'm sorry, I can't take messages on this line right now. Please call back during our opening hours.",
            std::nullopt};
  }
  message_topic_ = std::move(topic);
  message_ = rd::capitalised(std::move(text));
  if (!caller_name_.empty()) return message_.empty() ? ask_for_message() : confirm_message();
  step_ = Step::message_name;
  name_asked_again_ = false;
  return {"Of course. May I have your name, please?", std::nullopt};
}

Reply Receptionist::ask_for_message() {
  step_ = Step::message_text;
  if (message_topic_.rfind("Booking", 0) == 0)
    return {"Thanks, " + caller_name_ + ". What day and time would suit you best?", std::nullopt};
  return {"Thanks, " + caller_name_ + ". What would you like me to pass on?", std::nullopt};
}

Reply Receptionist::confirm_message() {
  step_ = Step::message_confirm;
  return {"I have: " + rd::ends_sentence(message_) + " From " + caller_name_ + ". Is that right?", std::nullopt};
}

Reply Receptionist::continue_message(const std::vector<std::string>& w) {
  if (rd::cancels(w)) {
    step_ = Step::idle;
    message_.clear();
    message_topic_.clear();
    offer_ = Offer::anything_else;
    return {"No problem, I won't send anything. Is there anything else I can help with?", std::nullopt};
  }
  if ((step_ == Step::message_name || step_ == Step::message_confirm) && rd::looks_like_question(w))
    return answer_aside(w);
  switch (step_) {
    case Step::message_name: {
      if (rd::message_not_name(w) && message_.empty()) {
        // The message came first: kept, and the name asked for again.
        message_ = rd::capitalised(rd::join(w));
        return {"Got it. And may I have your name, please?", std::nullopt};
      }
      caller_name_ = rd::message_not_name(w) ? std::string() : rd::name_from(w);
      if (caller_name_.empty()) {
        // Asked twice: the message goes without a name rather than the caller being stuck here
        // (the owner's text carries their number).
        if (!name_asked_again_) {
          name_asked_again_ = true;
          return {"Sorry, could I just get your name?", std::nullopt};
        }
        caller_name_ = "Caller";
      }
      return message_.empty() ? ask_for_message() : confirm_message();
    }
    case Step::message_text:
      message_ = rd::capitalised(rd::join(w));
      return confirm_message();
    case Step::message_confirm: {
      const auto yes = rd::yes_or_no(w);
      if (!yes) return {"Sorry, shall I send that message? Please say yes or no.", std::nullopt};
      if (!*yes) {
        step_ = Step::message_text;
        return {"Sorry about that. Please tell me the message again.", std::nullopt};
      }
      step_ = Step::idle;
      const std::string text = message_topic_.empty() ? rd::ends_sentence(message_)
                                                      : message_topic_ + ": " + rd::ends_sentence(message_);
      return {"Thank you, I'll pass that on now.",
              ToolRequest{"notify_owner", {{"caller_name", caller_name_}, {"message", text}}}};
    }
    case Step::idle: break;
  }
  return {};
}

Reply Receptionist::answer_aside(const std::vector<std::string>& w) {
  const Step step = step_;
  step_ = Step::idle;
  Reply reply = answer(w, aside_now_);
  // The answer started something else (a transfer, a goodbye, a new message): the old one is dropped.
  if (reply.tool || step_ != Step::idle || offer_ != Offer::none) return reply;
  step_ = step;
  reply.say += step == Step::message_name ? " Now, for your message, may I have your name?" : " Shall I still send your message?";
  return reply;
}

Reply Receptionist::transfer(const std::vector<std::string>& w, std::string reason) {
  const auto& numbers = profile_.fallback_numbers;
  if (!offers("transfer_call") || numbers.empty())
    return cannot_help("I'm sorry, I can't put you through to anyone right now.");
  nlohmann::json arguments = {{"reason", std::move(reason)}};
  const org::FallbackNumber* target = &numbers.front();
  const rd::Terms terms = rd::key_terms(w);
  for (const auto& n : numbers) {
    const rd::Terms name = rd::key_terms(n.name);
    if (!name.empty() && rd::overlap(terms, name).recall >= 0.5) {
      target = &n;
      if (&n != &numbers.front()) arguments["target"] = n.name;
      break;
    }
  }
  return {"Of course, I'll transfer you to the " + target->name + " now.", ToolRequest{"transfer_call", std::move(arguments)}};
}

Reply Receptionist::booking(const std::vector<std::string>& w) {
  const auto items = rd::items_of(profile_);
  const auto named = rd::named_items(profile_, items, rd::key_terms(w));
  std::string service;
  if (named.size() == 1 && !items[named.front()].add_on) service = items[named.front()].name;
  if (service.empty() && !last_item_.empty() && rd::has(w, {"it", "that", "one"})) service = last_item_;

  const bool cancel = rd::has(w, {"cancel"});
  const bool reschedule = !cancel && rd::has(w, {"reschedule", "change", "move"});
  const char* link_tool = cancel ? "send_cancellation_link" : reschedule ? "send_reschedule_link" : "send_booking_link";
  if (offers(link_tool)) {
    nlohmann::json arguments = nlohmann::json::object();
    if (!service.empty() && !cancel && !reschedule) arguments["service"] = service;
    if (!caller_name_.empty()) arguments["customer_name"] = caller_name_;
    const std::string what = cancel ? "a link to cancel your appointment"
                             : reschedule ? "a link to reschedule your appointment"
                                          : "the booking link" + (service.empty() ? std::string() : " for " + service);
    return {"Sure, I'll text you " + what + " now.", ToolRequest{link_tool, std::move(arguments)}};
  }
  const std::string what = cancel ? "Cancellation request" : reschedule ? "Reschedule request"
                                                             : "Booking request" + (service.empty() ? std::string() : " for " + service);
  const std::string apology = cancel || reschedule ? "I can't change appointments on this line myself."
                                                   : "I can't book appointments on this line myself.";
  message_topic_ = what;
  if (offers("notify_owner")) {
    offer_ = Offer::message;
    return {apology + " I can take a message and the team will call you back" + (cancel || reschedule ? "" : " to book") +
                ". Would you like that?",
            std::nullopt};
  }
  return cannot_help("I'm sorry, " + rd::lower_first(apology));
}

Reply Receptionist::cannot_help(std::string apology) {
  const bool message = offers("notify_owner");
  const bool person = offers("transfer_call") && !profile_.fallback_numbers.empty();
  if (message && person) {
    offer_ = Offer::message_or_transfer;
    return {apology + " I can take a message for the team, or put you through to the " +
                profile_.fallback_numbers.front().name + ". Which would you prefer?",
            std::nullopt};
  }
  if (message) {
    offer_ = Offer::message;
    return {apology + " Would you like me to take a message so someone can get back to you?", std::nullopt};
  }
  if (person) {
    offer_ = Offer::transfer;
    return {apology + " Would you like me to put you through to the " + profile_.fallback_numbers.front().name + "?",
            std::nullopt};
  }
  return {apology + (profile_.organization.website.empty() ? "" : " You'll find more on our website."), std::nullopt};
}

Reply Receptionist::unknown(const std::vector<std::string>& w) {
  const rd::Terms terms = rd::key_terms(w);
  // A lone letter or two is a recogniser's mishearing, not a question worth a search.
  if (offers("query_knowledge") && std::any_of(terms.begin(), terms.end(), [](const std::string& t) { return t.size() >= 3; })) {
    last_question_ = rd::join(w);
    return {"Let me check that for you.", ToolRequest{"query_knowledge", {{"question", last_question_}}}};
  }
  return cannot_help("I'm sorry, I don't know the answer to that.");
}

Reply Receptionist::goodbye() {
  offer_ = Offer::none;
  std::string say = "Thank you for calling" + (profile_.organization.name.empty() ? std::string() : " " + profile_.organization.name) +
                    ". Goodbye!";
  if (!offers("end_call")) return {say, std::nullopt};
  return {std::move(say), ToolRequest{"end_call", {{"reason", "caller said goodbye"}}}};
}

Reply Receptionist::after_message_sent(bool ok) {
  message_.clear();
  message_topic_.clear();
  if (ok) {
    offer_ = Offer::anything_else;
    return {"Your message has been passed on, and someone will get back to you soon." + std::string(rd::k_anything_else),
            std::nullopt};
  }
  if (offers("transfer_call") && !profile_.fallback_numbers.empty()) {
    offer_ = Offer::transfer;
    return {"I'm sorry, I couldn't pass your message on just now. Would you like me to put you through to the " +
                profile_.fallback_numbers.front().name + " instead?",
            std::nullopt};
  }
  return {"I'm sorry, I couldn't pass your message on just now. Please try calling again a little later.", std::nullopt};
}

Reply Receptionist::after_knowledge(std::string_view output_json) {
  const auto j = nlohmann::json::parse(output_json, nullptr, false);
  const rd::Terms question = rd::key_terms(last_question_);
  std::string best;
  int best_matched = 0;
  if (!j.is_discarded() && j.is_object() && j.value("ok", false) && j.contains("passages") && j["passages"].is_array()) {
    for (const auto& passage : j["passages"]) {
      if (!passage.is_object() || !passage.contains("text") || !passage["text"].is_string()) continue;
      const std::string text = passage["text"].get<std::string>();
      std::string context = text;
      if (passage.contains("section") && passage["section"].is_string()) context += " " + passage["section"].get<std::string>();
      const int matched = rd::overlap(question, rd::key_terms(context)).matched;
      if (matched > best_matched) {
        best_matched = matched;
        best = text;
      }
    }
  }
  if (best.empty()) return cannot_help("I'm sorry, I don't have an answer to that.");
  std::string spoken = rd::speakable(rd::without_link_sentences(best));
  // The tool cuts long passages with " …": end where a sentence ends instead.
  if (const auto cut = spoken.find("\xE2\x80\xA6"); cut != std::string::npos) spoken = spoken.substr(0, cut);
  return {rd::ends_sentence(rd::first_sentences(spoken, 300)), std::nullopt};
}

Reply Receptionist::tool_result(std::string_view tool_name, std::string_view output_json) {
  const bool ok = rd::tool_ok(output_json);
  if (tool_name == "notify_owner") return after_message_sent(ok);
  if (tool_name == "query_knowledge") return after_knowledge(output_json);
  if (tool_name == "end_call") return {};
  if (tool_name == "transfer_call") {
    if (ok) return {};
    return cannot_help("I'm sorry, I couldn't reach anyone just now.");
  }
  if (tool_name == "send_booking_link" || tool_name == "send_reschedule_link" || tool_name == "send_cancellation_link") {
    if (ok) {
      offer_ = Offer::anything_else;
      message_topic_.clear();
      return {"Done, I've texted you the link; it should arrive within a minute." + std::string(rd::k_anything_else),
              std::nullopt};
    }
    if (message_topic_.empty()) message_topic_ = tool_name == "send_booking_link" ? "Booking request" : "Appointment change";
    return cannot_help("I'm sorry, I couldn't send the text just now.");
  }
  if (ok) return {};
  return {"I'm sorry, something went wrong on my side." + std::string(rd::k_anything_else), std::nullopt};
}

}  // namespace sonoria::engine::local
