#include "core/org/profile_validate.hpp"

#include <date/tz.h>

#include <algorithm>
#include <array>
#include <cctype>

#include <nlohmann/json.hpp>
#include <chrono>
#include <set>

#include "core/error.hpp"
#include "core/phone/phone_number.hpp"
#include "core/org/engine_voices.hpp"
#include "core/org/money.hpp"
#include "core/org/phone_numbers.hpp"
#include "core/org/templates.hpp"
#include "core/org/time_text.hpp"
#include "core/org/toml_text.hpp"
#include "core/org/tool_names.hpp"
#include "core/org/tool_schema.hpp"
#include "core/url/http_url.hpp"

namespace sonoria::org {
namespace {

// An HTTP tool's URL with each {{placeholder}} (an unclosed one too, reported apart) standing for
// an argument's value, percent-encoded when the tool is called: "1" fits wherever one may stand.
std::string with_placeholders_filled(const std::string& url) {
  std::string out;
  std::size_t at = 0;
  for (auto open = url.find("{{"); open != std::string::npos; open = url.find("{{", at)) {
    out.append(url, at, open - at);
    out += '1';
    const auto close = url.find("}}", open + 2);
    at = close == std::string::npos ? url.size() : close + 2;
  }
  out.append(url, std::min(at, url.size()));
  return out;
}

std::string join(const auto& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

bool is_web_address(std::string_view url) {
  for (std::string_view scheme : {"https://", "http://"}) {
    if (url.size() > scheme.size() && url.substr(0, scheme.size()) == scheme) return true;
  }
  return false;
}

bool is_email(std::string_view email) {
  const auto at = email.find('@');
  return at != std::string_view::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string_view::npos &&
         email.find_first_of(" \t\r\n") == std::string_view::npos;
}

bool all_of_class(std::string_view text, std::size_t size, char low, char high) {
  return text.size() == size &&
         std::all_of(text.begin(), text.end(), [&](char c) { return c >= low && c <= high; });
}

// Collects problems with the field paths the TOML format uses.
class Checker {
 public:
  std::vector<Problem> problems;
  std::string region;  // of numbers written without their country code (org::default_region)

  void add(std::string field, std::string message) {
    problems.push_back({std::move(field), std::move(message)});
  }

  void required(const std::string& field, const std::string& value, std::string_view expected) {
    if (value.empty()) add(field, "missing (expected " + std::string(expected) + ")");
  }

  void phone(const std::string& field, const std::string& value) {
    if (value.empty()) return;
    const phone::Parsed parsed = phone::parse(value, region);
    if (!parsed.number) {
      add(field, parsed.error);
    } else if (parsed.number->e164 != value) {
      // normalize_phone_numbers rewrites what the importer reads; a profile built elsewhere may not be.
      add(field, toml_quote(value) + " is not in the stored form (expected " + toml_quote(parsed.number->e164) + ")");
    }
  }

  void required_phone(const std::string& field, const std::string& value) {
    if (value.empty()) {
      add(field, "missing (expected " + phone::expected_form(region) + ")");
    } else {
      phone(field, value);
    }
  }

  void web_address(const std::string& field, const std::string& value) {
    if (!value.empty() && !is_web_address(value)) {
      add(field, toml_quote(value) + " is not a web address (expected one starting with https:// or http://)");
    }
  }

  void not_negative(const std::string& field, int64_t value) {
    if (value < 0) add(field, std::to_string(value) + " is negative (expected 0 or more)");
  }

  void price(const std::string& field, int64_t cents) {
    if (cents < 0) add(field, format_amount(cents) + " is negative (expected 0 or more)");
  }

  void int_range(const std::string& field, int value, int low, int high, std::string_view note = {}) {
    if (value < low || value > high) {
      add(field, std::to_string(value) + " is out of range (expected " + std::to_string(low) + " to " +
                     std::to_string(high) + std::string(note) + ")");
    }
  }

  void double_range(const std::string& field, double value, double low, double high) {
    // Written so that NaN fails too.
    if (!(value >= low && value <= high)) {
      add(field, toml_float(value) + " is out of range (expected " + toml_float(low) + " to " + toml_float(high) + ")");
    }
  }
};

void check_organization(Checker& check, const Organization& org) {
  check.required("organization.slug", org.slug, "a slug such as \"lotus-yoga\"");
  if (!org.slug.empty() && !is_valid_slug(org.slug)) {
    check.add("organization.slug",
              toml_quote(org.slug) +
                  " is not a valid slug (expected lowercase letters, digits and dashes, starting with a letter or digit)");
  }
  check.required("organization.name", org.name, "the business name");
  check.required("organization.timezone", org.timezone, "an IANA time zone such as \"America/New_York\"");
  if (!org.timezone.empty() && !is_known_timezone(org.timezone)) {
    check.add("organization.timezone",
              toml_quote(org.timezone) + " is not a known IANA time zone (expected a name such as \"America/New_York\")");
  }

  if (!org.country.empty() && !phone::is_region(org.country)) {
    check.add("organization.country",
              toml_quote(org.country) + " is not a country code (expected two capital letters such as \"US\" or \"GB\")");
  }
  if (org.phone_numbers.empty()) {
    check.add("organization.phone_numbers", "missing (expected at least one, " + phone::expected_form(check.region) + ")");
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < org.phone_numbers.size(); ++i) {
    const std::string field = index_path("organization.phone_numbers", i);
    check.required_phone(field, org.phone_numbers[i]);
    if (!org.phone_numbers[i].empty() && !seen.insert(org.phone_numbers[i]).second) {
      check.add(field, toml_quote(org.phone_numbers[i]) + " is listed twice (expected each number once)");
    }
  }

  check.web_address("organization.booking_url", org.booking_url);
  check.web_address("organization.portal_url", org.portal_url);
  check.web_address("organization.website", org.website);

  check.phone("organization.owner.phone", org.owner.phone);
  if (!org.owner.email.empty() && !is_email(org.owner.email)) {
    check.add("organization.owner.email", toml_quote(org.owner.email) + " is not an email address (expected name@domain)");
  }

  for (std::size_t i = 0; i < org.locations.size(); ++i) {
    const std::string base = index_path("organization.locations", i);
    check.required(base + ".name", org.locations[i].name, "the location's name");
    check.phone(base + ".phone", org.locations[i].phone);
  }
}

// The engines in order, and each voice on the engine it is meant for: assistant.voice on the first
// engine, [assistant.<engine>].voice on that engine.
void check_engines(Checker& check, const Assistant& assistant) {
  std::string engine_list;
  for (auto e : k_engines) engine_list += (engine_list.empty() ? "" : ", ") + toml_quote(e);
  for (std::size_t i = 0; i < assistant.engines.size(); ++i) {
    const std::string& engine = assistant.engines[i];
    const std::string field = index_path("assistant.engines", i);
    if (!is_known_engine(engine)) {
      check.add(field, toml_quote(engine) + " is not an engine (expected one of " + engine_list + ")");
    } else if (std::find(assistant.engines.begin(), assistant.engines.begin() + static_cast<std::ptrdiff_t>(i),
                         engine) != assistant.engines.begin() + static_cast<std::ptrdiff_t>(i)) {
      check.add(field, toml_quote(engine) + " is listed twice (expected each engine once)");
    }
  }
  const std::string first = assistant.engine_order().front();
  if (!assistant.voice.empty() && is_known_engine(first)) {
    if (auto problem = voice_problem(first, assistant.voice); !problem.empty())
      check.add("assistant.voice", problem);
  }
  const std::pair<std::string_view, const EngineOptions*> own[] = {
      {"openai", &assistant.openai}, {"deepgram", &assistant.deepgram}, {"ultravox", &assistant.ultravox}};
  for (const auto& [engine, options] : own) {
    if (options->voice.empty()) continue;
    if (auto problem = voice_problem(engine, options->voice); !problem.empty())
      check.add("assistant." + std::string(engine) + ".voice", problem);
  }
}

void check_assistant(Checker& check, const Assistant& assistant) {
  check.required("assistant.name", assistant.name, "the assistant's name, such as \"Ava\"");
  check_engines(check, assistant);
  check.double_range("assistant.temperature", assistant.temperature, k_min_temperature, k_max_temperature);
  {
    const auto& d = assistant.transfer_digit;
    bool ok = d.empty() || d == "off" || (d.size() == 1 && std::string_view("0123456789*#").find(d[0]) != std::string_view::npos);
    if (!ok)
      check.add("assistant.transfer_digit",
                toml_quote(d) + " is not a keypad digit (expected \"0\"-\"9\", \"*\", \"#\", or \"off\")");
  }
  if (!all_of_class(assistant.language, 2, 'a', 'z')) {
    check.add("assistant.language",
              toml_quote(assistant.language) + " is not a language code (expected two lowercase letters such as \"en\")");
  }
  check.double_range("assistant.vad.threshold", assistant.vad.threshold, 0.0, 1.0);
  check.int_range("assistant.vad.prefix_padding_ms", assistant.vad.prefix_padding_ms, 0, k_max_vad_ms);
  check.int_range("assistant.vad.silence_duration_ms", assistant.vad.silence_duration_ms, 0, k_max_vad_ms);
}

void check_services(Checker& check, const Profile& profile) {
  for (std::size_t i = 0; i < profile.services.size(); ++i) {
    const Service& service = profile.services[i];
    const std::string base = index_path("services", i);
    check.required(base + ".name", service.name, "the service's name");
    check.int_range(base + ".duration_minutes", service.duration_minutes, 0, k_max_duration_minutes,
                    "; 0 = not stated");
    check.price(base + ".price", service.price_cents);
    if (!all_of_class(service.currency, 3, 'A', 'Z')) {
      check.add(base + ".currency",
                toml_quote(service.currency) + " is not a currency code (expected three capital letters such as \"USD\")");
    }
  }
  for (std::size_t i = 0; i < profile.add_ons.size(); ++i) {
    const std::string base = index_path("add_ons", i);
    check.required(base + ".name", profile.add_ons[i].name, "the add-on's name");
    check.price(base + ".price", profile.add_ons[i].price_cents);
  }
}

void check_hours(Checker& check, const WeeklyHours& hours, const std::string& field = "hours") {
  for (int day = 0; day < 7; ++day) {
    const auto& ranges = hours.days[day];
    const std::string base = field + "." + std::string(weekday_key(day));
    std::vector<std::size_t> sound;  // indexes of ranges that are well-formed on their own
    for (std::size_t i = 0; i < ranges.size(); ++i) {
      const TimeRange& range = ranges[i];
      const std::string text = toml_quote(format_time_range(range));
      if (range.open_minute < 0 || range.open_minute > k_minutes_per_day || range.close_minute < 0 ||
          range.close_minute > k_minutes_per_day) {
        check.add(index_path(base, i), text + " is outside the day (expected times from 00:00 to 24:00)");
      } else if (range.close_minute < range.open_minute) {
        check.add(index_path(base, i), text + " closes before it opens (expected the closing time after the opening time)");
      } else if (range.close_minute == range.open_minute) {
        check.add(index_path(base, i), text + " closes when it opens (expected the closing time after the opening time)");
      } else {
        sound.push_back(i);
      }
    }
    // Each range is compared with the ones listed before it, so the later one is blamed.
    for (std::size_t a = 0; a < sound.size(); ++a) {
      for (std::size_t b = 0; b < a; ++b) {
        const TimeRange& later = ranges[sound[a]];
        const TimeRange& earlier = ranges[sound[b]];
        if (later.open_minute < earlier.close_minute && earlier.open_minute < later.close_minute) {
          check.add(index_path(base, sound[a]), toml_quote(format_time_range(later)) + " overlaps " +
                                                    toml_quote(format_time_range(earlier)) +
                                                    " (expected ranges that do not overlap)");
          break;
        }
      }
    }
  }
}

void check_closures(Checker& check, const std::vector<Closure>& closures) {
  for (std::size_t i = 0; i < closures.size(); ++i) {
    const Closure& closure = closures[i];
    const std::string base = index_path("closures", i);
    std::optional<std::chrono::year_month_day> dates[2];
    const std::string* texts[2] = {&closure.from, &closure.to};
    const char* names[2] = {"from", "to"};
    for (int k = 0; k < 2; ++k) {
      const std::string field = base + "." + names[k];
      if (texts[k]->empty()) {
        check.add(field, "missing (expected a date such as 2026-12-24)");
      } else if (!(dates[k] = parse_date(*texts[k]))) {
        check.add(field, toml_quote(*texts[k]) + " is not a date (expected YYYY-MM-DD)");
      }
    }
    if (dates[0] && dates[1] && *dates[1] < *dates[0]) {
      check.add(base + ".to",
                closure.to + " is before from = " + closure.from + " (expected a date on or after \"from\")");
    }
  }
}

void check_rest(Checker& check, const Profile& profile) {
  for (std::size_t i = 0; i < profile.faqs.size(); ++i) {
    const std::string base = index_path("faqs", i);
    check.required(base + ".question", profile.faqs[i].question, "the question callers ask");
    check.required(base + ".answer", profile.faqs[i].answer, "the answer");
  }

  check.not_negative("booking.min_notice_hours", profile.booking.min_notice_hours);
  check.not_negative("booking.max_advance_days", profile.booking.max_advance_days);
  check.not_negative("booking.cancellation_notice_hours", profile.booking.cancellation_notice_hours);
  for (std::size_t i = 0; i < profile.booking.policies.size(); ++i) {
    check.required(index_path("booking.policies", i), profile.booking.policies[i], "the policy's text");
  }

  for (std::size_t i = 0; i < profile.team.size(); ++i) {
    check.required(index_path("team", i) + ".name", profile.team[i].name, "the person's name");
  }

  const std::pair<const char*, const std::string*> templates[] = {
      {"booking", &profile.sms_templates.booking},
      {"update", &profile.sms_templates.update},
      {"cancel", &profile.sms_templates.cancel},
      {"notify_owner", &profile.sms_templates.notify_owner},
      {"confirmation", &profile.sms_templates.confirmation},
      {"changed", &profile.sms_templates.changed},
      {"cancelled", &profile.sms_templates.cancelled},
      {"reminder", &profile.sms_templates.reminder},
  };
  for (const auto& [name, text] : templates) {
    for (const std::string& unknown : unknown_placeholders(*text)) {
      check.add(std::string("sms_templates.") + name, "unknown placeholder " + toml_quote("{{" + unknown + "}}") +
                                                         " (expected one of " + join(k_placeholders, ", ") + ")");
    }
  }

  for (std::size_t i = 0; i < profile.fallback_numbers.size(); ++i) {
    const std::string base = index_path("fallback_numbers", i);
    check.required(base + ".name", profile.fallback_numbers[i].name, "who answers it, such as \"front desk\"");
    check.required_phone(base + ".number", profile.fallback_numbers[i].number);
  }
}

// The appointment book: a known mode, sane grid and limits, services that can be booked, team
// members who perform services and work at locations that exist, and (google) a calendar for
// every column of the book.
void check_booking(Checker& check, const Profile& profile) {
  const BookingRules& booking = profile.booking;
  const bool book = booking.mode == k_booking_built_in || booking.mode == k_booking_google;
  if (!book && booking.mode != k_booking_link)
    check.add("booking.mode", toml_quote(booking.mode) + " is not a booking mode (expected \"link\", \"built_in\" or \"google\")");
  check.int_range("booking.slot_minutes", booking.slot_minutes, 5, 240);
  check.int_range("booking.buffer_minutes", booking.buffer_minutes, 0, 480);
  check.int_range("booking.reminder_hours", booking.reminder_hours, 0, 24 * 30, "; 0 = no reminder");

  std::vector<std::string> location_names;
  for (std::size_t i = 0; i < profile.organization.locations.size(); ++i) {
    const Location& location = profile.organization.locations[i];
    location_names.push_back(location.name);
    if (location.hours) check_hours(check, *location.hours, index_path("organization.locations", i) + ".hours");
  }
  std::vector<std::string> service_names;
  for (const Service& service : profile.services) service_names.push_back(service.name);

  for (std::size_t i = 0; i < profile.team.size(); ++i) {
    const TeamMember& member = profile.team[i];
    const std::string base = index_path("team", i);
    for (std::size_t k = 0; k < member.services.size(); ++k) {
      if (std::find(service_names.begin(), service_names.end(), member.services[k]) == service_names.end())
        check.add(index_path(base + ".services", k), toml_quote(member.services[k]) +
                                                         " is not one of the [[services]] (expected one of " +
                                                         join(service_names, ", ") + ")");
    }
    for (std::size_t k = 0; k < member.schedule.size(); ++k) {
      const WorkShift& shift = member.schedule[k];
      const std::string item = index_path(base + ".schedule", k);
      check_hours(check, shift.hours, item);
      if (shift.location.empty() ? location_names.size() > 1
                                 : std::find(location_names.begin(), location_names.end(), shift.location) ==
                                       location_names.end())
        check.add(item + ".location",
                  (shift.location.empty() ? std::string("missing") : toml_quote(shift.location) + " is not a location") +
                      " (expected one of " + join(location_names, ", ") + ")");
    }
  }
  if (!book) return;

  for (std::size_t i = 0; i < profile.services.size(); ++i) {
    if (profile.services[i].duration_minutes <= 0)
      check.add(index_path("services", i) + ".duration_minutes",
                "is not set (expected the service's length in minutes: booking.mode = " + toml_quote(booking.mode) +
                    " books it)");
  }
  if (profile.services.empty())
    check.add("booking.mode", toml_quote(booking.mode) + " needs at least one [[services]] entry to book");

  if (booking.mode == k_booking_google) {
    if (!profile.team.empty()) {
      for (std::size_t i = 0; i < profile.team.size(); ++i)
        if (profile.team[i].calendar_id.empty())
          check.add(index_path("team", i) + ".calendar_id",
                    "missing (expected the Google Calendar ID of their appointments: booking.mode = \"google\")");
    } else if (profile.organization.locations.empty()) {
      check.add("booking.mode",
                "\"google\" needs a calendar (expected calendar_id on each [[team]] member, or on each "
                "[[organization.locations]] entry when there is no team)");
    } else {
      for (std::size_t i = 0; i < profile.organization.locations.size(); ++i)
        if (profile.organization.locations[i].calendar_id.empty())
          check.add(index_path("organization.locations", i) + ".calendar_id",
                    "missing (expected the location's Google Calendar ID: booking.mode = \"google\" without a team)");
    }
  }
}

bool is_stage_name(std::string_view name) {
  if (name.empty() || name.size() > 40 || name.front() < 'a' || name.front() > 'z') return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

// Stages: names usable in a tool name, one start, transitions to stages that exist, tools that
// exist, and each voice on the engine it is meant for.
void check_stages(Checker& check, const Profile& profile) {
  const auto& stages = profile.stages;
  std::set<std::string> names;
  for (const Stage& stage : stages) names.insert(stage.name);
  const auto engines = profile.assistant.engine_order();
  std::size_t starts = 0;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < stages.size(); ++i) {
    const Stage& stage = stages[i];
    const std::string base = index_path("stages", i);
    check.required(base + ".name", stage.name, "a stage name such as \"greeting\"");
    if (!stage.name.empty() && !is_stage_name(stage.name))
      check.add(base + ".name", toml_quote(stage.name) +
                                    " is not a stage name (expected up to 40 lowercase letters, digits and "
                                    "underscores, starting with a letter)");
    else if (!stage.name.empty() && !seen.insert(stage.name).second)
      check.add(base + ".name", toml_quote(stage.name) + " is the name of an earlier stage too (expected unique names)");
    if (stage.start && ++starts == 2)
      check.add(base + ".start", "a second start stage (expected start = true on one stage only)");
    if (stage.instructions.empty())
      check.add(base + ".instructions", "missing (expected what the assistant does in this stage)");
    std::set<std::string> next_seen;
    for (std::size_t n = 0; n < stage.next.size(); ++n) {
      const std::string field = index_path(base + ".next", n);
      const std::string& next = stage.next[n];
      if (next == stage.name)
        check.add(field, toml_quote(next) + " is this stage (expected another stage's name)");
      else if (!names.count(next))
        check.add(field, toml_quote(next) + " is not a stage of this profile (expected one of " + join(names, ", ") +
                             ")");
      else if (!next_seen.insert(next).second)
        check.add(field, toml_quote(next) + " is listed twice");
    }
    if (stage.tools) {
      for (std::size_t t = 0; t < stage.tools->size(); ++t) {
        const std::string& tool = (*stage.tools)[t];
        const bool own = std::any_of(profile.http_tools.begin(), profile.http_tools.end(),
                                     [&](const HttpTool& h) { return h.name == tool; });
        if (!own && std::find(k_builtin_tools.begin(), k_builtin_tools.end(), tool) == k_builtin_tools.end())
          check.add(index_path(base + ".tools", t),
                    toml_quote(tool) + " is not a tool (expected one of " + join(k_builtin_tools, ", ") +
                        " or an [[http_tools]] name; moving to the next stages needs no tool here)");
      }
    }
    if (!stage.voice.empty() && is_known_engine(engines.front()))
      if (auto problem = voice_problem(engines.front(), stage.voice); !problem.empty())
        check.add(base + ".voice", problem);
    const std::pair<std::string_view, const std::string*> voices[] = {
        {"openai", &stage.voices.openai}, {"deepgram", &stage.voices.deepgram}, {"ultravox", &stage.voices.ultravox}};
    for (const auto& [engine, voice] : voices)
      if (!voice->empty())
        if (auto problem = voice_problem(engine, *voice); !problem.empty())
          check.add(base + ".voices." + std::string(engine), problem);
  }
  // A stage nobody can reach is a mistake in the flow (and its tool would never be offered).
  const std::size_t start = profile.start_stage();
  std::set<std::string> reached;
  if (!stages.empty()) {
    std::vector<std::size_t> todo{start};
    reached.insert(stages[start].name);
    while (!todo.empty()) {
      const Stage& from = stages[todo.back()];
      todo.pop_back();
      for (const std::string& next : from.next)
        for (std::size_t k = 0; k < stages.size(); ++k)
          if (stages[k].name == next && reached.insert(next).second) todo.push_back(k);
    }
  }
  for (std::size_t i = 0; i < stages.size(); ++i)
    if (!stages[i].name.empty() && !reached.count(stages[i].name))
      check.add(index_path("stages", i),
                toml_quote(stages[i].name) + " cannot be reached from the start stage " +
                    toml_quote(stages[start].name) + " (expected it in some reachable stage's next)");
}

bool is_tool_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Header names whose values are credentials: they must come from the environment.
bool is_secret_header(std::string_view name) {
  std::string lower(name);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (std::string_view word : {"authorization", "cookie", "token", "secret", "api-key", "apikey", "api_key", "password"})
    if (lower.find(word) != std::string::npos) return true;
  return false;
}

// The ${NAME} references of a header value; false when one is malformed.
bool env_references(std::string_view value, std::vector<std::string>& names) {
  for (std::size_t at = value.find("${"); at != std::string_view::npos; at = value.find("${", at + 2)) {
    const auto end = value.find('}', at);
    if (end == std::string_view::npos) return false;
    const std::string_view name = value.substr(at + 2, end - at - 2);
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }) || (name[0] >= '0' && name[0] <= '9'))
      return false;
    names.emplace_back(name);
  }
  return true;
}

