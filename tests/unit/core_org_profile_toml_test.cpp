#include "core/org/profile_toml.hpp"

#include <doctest/doctest.h>

#include "core/error.hpp"
#include "tests/support/profile_problems.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria::org;

namespace {

const std::string& k_org = sonoria::test::k_minimal_profile;
std::string problems_in(const std::string& toml) { return sonoria::test::profile_problems(toml); }

Profile toml_example(const char* name) { return load_profile_file(sonoria::test::source_dir() / "examples" / name); }

}  // namespace

TEST_CASE("the yoga studio example reads into the profile it describes") {
  const Profile p = toml_example("yoga-studio.toml");
  CHECK(p.id == 0);
  CHECK(p.organization.slug == "lotus-yoga");
  CHECK(p.organization.name == "Lotus Yoga Studio");
  CHECK(p.organization.timezone == "America/New_York");
  CHECK(p.organization.phone_numbers == std::vector<std::string>{"+15550001000"});
  CHECK(p.organization.owner.email == "maya@lotusyoga.example");
  CHECK(p.assistant.personality ==
        "Warm, calm and unhurried, like a friendly front-desk teacher.\n"
        "Keep answers short and offer to text the booking link instead of spelling it out.");
  CHECK(p.assistant.vad.silence_duration_ms == 500);
  REQUIRE(p.services.size() == 4);
  CHECK(p.services[0].price_cents == 2500);
  CHECK(p.services[2].name == "Beginner series");
  CHECK(p.services[2].price_cents == 9950);
  CHECK(p.services[2].duration_minutes == 75);
  REQUIRE(p.add_ons.size() == 3);
  CHECK(p.add_ons[2].price_cents == 550);
  CHECK(p.hours.days[0] == std::vector<TimeRange>{{420, 720}, {960, 1260}});
  CHECK(p.hours.days[5] == std::vector<TimeRange>{{480, 840}});
  CHECK(p.hours.days[6] == std::vector<TimeRange>{{540, 780}});
  REQUIRE(p.closures.size() == 2);
  CHECK(p.closures[0] == Closure{"2026-12-24", "2026-12-26", "Holiday break"});
  CHECK(p.closures[1] == Closure{"2026-07-04", "2026-07-04", "Independence Day"});
  CHECK(p.faqs.size() == 4);
  CHECK(p.booking.max_advance_days == 60);
  CHECK(p.booking.policies.size() == 3);
  CHECK(p.sms_templates.notify_owner == "{{assistant_name}}: caller {{caller_phone}} left a message: {{message}}");
  CHECK(p.fallback_numbers == std::vector<FallbackNumber>{{"front desk", "+15550001001"}});
}

TEST_CASE("the dental clinic example has two locations, Saturday hours and an emergency FAQ") {
  const Profile p = toml_example("dental-clinic.toml");
  CHECK(p.organization.slug == "bright-smile-dental");
  CHECK(p.organization.timezone == "America/Chicago");
  CHECK(p.organization.phone_numbers == std::vector<std::string>{"+15550002000"});
  REQUIRE(p.organization.locations.size() == 2);
  CHECK(p.organization.locations[1].name == "Oak Park");
  CHECK(p.hours.days[5] == std::vector<TimeRange>{{540, 780}});
  CHECK(p.hours.days[6].empty());
  REQUIRE_FALSE(p.faqs.empty());
  CHECK(p.faqs[0].question.find("emergency") != std::string::npos);
  CHECK(p.services[2].price_cents == 34999);
  CHECK(p.assistant.voice == "coral");
}

TEST_CASE("both examples import, export and import again to an identical profile") {
  for (const char* name : {"yoga-studio.toml", "dental-clinic.toml", "hair-salon.toml", "insurance-agency.toml",
                           "physio-clinic.toml"}) {
    CAPTURE(name);
    const Profile original = toml_example(name);
    const std::string exported = export_profile_toml(original);
    const Profile again = parse_profile_toml(exported, "exported.toml");
    CHECK(again == original);
    CHECK(export_profile_toml(again) == exported);
  }
}

