#include "core/org/profile_validate.hpp"

#include <doctest/doctest.h>

#include "core/error.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/profile_problems.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::org;

namespace {

const std::string& k_minimal = sonoria::test::k_minimal_profile;
std::string problems_of(const std::string& toml) { return sonoria::test::profile_problems(toml); }

// The organizations below answer +1 numbers, so a number without a country code is a US one.
const std::string k_us_expected = "(expected a number such as \"+1 201-555-0123\" or \"(201) 555-0123\")";

}  // namespace

TEST_CASE("the smallest valid profile passes every rule") {
  CHECK(parse_profile_toml(k_minimal, "profiles/yoga.toml").organization.slug == "lotus-yoga");
}

TEST_CASE("both example profiles pass every rule") {
  for (const char* name : {"yoga-studio.toml", "dental-clinic.toml", "hair-salon.toml", "insurance-agency.toml",
                           "physio-clinic.toml"}) {
    CAPTURE(name);
    const Profile profile = load_profile_file(sonoria::test::source_dir() / "examples" / name);
    CHECK(validate_profile(profile).empty());
  }
}

TEST_CASE("a slug with capitals or spaces is rejected with its line") {
  CHECK(problems_of("[organization]\nslug = \"Lotus Yoga\"\nname = \"L\"\ntimezone = \"UTC\"\n"
                    "phone_numbers = [\"+15550001000\"]\n") ==
        "profiles/yoga.toml:2: organization.slug: \"Lotus Yoga\" is not a valid slug (expected lowercase letters, "
        "digits and dashes, starting with a letter or digit)");
  CHECK_FALSE(is_valid_slug("-yoga"));
  CHECK(is_valid_slug("9-lives"));
}

TEST_CASE("missing organization fields are each reported at the table's line") {
  CHECK(problems_of("[organization]\nslug = \"lotus-yoga\"\n") ==
        "profiles/yoga.toml:1: organization.name: missing (expected the business name)\n"
        "profiles/yoga.toml:1: organization.timezone: missing (expected an IANA time zone such as "
        "\"America/New_York\")\n"
        "profiles/yoga.toml:1: organization.phone_numbers: missing (expected at least one, \"+\" and the country code, "
        "such as \"+1 201-555-0123\")");
}

TEST_CASE("a missing slug is reported") {
  CHECK(problems_of("[organization]\nname = \"L\"\ntimezone = \"UTC\"\nphone_numbers = [\"+15550001000\"]\n") ==
        "profiles/yoga.toml:1: organization.slug: missing (expected a slug such as \"lotus-yoga\")");
}

TEST_CASE("a time zone that is not in the IANA database is rejected") {
  CHECK(problems_of("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"America/Springfield\"\n"
                    "phone_numbers = [\"+15550001000\"]\n") ==
        "profiles/yoga.toml:4: organization.timezone: \"America/Springfield\" is not a known IANA time zone "
        "(expected a name such as \"America/New_York\")");
  CHECK(is_known_timezone("Europe/Berlin"));
  CHECK_FALSE(is_known_timezone("EST5EDT-ish"));
}

TEST_CASE("an organization needs at least one phone number") {
  CHECK(problems_of("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\nphone_numbers = []\n") ==
        "profiles/yoga.toml:5: organization.phone_numbers: missing (expected at least one, \"+\" and the country code, "
        "such as \"+1 201-555-0123\")");
}

TEST_CASE("an organization number without its area code is rejected at its own line") {
  CHECK(problems_of("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\nphone_numbers = [\n"
                    "  \"+15550001000\",\n  \"555-1000\",\n]\n") ==
        "profiles/yoga.toml:7: organization.phone_numbers[1]: \"555-1000\" is a local number without its area code " +
            k_us_expected);
}

