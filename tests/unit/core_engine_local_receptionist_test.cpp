#include "core/engine/local/receptionist.hpp"

#include <doctest/doctest.h>

#include <map>

#include "core/org/profile_toml.hpp"
#include "core/org/tool_names.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::engine::local;
using namespace std::chrono;

namespace receptionist_test {

const org::Profile& example(const std::string& name) {
  static std::map<std::string, org::Profile> cache;
  auto it = cache.find(name);
  if (it == cache.end())
    it = cache.emplace(name, org::load_profile_file(sonoria::test::source_dir() / "examples" / (name + ".toml"))).first;
  return it->second;
}

// A wall-clock time in a zone `utc_offset` hours from UTC, as an instant.
sys_seconds at(int y, unsigned mo, unsigned d, int h, int mi, int utc_offset) {
  return sys_days{year_month_day{year{y}, month{mo}, day{d}}} + hours{h - utc_offset} + minutes{mi};
}

// New York: Monday 2026-03-09 10:00 EDT (the yoga studio is open until noon).
const sys_seconds k_monday_morning = at(2026, 3, 9, 10, 0, -4);
// New York: Monday 2026-12-21 15:00 EST, the week of the yoga studio's holiday break.
const sys_seconds k_before_christmas = at(2026, 12, 21, 15, 0, -5);

std::vector<std::string> all_tools() { return {org::k_builtin_tools.begin(), org::k_builtin_tools.end()}; }

std::vector<std::string> all_but(const std::string& tool) {
  auto tools = all_tools();
  std::erase(tools, tool);
  return tools;
}

std::string says(Receptionist& r, const std::string& words, sys_seconds now = k_monday_morning) {
  const Reply reply = r.hear(words, now);
  CHECK_FALSE(reply.tool);
  return reply.say;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A small business written in code: one location, two services, no FAQs.
org::Profile corner_shop() {
  org::Profile p;
  p.organization.name = "Corner Bikes";
  p.organization.timezone = "UTC";
  p.assistant.name = "Robin";
  p.organization.locations.push_back({"", "5 Mill Lane, Bristol", "", "Ring the bell at the side door.", std::nullopt, ""});
  p.services.push_back({"Puncture repair", 30, 1500, "USD", "Tube or tubeless."});
  p.services.push_back({"Full service", 120, 9000, "USD", "Gears, brakes and bearings."});
  for (int d = 0; d < 5; ++d) p.hours.days[d] = {{9 * 60, 17 * 60 + 30}};
  return p;
}

}  // namespace receptionist_test

using receptionist_test::all_but;
using receptionist_test::all_tools;
using receptionist_test::contains;
using receptionist_test::example;
using receptionist_test::k_before_christmas;
using receptionist_test::k_monday_morning;
using receptionist_test::says;

// ----------------------------------------------------------------------------- greeting

TEST_CASE("the greeting is the profile's, or one made from the business's and assistant's names") {
  Receptionist yoga(example("yoga-studio"), all_tools());
  CHECK(yoga.greeting() == example("yoga-studio").assistant.greeting);
  Receptionist shop(receptionist_test::corner_shop(), all_tools());
  CHECK(shop.greeting() == "Thank you for calling Corner Bikes, this is Robin. How can I help you today?");
}

// ----------------------------------------------------------------------------- hours

TEST_CASE("caller asks if open on saturday: the hours for saturday") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open on saturday") == "Yes, we're open on Saturday from 8 a.m. to 2 p.m.");
}

TEST_CASE("caller asks if open now while open: until when, and the later opening") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open now") == "Yes, we're open now until noon today, and again from 4 p.m. to 9 p.m.");
}

TEST_CASE("caller asks if open now between openings: closed, and when it opens again") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open right now", receptionist_test::at(2026, 3, 9, 13, 0, -4)) ==
        "We're closed right now, and open again today from 4 p.m. to 9 p.m.");
}

TEST_CASE("caller asks after closing time: closed for today, open again tomorrow") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open", receptionist_test::at(2026, 3, 9, 22, 0, -4)) ==
        "We've closed for today. We open again tomorrow at 7 a.m.");
}