TEST_CASE("export writes sections in the format's order with readable values") {
  const std::string text = export_profile_toml(toml_example("yoga-studio.toml"));
  std::size_t last = 0;
  for (const char* header : {"[organization]\n", "[organization.owner]\n", "[[organization.locations]]\n",
                             "[assistant]\n", "[assistant.vad]\n", "[[services]]\n", "[[add_ons]]\n", "[hours]\n",
                             "[[closures]]\n", "[[faqs]]\n", "[booking]\n", "[[team]]\n", "[sms_templates]\n",
                             "[[fallback_numbers]]\n"}) {
    CAPTURE(header);
    const std::size_t at = text.find(header);
    REQUIRE(at != std::string::npos);
    CHECK(at >= last);
    last = at;
  }
  CHECK(text.find("price = 99.50\n") != std::string::npos);
  CHECK(text.find("price = 25\n") != std::string::npos);
  CHECK(text.find("monday = [\"07:00-12:00\", \"16:00-21:00\"]\n") != std::string::npos);
  CHECK(text.find("from = 2026-12-24\nto = 2026-12-26\n") != std::string::npos);
  CHECK(text.find("temperature = 0.8\n") != std::string::npos);
  CHECK(text.find("personality = \"\"\"\nWarm, calm") != std::string::npos);
}

TEST_CASE("a minimal profile exports every day, closed ones as empty lists") {
  const std::string text = export_profile_toml(parse_profile_toml(k_org, "x"));
  CHECK(text.find("sunday = []\n") != std::string::npos);
  CHECK(text.find("[sms_templates]") == std::string::npos);
  CHECK(text.find("[organization.owner]") == std::string::npos);
  CHECK(text.find("industry") == std::string::npos);
}

TEST_CASE("text with quotes, backslashes, tabs, line breaks and non-ASCII survives a round trip") {
  Profile profile = parse_profile_toml(k_org, "x");
  profile.organization.name = "Lotus \"Yoga\" \\ Studio\t☯";
  profile.assistant.personality = "line one\nline \"two\" ends with a quote\"";
  profile.assistant.greeting = "ends with a backslash\\";
  profile.faqs.push_back({"multi\nline\r\nquestion?", "answer with \x01 control and trailing newline\n"});
  profile.booking.policies = {"one", "two \"quoted\""};
  profile.sms_templates.cancel = "Bye {{customer_name}}";
  profile.assistant.temperature = 0.6000000000000001;
  CHECK(parse_profile_toml(export_profile_toml(profile), "x") == profile);
}

TEST_CASE("the database id is not part of the file") {
  Profile profile = parse_profile_toml(k_org, "x");
  profile.id = 42;
  CHECK(export_profile_toml(profile).find("42") == std::string::npos);
  CHECK(parse_profile_toml(export_profile_toml(profile), "x").id == 0);
}

TEST_CASE("a TOML syntax error names file, line and column") {
  const std::string message = problems_in(k_org + "\n[assistant]\nname = \"Ava\nvoice = \"marin\"\n");
  CHECK(message.rfind("profiles/yoga.toml:8:", 0) == 0);
  CHECK(message.find(": invalid TOML: ") != std::string::npos);
  CHECK(message.find('\n') == std::string::npos);
}

TEST_CASE("a misspelled section suggests the nearest valid one") {
  CHECK(problems_in(k_org + "\n[[servces]]\nname = \"Yoga\"\n") ==
        "profiles/yoga.toml:7: servces: unknown key \"servces\" (did you mean \"services\"?)");
}

TEST_CASE("a misspelled key inside a table suggests the nearest valid one, and swapped letters count as one slip") {
  CHECK(problems_in(k_org + "\n[assistant]\nvocie = \"marin\"\n") ==
        "profiles/yoga.toml:8: assistant.vocie: unknown key \"vocie\" (did you mean \"voice\"?)");
}

TEST_CASE("a misspelled key suggests the key it begins, at every depth") {
  CHECK(problems_in(k_org + "\n[[services]]\nname = \"Yoga\"\nduraton = 60\n") ==
        "profiles/yoga.toml:9: services[0].duraton: unknown key \"duraton\" (did you mean \"duration_minutes\"?)");
  CHECK(problems_in(k_org + "\n[[organization.locations]]\nname = \"Main\"\nadress = \"1 Elm St\"\n") ==
        "profiles/yoga.toml:9: organization.locations[0].adress: unknown key \"adress\" (did you mean \"address\"?)");
  CHECK(problems_in(k_org + "\n[[stages]]\nname = \"intake\"\ninstructons = \"Ask.\"\n") ==
        "profiles/yoga.toml:7: stages[0].instructions: missing (expected what the assistant does in this stage)\n"
        "profiles/yoga.toml:9: stages[0].instructons: unknown key \"instructons\" (did you mean \"instructions\"?)");
}

