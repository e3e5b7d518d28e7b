#include "core/dashboard/profile_form.hpp"

#include <doctest/doctest.h>
#include <toml++/toml.h>

#include <set>

#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::dashboard;

namespace {

// Every key of the profile format, each with a value other than its default.
const char* const k_every_key = R"TOML(
[organization]
slug = "every-key"
name = "Every Key Clinic"
industry = "Physiotherapy"
timezone = "Europe/Berlin"
country = "DE"
phone_numbers = ["+4930000001", "+4930000002"]
booking_url = "https://every.example/book"
portal_url = "https://every.example/account"
website = "https://every.example"

[organization.owner]
name = "Olga Owner"
phone = "+4930000099"
email = "olga@every.example"

[[organization.locations]]
name = "Mitte"
address = "Torstrasse 1, Berlin"
phone = "+4930000010"
notes = "Second floor"
calendar_id = "mitte@group.calendar.google.com"

[organization.locations.hours]
monday = ["08:00-12:00", "13:00-18:00"]
saturday = ["09:00-13:00"]

[[organization.locations]]
name = "Kreuzberg"
address = "Oranienstrasse 2, Berlin"

[assistant]
name = "Mia"
engines = ["deepgram", "openai"]
voice = "aura-2-thalia-en"
greeting = "Hello, Every Key Clinic, Mia speaking."
model = "gpt-4o-mini"
temperature = 0.9
language = "de"
personality = """
Calm.
Short answers."""
voicemail_message = "Please call us back."
transfer_digit = "9"
record_calls = true
recording_notice = "Calls are recorded for training."

[assistant.vad]
threshold = 0.65
prefix_padding_ms = 250
silence_duration_ms = 700

[assistant.openai]
voice = "marin"
model = "gpt-realtime"

[assistant.deepgram]
voice = "aura-2-orion-en"
model = "gpt-4o-mini"
listen_model = "nova-3"

[assistant.ultravox]
voice = "Mark"
model = "fixie-ai/ultravox"

[[services]]
name = "Assessment"
duration_minutes = 45
price = 79.5
currency = "EUR"
description = "First visit."

[[services]]
name = "Treatment"
duration_minutes = 30
price = 55
currency = "EUR"

[[add_ons]]
name = "Tape"
price = 4.25
description = "Kinesiology tape."

[hours]
monday = ["08:00-18:00"]
tuesday = ["08:00-18:00"]
wednesday = ["08:00-12:00", "14:00-18:00"]
thursday = ["08:00-18:00"]
friday = ["08:00-16:00"]
saturday = ["09:00-13:00"]
sunday = []

[[closures]]
from = "2026-12-24"
to = "2026-12-26"
reason = "Christmas"

[[closures]]
from = "2027-01-01"
to = "2027-01-01"

[[faqs]]
question = "Do you take insurance?"
answer = "Yes, public and private."

[booking]
mode = "built_in"
slot_minutes = 15
buffer_minutes = 5
reminder_hours = 24
min_notice_hours = 2
max_advance_days = 90
cancellation_notice_hours = 24
policies = ["Arrive ten minutes early.", "Cancel 24 hours ahead, or pay."]

[[team]]
name = "Tom Therapist"
role = "Physiotherapist"
bio = "Sports injuries."
services = ["Assessment", "Treatment"]
calendar_id = "tom@every.example"

[[team.schedule]]
location = "Mitte"
monday = ["08:00-12:00"]
wednesday = ["14:00-18:00"]

[[team.schedule]]
location = "Kreuzberg"
friday = ["08:00-16:00"]

[[team]]
name = "Una"

[sms_templates]
booking = "Book: {{booking_url}}"
update = "Change: {{portal_url}}"
cancel = "Cancel: {{portal_url}}"
notify_owner = "{{caller_phone}}: {{message}}"
confirmation = "See you {{date}} at {{time}}, ref {{reference}}"
changed = "Moved to {{date}} {{time}}"
cancelled = "Cancelled {{reference}}"
reminder = "Reminder: {{date}} {{time}}"

[[fallback_numbers]]
name = "front desk"
number = "+4930000003"

[[stages]]
name = "identify"
description = "The call starts here."
instructions = "Ask for the name."
start = true
voice = "aura-2-orion-en"
tools = ["transfer_call"]
next = ["help", "wrap_up"]

[stages.voices]
openai = "cedar"
deepgram = "aura-2-luna-en"
ultravox = "Emily"

[[stages]]
name = "help"
description = "Identified."
instructions = "Help."
tools = []
next = ["wrap_up"]

[[stages]]
name = "wrap_up"
description = "Done."
instructions = "Say goodbye."

[[http_tools]]
name = "lookup_patient"
description = "Look a patient up."
method = "GET"
url = "https://hooks.every.example/patients/{{id}}"
parameters = '{"type":"object","properties":{"id":{"type":"string"}},"required":["id"]}'
timeout_ms = 3000
retries = 2
filler = "One moment."

[http_tools.headers]
Authorization = "Bearer ${EVERY_TOKEN}"
X-Clinic = "every"

[webhooks]
call_end_url = "https://hooks.every.example/end"
call_start_url = "https://hooks.every.example/start"
call_start_timeout_ms = 1200
)TOML";