TEST_CASE("closure on christmas eve: says closed, the reason, and the next opening (days within the week by name)") {
  Receptionist r(example("yoga-studio"), all_tools());
  const std::string expected = "No, we're closed on Thursday for holiday break. We open again on Sunday at 9 a.m.";
  SUBCASE("by holiday name") { CHECK(says(r, "are you open on christmas eve", k_before_christmas) == expected); }
  SUBCASE("by month and ordinal") { CHECK(says(r, "are you open on december twenty fourth", k_before_christmas) == expected); }
  SUBCASE("by ordinal alone") { CHECK(says(r, "are you open on the twenty fourth", k_before_christmas) == expected); }
  SUBCASE("by ordinal and month") { CHECK(says(r, "what about the twenty fourth of december are you open", k_before_christmas) == expected); }
}

TEST_CASE("christmas day and a closure with a proper name keep the reason's capitals") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(contains(says(r, "are you open on christmas day", k_before_christmas), "No, we're closed on Friday for holiday break."));
  CHECK(says(r, "are you open on the fourth of july", receptionist_test::at(2026, 6, 29, 12, 0, -4)) ==
        "No, we're closed on Saturday for Independence Day. We open again on Sunday at 9 a.m.");
}

TEST_CASE("new year's day is read as january first, next year when it has passed") {
  Receptionist r(example("dental-clinic"), all_tools());
  CHECK(contains(says(r, "are you open on new year's day", receptionist_test::at(2026, 12, 21, 10, 0, -6)),
                 "closed on Friday, January 1 for winter holidays"));
}

TEST_CASE("a day with no hours is closed every week") {
  Receptionist r(example("hair-salon"), all_tools());
  CHECK(says(r, "are you open on sunday", receptionist_test::at(2026, 3, 9, 10, 0, -6)) == "No, we're closed on Sundays.");
  CHECK(says(r, "are you closed on sunday", receptionist_test::at(2026, 3, 9, 10, 0, -6)) == "Yes, we're closed on Sundays.");
}

TEST_CASE("caller asks what time the doors open or close on a day") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "what time do you open on saturday") == "We open on Saturday at 8 a.m., and close at 2 p.m.");
  CHECK(says(r, "when do you close on sunday") == "We close on Sunday at 1 p.m.");
  CHECK(says(r, "when do you close today") == "We close at noon today, then open again from 4 p.m. to 9 p.m.");
  CHECK(says(r, "are you open tomorrow") == "Yes, we're open tomorrow from 7 a.m. to noon and from 4 p.m. to 9 p.m.");
}

TEST_CASE("caller asks about a time of day: yes or no with the day's hours") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open at seven p m on friday") == "Yes, we're open on Friday from 7 a.m. to noon and from 4 p.m. to 8 p.m.");
  CHECK(says(r, "are you open on saturday at four in the afternoon") == "No, we're open on Saturday from 8 a.m. to 2 p.m.");
}

TEST_CASE("caller asks for the hours: the week grouped, closed days, and a closure coming up") {
  Receptionist r(example("yoga-studio"), all_tools());
  const std::string week = says(r, "what are your hours");
  CHECK(week == "We're open Monday to Thursday from 7 a.m. to noon and from 4 p.m. to 9 p.m., Friday from 7 a.m. to noon "
                "and from 4 p.m. to 8 p.m., Saturday from 8 a.m. to 2 p.m. and Sunday from 9 a.m. to 1 p.m.");
  CHECK(contains(says(r, "what are your opening hours", k_before_christmas),
                 "Please note we're closed from December 24 to December 26 for holiday break."));
  Receptionist hair(example("hair-salon"), all_tools());
  CHECK(contains(says(hair, "what are your hours"), "We're closed on Mondays and Sundays."));
}

TEST_CASE("the weekend means saturday and sunday") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open this weekend") ==
        "Yes, we're open on Saturday from 8 a.m. to 2 p.m. Yes, we're open on Sunday from 9 a.m. to 1 p.m.");
}

TEST_CASE("hours survive words the recogniser dropped") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "what time you open saturday") == "We open on Saturday at 8 a.m., and close at 2 p.m.");
  CHECK(says(r, "open saturdays") == "Yes, we're open on Saturday from 8 a.m. to 2 p.m.");
}

TEST_CASE("a profile whose time zone is unknown gets an honest answer, not an exception") {
  org::Profile p = receptionist_test::corner_shop();
  p.organization.timezone = "Mars/Olympus";
  Receptionist r(p, {"notify_owner"});
  CHECK(contains(says(r, "are you open today"), "I'm sorry"));
}