TEST_CASE("an unknown key unlike any valid one lists the valid keys") {
  CHECK(problems_in(k_org + "\n[[faqs]]\nquestion = \"Q\"\nanswer = \"A\"\ncolour = \"red\"\n") ==
        "profiles/yoga.toml:10: faqs[0].colour: unknown key \"colour\" (expected one of question, answer)");
}

TEST_CASE("a value of the wrong type names the type found and the type expected") {
  SUBCASE("a number where text belongs") {
    CHECK(problems_in("[organization]\nslug = \"a\"\nname = 42\ntimezone = \"UTC\"\n"
                      "phone_numbers = [\"+15550001000\"]\n") ==
          "profiles/yoga.toml:3: organization.name: found an integer 42 (expected a string)");
  }
  SUBCASE("a phone number written without quotes") {
    CHECK(problems_in("[organization]\nslug = \"a\"\nname = \"A\"\ntimezone = \"UTC\"\n"
                      "phone_numbers = [+15550001000]\n") ==
          "profiles/yoga.toml:5: organization.phone_numbers[0]: found an integer 15550001000 (expected a string "
          "such as \"+1 415 555 0123\")");
  }
  SUBCASE("text where a number belongs") {
    CHECK(problems_in(k_org + "\n[assistant]\ntemperature = \"hot\"\n") ==
          "profiles/yoga.toml:8: assistant.temperature: found a string \"hot\" (expected a number)");
  }
  SUBCASE("a fraction where whole minutes belong") {
    CHECK(problems_in(k_org + "\n[[services]]\nname = \"Yoga\"\nduration_minutes = 30.5\n") ==
          "profiles/yoga.toml:9: services[0].duration_minutes: found a float 30.5 (expected an integer)");
  }
  SUBCASE("a single table where an array of tables belongs") {
    CHECK(problems_in(k_org + "\n[services]\nname = \"Yoga\"\n") ==
          "profiles/yoga.toml:7: services: found a table (expected an array of tables, written [[services]])");
  }
  SUBCASE("one range where a list of ranges belongs") {
    CHECK(problems_in(k_org + "\n[hours]\nmonday = \"09:00-17:00\"\n") ==
          "profiles/yoga.toml:8: hours.monday: found a string \"09:00-17:00\" (expected an array of \"HH:MM-HH:MM\" "
          "ranges such as [\"09:00-17:00\"])");
  }
  SUBCASE("a quoted price") {
    CHECK(problems_in(k_org + "\n[[add_ons]]\nname = \"Mat\"\nprice = \"3\"\n") ==
          "profiles/yoga.toml:9: add_ons[0].price: found a string \"3\" (expected an amount such as 25 or 18.50)");
  }
  SUBCASE("a boolean where a date belongs") {
    CHECK(problems_in(k_org + "\n[[closures]]\nfrom = true\n") ==
          "profiles/yoga.toml:8: closures[0].from: found a boolean true (expected a date such as 2026-12-24)");
  }
  SUBCASE("text where a table belongs") {
    CHECK(problems_in(k_org + "assistant = \"Ava\"\n") ==
          "profiles/yoga.toml:6: organization.assistant: unknown key \"assistant\" (expected one of slug, name, "
          "industry, timezone, country, phone_numbers, booking_url, portal_url, website, owner, locations)");
    CHECK(problems_in("assistant = \"Ava\"\n" + k_org) ==
          "profiles/yoga.toml:1: assistant: found a string \"Ava\" (expected a table, written [assistant])");
  }
}

TEST_CASE("a required value of the wrong type is not also reported as missing") {
  CHECK(problems_in("[organization]\nslug = \"a\"\nname = [\"A\"]\ntimezone = \"UTC\"\n"
                    "phone_numbers = \"+15550001000\"\n") ==
        "profiles/yoga.toml:3: organization.name: found an array (expected a string)\n"
        "profiles/yoga.toml:5: organization.phone_numbers: found a string \"+15550001000\" (expected an array of "
        "strings such as [\"first\", \"second\"])");
}