TEST_CASE("numbers are read as the business writes them and stored in E.164") {
  const Profile us = parse_profile_toml(
      "[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\nphone_numbers = [\"+1 (555) 000-1000\", "
      "\"555.000.1001\"]\n\n[organization.owner]\nphone = \"(555) 000-1099\"\n\n[[fallback_numbers]]\nname = "
      "\"desk\"\nnumber = \"1-555-000-1098\"\n",
      "profiles/a.toml");
  CHECK(us.organization.phone_numbers == std::vector<std::string>{"+15550001000", "+15550001001"});
  CHECK(us.organization.owner.phone == "+15550001099");
  CHECK(us.fallback_numbers.at(0).number == "+15550001098");

  // organization.country says where a number without a country code is, whatever the first number.
  const Profile london = parse_profile_toml(
      "[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"Europe/London\"\ncountry = \"GB\"\n"
      "phone_numbers = [\"020 7946 0958\"]\n",
      "profiles/a.toml");
  CHECK(london.organization.phone_numbers == std::vector<std::string>{"+442079460958"});
  CHECK(london.organization.country == "GB");
}

TEST_CASE("without a country or a first number in international form, numbers need their country code") {
  CHECK(problems_of("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\nphone_numbers = [\"(555) "
                    "000-1000\"]\n") ==
        "profiles/yoga.toml:5: organization.phone_numbers[0]: \"(555) 000-1000\" has no country code (expected \"+\" "
        "and the country code, such as \"+1 201-555-0123\")");
  CHECK(problems_of("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\ncountry = \"UK\"\n"
                    "phone_numbers = [\"+442079460958\"]\n") ==
        "profiles/yoga.toml:5: organization.country: \"UK\" is not a country code (expected two capital letters such "
        "as \"US\" or \"GB\")");
}

TEST_CASE("the same organization number listed twice is rejected") {
  CHECK(problems_of("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\n"
                    "phone_numbers = [\"+15550001000\", \"+15550001000\"]\n") ==
        "profiles/yoga.toml:5: organization.phone_numbers[1]: \"+15550001000\" is listed twice (expected each "
        "number once)");
}

TEST_CASE("web addresses must start with http or https") {
  CHECK(problems_of(k_minimal + "booking_url = \"lotusyoga.example/book\"\n") ==
        "profiles/yoga.toml:6: organization.booking_url: \"lotusyoga.example/book\" is not a web address (expected "
        "one starting with https:// or http://)");
}

TEST_CASE("the owner's phone must be a whole number") {
  CHECK(problems_of(k_minimal + "\n[organization.owner]\nname = \"Maya\"\nphone = \"000-1099\"\n") ==
        "profiles/yoga.toml:9: organization.owner.phone: \"000-1099\" is a local number without its area code " +
            k_us_expected);
}

TEST_CASE("the owner's email must look like an email address") {
  CHECK(problems_of(k_minimal + "\n[organization.owner]\nemail = \"maya at lotus\"\n") ==
        "profiles/yoga.toml:8: organization.owner.email: \"maya at lotus\" is not an email address (expected "
        "name@domain)");
}

TEST_CASE("a location needs a name and a whole phone number if it has one") {
  CHECK(problems_of(k_minimal + "\n[[organization.locations]]\naddress = \"1 Elm St\"\nphone = \"+1 555 000\"\n") ==
        "profiles/yoga.toml:7: organization.locations[0].name: missing (expected the location's name)\n"
        "profiles/yoga.toml:9: organization.locations[0].phone: \"+1 555 000\" is too short for a number in US " +
            k_us_expected);
}

TEST_CASE("an unknown voice is rejected with the list of voices") {
  CHECK(problems_of(k_minimal + "\n[assistant]\nvoice = \"robot\"\n") ==
        "profiles/yoga.toml:8: assistant.voice: \"robot\" is not an OpenAI voice (expected one of alloy, ash, ballad, "
        "coral, echo, sage, shimmer, verse, marin, cedar)");
}

TEST_CASE("a temperature outside 0.6 to 1.2 is rejected") {
  CHECK(problems_of(k_minimal + "\n[assistant]\ntemperature = 1.5\n") ==
        "profiles/yoga.toml:8: assistant.temperature: 1.5 is out of range (expected 0.6 to 1.2)");
  CHECK(problems_of(k_minimal + "\n[assistant]\ntemperature = 0\n") ==
        "profiles/yoga.toml:8: assistant.temperature: 0.0 is out of range (expected 0.6 to 1.2)");
}

TEST_CASE("a language must be a two-letter code") {
  CHECK(problems_of(k_minimal + "\n[assistant]\nlanguage = \"eng\"\n") ==
        "profiles/yoga.toml:8: assistant.language: \"eng\" is not a language code (expected two lowercase letters "
        "such as \"en\")");
}