// ----------------------------------------------------------------------------- location

TEST_CASE("caller asks where the business is: the address and the location's notes") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "where are you located") ==
        "We're at 214 Elm Street, Second Floor, Springfield. Entrance next to the bakery; free street parking after 6 pm.");
}

TEST_CASE("several locations: all of them, or the one the caller named") {
  Receptionist r(example("dental-clinic"), all_tools());
  CHECK(says(r, "what's your address") ==
        "We have two locations: Downtown, at 500 Lake Avenue, Suite 210, Chicago; and Oak Park, at 88 Harlem Street, Oak Park.");
  CHECK(says(r, "where is the oak park office") ==
        "Our Oak Park office is at 88 Harlem Street, Oak Park. Open on Saturdays; wheelchair accessible from the rear entrance.");
}

TEST_CASE("parking: the FAQ when there is one, else the location notes that mention it") {
  Receptionist yoga(example("yoga-studio"), all_tools());
  CHECK(says(yoga, "is there parking") == example("yoga-studio").faqs[2].answer);
  Receptionist hair(example("hair-salon"), all_tools());
  CHECK(contains(says(hair, "where can i park"), "Two-hour parking on Pearl Street"));
}

// ----------------------------------------------------------------------------- services

TEST_CASE("caller asks the price of a service") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "how much is a private session") == "Private session is $85.");
  CHECK(says(r, "how much does the beginner series cost") == "Beginner series is $99.50.");
}

TEST_CASE("caller asks how long a service takes") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "how long is hot yoga") == "Hot yoga takes 75 minutes.");
  CHECK(says(r, "how long is a private session and how much") == "Private session takes an hour and costs $85.");
}

TEST_CASE("service names match on their significant words despite recogniser errors") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "how much for the beginners serious") == "Beginner series is $99.50.");
  CHECK(says(r, "how much is a yoga class") == "Drop-in class is $25.");
  Receptionist dental(example("dental-clinic"), all_tools());
  CHECK(says(dental, "how much is a cleaning") == "Check-up and cleaning is $140.");
}

TEST_CASE("a word several services share names them all") {
  Receptionist r(example("dental-clinic"), all_tools());
  CHECK(says(r, "how much is whitening") == "Teeth whitening is $349.99. Take-home whitening trays are $119.50.");
}

TEST_CASE("a free service is said to be free") {
  Receptionist r(example("hair-salon"), all_tools());
  CHECK(says(r, "how much is a colour consultation") == "Colour consultation is free.");
}

TEST_CASE("a service named without a question gets its length, price and description") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "tell me about hot yoga") ==
        "Hot yoga takes 75 minutes and costs $28. Heated room at 95 degrees; bring water and a towel.");
}

TEST_CASE("how much is it after a service was discussed refers to that service") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "tell me about the private session");
  CHECK(says(r, "and how much is it") == "Private session is $85.");
}

TEST_CASE("caller asks what services there are, or the prices") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "what services do you offer") ==
        "We offer Drop-in class, Hot yoga, Beginner series and Private session. Would you like the price of one of them?");
  CHECK(says(r, "what are your prices") ==
        "Our prices: Drop-in class at $25, Hot yoga at $28, Beginner series at $99.50 and Private session at $85.");
}

TEST_CASE("caller asks about add-ons") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "do you have any add ons") == "We have these add-ons: Mat rental for $3, Towel for $2 and Aromatherapy for $5.50.");
  CHECK(says(r, "how much is the mat rental") == "Mat rental is $3.");
}

// ----------------------------------------------------------------------------- FAQs, policies, team

TEST_CASE("caller asks an FAQ in their own words: the FAQ's answer") {
  const auto& p = example("yoga-studio");
  Receptionist r(p, all_tools());
  CHECK(says(r, "what should i bring") == p.faqs[1].answer);
  CHECK(says(r, "can i bring my kids") == p.faqs[3].answer);
  CHECK(says(r, "i've never done yoga which class should i take") == p.faqs[0].answer);
  Receptionist hair(example("hair-salon"), all_tools());
  CHECK(says(hair, "do you take walk ins") == example("hair-salon").faqs[0].answer);
  Receptionist dental(example("dental-clinic"), all_tools());
  CHECK(says(dental, "do you accept my insurance") == example("dental-clinic").faqs[1].answer);
}