TEST_CASE("prices are decimal amounts with at most two decimals") {
  const Profile p = parse_profile_toml(k_org + "[[services]]\nname = \"A\"\nprice = 18.5\n[[services]]\nname = \"B\"\n"
                                               "price = 0.07\n[[services]]\nname = \"C\"\nprice = 120\n",
                                       "x");
  CHECK(p.services[0].price_cents == 1850);
  CHECK(p.services[1].price_cents == 7);
  CHECK(p.services[2].price_cents == 12000);
  CHECK(problems_in(k_org + "\n[[services]]\nname = \"Yoga\"\nprice = 18.505\n") ==
        "profiles/yoga.toml:9: services[0].price: 18.505 has more than two decimals (expected an amount such as 25 "
        "or 18.50)");
  CHECK(problems_in(k_org + "\n[[services]]\nname = \"Yoga\"\nprice = 1e12\n") ==
        "profiles/yoga.toml:9: services[0].price: 1e+12 is too large (expected at most 1000000000)");
  CHECK(problems_in(k_org + "\n[[services]]\nname = \"Yoga\"\nprice = inf\n") ==
        "profiles/yoga.toml:9: services[0].price: inf is not an amount (expected an amount such as 25 or 18.50)");
}

TEST_CASE("a whole number too large for the field is rejected") {
  CHECK(problems_in(k_org + "\n[[services]]\nname = \"Yoga\"\nduration_minutes = 9999999999\n") ==
        "profiles/yoga.toml:9: services[0].duration_minutes: 9999999999 is out of range (expected an integer from "
        "-2147483648 to 2147483647)");
}

TEST_CASE("closure dates may be TOML dates or strings, and a missing end means one day") {
  const Profile p = parse_profile_toml(k_org + "[[closures]]\nfrom = \"2026-07-04\"\n[[closures]]\nfrom = 2026-12-24\n"
                                               "to = \"2026-12-26\"\nreason = \"Holidays\"\n",
                                       "x");
  CHECK(p.closures == std::vector<Closure>{{"2026-07-04", "2026-07-04", ""}, {"2026-12-24", "2026-12-26", "Holidays"}});
}

TEST_CASE("a file without an organization says so without a line number") {
  CHECK(problems_in("[assistant]\nname = \"Ava\"\n") ==
        "profiles/yoga.toml: organization: missing (expected an [organization] table with slug, name, timezone and "
        "phone_numbers)");
}