TEST_CASE("the assistant needs a name") {
  CHECK(problems_of(k_minimal + "\n[assistant]\nname = \"\"\n") ==
        "profiles/yoga.toml:8: assistant.name: missing (expected the assistant's name, such as \"Ava\")");
}

TEST_CASE("a VAD threshold outside 0 to 1 is rejected") {
  CHECK(problems_of(k_minimal + "\n[assistant.vad]\nthreshold = 1.5\n") ==
        "profiles/yoga.toml:8: assistant.vad.threshold: 1.5 is out of range (expected 0.0 to 1.0)");
}

TEST_CASE("VAD durations outside 0 to 10000 ms are rejected") {
  CHECK(problems_of(k_minimal + "\n[assistant.vad]\nprefix_padding_ms = -1\nsilence_duration_ms = 20000\n") ==
        "profiles/yoga.toml:8: assistant.vad.prefix_padding_ms: -1 is out of range (expected 0 to 10000)\n"
        "profiles/yoga.toml:9: assistant.vad.silence_duration_ms: 20000 is out of range (expected 0 to 10000)");
}

TEST_CASE("a service needs a name") {
  CHECK(problems_of(k_minimal + "\n[[services]]\nprice = 5\n") ==
        "profiles/yoga.toml:7: services[0].name: missing (expected the service's name)");
}

TEST_CASE("a negative service price is rejected") {
  CHECK(problems_of(k_minimal + "\n[[services]]\nname = \"Yoga\"\nprice = -5\n") ==
        "profiles/yoga.toml:9: services[0].price: -5.00 is negative (expected 0 or more)");
}

TEST_CASE("a negative add-on price is rejected") {
  CHECK(problems_of(k_minimal + "\n[[add_ons]]\nname = \"Mat\"\nprice = -0.5\n") ==
        "profiles/yoga.toml:9: add_ons[0].price: -0.50 is negative (expected 0 or more)");
}

TEST_CASE("a currency must be a three-letter code in capitals") {
  CHECK(problems_of(k_minimal + "\n[[services]]\nname = \"Yoga\"\ncurrency = \"usd\"\n") ==
        "profiles/yoga.toml:9: services[0].currency: \"usd\" is not a currency code (expected three capital letters "
        "such as \"USD\")");
}

TEST_CASE("a service duration outside a day is rejected") {
  CHECK(problems_of(k_minimal + "\n[[services]]\nname = \"Yoga\"\nduration_minutes = -30\n") ==
        "profiles/yoga.toml:9: services[0].duration_minutes: -30 is out of range (expected 0 to 1440; 0 = not "
        "stated)");
}

TEST_CASE("a range that closes before it opens is rejected with its line") {
  CHECK(problems_of(k_minimal + "\n[hours]\nmonday = [\"12:00-09:00\"]\n") ==
        "profiles/yoga.toml:8: hours.monday[0]: \"12:00-09:00\" closes before it opens (expected the closing time "
        "after the opening time)");
  CHECK(problems_of(k_minimal + "\n[hours]\nfriday = [\"09:00-09:00\"]\n") ==
        "profiles/yoga.toml:8: hours.friday[0]: \"09:00-09:00\" closes when it opens (expected the closing time "
        "after the opening time)");
}

TEST_CASE("overlapping ranges on the same day are rejected, touching ones are fine") {
  CHECK(problems_of(k_minimal + "\n[hours]\nmonday = [\"09:00-12:00\", \"11:00-14:00\"]\n") ==
        "profiles/yoga.toml:8: hours.monday[1]: \"11:00-14:00\" overlaps \"09:00-12:00\" (expected ranges that do "
        "not overlap)");
  CHECK(parse_profile_toml(k_minimal + "[hours]\nmonday = [\"12:00-15:00\", \"09:00-12:00\"]\n", "x").hours.days[0].size() ==
        2);
}

TEST_CASE("a range that is not HH:MM-HH:MM is rejected without further complaints about that day") {
  CHECK(problems_of(k_minimal + "\n[hours]\nmonday = [\"09:00-12:00\", \"9:60-12:00\", \"10:00-11:00\"]\n") ==
        "profiles/yoga.toml:8: hours.monday[1]: \"9:60-12:00\" is not a time range (expected HH:MM-HH:MM)");
}