org::Profile every_key_profile() { return org::parse_profile_toml(k_every_key, "every-key.toml"); }

// The TOML paths of every value in a document ("services[1].price"), indexes as written.
void leaf_paths(const toml::table& table, const std::string& base, std::set<std::string>& out) {
  for (const auto& [key, node] : table) {
    const std::string path = base.empty() ? std::string(key.str()) : base + "." + std::string(key.str());
    if (const auto* inner = node.as_table(); inner && key.str() != "headers") {
      leaf_paths(*inner, path, out);
    } else if (const auto* array = node.as_array(); array && !array->empty() && array->is_array_of_tables()) {
      for (std::size_t i = 0; i < array->size(); ++i) leaf_paths(*(*array)[i].as_table(), path + "[" + std::to_string(i) + "]", out);
    } else {
      out.insert(path);
    }
  }
}

FormRead round_trip(const org::Profile& p) {
  return read_profile_form(form_values(org::export_profile_toml(p)), p.organization.slug);
}

}  // namespace

TEST_CASE("every key of the profile format has its input, named by its TOML path") {
  const auto exported = org::export_profile_toml(every_key_profile());
  std::set<std::string> paths;
  leaf_paths(toml::parse(exported), "", paths);
  CHECK(paths.size() > 120);
  for (const auto& path : paths) {
    INFO(path);
    CHECK(input_for_field(path) == path);
  }
}

TEST_CASE("a profile with every key set survives the form unchanged") {
  const auto p = every_key_profile();
  const auto read = round_trip(p);
  INFO(read.toml);
  REQUIRE(read.errors.empty());
  REQUIRE(read.general.empty());
  REQUIRE(read.profile);
  CHECK(*read.profile == p);
}

TEST_CASE("each example profile survives the form unchanged") {
  for (const char* name : {"yoga-studio.toml", "dental-clinic.toml", "hair-salon.toml", "insurance-agency.toml",
                           "physio-clinic.toml"}) {
    INFO(name);
    const auto p = org::load_profile_file(test::source_dir() / "examples" / name);
    const auto read = round_trip(p);
    REQUIRE(read.profile);
    CHECK(*read.profile == p);
  }
}

TEST_CASE("the form shows values as an owner types them") {
  const auto values = form_values(org::export_profile_toml(every_key_profile()));
  CHECK(values.at("organization.phone_numbers") == "+4930000001, +4930000002");
  CHECK(values.at("services[0].price") == "79.50");
  CHECK(values.at("services[1].price") == "55");
  CHECK(values.at("hours.wednesday") == "08:00-12:00, 14:00-18:00");
  CHECK(values.at("booking.policies") == "Arrive ten minutes early.\nCancel 24 hours ahead, or pay.");
  CHECK(values.at("closures[0].from") == "2026-12-24");
  CHECK(values.at("stages[0].tools~limit") == "1");
  CHECK(values.at("stages[1].tools~limit") == "1");
  CHECK(values.at("stages[1].tools").empty());
  CHECK(values.count("stages[2].tools~limit") == 0);
  CHECK(values.at("http_tools[0].headers") == "Authorization: Bearer ${EVERY_TOKEN}\nX-Clinic: every");
  CHECK(values.at("http_tools[0].parameters").find("\n  \"properties\"") != std::string::npos);  // pretty JSON
  CHECK(values.at("assistant.engines") == "deepgram, openai");
  CHECK(values.at("stages[0].start") == "1");
}