TEST_CASE("an FAQ that merely mentions a day does not hide the hours") {
  Receptionist r(example("dental-clinic"), all_tools());
  CHECK(contains(says(r, "are you open on saturday", receptionist_test::at(2026, 3, 9, 10, 0, -5)), "9 a.m. to 1 p.m."));
  CHECK(says(r, "which location is open on saturday") == example("dental-clinic").faqs[2].answer);
}

TEST_CASE("caller asks about the cancellation policy: the matching booking policy") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "what is your cancellation policy") == "Late cancellations, under 12 hours, and no-shows use up the class.");
}

TEST_CASE("caller asks about a team member or the team") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "who is luis") == "Luis Ortega is our teacher. Hot yoga and strength-focused flow.");
  CHECK(says(r, "who are your teachers") == "Our team is Maya Chen, owner and lead teacher, and Luis Ortega, teacher.");
}

// ----------------------------------------------------------------------------- unknown and knowledge

TEST_CASE("unknown question with query_knowledge: searches, then reads the best passage") {
  Receptionist r(example("yoga-studio"), all_tools());
  const Reply reply = r.hear("do you sell gift cards", k_monday_morning);
  REQUIRE(reply.tool);
  CHECK(reply.tool->name == "query_knowledge");
  CHECK(reply.tool->arguments == nlohmann::json{{"question", "do you sell gift cards"}});
  const std::string result = R"({"ok":true,"question":"do you sell gift cards","passages":[
      {"source":"Studio handbook","section":"Showers","text":"Showers are on the second floor."},
      {"source":"Studio handbook","section":"Gift cards","text":"**Gift cards** are sold at the front desk in any amount. See https://lotusyoga.example/gift for details. They never expire."}]})";
  CHECK(r.tool_result("query_knowledge", result).say == "Gift cards are sold at the front desk in any amount. They never expire.");
}

TEST_CASE("knowledge search finds nothing: honest, and offers a message or a transfer") {
  Receptionist r(example("yoga-studio"), all_tools());
  r.hear("do you sell gift cards", k_monday_morning);
  const Reply reply = r.tool_result("query_knowledge", R"({"ok":true,"question":"x","passages":[],"note":"Nothing"})");
  CHECK(reply.say ==
        "I'm sorry, I don't have an answer to that. I can take a message for the team, or put you through to the front desk. "
        "Which would you prefer?");
  CHECK_FALSE(reply.tool);
  const Reply choice = r.hear("take a message please", k_monday_morning);
  CHECK(choice.say == "Of course. May I have your name, please?");
  CHECK(r.expecting() == Expecting::name);
}

TEST_CASE("unknown question without query_knowledge: honest, and offers what it can") {
  SUBCASE("message and transfer") {
    Receptionist r(example("yoga-studio"), all_but("query_knowledge"));
    CHECK(says(r, "do you sell gift cards") ==
          "I'm sorry, I don't know the answer to that. I can take a message for the team, or put you through to the front "
          "desk. Which would you prefer?");
    const Reply transfer = r.hear("put me through", k_monday_morning);
    REQUIRE(transfer.tool);
    CHECK(transfer.tool->name == "transfer_call");
  }
  SUBCASE("nothing to offer") {
    Receptionist r(receptionist_test::corner_shop(), {"end_call"});
    CHECK(says(r, "do you sell gift cards") == "I'm sorry, I don't know the answer to that.");
  }
}

// ----------------------------------------------------------------------------- booking

TEST_CASE("booking with a link: texts the booking link for the service named, then confirms") {
  Receptionist r(example("yoga-studio"), all_tools());
  const Reply reply = r.hear("i'd like to book a private session", k_monday_morning);
  CHECK(reply.say == "Sure, I'll text you the booking link for Private session now.");
  REQUIRE(reply.tool);
  CHECK(reply.tool->name == "send_booking_link");
  CHECK(reply.tool->arguments == nlohmann::json{{"service", "Private session"}});
  CHECK(r.tool_result("send_booking_link", R"({"ok":true,"status":"sent"})").say ==
        "Done, I've texted you the link; it should arrive within a minute. Is there anything else I can help with?");
}

TEST_CASE("booking link that cannot be sent: says so and offers another way") {
  Receptionist r(example("yoga-studio"), all_tools());
  r.hear("can i book a class", k_monday_morning);
  const Reply reply = r.tool_result("send_booking_link", R"({"ok":false,"error":"The text could not be sent"})");
  CHECK(contains(reply.say, "I'm sorry, I couldn't send the text just now."));
  CHECK(contains(reply.say, "take a message"));
}