TEST_CASE("every problem in a file is reported at once, in line order") {
  const std::string toml =
      "[organization]\n"                                // 1
      "slug = \"Lotus\"\n"                              // 2
      "name = \"Lotus\"\n"                              // 3
      "timezone = \"Mars/Olympus\"\n"                   // 4
      "phone_numbers = [\"+15550001000\"]\n"            // 5
      "\n"                                              // 6
      "[assistant]\n"                                   // 7
      "voice = \"robot\"\n"                             // 8
      "temprature = 0.8\n"                              // 9
      "\n"                                              // 10
      "[hours]\n"                                       // 11
      "monday = [\"9:60-12:00\"]\n"                     // 12
      "tuesday = [\"13:00-12:00\"]\n"                   // 13
      "\n"                                              // 14
      "[[services]]\n"                                  // 15
      "name = \"Yoga\"\n"                               // 16
      "price = -1\n";                                   // 17
  const std::string message = problems_in(toml);
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= message.size()) {
    const std::size_t end = message.find('\n', start);
    lines.push_back(message.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  REQUIRE(lines.size() == 7);
  CHECK(lines[0].rfind("profiles/yoga.toml:2: organization.slug: ", 0) == 0);
  CHECK(lines[1].rfind("profiles/yoga.toml:4: organization.timezone: ", 0) == 0);
  CHECK(lines[2].rfind("profiles/yoga.toml:8: assistant.voice: ", 0) == 0);
  CHECK(lines[3] == "profiles/yoga.toml:9: assistant.temprature: unknown key \"temprature\" (did you mean "
                    "\"temperature\"?)");
  CHECK(lines[4].rfind("profiles/yoga.toml:12: hours.monday[0]: ", 0) == 0);
  CHECK(lines[5].rfind("profiles/yoga.toml:13: hours.tuesday[0]: ", 0) == 0);
  CHECK(lines[6].rfind("profiles/yoga.toml:17: services[0].price: ", 0) == 0);
}

TEST_CASE("a profile file is read from disk and named in messages as given") {
  sonoria::test::TempDir dir;
  const auto good = dir.write("good.toml", k_org);
  CHECK(load_profile_file(good).organization.slug == "lotus-yoga");

  const auto bad = dir.write("bad.toml", k_org + "websit = \"https://x.example\"\n");
  CHECK_THROWS_WITH_AS(load_profile_file(bad),
                       (bad.string() + ":6: organization.websit: unknown key \"websit\" (did you mean \"website\"?)")
                           .c_str(),
                       sonoria::DataError);
}

TEST_CASE("a profile file that cannot be read is a data error naming the path") {
  sonoria::test::TempDir dir;
  const auto missing = dir / "missing.toml";
  CHECK_THROWS_WITH_AS(load_profile_file(missing), (missing.string() + ": cannot read: No such file or directory").c_str(),
                       sonoria::DataError);
  CHECK_THROWS_WITH_AS(load_profile_file(dir.path()),
                       (dir.path().string() + ": cannot read: is a directory (expected a TOML file)").c_str(),
                       sonoria::DataError);
}

TEST_CASE("the hair salon example is answered by Deepgram with OpenAI as its failover") {
  const Profile p = toml_example("hair-salon.toml");
  CHECK(p.assistant.engines == std::vector<std::string>{"deepgram", "openai"});
  CHECK(p.assistant.voice.empty());
  CHECK(p.assistant.deepgram.voice == "aura-2-thalia-en");
  CHECK(p.assistant.deepgram.model == "gpt-4o-mini");
  CHECK(p.assistant.deepgram.listen_model == "nova-3");
  CHECK(p.assistant.openai.voice == "coral");
  CHECK(p.assistant.ultravox.empty());
}

TEST_CASE("one engine is written engine = \"…\" and exports the same way") {
  const Profile p = parse_profile_toml(k_org + "\n[assistant]\nengine = \"ultravox\"\nvoice = \"Mark\"\n", "x");
  CHECK(p.assistant.engines == std::vector<std::string>{"ultravox"});
  const std::string text = export_profile_toml(p);
  CHECK(text.find("engine = \"ultravox\"\n") != std::string::npos);
  CHECK(parse_profile_toml(text, "x") == p);
}

TEST_CASE("a profile without an engine is answered by OpenAI with its default voice") {
  const Profile p = parse_profile_toml(k_org, "x");
  CHECK(p.assistant.engines.empty());
  CHECK(p.assistant.engine_order() == std::vector<std::string>{"openai"});
  CHECK(export_profile_toml(p).find("engine") == std::string::npos);
}

TEST_CASE("engine options are per engine, and keys an engine lacks are refused") {
  CHECK(problems_in(k_org + "\n[assistant.openai]\nlisten_model = \"nova-3\"\n") ==
        "profiles/yoga.toml:8: assistant.openai.listen_model: unknown key \"listen_model\" (expected one of voice, "
        "model)");
  CHECK(problems_in(k_org + "\n[assistant]\nopenai = \"coral\"\n") ==
        "profiles/yoga.toml:8: assistant.openai: found a string \"coral\" (expected a table, written "
        "[assistant.openai])");
}

TEST_CASE("engine and engines together, or an empty list, are refused") {
  CHECK(problems_in(k_org + "\n[assistant]\nengine = \"openai\"\nengines = [\"deepgram\"]\n") ==
        "profiles/yoga.toml:9: assistant.engines: given together with assistant.engine (expected either engine = "
        "\"…\" or engines = [\"…\", …])");
  CHECK(problems_in(k_org + "\n[assistant]\nengines = []\n") ==
        "profiles/yoga.toml:8: assistant.engines: is empty (expected at least one engine, such as [\"openai\"])");
  CHECK(problems_in(k_org + "\n[assistant]\nengine = 3\n") ==
        "profiles/yoga.toml:8: assistant.engine: found an integer 3 (expected a string)");
}

TEST_CASE("recording is off unless the assistant says record_calls = true, and survives export") {
  CHECK_FALSE(parse_profile_toml(k_org, "p.toml").assistant.record_calls);
  const Profile p = parse_profile_toml(k_org + "[assistant]\nrecord_calls = true\nrecording_notice = \"We record calls.\"\n", "p.toml");
  CHECK(p.assistant.record_calls);
  CHECK(p.assistant.recording_notice == "We record calls.");
  const Profile again = parse_profile_toml(export_profile_toml(p), "p.toml");
  CHECK(again.assistant.record_calls);
  CHECK(again.assistant.recording_notice == "We record calls.");
  CHECK(problems_in(k_org + "[assistant]\nrecord_calls = \"yes\"\n") ==
        "profiles/yoga.toml:7: assistant.record_calls: found a string \"yes\" (expected true or false)");
}