TEST_CASE("a range outside the day is rejected on a profile built in code") {
  Profile profile = parse_profile_toml(k_minimal, "x");
  profile.hours.days[2].push_back({-5, 2000});
  CHECK(validate_profile(profile) ==
        std::vector<Problem>{{"hours.wednesday[0]",
                              "\"-00:05-33:20\" is outside the day (expected times from 00:00 to 24:00)"}});
}

TEST_CASE("a closure date that is not on the calendar is rejected") {
  CHECK(problems_of(k_minimal + "\n[[closures]]\nfrom = \"2026-13-01\"\nto = 2026-12-26\n") ==
        "profiles/yoga.toml:8: closures[0].from: \"2026-13-01\" is not a date (expected YYYY-MM-DD)");
}

TEST_CASE("a closure that ends before it starts is rejected") {
  CHECK(problems_of(k_minimal + "\n[[closures]]\nfrom = 2026-12-24\nto = 2026-12-20\n") ==
        "profiles/yoga.toml:9: closures[0].to: 2026-12-20 is before from = 2026-12-24 (expected a date on or after "
        "\"from\")");
}

TEST_CASE("a closure needs a start date, and a missing end is not reported twice") {
  CHECK(problems_of(k_minimal + "\n[[closures]]\nreason = \"Holiday\"\n") ==
        "profiles/yoga.toml:7: closures[0].from: missing (expected a date such as 2026-12-24)");
}

TEST_CASE("an FAQ needs an answer") {
  CHECK(problems_of(k_minimal + "\n[[faqs]]\nquestion = \"Is there parking?\"\n") ==
        "profiles/yoga.toml:7: faqs[0].answer: missing (expected the answer)");
}

TEST_CASE("negative booking limits are rejected") {
  CHECK(problems_of(k_minimal + "\n[booking]\nmin_notice_hours = -2\n") ==
        "profiles/yoga.toml:8: booking.min_notice_hours: -2 is negative (expected 0 or more)");
}

TEST_CASE("an empty booking policy is rejected") {
  CHECK(problems_of(k_minimal + "\n[booking]\npolicies = [\"Arrive early.\", \"\"]\n") ==
        "profiles/yoga.toml:8: booking.policies[1]: missing (expected the policy's text)");
}

TEST_CASE("a team member needs a name") {
  CHECK(problems_of(k_minimal + "\n[[team]]\nrole = \"Teacher\"\n") ==
        "profiles/yoga.toml:7: team[0].name: missing (expected the person's name)");
}

TEST_CASE("an SMS template with an unknown placeholder is rejected naming the template") {
  const std::string expected_names =
      " (expected one of customer_name, service, booking_url, portal_url, org_name, org_phone, caller_phone, "
      "message, assistant_name, location, date, time, team_member, reference)";
  CHECK(problems_of(k_minimal + "\n[sms_templates]\nbooking = \"Hi {{customer_name}}\"\ncancel = \"Bye {{nmae}} "
                            "{{foo}}\"\n") ==
        "profiles/yoga.toml:9: sms_templates.cancel: unknown placeholder \"{{nmae}}\"" + expected_names + "\n" +
            "profiles/yoga.toml:9: sms_templates.cancel: unknown placeholder \"{{foo}}\"" + expected_names);
}

TEST_CASE("a fallback number must be a whole number") {
  CHECK(problems_of(k_minimal + "\n[[fallback_numbers]]\nname = \"front desk\"\nnumber = \"0800 123\"\n") ==
        "profiles/yoga.toml:9: fallback_numbers[0].number: \"0800 123\" is a local number without its area code " +
            k_us_expected);
}

TEST_CASE("a fallback number needs a number and a name") {
  CHECK(problems_of(k_minimal + "\n[[fallback_numbers]]\n") ==
        "profiles/yoga.toml:7: fallback_numbers[0].name: missing (expected who answers it, such as \"front desk\")\n"
        "profiles/yoga.toml:7: fallback_numbers[0].number: missing " + k_us_expected);
}