TEST_CASE("booking without a link tool (built-in book): offers a message, then takes a booking request") {
  Receptionist r(example("physio-clinic"), all_but("send_booking_link"));
  CHECK(says(r, "i'd like to book a sports massage") ==
        "I can't book appointments on this line myself. I can take a message and the team will call you back to book. "
        "Would you like that?");
  CHECK(says(r, "yes please") == "Of course. May I have your name, please?");
  CHECK(says(r, "my name is jane doe") == "Thanks, Jane Doe. What day and time would suit you best?");
  CHECK(r.expecting() == Expecting::free_text);
  CHECK(says(r, "tuesday morning if possible") == "I have: Tuesday morning if possible. From Jane Doe. Is that right?");
  const Reply send = r.hear("yes", k_monday_morning);
  REQUIRE(send.tool);
  CHECK(send.tool->name == "notify_owner");
  CHECK(send.tool->arguments ==
        nlohmann::json{{"caller_name", "Jane Doe"}, {"message", "Booking request for Sports massage: Tuesday morning if possible."}});
}

TEST_CASE("cancelling an appointment texts the cancellation link when offered") {
  Receptionist r(example("yoga-studio"), all_tools());
  const Reply reply = r.hear("i need to cancel my appointment", k_monday_morning);
  REQUIRE(reply.tool);
  CHECK(reply.tool->name == "send_cancellation_link");
  CHECK(reply.say == "Sure, I'll text you a link to cancel your appointment now.");
}

// ----------------------------------------------------------------------------- messages

TEST_CASE("message taking: name, message, read back, yes, notify_owner with both") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "can i leave a message") == "Of course. May I have your name, please?");
  CHECK(r.expecting() == Expecting::name);
  CHECK(says(r, "it's john smith") == "Thanks, John Smith. What would you like me to pass on?");
  CHECK(r.expecting() == Expecting::free_text);
  CHECK(says(r, "please call me about the teacher training") ==
        "I have: Please call me about the teacher training. From John Smith. Is that right?");
  CHECK(r.expecting() == Expecting::yes_no);
  const Reply send = r.hear("yes that's right", k_monday_morning);
  CHECK(send.say == "Thank you, I'll pass that on now.");
  REQUIRE(send.tool);
  CHECK(send.tool->name == "notify_owner");
  CHECK(send.tool->arguments ==
        nlohmann::json{{"caller_name", "John Smith"}, {"message", "Please call me about the teacher training."}});
  CHECK(r.expecting() == Expecting::question);
  CHECK(r.tool_result("notify_owner", R"({"ok":true,"status":"sent"})").say ==
        "Your message has been passed on, and someone will get back to you soon. Is there anything else I can help with?");
}

TEST_CASE("message taking: the message said where the name was asked is kept, and the name asked again") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can i leave a message");
  CHECK(says(r, "please call me back about my membership") == "Got it. And may I have your name, please?");
  CHECK(says(r, "my name is sarah") == "I have: Please call me back about my membership. From Sarah. Is that right?");
  const Reply send = r.hear("yes", k_monday_morning);
  REQUIRE(send.tool);
  CHECK(send.tool->arguments["caller_name"] == "Sarah");
}

TEST_CASE("message taking: a name not made out twice does not keep the caller in the name step") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can i leave a message");
  CHECK(says(r, "yes") == "Sorry, could I just get your name?");  // words, but no name in them
  CHECK(says(r, "okay") == "Thanks, Caller. What would you like me to pass on?");
}

TEST_CASE("message taking: no at the read-back asks for the message again") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "i'd like to leave a message");
  says(r, "anna");
  says(r, "call me tomorrow");
  CHECK(says(r, "no") == "Sorry about that. Please tell me the message again.");
  CHECK(r.expecting() == Expecting::free_text);
  CHECK(says(r, "call me on friday") == "I have: Call me on friday. From Anna. Is that right?");
  const Reply send = r.hear("correct", k_monday_morning);
  REQUIRE(send.tool);
  CHECK(send.tool->arguments["message"] == "Call me on friday.");
}

