#include "core/engine/local/caller_phrases.hpp"
#include "core/engine/local/language_model.hpp"

#include <algorithm>

#include <array>
#include <cctype>
#include <set>

#include "core/engine/local/spoken_numbers.hpp"
#include "core/org/time_text.hpp"

namespace sonoria::engine::local {
// Named, not anonymous: the engine module compiles eight sources to a translation unit.
namespace caller_phrases_detail {

// Collects sentences once each, in the order first added.
class Phrases {
 public:
  void add(std::string_view text) {
    std::string s = phrase_text(text);
    if (!s.empty() && seen_.insert(s).second) list_.push_back(std::move(s));
  }
  // Every template with "{}" replaced by each value.
  void fill(std::initializer_list<std::string_view> templates, const std::vector<std::string>& values) {
    for (const auto& v : values)
      for (auto t : templates) {
        std::string s(t);
        if (const auto at = s.find("{}"); at != std::string::npos) s.replace(at, 2, v);
        add(s);
      }
  }
  std::vector<std::string> take() { return std::move(list_); }

 private:
  std::set<std::string> seen_;
  std::vector<std::string> list_;
};

constexpr std::array<std::string_view, 12> k_months = {"january", "february", "march",     "april",   "may",      "june",
                                                        "july",    "august",   "september", "october", "november", "december"};

std::vector<std::string> weekdays() {
  std::vector<std::string> days;
  for (int i = 0; i < 7; ++i) days.emplace_back(org::weekday_key(i));
  return days;
}

// A name as callers say it: "the first word" too ("Maya" for "Maya Chen"), titles dropped.
std::vector<std::string> name_forms(const std::string& name) {
  std::string plain = phrase_text(name);
  for (std::string_view title : {"doctor ", "mr ", "mrs ", "ms "})
    if (plain.rfind(title, 0) == 0) plain = plain.substr(title.size());
  std::vector<std::string> forms{phrase_text(name)};
  if (plain != forms.front()) forms.push_back(plain);
  if (const auto space = plain.find(' '); space != std::string::npos) forms.push_back(plain.substr(0, space));
  return forms;
}

void add_hours(Phrases& p) {
  for (auto s : {"what are your hours", "what are your opening hours", "what are your hours today", "are you open",
                 "are you open now", "are you open right now", "are you open today", "are you open tomorrow",
                 "are you still open", "when do you open", "when do you close", "what time do you open",
                 "what time do you close", "what time do you open today", "what time do you close today",
                 "what time do you open tomorrow", "when do you close today", "how late are you open",
                 "how late are you open today", "are you open this weekend", "are you open on the weekend",
                 "what are your hours this week", "what are your weekend hours", "are you open on weekdays",
                 "are you closed today", "when are you open", "are you open later today", "are you open tonight",
                 "are you open at nine", "are you open at five p m", "are you open at seven in the evening"})
    p.add(s);
  const auto days = weekdays();
  p.fill({"are you open on {}", "are you open {}", "what are your hours on {}", "what time do you open on {}",
          "what time do you close on {}", "when do you open on {}", "when do you close on {}", "are you closed on {}",
          "are you open on {}s", "are you open next {}", "what are your hours {}"},
         days);
  // Dates: each month with a few days, each day on its own and with December. A trigram model
  // joins "on june" and "june fifth" by itself; every combination (372 sentences) would outweigh
  // the rest of the model, and "open on saturday" was heard as "open on have eighth".
  std::vector<std::string> dates;
  int day = 1;
  for (auto month : k_months)
    for (int i = 0; i < 2; ++i, day = day % 28 + 1) dates.push_back(std::string(month) + " " + ordinal_words(day));
  p.fill({"are you open on {}"}, dates);
  std::vector<std::string> ordinals;
  for (int d = 1; d <= 31; d += 2) ordinals.push_back(ordinal_words(d));
  p.fill({"are you open on the {}"}, ordinals);
  std::vector<std::string> some_days;
  for (int d = 1; d <= 31; d += 3) some_days.push_back(ordinal_words(d));
  p.fill({"what are your hours on the {}", "are you open on the {} of december"}, some_days);
  const std::vector<std::string> holidays = {"christmas eve", "christmas day", "christmas", "boxing day",
                                             "new year's eve", "new year's day", "new year's", "thanksgiving",
                                             "independence day", "the fourth of july", "labor day", "memorial day",
                                             "halloween", "valentine's day"};
  p.fill({"are you open on {}", "what are your hours on {}", "are you closed on {}"}, holidays);
}

void add_location(Phrases& p, const org::Profile& profile) {
  for (auto s : {"where are you located", "what's your address", "what is your address", "where are you",
                 "how do i get there", "how do i find you", "is there parking", "where can i park",
                 "do you have parking", "is parking free", "can you give me directions", "where is the studio",
                 "where is the office", "which location is closest", "how many locations do you have",
                 "is it wheelchair accessible"})
    p.add(s);
  std::vector<std::string> names;
  for (const auto& l : profile.organization.locations)
    if (!l.name.empty()) names.push_back(phrase_text(l.name));
  p.fill({"where is the {} office", "what's the address of the {} location", "is there parking at {}",
          "is the {} location open on saturday", "i'd like to go to {}"},
         names);
  // What the business is ("Hair salon" → "where is the salon").
  std::vector<std::string> kinds;
  for (auto& w : sentence_words(phrase_text(profile.organization.industry)))
    if (w.size() > 3) kinds.push_back(w);
  p.fill({"where is the {}", "where is your {}", "how do i get to the {}"}, kinds);
}

void add_services(Phrases& p, const org::Profile& profile) {
  for (auto s : {"what services do you offer", "what do you offer", "what kind of services do you have",
                 "what are your prices", "how much do you charge", "how much does it cost", "how much is it",
                 "how long does it take", "how long is it", "do you have any add ons", "what add ons do you have",
                 "what extras do you have", "do you have a price list", "what classes do you have"})
    p.add(s);
  std::vector<std::string> names;
  for (const auto& s : profile.services) names.push_back(phrase_text(s.name));
  for (const auto& a : profile.add_ons) names.push_back(phrase_text(a.name));
  p.fill({"how much is {}", "how much is a {}", "how much does {} cost", "how much does a {} cost",
          "what's the price of {}", "how long is {}", "how long is a {}", "how long does {} take", "what is {}",
          "tell me about {}", "do you have {}", "do you offer {}", "i'd like to book {}", "i want to book a {}",
          "can i book {}", "can i get {}", "{}", "i'm interested in {}", "how much for {}"},
         names);
}

void add_team(Phrases& p, const org::Profile& profile) {
  std::vector<std::string> names;
  for (const auto& m : profile.team)
    for (const auto& form : name_forms(m.name)) names.push_back(form);
  if (!profile.organization.owner.name.empty())
    for (const auto& form : name_forms(profile.organization.owner.name)) names.push_back(form);
  p.add("who works there");
  p.add("who is the owner");
  p.add("who are your staff");
  p.fill({"can i speak to {}", "can i talk to {}", "is {} available", "is {} in today", "i'd like to book with {}",
          "who is {}", "can you tell {} i called", "does {} work on saturday"},
         names);
}

void add_booking(Phrases& p, const org::Profile& profile) {
  for (auto s : {"i'd like to book an appointment", "i want to book", "can i book an appointment",
                 "i'd like to make an appointment", "can you send me the booking link", "send me the link",
                 "can you text me the link", "how do i book", "can i book online", "i need an appointment",
                 "do you have any availability", "i'd like to reschedule my appointment", "i need to cancel my appointment",
                 "can i change my appointment", "what's your cancellation policy", "do i need to book in advance",
                 "can i book for tomorrow", "can i book for saturday", "do you take walk ins"})
    p.add(s);
  for (const auto& policy : profile.booking.policies) p.add(policy);
}

void add_conversation(Phrases& p) {
  for (auto s : {"hello", "hi", "hi there", "good morning", "good afternoon", "good evening", "can you hear me",
                 "yes", "yeah", "yes please", "yep", "sure", "okay", "ok", "correct", "that's right", "that's correct",
                 "no", "nope", "no thanks", "no thank you", "not quite", "that's wrong", "thank you", "thanks",
                 "thanks a lot", "thank you very much", "that's all", "that's it", "that's all thank you",
                 "no that's it", "no that's all", "nothing else", "bye", "goodbye", "thank you goodbye", "thanks bye",
                 "have a nice day", "i'm all set", "can i leave a message", "i'd like to leave a message",
                 "can you take a message", "please have someone call me back", "can someone call me back",
                 "tell the owner i called", "please pass on a message", "can i speak to a person",
                 "can i speak to someone", "can i talk to someone", "i want to speak to a real person",
                 "can i speak to the owner", "can i speak to the manager", "transfer me", "please transfer me",
                 "operator", "can you put me through", "never mind", "forget it", "sorry", "what", "pardon",
                 "can you repeat that", "say that again", "i have a question", "i have a few questions",
                 "a message please", "transfer please"})
    p.add(s);
}

// Add-ons callers ask for by the thing, not the name: "Mat rental" → "do you rent mats".
void add_add_on_things(Phrases& p, const org::Profile& profile) {
  static const std::vector<std::string> k_not_things = {"rental", "rent", "hire", "treatment", "take", "home", "extra",
                                                         "add", "on", "and", "the", "a", "of", "for", "with"};
  std::vector<std::string> things;
  for (const auto& a : profile.add_ons)
    for (auto& w : sentence_words(phrase_text(a.name)))
      if (w.size() > 2 && std::find(k_not_things.begin(), k_not_things.end(), w) == k_not_things.end()) things.push_back(w);
  p.fill({"do you rent {}s", "can i rent a {}", "do you have {}s", "do i need to bring a {}", "do you sell {}s"}, things);
}

// What a caller says when asked for their name: common first names, so that the recogniser has
// them (a name it has no words for comes out as other words).
void add_caller_names(Phrases& p) {
  static constexpr std::string_view k_names[] = {
      "james", "john", "robert", "michael", "william", "david", "richard", "joseph", "thomas", "charles", "daniel",
      "matthew", "anthony", "mark", "paul", "steven", "andrew", "joshua", "kevin", "brian", "george", "edward",
      "ryan", "jacob", "gary", "eric", "jonathan", "stephen", "larry", "justin", "scott", "frank", "brandon",
      "benjamin", "samuel", "gregory", "alexander", "patrick", "jack", "dennis", "jerry", "tyler", "aaron", "jose",
      "adam", "henry", "nathan", "peter", "kyle", "noah", "ethan", "liam", "lucas", "oliver", "carlos", "luis",
      "juan", "omar", "ali", "sam", "alex", "chris", "mary", "patricia", "jennifer", "linda", "elizabeth",
      "barbara", "susan", "jessica", "sarah", "karen", "lisa", "nancy", "betty", "margaret", "sandra", "ashley",
      "kimberly", "emily", "donna", "michelle", "carol", "amanda", "dorothy", "melissa", "deborah", "stephanie",
      "rebecca", "sharon", "laura", "cynthia", "kathleen", "amy", "angela", "shirley", "anna", "brenda", "pamela",
      "emma", "nicole", "helen", "samantha", "katherine", "christine", "debra", "rachel", "carolyn", "janet",
      "catherine", "maria", "heather", "diane", "julie", "olivia", "sophia", "ava", "mia", "grace", "chloe",
      "hannah", "natalie", "rose", "lily", "sofia", "lucy", "anne", "jane", "kate", "claire", "julia", "alice"};
  std::vector<std::string> names(std::begin(k_names), std::end(k_names));
  p.fill({"my name is {}", "{}", "it's {}", "this is {}"}, names);
}

// The reason a caller leaves a message: "please call me back about my membership".
void add_messages(Phrases& p) {
  static constexpr std::string_view k_topics[] = {
      "my membership", "my appointment", "my booking", "my bill", "my invoice", "a refund", "my payment",
      "my account", "my order", "my class", "my session", "my schedule", "a gift card", "a complaint",
      "my insurance", "my policy", "a claim", "my claim", "a quote", "my results", "my prescription", "my treatment",
      "a job", "a delivery", "the price", "a private session", "a group booking", "my card", "my visit",
      "my last visit", "my cancellation", "my reservation", "my package", "my pass"};
  std::vector<std::string> topics(std::begin(k_topics), std::end(k_topics));
  p.fill({"please call me back about {}", "i'm calling about {}", "it's about {}", "i have a question about {}",
          "please call me about {}", "tell them it's about {}", "i need to talk to someone about {}"},
         topics);
  for (auto s : {"please call me back", "please call me back today", "please call me back tomorrow",
                 "please give me a call back", "just ask them to call me", "call me back as soon as possible",
                 "i'll be running late", "i need to cancel", "i need to reschedule", "my number is the one i'm calling from"})
    p.add(s);
}

void add_transfer_targets(Phrases& p, const org::Profile& profile) {
  std::vector<std::string> names;
  for (const auto& n : profile.fallback_numbers) names.push_back(phrase_text(n.name));
  p.fill({"can i speak to the {}", "transfer me to the {}", "put me through to the {}", "the {} please"}, names);
}

}  // namespace caller_phrases_detail

std::string phrase_text(std::string_view text) {
  std::string spelled = spell_out_numbers(text);
  std::string out;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && word.back() == '\'') word.pop_back();
    while (!word.empty() && word.front() == '\'') word.erase(0, 1);
    if (word == "dr") word = "doctor";
    if (!word.empty()) out += (out.empty() ? "" : " ") + word;
    word.clear();
  };
  for (std::size_t i = 0; i < spelled.size(); ++i) {
    const auto c = static_cast<unsigned char>(spelled[i]);
    if (std::isalpha(c)) {
      word += static_cast<char>(std::tolower(c));
    } else if (c == '\'' || (c == 0xE2 && spelled.compare(i, 3, "\xE2\x80\x99") == 0)) {
      word += '\'';
      if (c == 0xE2) i += 2;
    } else if (c == '&') {
      flush();
      word = "and";
      flush();
    } else if (c == '%') {
      flush();
      word = "percent";
      flush();
    } else {
      flush();
    }
  }
  flush();
  return out;
}

std::vector<std::string> caller_phrases(const org::Profile& profile) {
  namespace d = caller_phrases_detail;
  d::Phrases p;
  for (const auto& faq : profile.faqs) p.add(faq.question);
  d::add_conversation(p);
  d::add_hours(p);
  d::add_location(p, profile);
  d::add_services(p, profile);
  d::add_team(p, profile);
  d::add_booking(p, profile);
  d::add_transfer_targets(p, profile);
  d::add_add_on_things(p, profile);
  d::add_caller_names(p);
  d::add_messages(p);
  return p.take();
}

}  // namespace sonoria::engine::local