void check_http_tools(Checker& check, const Profile& profile) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < profile.http_tools.size(); ++i) {
    const HttpTool& tool = profile.http_tools[i];
    const std::string base = index_path("http_tools", i);
    check.required(base + ".name", tool.name, "a tool name such as \"lookup_claim\"");
    if (!tool.name.empty()) {
      if (!is_tool_name(tool.name))
        check.add(base + ".name", toml_quote(tool.name) +
                                      " is not a tool name (expected up to 64 letters, digits, \"_\" and \"-\")");
      else if (std::find(k_builtin_tools.begin(), k_builtin_tools.end(), tool.name) != k_builtin_tools.end() ||
               tool.name.rfind(std::string(k_transition_prefix), 0) == 0)
        check.add(base + ".name", toml_quote(tool.name) + " is a name sonoria uses itself (expected another name)");
      else if (!seen.insert(tool.name).second)
        check.add(base + ".name", toml_quote(tool.name) + " is the name of an earlier HTTP tool too");
    }
    check.required(base + ".description", tool.description, "when the assistant should use the tool");
    static const std::array<std::string_view, 5> k_methods = {"GET", "POST", "PUT", "PATCH", "DELETE"};
    if (std::find(k_methods.begin(), k_methods.end(), tool.method) == k_methods.end())
      check.add(base + ".method", toml_quote(tool.method) + " is not a method (expected GET, POST, PUT, PATCH or DELETE)");
    // The arguments' schema: JSON, an object schema within what tools support.
    nlohmann::json schema = nlohmann::json{{"type", "object"}, {"properties", nlohmann::json::object()}};
    bool schema_ok = true;
    if (!tool.parameters.empty()) {
      schema = nlohmann::json::parse(tool.parameters, nullptr, /*allow_exceptions=*/false);
      if (schema.is_discarded()) {
        check.add(base + ".parameters", "not JSON (expected a JSON Schema such as {\"type\": \"object\", \"properties\": "
                                        "{\"claim_number\": {\"type\": \"string\"}}})");
        schema_ok = false;
      } else if (auto problem = check_schema(schema)) {
        check.add(base + ".parameters", *problem);
        schema_ok = false;
      }
    }
    // The URL: one the HTTP client can call once its {{placeholders}} are filled in, and every
    // placeholder an argument.
    if (const std::string problem = url::http_url_problem(with_placeholders_filled(tool.url)); !problem.empty()) {
      check.add(base + ".url", toml_quote(tool.url) + " is not an http:// or https:// URL the tool can call (" + problem + ")");
    } else {
      for (std::size_t at = tool.url.find("{{"); at != std::string::npos; at = tool.url.find("{{", at + 2)) {
        const auto end = tool.url.find("}}", at);
        if (end == std::string::npos) {
          check.add(base + ".url", "an unclosed {{ (expected {{argument}})");
          break;
        }
        const std::string name = tool.url.substr(at + 2, end - at - 2);
        const bool known = schema_ok && schema.contains("properties") && schema["properties"].is_object() &&
                           schema["properties"].contains(name);
        if (schema_ok && !known)
          check.add(base + ".url", "{{" + name + "}} is not an argument of the tool (expected one of its parameters' "
                                                 "properties)");
      }
    }
    for (const auto& header : tool.headers) {
      const std::string field = base + ".headers." + header.name;
      const bool token = !header.name.empty() && std::all_of(header.name.begin(), header.name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!token) {
        check.add(field, toml_quote(header.name) + " is not a header name");
        continue;
      }
      std::string lower = header.name;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.rfind("x-sonoria-", 0) == 0 || lower == "host" || lower == "content-length")
        check.add(field, "set by sonoria itself (expected another header)");
      std::vector<std::string> names;
      if (!env_references(header.value, names))
        check.add(field, "a malformed ${…} (expected ${NAME} with capitals, digits and \"_\")");
      else if (is_secret_header(header.name) && names.empty())
        check.add(field, "a credential written into the profile (expected it from the daemon's environment, such as "
                         "\"Bearer ${CRM_TOKEN}\")");
    }
    check.int_range(base + ".timeout_ms", tool.timeout_ms, 100, 30000);
    check.int_range(base + ".retries", tool.retries, 0, 3);
  }
}

}  // namespace