TEST_CASE("a profile built in code is checked with the source named instead of a line") {
  Profile profile;
  profile.organization.slug = "ok";
  profile.organization.name = "Ok";
  profile.organization.timezone = "UTC";
  profile.organization.phone_numbers = {"+15550001000"};
  CHECK(validate_profile(profile).empty());
  CHECK_NOTHROW(ensure_valid_profile(profile, "database organization 4"));

  profile.assistant.voice = "nova";
  profile.fallback_numbers.push_back({"desk", "12"});
  const std::string expected =
      "database organization 4: assistant.voice: \"nova\" is not an OpenAI voice (expected one of alloy, ash, ballad, "
      "coral, echo, sage, shimmer, verse, marin, cedar)\n"
      "database organization 4: fallback_numbers[0].number: \"12\" is too short for a number in US " + k_us_expected;
  CHECK_THROWS_WITH_AS(ensure_valid_profile(profile, "database organization 4"), expected.c_str(), sonoria::DataError);
}

TEST_CASE("a transfer digit that is not a keypad key is rejected with its line") {
  CHECK(problems_of(k_minimal + "\n[assistant]\ntransfer_digit = \"00\"\n") ==
        "profiles/yoga.toml:8: assistant.transfer_digit: \"00\" is not a keypad digit (expected \"0\"-\"9\", \"*\", "
        "\"#\", or \"off\")");
  CHECK(parse_profile_toml(k_minimal + "\n[assistant]\ntransfer_digit = \"off\"\n", "p.toml").assistant.transfer_digit == "off");
}

TEST_CASE("an unknown engine is named as the file wrote it") {
  CHECK(problems_of(k_minimal + "\n[assistant]\nengine = \"elevenlabs\"\n") ==
        "profiles/yoga.toml:8: assistant.engine: \"elevenlabs\" is not an engine (expected one of \"openai\", "
        "\"deepgram\", \"ultravox\", \"local\")");
  CHECK(problems_of(k_minimal + "\n[assistant]\nengines = [\"openai\",\n  \"vapi\"]\n") ==
        "profiles/yoga.toml:9: assistant.engines[1]: \"vapi\" is not an engine (expected one of \"openai\", "
        "\"deepgram\", \"ultravox\", \"local\")");
}

TEST_CASE("the local engine may be chosen, first or later, and a voice does not apply to it") {
  CHECK(parse_profile_toml(k_minimal + "\n[assistant]\nengines = [\"local\"]\nvoice = \"marin\"\n", "p.toml").assistant.engines ==
        std::vector<std::string>{"local"});
  CHECK(parse_profile_toml(k_minimal + "\n[assistant]\nengines = [\"openai\", \"local\"]\n", "p.toml").assistant.engines ==
        std::vector<std::string>{"openai", "local"});
}

TEST_CASE("an engine listed twice is refused") {
  CHECK(problems_of(k_minimal + "\n[assistant]\nengines = [\"deepgram\", \"deepgram\"]\n") ==
        "profiles/yoga.toml:8: assistant.engines[1]: \"deepgram\" is listed twice (expected each engine once)");
}

TEST_CASE("the assistant's voice must exist on its first engine") {
  CHECK(problems_of(k_minimal + "\n[assistant]\nengine = \"deepgram\"\nvoice = \"marin\"\n") ==
        "profiles/yoga.toml:9: assistant.voice: \"marin\" is not a Deepgram voice (expected an Aura speak model such "
        "as \"aura-2-thalia-en\", \"aura-2-apollo-en\" or \"aura-2-celeste-es\")");
  CHECK(parse_profile_toml(k_minimal + "\n[assistant]\nengine = \"deepgram\"\nvoice = \"aura-2-orion-en\"\n", "x")
            .assistant.voice == "aura-2-orion-en");
  CHECK(parse_profile_toml(k_minimal + "\n[assistant]\nengine = \"deepgram\"\nvoice = \"aura-asteria-en\"\n", "x")
            .assistant.voice == "aura-asteria-en");
  CHECK(problems_of(k_minimal + "\n[assistant]\nengines = [\"ultravox\", \"openai\"]\nvoice = \"coral\"\n") ==
        "profiles/yoga.toml:9: assistant.voice: \"coral\" is another engine's voice, not an Ultravox one (expected a "
        "voice name or id from your Ultravox account, such as \"Mark\")");
}