TEST_CASE("message taking: an unclear answer at the read-back asks for yes or no") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can i leave a message");
  says(r, "anna");
  says(r, "call me");
  CHECK(says(r, "hmm what") == "Sorry, shall I send that message? Please say yes or no.");
  CHECK(r.expecting() == Expecting::yes_no);
}

TEST_CASE("message said with the request skips asking for it") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "please tell the owner that i will be late for my class") == "Of course. May I have your name, please?");
  CHECK(says(r, "this is li") == "I have: I will be late for my class. From Li. Is that right?");
}

TEST_CASE("message taking can be abandoned") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can i leave a message");
  CHECK(says(r, "never mind") == "No problem, I won't send anything. Is there anything else I can help with?");
  CHECK(r.expecting() == Expecting::question);
}

TEST_CASE("a message that could not be passed on is admitted, and a transfer offered") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can i leave a message");
  says(r, "anna");
  says(r, "call me");
  r.hear("yes", k_monday_morning);
  CHECK(r.tool_result("notify_owner", R"({"ok":false,"error":"no"})").say ==
        "I'm sorry, I couldn't pass your message on just now. Would you like me to put you through to the front desk instead?");
}

TEST_CASE("without notify_owner no message is taken") {
  Receptionist r(example("yoga-studio"), all_but("notify_owner"));
  CHECK(says(r, "can i leave a message") ==
        "I'm sorry, I can't take messages on this line, but I can put you through to the front desk. Would you like that?");
  const Reply yes = r.hear("yes please", k_monday_morning);
  REQUIRE(yes.tool);
  CHECK(yes.tool->name == "transfer_call");
}

// ----------------------------------------------------------------------------- transfer

TEST_CASE("caller asks for a person: transfer_call with a reason") {
  for (const char* words : {"can i speak to a person", "can i talk to someone", "transfer me please", "operator",
                            "i want to speak to the owner", "can i speak to maya"}) {
    CAPTURE(words);
    Receptionist r(example("yoga-studio"), all_tools());
    const Reply reply = r.hear(words, k_monday_morning);
    CHECK(reply.say == "Of course, I'll transfer you to the front desk now.");
    REQUIRE(reply.tool);
    CHECK(reply.tool->name == "transfer_call");
    CHECK(reply.tool->arguments == nlohmann::json{{"reason", "caller asked for a person"}});
  }
}

TEST_CASE("caller names a fallback number: transferred there") {
  Receptionist r(example("dental-clinic"), all_tools());
  const Reply reply = r.hear("transfer me to the emergency line", k_monday_morning);
  REQUIRE(reply.tool);
  CHECK(reply.tool->arguments["target"] == "after-hours emergency line");
  CHECK(reply.say == "Of course, I'll transfer you to the after-hours emergency line now.");
}

TEST_CASE("transfer requested without fallback numbers: offers a message") {
  org::Profile p = example("yoga-studio");
  p.fallback_numbers.clear();
  Receptionist r(p, all_tools());
  CHECK(says(r, "can i speak to a person") ==
        "I'm sorry, I can't put you through to anyone right now. Would you like me to take a message so someone can get "
        "back to you?");
  CHECK(says(r, "yes") == "Of course. May I have your name, please?");
}

TEST_CASE("transfer that fails: offers a message") {
  Receptionist r(example("yoga-studio"), all_tools());
  r.hear("operator", k_monday_morning);
  CHECK(contains(r.tool_result("transfer_call", R"({"ok":false,"error":"x"})").say, "I'm sorry, I couldn't reach anyone"));
  CHECK(r.tool_result("transfer_call", R"({"ok":true,"status":"transferring"})").say.empty());
}

// ----------------------------------------------------------------------------- conversation

TEST_CASE("goodbye: says goodbye and ends the call") {
  for (const char* words : {"bye", "thank you goodbye", "that's all thanks", "no that's it"}) {
    CAPTURE(words);
    Receptionist r(example("yoga-studio"), all_tools());
    const Reply reply = r.hear(words, k_monday_morning);
    CHECK(reply.say == "Thank you for calling Lotus Yoga Studio. Goodbye!");
    REQUIRE(reply.tool);
    CHECK(reply.tool->name == "end_call");
    CHECK(reply.tool->arguments == nlohmann::json{{"reason", "caller said goodbye"}});
  }
}

TEST_CASE("goodbye without end_call offered only says goodbye") {
  Receptionist r(example("yoga-studio"), all_but("end_call"));
  CHECK(says(r, "bye") == "Thank you for calling Lotus Yoga Studio. Goodbye!");
}