bool is_valid_slug(std::string_view slug) {
  if (slug.empty()) return false;
  auto lower_or_digit = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!lower_or_digit(slug.front())) return false;
  return std::all_of(slug.begin(), slug.end(), [&](char c) { return lower_or_digit(c) || c == '-'; });
}

bool is_known_timezone(const std::string& name) {
  try {
    return date::locate_zone(name) != nullptr;
  } catch (const std::exception&) {
    // date throws std::runtime_error for an unknown name (and if the tz database is missing).
    return false;
  }
}

std::vector<Problem> validate_profile(const Profile& profile) {
  Checker check;
  check.region = default_region(profile.organization);
  check_organization(check, profile.organization);
  check_assistant(check, profile.assistant);
  check_services(check, profile);
  check_hours(check, profile.hours);
  check_closures(check, profile.closures);
  check_rest(check, profile);
  check_booking(check, profile);
  check_stages(check, profile);
  check_http_tools(check, profile);
  for (const auto& [field, url] : {std::pair<const char*, const std::string*>{"webhooks.call_end_url", &profile.webhooks.call_end_url},
                                   {"webhooks.call_start_url", &profile.webhooks.call_start_url}})
    if (!url->empty())
      if (const std::string problem = ::sonoria::url::http_url_problem(*url); !problem.empty())
        check.add(field, toml_quote(*url) + " is not an http:// or https:// URL a webhook can be sent to (" + problem + ")");
  // While the phone rings: long enough for a CRM lookup, short enough not to be noticed.
  check.int_range("webhooks.call_start_timeout_ms", profile.webhooks.call_start_timeout_ms, 200, 5000);
  return std::move(check.problems);
}

void ensure_valid_profile(const Profile& profile, const std::string& source_name) {
  const std::vector<Problem> problems = validate_profile(profile);
  if (problems.empty()) return;
  std::string message;
  for (const Problem& problem : problems) {
    if (!message.empty()) message += '\n';
    message += source_name + ": " + problem.field + ": " + problem.message;
  }
  throw DataError(message);
}

}  // namespace sonoria::org