TEST_CASE("each engine's own voice is checked on that engine, listed or not") {
  CHECK(problems_of(k_minimal + "\n[assistant.deepgram]\nvoice = \"aura-2-nobody-en\"\n") ==
        "profiles/yoga.toml:8: assistant.deepgram.voice: \"aura-2-nobody-en\" is not a Deepgram voice (expected an "
        "Aura speak model such as \"aura-2-thalia-en\", \"aura-2-apollo-en\" or \"aura-2-celeste-es\")");
  CHECK(problems_of(k_minimal + "\n[assistant.openai]\nvoice = \"aura-2-thalia-en\"\n") ==
        "profiles/yoga.toml:8: assistant.openai.voice: \"aura-2-thalia-en\" is not an OpenAI voice (expected one of "
        "alloy, ash, ballad, coral, echo, sage, shimmer, verse, marin, cedar)");
}

TEST_CASE("stages: a flow parses, round-trips and starts where it says") {
  const Profile p = parse_profile_toml(k_minimal +
                                           "[[stages]]\nname = \"greeting\"\ninstructions = \"Greet.\"\n"
                                           "next = [\"main\"]\nvoices = { openai = \"cedar\" }\n"
                                           "[[stages]]\nname = \"main\"\ninstructions = \"Help.\"\nstart = true\n"
                                           "tools = [\"notify_owner\"]\ndescription = \"Once verified.\"\nnext = [\"greeting\"]\n",
                                       "profiles/yoga.toml");
  REQUIRE(p.stages.size() == 2);
  CHECK(p.start_stage() == 1);
  CHECK(p.stages[0].voices.openai == "cedar");
  CHECK_FALSE(p.stages[0].tools.has_value());
  CHECK(p.stages[1].tools == std::vector<std::string>{"notify_owner"});
  CHECK(p.stages[1].description == "Once verified.");
}

TEST_CASE("stages: names, transitions, tools, voices and reachability are checked") {
  const std::string flow = k_minimal +
                           "[[stages]]\nname = \"Greeting\"\ninstructions = \"x\"\n"       // 6
                           "[[stages]]\nname = \"main\"\ninstructions = \"x\"\nnext = [\"main\", \"nowhere\"]\n"
                           "tools = [\"send_sms\"]\nvoices = { deepgram = \"shimmer\" }\n"  // 9..13
                           "[[stages]]\nname = \"main\"\n";                                 // 14
  const std::string problems = problems_of(flow);
  CHECK(problems.find("stages[0].name: \"Greeting\" is not a stage name") != std::string::npos);
  CHECK(problems.find("stages[1].next[0]: \"main\" is this stage") != std::string::npos);
  CHECK(problems.find("stages[1].next[1]: \"nowhere\" is not a stage of this profile") != std::string::npos);
  CHECK(problems.find("stages[1].tools[0]: \"send_sms\" is not a tool") != std::string::npos);
  CHECK(problems.find("stages[1].voices.deepgram:") != std::string::npos);
  CHECK(problems.find("stages[2].name: \"main\" is the name of an earlier stage too") != std::string::npos);
  CHECK(problems.find("stages[2].instructions: missing") != std::string::npos);
  CHECK(problems.find("\"main\" cannot be reached from the start stage \"Greeting\"") != std::string::npos);
}

TEST_CASE("stages: two start stages are one too many") {
  CHECK(problems_of(k_minimal + "[[stages]]\nname = \"a\"\ninstructions = \"x\"\nstart = true\nnext = [\"b\"]\n"
                            "[[stages]]\nname = \"b\"\ninstructions = \"x\"\nstart = true\n") ==
        "profiles/yoga.toml:14: stages[1].start: a second start stage (expected start = true on one stage only)");
}