TEST_CASE("no after anything else ends the call; yes asks what else") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "thank you") == "You're welcome! Is there anything else I can help with?");
  const Reply no = r.hear("no", k_monday_morning);
  REQUIRE(no.tool);
  CHECK(no.tool->name == "end_call");

  Receptionist again(example("yoga-studio"), all_tools());
  says(again, "thanks");
  CHECK(says(again, "yes") == "Sure, what can I help you with?");
}

TEST_CASE("a new question after anything else is answered, not taken as yes or no") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "thanks");
  CHECK(says(r, "yes how much is hot yoga") == "Hot yoga is $28.");
}

TEST_CASE("greetings, yes and no out of context, and silence get short replies") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "hello") == "Hi! How can I help you today?");
  CHECK(says(r, "yes") == "Sure, what can I help you with?");
  CHECK(says(r, "") == "Sorry, I didn't catch that. Could you say it again?");
  CHECK(says(r, "um uh") == "Sorry, I didn't catch that. Could you say it again?");
  CHECK(says(r, "no") == "Okay. Is there anything else I can help with?");
}

TEST_CASE("only the tools offered are requested, and set_tools changes them") {
  Receptionist r(example("yoga-studio"), {});
  CHECK_FALSE(r.hear("i'd like to book a class", k_monday_morning).tool);
  CHECK_FALSE(r.hear("bye", k_monday_morning).tool);
  r.set_tools({"end_call"});
  const Reply bye = r.hear("bye", k_monday_morning);
  REQUIRE(bye.tool);
  CHECK(bye.tool->name == "end_call");
}

TEST_CASE("typographic apostrophes and capitals from a recogniser are read like plain words") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "What\xE2\x80\x99s your ADDRESS?") ==
        "We're at 214 Elm Street, Second Floor, Springfield. Entrance next to the bakery; free street parking after 6 pm.");
}

TEST_CASE("a profile built in code: hours, address and services") {
  Receptionist r(receptionist_test::corner_shop(), all_tools());
  const auto monday_noon = receptionist_test::at(2026, 3, 9, 12, 0, 0);
  CHECK(says(r, "are you open now", monday_noon) == "Yes, we're open now until 5:30 p.m. today.");
  CHECK(says(r, "are you open on saturday", monday_noon) == "No, we're closed on Saturdays.");
  CHECK(says(r, "where are you", monday_noon) == "We're at 5 Mill Lane, Bristol. Ring the bell at the side door.");
  CHECK(says(r, "how much to fix a puncture", monday_noon) == "Puncture repair is $15.");
}

TEST_CASE("a date beyond the coming week is said with its month and day") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "are you open on christmas eve", receptionist_test::at(2026, 12, 1, 12, 0, -5)) ==
        "No, we're closed on Thursday, December 24 for holiday break. We open again on Sunday, December 27 at 9 a.m.");
}

TEST_CASE("closing time on a day with a break names the break") {
  Receptionist r(example("yoga-studio"), all_tools());
  CHECK(says(r, "how late are you open on friday") == "We close on Friday at 8 p.m., with a break from noon to 4 p.m.");
}

TEST_CASE("a day on its own after talking about hours is about the hours") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "are you open on saturday");
  CHECK(says(r, "what about sunday") == "Yes, we're open on Sunday from 9 a.m. to 1 p.m.");
}

TEST_CASE("a question asked instead of a name is answered, and the name asked again") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can someone call me back");
  CHECK(says(r, "who owns the studio") == "The owner is Maya Chen. Now, for your message, may I have your name?");
  CHECK(r.expecting() == Expecting::name);
  CHECK(says(r, "sam") == "Thanks, Sam. What would you like me to pass on?");
}

TEST_CASE("a question at the read-back is answered, and the message still offered") {
  Receptionist r(example("yoga-studio"), all_tools());
  says(r, "can i leave a message");
  says(r, "sam");
  says(r, "call me");
  CHECK(says(r, "how much is hot yoga") == "Hot yoga is $28. Shall I still send your message?");
  CHECK(r.expecting() == Expecting::yes_no);
  const Reply send = r.hear("yes", k_monday_morning);
  REQUIRE(send.tool);
  CHECK(send.tool->arguments == nlohmann::json{{"caller_name", "Sam"}, {"message", "Call me."}});
}
