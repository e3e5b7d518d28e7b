#include "core/org/profile_toml.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <map>
#include <sstream>
#include <vector>

#include "core/did_you_mean.hpp"
#include "core/error.hpp"
#include "core/org/money.hpp"
#include "core/org/profile_validate.hpp"
#include "core/org/time_text.hpp"
#include "core/org/toml_text.hpp"

namespace sonoria::org {
namespace {

using Keys = std::initializer_list<std::string_view>;

std::string unknown_key_message(std::string_view key, Keys allowed) {
  // Close enough to be a typo: one edit per three letters, at least one, at most three (a profile's
  // keys are short and many, so a looser guess would often be wrong).
  const std::string best = nearest_name(key, allowed, std::clamp<std::size_t>(key.size() / 3, 1, 3));
  std::string message = "unknown key " + toml_quote(key);
  if (!best.empty()) return message + " (did you mean " + toml_quote(best) + "?)";
  message += " (expected one of ";
  bool first = true;
  for (std::string_view candidate : allowed) {
    message += first ? "" : ", ";
    message += candidate;
    first = false;
  }
  return message + ")";
}

std::string date_text(const toml::date& date) {
  return format_date(std::chrono::year_month_day{std::chrono::year{date.year}, std::chrono::month{date.month},
                                                 std::chrono::day{date.day}});
}

// "a string \"hot\"", "an integer 42", "a table": what the file holds where something else was expected.
std::string describe(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return "a string " + toml_quote(node.as_string()->get());
    case toml::node_type::integer: return "an integer " + std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return "a float " + toml_float(node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "a boolean true" : "a boolean false";
    case toml::node_type::date: return "a date " + date_text(node.as_date()->get());
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::array: return "an array";
    case toml::node_type::table: return "a table";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string join_path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

int line_of(const toml::node& node) { return static_cast<int>(node.source().begin.line); }

// Reads a parsed document into a Profile, collecting every problem instead of stopping at the
// first. Positions are remembered per field path so validation problems found afterwards on the
// Profile can be pointed at the line they came from.
class ProfileReader {
 public:
  explicit ProfileReader(std::string source_name) : source_name_(std::move(source_name)) {}

  Profile read(const toml::table& root) {
    Profile profile;
    check_keys(root, "",
               {"organization", "assistant", "services", "add_ons", "hours", "closures", "faqs", "booking", "team",
                "sms_templates", "fallback_numbers", "stages", "http_tools", "webhooks"});
    if (const toml::table* table = sub_table(root, "organization", "")) {
      read_organization(*table, profile.organization);
    } else if (!root.get("organization")) {
      problem(0, "organization",
              "missing (expected an [organization] table with slug, name, timezone and phone_numbers)");
    }
    if (const toml::table* table = sub_table(root, "assistant", "")) read_assistant(*table, profile.assistant);
    table_array(root, "services", "", profile.services, [&](const toml::table& t, const std::string& base, Service& s) {
      check_keys(t, base, {"name", "duration_minutes", "price", "currency", "description"});
      text(t, "name", base, s.name);
      whole(t, "duration_minutes", base, s.duration_minutes);
      amount(t, "price", base, s.price_cents);
      text(t, "currency", base, s.currency);
      text(t, "description", base, s.description);
    });
    table_array(root, "add_ons", "", profile.add_ons, [&](const toml::table& t, const std::string& base, AddOn& a) {
      check_keys(t, base, {"name", "price", "description"});
      text(t, "name", base, a.name);
      amount(t, "price", base, a.price_cents);
      text(t, "description", base, a.description);
    });
    if (const toml::table* table = sub_table(root, "hours", "")) read_hours(*table, "hours", profile.hours);
    table_array(root, "closures", "", profile.closures, [&](const toml::table& t, const std::string& base, Closure& c) {
      read_closure(t, base, c);
    });
    table_array(root, "faqs", "", profile.faqs, [&](const toml::table& t, const std::string& base, Faq& f) {
      check_keys(t, base, {"question", "answer"});
      text(t, "question", base, f.question);
      text(t, "answer", base, f.answer);
    });
    if (const toml::table* table = sub_table(root, "booking", "")) read_booking(*table, profile.booking);
    table_array(root, "team", "", profile.team, [&](const toml::table& t, const std::string& base, TeamMember& m) {
      check_keys(t, base, {"name", "role", "bio", "services", "schedule", "calendar_id"});
      text(t, "name", base, m.name);
      text(t, "role", base, m.role);
      text(t, "bio", base, m.bio);
      texts(t, "services", base, m.services, "a service name");
      table_array(t, "schedule", base, m.schedule, [&](const toml::table& s, const std::string& item, WorkShift& shift) {
        check_keys(s, item, {"location", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"});
        text(s, "location", item, shift.location);
        read_hours(s, item, shift.hours, /*check=*/false);
      });
      text(t, "calendar_id", base, m.calendar_id);
    });
    if (const toml::table* table = sub_table(root, "sms_templates", "")) {
      const std::string base = "sms_templates";
      check_keys(*table, base,
                 {"booking", "update", "cancel", "notify_owner", "confirmation", "changed", "cancelled", "reminder"});
      text(*table, "booking", base, profile.sms_templates.booking);
      text(*table, "update", base, profile.sms_templates.update);
      text(*table, "cancel", base, profile.sms_templates.cancel);
      text(*table, "notify_owner", base, profile.sms_templates.notify_owner);
      text(*table, "confirmation", base, profile.sms_templates.confirmation);
      text(*table, "changed", base, profile.sms_templates.changed);
      text(*table, "cancelled", base, profile.sms_templates.cancelled);
      text(*table, "reminder", base, profile.sms_templates.reminder);
    }
    table_array(root, "fallback_numbers", "", profile.fallback_numbers,
                [&](const toml::table& t, const std::string& base, FallbackNumber& f) {
                  check_keys(t, base, {"name", "number"});
                  text(t, "name", base, f.name);
                  text(t, "number", base, f.number, k_phone_expected);
                });
    table_array(root, "stages", "", profile.stages, [&](const toml::table& t, const std::string& base, Stage& s) {
      read_stage(t, base, s);
    });
    if (const toml::table* table = sub_table(root, "webhooks", "")) {
      check_keys(*table, "webhooks", {"call_end_url", "call_start_url", "call_start_timeout_ms"});
      text(*table, "call_end_url", "webhooks", profile.webhooks.call_end_url);
      text(*table, "call_start_url", "webhooks", profile.webhooks.call_start_url);
      whole(*table, "call_start_timeout_ms", "webhooks", profile.webhooks.call_start_timeout_ms);
    }
    table_array(root, "http_tools", "", profile.http_tools,
                [&](const toml::table& t, const std::string& base, HttpTool& tool) { read_http_tool(t, base, tool); });

    // Numbers as typed ("(415) 555-0123") become the E.164 form sonoria stores; what does not read
    // as a number stays as it is, for the rules to report.
    normalize_phone_numbers(profile);
    // Rules about values that were read fine; values already reported are not reported twice.
    for (const Problem& found : validate_profile(profile)) {
      if (is_suppressed(found.field)) continue;
      auto renamed = renamed_.find(found.field);
      issues_.push_back({line_for(found.field), renamed == renamed_.end() ? found.field : renamed->second,
                         found.message});
    }
    return profile;
  }

  // One line per problem, in file order.
  std::string report() {
    std::stable_sort(issues_.begin(), issues_.end(), [](const Issue& a, const Issue& b) { return a.line < b.line; });
    std::string message;
    for (const Issue& issue : issues_) {
      if (!message.empty()) message += '\n';
      message += source_name_;
      if (issue.line > 0) message += ":" + std::to_string(issue.line);
      message += ": " + issue.field + ": " + issue.message;
    }
    return message;
  }

  bool ok() const { return issues_.empty(); }

  // The problems in file order.
  std::vector<ProfileIssue> issues() {
    std::stable_sort(issues_.begin(), issues_.end(), [](const Issue& a, const Issue& b) { return a.line < b.line; });
    return issues_;
  }

 private:
  using Issue = ProfileIssue;  // line 0 when the problem has no place in the file (a missing table)

  static constexpr std::string_view k_phone_expected = "a string such as \"+1 415 555 0123\"";

  void read_organization(const toml::table& t, Organization& org) {
    const std::string base = "organization";
    check_keys(t, base,
               {"slug", "name", "industry", "timezone", "country", "phone_numbers", "booking_url", "portal_url", "website",
                "owner", "locations"});
    text(t, "slug", base, org.slug);
    text(t, "name", base, org.name);
    text(t, "industry", base, org.industry);
    text(t, "timezone", base, org.timezone);
    text(t, "country", base, org.country);
    texts(t, "phone_numbers", base, org.phone_numbers, k_phone_expected);
    text(t, "booking_url", base, org.booking_url);
    text(t, "portal_url", base, org.portal_url);
    text(t, "website", base, org.website);
    if (const toml::table* owner = sub_table(t, "owner", base)) {
      const std::string owner_base = "organization.owner";
      check_keys(*owner, owner_base, {"name", "phone", "email"});
      text(*owner, "name", owner_base, org.owner.name);
      text(*owner, "phone", owner_base, org.owner.phone, k_phone_expected);
      text(*owner, "email", owner_base, org.owner.email);
    }
    table_array(t, "locations", base, org.locations, [&](const toml::table& l, const std::string& item, Location& loc) {
      check_keys(l, item, {"name", "address", "phone", "notes", "hours", "calendar_id"});
      text(l, "name", item, loc.name);
      text(l, "address", item, loc.address);
      text(l, "phone", item, loc.phone, k_phone_expected);
      text(l, "notes", item, loc.notes);
      if (const toml::table* hours = sub_table(l, "hours", item)) {
        loc.hours.emplace();
        read_hours(*hours, item + ".hours", *loc.hours);
      }
      text(l, "calendar_id", item, loc.calendar_id);
    });
  }

  void read_assistant(const toml::table& t, Assistant& assistant) {
    const std::string base = "assistant";
    check_keys(t, base,
               {"name", "engine", "engines", "voice", "greeting", "model", "temperature", "language", "personality",
                "voicemail_message", "transfer_digit", "record_calls", "recording_notice", "vad", "openai",
                "deepgram", "ultravox"});
    text(t, "name", base, assistant.name);
    read_engines(t, assistant);
    text(t, "voice", base, assistant.voice);
    text(t, "greeting", base, assistant.greeting);
    text(t, "model", base, assistant.model);
    number(t, "temperature", base, assistant.temperature);
    text(t, "language", base, assistant.language);
    text(t, "personality", base, assistant.personality);
    text(t, "voicemail_message", base, assistant.voicemail_message);
    text(t, "transfer_digit", base, assistant.transfer_digit);
    flag(t, "record_calls", base, assistant.record_calls);
    text(t, "recording_notice", base, assistant.recording_notice);
    if (const toml::table* vad = sub_table(t, "vad", base)) {
      const std::string vad_base = "assistant.vad";
      check_keys(*vad, vad_base, {"threshold", "prefix_padding_ms", "silence_duration_ms"});
      number(*vad, "threshold", vad_base, assistant.vad.threshold);
      whole(*vad, "prefix_padding_ms", vad_base, assistant.vad.prefix_padding_ms);
      whole(*vad, "silence_duration_ms", vad_base, assistant.vad.silence_duration_ms);
    }
    const std::pair<std::string_view, EngineOptions*> own[] = {
        {"openai", &assistant.openai}, {"deepgram", &assistant.deepgram}, {"ultravox", &assistant.ultravox}};
    for (const auto& [engine, options] : own) {
      const toml::table* table = sub_table(t, engine, base);
      if (!table) continue;
      const std::string engine_base = base + "." + std::string(engine);
      if (engine == "deepgram")
        check_keys(*table, engine_base, {"voice", "model", "listen_model"});
      else
        check_keys(*table, engine_base, {"voice", "model"});
      text(*table, "voice", engine_base, options->voice);
      text(*table, "model", engine_base, options->model);
      text(*table, "listen_model", engine_base, options->listen_model);
    }
  }

  // `engine = "deepgram"` (one) or `engines = ["openai", "deepgram"]` (in order, for failover).
  void read_engines(const toml::table& t, Assistant& assistant) {
    const toml::node* one = t.get("engine");
    const toml::node* several = t.get("engines");
    if (one && several) {
      problem(line_of(*several), "assistant.engines",
              "given together with assistant.engine (expected either engine = \"…\" or engines = [\"…\", …])");
      return;
    }
    if (one) {
      std::string engine;
      text(t, "engine", "assistant", engine);
      if (!engine.empty() || one->is_string()) assistant.engines = {engine};
      // Validation speaks of assistant.engines[0]; this file wrote assistant.engine.
      renamed_["assistant.engines[0]"] = "assistant.engine";
      note("assistant.engines[0]", *one);
      return;
    }
    texts(t, "engines", "assistant", assistant.engines, "an engine name such as \"openai\"");
    if (several && several->is_array() && assistant.engines.empty())
      problem(line_of(*several), "assistant.engines", "is empty (expected at least one engine, such as [\"openai\"])");
  }

  // Weekday keys of `t` into `hours`; `check` = the table holds nothing else.
  void read_hours(const toml::table& t, const std::string& base, WeeklyHours& hours, bool check = true) {
    if (check) check_keys(t, base, {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"});
    for (int day = 0; day < 7; ++day) {
      const std::string field = base + "." + std::string(weekday_key(day));
      const toml::node* node = t.get(weekday_key(day));
      if (!node) continue;
      note(field, *node);
      const toml::array* array = node->as_array();
      if (!array) {
        wrong_type(field, *node, "an array of \"HH:MM-HH:MM\" ranges such as [\"09:00-17:00\"]");
        continue;
      }
      for (std::size_t i = 0; i < array->size(); ++i) {
        const toml::node& element = (*array)[i];
        const std::string item = index_path(field, i);
        note(item, element);
        const auto* range_text = element.as_string();
        std::optional<TimeRange> range;
        if (!range_text) {
          wrong_type(item, element, "a string such as \"09:00-17:00\"");
        } else if (!(range = parse_time_range(range_text->get()))) {
          problem(line_of(element), item, toml_quote(range_text->get()) + " is not a time range (expected HH:MM-HH:MM)");
        }
        if (!range) {
          // Overlap checks on the rest of the day would compare against a range that is not there.
          suppressed_.push_back(field);
          continue;
        }
        hours.days[day].push_back(*range);
      }
    }
  }

  void read_closure(const toml::table& t, const std::string& base, Closure& closure) {
    check_keys(t, base, {"from", "to", "reason"});
    date(t, "from", base, closure.from);
    date(t, "to", base, closure.to);
    text(t, "reason", base, closure.reason);
    if (!t.get("to")) {
      // A one-day closure may leave out "to"; whatever is wrong with it is reported on "from".
      closure.to = closure.from;
      suppressed_.push_back(base + ".to");
    }
  }

  void read_stage(const toml::table& t, const std::string& base, Stage& stage) {
    check_keys(t, base, {"name", "description", "instructions", "start", "voice", "voices", "tools", "next"});
    text(t, "name", base, stage.name, "a stage name such as \"greeting\"");
    text(t, "description", base, stage.description);
    text(t, "instructions", base, stage.instructions);
    flag(t, "start", base, stage.start);
    text(t, "voice", base, stage.voice);
    if (const toml::table* voices = sub_table(t, "voices", base)) {
      const std::string voices_base = base + ".voices";
      check_keys(*voices, voices_base, {"openai", "deepgram", "ultravox"});
      text(*voices, "openai", voices_base, stage.voices.openai);
      text(*voices, "deepgram", voices_base, stage.voices.deepgram);
      text(*voices, "ultravox", voices_base, stage.voices.ultravox);
    }
    if (t.get("tools")) {
      stage.tools.emplace();
      texts(t, "tools", base, *stage.tools, "a tool name such as \"send_booking_link\"");
    }
    texts(t, "next", base, stage.next, "a stage name");
  }

  void read_http_tool(const toml::table& t, const std::string& base, HttpTool& tool) {
    check_keys(t, base,
               {"name", "description", "method", "url", "parameters", "headers", "timeout_ms", "retries", "filler"});
    text(t, "name", base, tool.name, "a tool name such as \"lookup_claim\"");
    text(t, "description", base, tool.description);
    text(t, "method", base, tool.method);
    text(t, "url", base, tool.url);
    // The JSON Schema of the arguments: a TOML table, or JSON text (as n8n and OpenAI show it).
    if (const toml::node* node = found(t, "parameters", base)) {
      if (const auto* value = node->as_string()) {
        tool.parameters = value->get();
      } else if (const auto* table = node->as_table()) {
        std::ostringstream json;
        json << toml::json_formatter{*table};
        tool.parameters = json.str();
      } else {
        wrong_type(join_path(base, "parameters"), *node, "a JSON Schema object, as a table or as JSON text");
      }
      // Stored compact, so that the same schema is the same text (invalid JSON is reported later).
      auto parsed = nlohmann::json::parse(tool.parameters, nullptr, /*allow_exceptions=*/false);
      if (!parsed.is_discarded()) tool.parameters = parsed.dump();
    }
    if (const toml::table* headers = sub_table(t, "headers", base)) {
      for (const auto& [key, value] : *headers) {
        HttpHeader header{std::string(key.str()), {}};
        if (const auto* s = value.as_string()) header.value = s->get();
        else wrong_type(base + ".headers." + header.name, value, "a string (secrets as ${ENVIRONMENT_VARIABLE})");
        tool.headers.push_back(std::move(header));
      }
    }
    whole(t, "timeout_ms", base, tool.timeout_ms);
    whole(t, "retries", base, tool.retries);
    text(t, "filler", base, tool.filler);
  }

  void read_booking(const toml::table& t, BookingRules& booking) {
    const std::string base = "booking";
    check_keys(t, base,
               {"mode", "slot_minutes", "buffer_minutes", "reminder_hours", "min_notice_hours", "max_advance_days",
                "cancellation_notice_hours", "policies"});
    text(t, "mode", base, booking.mode, "\"link\", \"built_in\" or \"google\"");
    whole(t, "slot_minutes", base, booking.slot_minutes);
    whole(t, "buffer_minutes", base, booking.buffer_minutes);
    whole(t, "reminder_hours", base, booking.reminder_hours);
    whole(t, "min_notice_hours", base, booking.min_notice_hours);
    whole(t, "max_advance_days", base, booking.max_advance_days);
    whole(t, "cancellation_notice_hours", base, booking.cancellation_notice_hours);
    texts(t, "policies", base, booking.policies, "a string");
  }

  // ---- one value each; a value of the wrong type is reported and leaves `out` unchanged ----

  void text(const toml::table& t, std::string_view key, const std::string& base, std::string& out,
            std::string_view expected = "a string") {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    if (const auto* value = node->as_string()) {
      out = value->get();
    } else {
      wrong_type(join_path(base, key), *node, expected);
    }
  }

  void flag(const toml::table& t, std::string_view key, const std::string& base, bool& out) {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    if (const auto* value = node->as_boolean()) out = value->get();
    else wrong_type(join_path(base, key), *node, "true or false");
  }

  void whole(const toml::table& t, std::string_view key, const std::string& base, int& out) {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    const auto* value = node->as_integer();
    if (!value) {
      wrong_type(join_path(base, key), *node, "an integer");
    } else if (value->get() < INT_MIN || value->get() > INT_MAX) {
      problem(line_of(*node), join_path(base, key),
              std::to_string(value->get()) + " is out of range (expected an integer from " + std::to_string(INT_MIN) +
                  " to " + std::to_string(INT_MAX) + ")");
    } else {
      out = static_cast<int>(value->get());
    }
  }

  void number(const toml::table& t, std::string_view key, const std::string& base, double& out) {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    if (const auto* real = node->as_floating_point()) {
      out = real->get();
    } else if (const auto* integer = node->as_integer()) {
      out = static_cast<double>(integer->get());
    } else {
      wrong_type(join_path(base, key), *node, "a number");
    }
  }

  void amount(const toml::table& t, std::string_view key, const std::string& base, int64_t& cents) {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    const std::string field = join_path(base, key);
    const std::string expected = "(expected an amount such as 25 or 18.50)";
    double value = 0;
    if (const auto* integer = node->as_integer()) {
      value = static_cast<double>(integer->get());
    } else if (const auto* real = node->as_floating_point()) {
      value = real->get();
    } else {
      wrong_type(field, *node, "an amount such as 25 or 18.50");
      return;
    }
    const std::string shown = node->is_integer() ? std::to_string(node->as_integer()->get()) : toml_float(value);
    if (!std::isfinite(value)) {
      problem(line_of(*node), field, shown + " is not an amount " + expected);
    } else if (std::fabs(value) > k_max_amount) {
      problem(line_of(*node), field, shown + " is too large (expected at most 1000000000)");
    } else if (const auto converted = cents_from_amount(value)) {
      cents = *converted;
    } else {
      problem(line_of(*node), field, shown + " has more than two decimals " + expected);
    }
  }

  // A closure date: a TOML local date (2026-12-24) or the same as a string ("2026-12-24").
  void date(const toml::table& t, std::string_view key, const std::string& base, std::string& out) {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    if (const auto* value = node->as_date()) {
      out = date_text(value->get());
    } else if (const auto* string = node->as_string()) {
      out = string->get();  // validation says whether it is a date
    } else {
      wrong_type(join_path(base, key), *node, "a date such as 2026-12-24");
    }
  }

  // An array of strings; elements of the wrong type are reported and kept as "" so the indexes
  // of the others still match the file.
  void texts(const toml::table& t, std::string_view key, const std::string& base, std::vector<std::string>& out,
             std::string_view expected_element) {
    const toml::node* node = found(t, key, base);
    if (!node) return;
    const std::string field = join_path(base, key);
    const toml::array* array = node->as_array();
    if (!array) {
      wrong_type(field, *node, "an array of strings such as [\"first\", \"second\"]");
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = (*array)[i];
      const std::string item = index_path(field, i);
      note(item, element);
      if (const auto* value = element.as_string()) {
        out.push_back(value->get());
      } else {
        wrong_type(item, element, expected_element);
        out.emplace_back();
      }
    }
  }

  // ---- tables ----

  // The table at base.key, or nullptr if it is absent or not a table (which is reported).
  const toml::table* sub_table(const toml::table& parent, std::string_view key, const std::string& base) {
    const toml::node* node = found(parent, key, base);
    if (!node) return nullptr;
    if (const toml::table* table = node->as_table()) return table;
    const std::string field = join_path(base, key);
    wrong_type(field, *node, "a table, written [" + field + "]");
    return nullptr;
  }

  // An array of tables ([[services]]): read_item fills one element per table. Elements that are
  // not tables are reported and kept as defaults so later indexes still match the file.
  template <class Item, class ReadItem>
  void table_array(const toml::table& parent, std::string_view key, const std::string& base, std::vector<Item>& out,
                   ReadItem read_item) {
    const toml::node* node = found(parent, key, base);
    if (!node) return;
    const std::string field = join_path(base, key);
    const std::string expected = "an array of tables, written [[" + field + "]]";
    const toml::array* array = node->as_array();
    if (!array) {
      wrong_type(field, *node, expected);
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const toml::node& element = (*array)[i];
      const std::string item_field = index_path(field, i);
      note(item_field, element);
      Item item;
      if (const toml::table* table = element.as_table()) {
        read_item(*table, item_field, item);
      } else {
        wrong_type(item_field, element, expected);
      }
      out.push_back(std::move(item));
    }
  }

  void check_keys(const toml::table& table, const std::string& base, Keys allowed) {
    for (auto&& [key, node] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      const int line = key.source().begin.line > 0 ? static_cast<int>(key.source().begin.line) : line_of(node);
      problem(line, join_path(base, key.str()), unknown_key_message(key.str(), allowed));
    }
  }

  // ---- bookkeeping ----

  // The node at base.key, remembering its line; nullptr when absent.
  const toml::node* found(const toml::table& t, std::string_view key, const std::string& base) {
    const toml::node* node = t.get(key);
    if (node) note(join_path(base, key), *node);
    return node;
  }

  void note(const std::string& field, const toml::node& node) { lines_[field] = line_of(node); }

  void problem(int line, const std::string& field, std::string message) {
    issues_.push_back({line, field, std::move(message)});
    suppressed_.push_back(field);
  }

  void wrong_type(const std::string& field, const toml::node& node, std::string_view expected) {
    problem(line_of(node), field, "found " + describe(node) + " (expected " + std::string(expected) + ")");
  }

  // The line of the field, or of the nearest enclosing table or array that is in the file.
  int line_for(std::string field) const {
    while (true) {
      if (auto it = lines_.find(field); it != lines_.end()) return it->second;
      const auto cut = field.find_last_of(".[");
      if (cut == std::string::npos) return 0;
      field.resize(cut);
    }
  }

  // True for the fields (and everything inside them) that already have a problem reported.
  bool is_suppressed(const std::string& field) const {
    return std::any_of(suppressed_.begin(), suppressed_.end(), [&](const std::string& prefix) {
      return field.starts_with(prefix) &&
             (field.size() == prefix.size() || field[prefix.size()] == '.' || field[prefix.size()] == '[');
    });
  }

  std::string source_name_;
  std::vector<Issue> issues_;
  std::map<std::string, int> lines_;
  std::map<std::string, std::string> renamed_;  // validation's field name → the name the file used
  std::vector<std::string> suppressed_;
};

}  // namespace

ProfileRead read_profile_toml(std::string_view text, const std::string& source_name) {
  ProfileRead out;
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& error) {
    out.issues.push_back({static_cast<int>(error.source().begin.line), "", "invalid TOML: " + std::string(error.description())});
    return out;
  }
  ProfileReader reader(source_name);
  Profile profile = reader.read(root);
  if (reader.ok()) out.profile = std::move(profile);
  else out.issues = reader.issues();
  return out;
}

Profile parse_profile_toml(std::string_view text, const std::string& source_name) {
  toml::table root;
  try {
    root = toml::parse(text, std::string_view(source_name));
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    throw DataError(source_name + ":" + std::to_string(where.line) + ":" + std::to_string(where.column) +
                    ": invalid TOML: " + std::string(error.description()));
  }
  ProfileReader reader(source_name);
  Profile profile = reader.read(root);
  if (!reader.ok()) throw DataError(reader.report());
  return profile;
}

Profile load_profile_file(const std::filesystem::path& path) {
  std::error_code ignored;
  if (std::filesystem::is_directory(path, ignored)) {
    throw DataError(path.string() + ": cannot read: is a directory (expected a TOML file)");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path.string() + ": cannot read: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw DataError(path.string() + ": cannot read: " + std::strerror(errno));
  return parse_profile_toml(text.str(), path.string());
}

}  // namespace sonoria::org