TEST_CASE("http tools: a tool parses, its schema is stored compact, and it round-trips through TOML") {
  const Profile p = parse_profile_toml(k_minimal +
                                           "[[http_tools]]\nname = \"lookup_claim\"\ndescription = \"Claims.\"\n"
                                           "method = \"GET\"\nurl = \"https://crm.example/claims/{{claim}}\"\n"
                                           "parameters = { type = \"object\", properties = { claim = { type = \"string\" } } }\n"
                                           "[http_tools.headers]\nAuthorization = \"Bearer ${CRM_TOKEN}\"\n\"X-Team\" = \"front desk\"\n",
                                       "profiles/yoga.toml");
  REQUIRE(p.http_tools.size() == 1);
  const auto& tool = p.http_tools[0];
  CHECK(tool.parameters == R"({"properties":{"claim":{"type":"string"}},"type":"object"})");
  CHECK(tool.headers == std::vector<HttpHeader>{{"Authorization", "Bearer ${CRM_TOKEN}"}, {"X-Team", "front desk"}});
  CHECK(tool.timeout_ms == 5000);
  CHECK(parse_profile_toml(export_profile_toml(p), "again.toml") == p);
}

TEST_CASE("http tools: names, methods, URLs, schemas, headers and limits are checked") {
  const std::string problems =
      problems_of(k_minimal +
                  "[[http_tools]]\nname = \"end_call\"\nmethod = \"FETCH\"\nurl = \"ftp://x\"\n"                 // 6-9
                  "[[http_tools]]\nname = \"x\"\ndescription = \"d\"\nurl = \"https://x.example/{{nope}}\"\n"    // 10-13
                  "parameters = '{\"type\":\"array\"}'\n"                                                        // 14
                  "[[http_tools]]\nname = \"y\"\ndescription = \"d\"\nurl = \"https://x.example/{{nope}}\"\n"    // 15-18
                  "timeout_ms = 60000\nretries = 9\n"                                                            // 19-20
                  "[http_tools.headers]\nAuthorization = \"Bearer sk-live-123\"\nX-Key = \"${lower}\"\n"          // 21-23
                  "X-Sonoria-Signature = \"x\"\n");                                                              // 24
  CHECK(problems.find("http_tools[0].name: \"end_call\" is a name sonoria uses itself") != std::string::npos);
  CHECK(problems.find("http_tools[0].description: missing") != std::string::npos);
  CHECK(problems.find("http_tools[0].method: \"FETCH\" is not a method") != std::string::npos);
  CHECK(problems.find("http_tools[0].url: \"ftp://x\" is not an http:// or https:// URL") != std::string::npos);
  CHECK(problems.find("http_tools[1].parameters:") != std::string::npos);
  CHECK(problems.find("http_tools[2].url: {{nope}} is not an argument of the tool") != std::string::npos);
  CHECK(problems.find("http_tools[2].timeout_ms:") != std::string::npos);
  CHECK(problems.find("http_tools[2].retries:") != std::string::npos);
  CHECK(problems.find("http_tools[2].headers.Authorization: a credential written into the profile") != std::string::npos);
  CHECK(problems.find("http_tools[2].headers.X-Key: a malformed ${") != std::string::npos);
  CHECK(problems.find("http_tools[2].headers.X-Sonoria-Signature: set by sonoria itself") != std::string::npos);
}

TEST_CASE("webhooks: a call-end URL must be http(s)") {
  CHECK(parse_profile_toml(k_minimal + "[webhooks]\ncall_end_url = \"https://n8n.example/webhook/x\"\n", "p.toml")
            .webhooks.call_end_url == "https://n8n.example/webhook/x");
  CHECK(problems_of(k_minimal + "[webhooks]\ncall_end_url = \"n8n.example\"\n") ==
        "profiles/yoga.toml:7: webhooks.call_end_url: \"n8n.example\" is not an http:// or https:// URL a webhook "
        "can be sent to (expected http(s)://host[:port]/path)");
}