TEST_CASE("one engine written engine = \"…\" shows in the engines input") {
  const auto p = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
  auto copy = p;
  copy.assistant.engines = {"ultravox"};
  CHECK(form_values(org::export_profile_toml(copy)).at("assistant.engines") == "ultravox");
}

TEST_CASE("a wrong value is refused with the import's own message, beside its input") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  values["services[1].duration_minutes"] = "half an hour";
  values["hours.monday"] = "08:00-18:00, 19:00-17:00";
  values["organization.owner.phone"] = "12";
  values["http_tools[0].headers"] = "Authorization: Bearer abc123\nno colon here";
  const auto read = read_profile_form(values, "every-key");
  CHECK_FALSE(read.profile);
  REQUIRE(read.errors.count("services[1].duration_minutes"));
  CHECK(read.errors.at("services[1].duration_minutes").find("expected an integer") != std::string::npos);
  REQUIRE(read.errors.count("hours.monday"));
  CHECK(read.errors.at("hours.monday").find("19:00-17:00") != std::string::npos);
  REQUIRE(read.errors.count("organization.owner.phone"));
  CHECK(read.errors.at("organization.owner.phone").find("\"12\" is a local number without its area code (expected a number such as \"+49 30 123456\"") != std::string::npos);
  REQUIRE(read.errors.count("http_tools[0].headers"));
  CHECK(read.errors.at("http_tools[0].headers").find("no colon here") != std::string::npos);
  // The same message `sonoria org import` gives for that value.
  try {
    org::Profile p = every_key_profile();
    p.organization.owner.phone = "12";
    org::parse_profile_toml(org::export_profile_toml(p), "x.toml");
    FAIL("the import accepted it");
  } catch (const std::exception& e) {
    CHECK(std::string(e.what()).find(read.errors.at("organization.owner.phone")) != std::string::npos);
  }
}

TEST_CASE("items are added from the blank item, removed with their box, and blank ones left out") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  CHECK(item_count(values, "services") == 2);
  values["services[0]~remove"] = "1";
  values["services[2].name"] = "Massage";
  values["services[2].duration_minutes"] = "60";
  values["services[2].price"] = "70";
  values["services[3].name"] = "   ";  // a blank item
  values["http_tools[1].method"] = "POST";  // the blank tool's select counts for nothing
  values["team[0].services"] = "Treatment";  // Assessment is gone
  const auto read = read_profile_form(values, "every-key");
  INFO(read.toml);
  REQUIRE(read.profile);
  REQUIRE(read.profile->services.size() == 2);
  CHECK(read.profile->services[0].name == "Treatment");
  CHECK(read.profile->services[1].name == "Massage");
  CHECK(read.profile->services[1].price_cents == 7000);
  CHECK(read.profile->http_tools.size() == 1);
}

TEST_CASE("a problem in an item after a removed one is shown beside the item as the form numbers it") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  values["services[0]~remove"] = "1";
  values["services[1].price"] = "-3";
  values["team[0].services"] = "Treatment";
  values["team[0].schedule[0]~remove"] = "1";
  values["team[0].schedule[1].friday"] = "8 to 4";
  const auto read = read_profile_form(values, "every-key");
  CHECK_FALSE(read.profile);
  CHECK(read.errors.count("services[1].price") == 1);
  CHECK(read.errors.count("services[0].price") == 0);
  CHECK(read.errors.count("team[0].schedule[1].friday") == 1);
}