TEST_CASE("a webhook's or a tool's URL is read as the HTTP client will read it, and refused for the same reasons") {
  // The problems of a profile, "" when it is accepted.
  const auto problems_or_none = [](const std::string& toml) -> std::string {
    try {
      parse_profile_toml(toml, "profiles/yoga.toml");
      return "";
    } catch (const sonoria::DataError& error) {
      return error.what();
    }
  };
  const auto webhook = [&](const std::string& url) {
    return problems_or_none(k_minimal + "[webhooks]\ncall_start_url = \"" + url + "\"\n");
  };
  CHECK(webhook("https://hooks.example.com:8443/sonoria?x=1").empty());
  CHECK(webhook("http://[::1]:9000/hook").empty());
  // Each of these passed the old check (it began with http:// or https://) and failed on every call.
  CHECK(webhook("https://user:secret@hooks.example.com/x").find("(user info (user@host) is not supported)") !=
        std::string::npos);
  CHECK(webhook("https://hooks.example.com:99999/x").find("(port \"99999\" is not between 1 and 65535)") !=
        std::string::npos);
  CHECK(webhook("https://hooks example.com/x").find("(expected http(s)://host[:port]/path)") != std::string::npos);
  CHECK(webhook("https://").find("(the host is missing)") != std::string::npos);
  CHECK(webhook("https://hooks.example.com/x#part").find("(a fragment (#…) has no meaning here)") != std::string::npos);
  CHECK(webhook("https://hooks.example.com/x").empty());

  const auto tool = [&](const std::string& url) {
    return problems_or_none(k_minimal + "[[http_tools]]\nname = \"claim\"\ndescription = \"d\"\nurl = \"" + url +
                       "\"\nparameters = '{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"string\"}}}'\n");
  };
  // Placeholders stand for values, wherever they are.
  CHECK(tool("https://crm.example.com/claims/{{id}}?full=1").empty());
  CHECK(tool("https://{{id}}.crm.example.com/claims").empty());
  CHECK(tool("https://crm.example.com/claims/{{id}} status").find("http_tools[0].url:") != std::string::npos);
  CHECK(tool("https://crm.example.com:0/{{id}}").find("(port \"0\" is not between 1 and 65535)") != std::string::npos);
  CHECK(tool("ftp://crm.example.com/{{id}}").find("(scheme must be http or https, not \"ftp\")") != std::string::npos);
  // An unclosed placeholder is named as such, not as a broken URL.
  CHECK(tool("https://crm.example.com/claims/{{id").find("an unclosed {{") != std::string::npos);
}

TEST_CASE("an appointment book: a known mode, bookable services, people who do services that exist, where they work") {
  const std::string book = k_minimal + R"(
[[organization.locations]]
name = "North"

[[organization.locations]]
name = "South"

[[services]]
name = "Massage"
duration_minutes = 0

[booking]
mode = "built_in"
slot_minutes = 2

[[team]]
name = "Kim"
services = ["Massage", "Reiki"]

[[team.schedule]]
location = "East"
monday = ["09:00-08:00"]

[[team.schedule]]
tuesday = ["09:00-17:00"]
)";
  const std::string problems = sonoria::test::profile_problems(book);
  CHECK(problems.find("services[0].duration_minutes: is not set (expected the service's length in minutes: "
                      "booking.mode = \"built_in\" books it)") != std::string::npos);
  CHECK(problems.find("booking.slot_minutes: 2 is out of range") != std::string::npos);
  CHECK(problems.find("team[0].services[1]: \"Reiki\" is not one of the [[services]] (expected one of Massage)") !=
        std::string::npos);
  CHECK(problems.find("team[0].schedule[0].location: \"East\" is not a location (expected one of North, South)") !=
        std::string::npos);
  CHECK(problems.find("team[0].schedule[0].monday[0]: \"09:00-08:00\" closes before it opens") != std::string::npos);
  CHECK(problems.find("team[0].schedule[1].location: missing (expected one of North, South)") != std::string::npos);

  CHECK(sonoria::test::profile_problems(k_minimal + "[booking]\nmode = \"calendly\"\n")
            .find("booking.mode: \"calendly\" is not a booking mode (expected \"link\", \"built_in\" or \"google\")") !=
        std::string::npos);
  CHECK(sonoria::test::profile_problems(k_minimal + "[booking]\nmode = \"google\"\n\n[[services]]\nname = \"A\"\nduration_minutes = 30\n")
            .find("\"google\" needs a calendar") != std::string::npos);
  CHECK(sonoria::test::profile_problems(k_minimal + "[[services]]\nname = \"A\"\nduration_minutes = 30\n\n[booking]\nmode = \"google\"\n\n"
                                 "[[team]]\nname = \"Kim\"\n")
            .find("team[0].calendar_id: missing (expected the Google Calendar ID") != std::string::npos);
}