TEST_CASE("the slug stays the organization's whatever the form says") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  values["organization.slug"] = "someone-else";
  const auto read = read_profile_form(values, "every-key");
  REQUIRE(read.profile);
  CHECK(read.profile->organization.slug == "every-key");
}

TEST_CASE("a stage's tools: unticked means every tool, ticked and empty means none") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  values.erase("stages[0].tools~limit");
  values["stages[2].tools~limit"] = "1";
  const auto read = read_profile_form(values, "every-key");
  REQUIRE(read.profile);
  CHECK_FALSE(read.profile->stages[0].tools.has_value());
  REQUIRE(read.profile->stages[2].tools.has_value());
  CHECK(read.profile->stages[2].tools->empty());
}

TEST_CASE("text areas sent with CRLF line ends read as LF, single-line values are trimmed") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  values["assistant.personality"] = "Calm.\r\nShort answers.\r\n";
  values["organization.name"] = "  Every Key Clinic  ";
  values["booking.policies"] = "One.\r\n\r\nTwo.\r\n";
  const auto read = read_profile_form(values, "every-key");
  REQUIRE(read.profile);
  CHECK(read.profile->assistant.personality == "Calm.\nShort answers.");
  CHECK(read.profile->organization.name == "Every Key Clinic");
  CHECK(read.profile->booking.policies == std::vector<std::string>{"One.", "Two."});
}

TEST_CASE("problems that belong to no one input are listed apart") {
  auto values = form_values(org::export_profile_toml(every_key_profile()));
  values["stages[1].start"] = "1";  // two stages start
  const auto read = read_profile_form(values, "every-key");
  CHECK_FALSE(read.profile);
  CHECK(read.errors.size() + read.general.size() >= 1);
}

TEST_CASE("huge item indexes are not followed") {
  FormValues values{{"services[99999999].name", "x"}, {"services[3].name", "y"}, {"services[-1].name", "z"}};
  CHECK(item_count(values, "services") == 4);
}

TEST_CASE("input_for_field finds the enclosing input") {
  CHECK(input_for_field("hours.monday[1]") == "hours.monday");
  CHECK(input_for_field("http_tools[0].headers.Authorization") == "http_tools[0].headers");
  CHECK(input_for_field("team[2].schedule[0].location") == "team[2].schedule[0].location");
  CHECK(input_for_field("stages") == "");
  CHECK(input_for_field("nonsense.key") == "");
}

TEST_CASE("what only an admin changes is kept as stored, whatever the form sent") {
  const std::vector<std::string> locked = {"organization.phone_numbers", "http_tools", "webhooks"};
  CHECK(is_locked_input("http_tools", locked));
  CHECK(is_locked_input("http_tools[2].headers", locked));
  CHECK(is_locked_input("http_tools[2]~remove", locked));
  CHECK(is_locked_input("webhooks.call_end_url", locked));
  CHECK_FALSE(is_locked_input("http_tools_extra", locked));
  CHECK_FALSE(is_locked_input("organization.phone", locked));

  FormValues current{{"organization.name", "A"}, {"organization.phone_numbers", "+15550001000"},
                     {"http_tools[0].url", "https://crm.example/a"}, {"webhooks.call_end_url", ""}};
  FormValues sent{{"organization.name", "B"}, {"organization.phone_numbers", "+15550009999"},
                  {"http_tools[0].url", "http://169.254.169.254/"}, {"http_tools[1].url", "https://evil.example/"},
                  {"http_tools[0]~remove", "1"}, {"webhooks.call_end_url", "https://evil.example/"}};
  const auto kept = keep_locked(sent, current, locked);
  CHECK(kept.at("organization.name") == "B");  // the owner's own change stands
  CHECK(kept.at("organization.phone_numbers") == "+15550001000");
  CHECK(kept.at("http_tools[0].url") == "https://crm.example/a");
  CHECK(kept.count("http_tools[1].url") == 0);
  CHECK(kept.count("http_tools[0]~remove") == 0);
  CHECK(kept.at("webhooks.call_end_url").empty());
}
