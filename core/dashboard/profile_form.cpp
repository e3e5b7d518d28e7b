#include "core/dashboard/profile_form.hpp"

#include <nlohmann/json.hpp>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <sstream>

#include "core/error.hpp"
#include "core/org/profile_toml.hpp"

namespace sonoria::dashboard {
namespace {

using K = FieldKind;

std::vector<FormField> weekday_fields(const std::string& help) {
  return {{"monday", "Monday", K::hours, help},     {"tuesday", "Tuesday", K::hours, help},
          {"wednesday", "Wednesday", K::hours, help}, {"thursday", "Thursday", K::hours, help},
          {"friday", "Friday", K::hours, help},     {"saturday", "Saturday", K::hours, help},
          {"sunday", "Sunday", K::hours, help}};
}

const char* const k_hours_help = "Ranges such as 09:00-12:00, 13:00-17:00; empty = closed";
const char* const k_phone_help = "Such as +1 415 555 0123, or without +1 in the business's country";

std::vector<FormGroup> build_form() {
  FormGroup location{"locations", "Locations", true, "Location", "Where callers find you.",
                     {{"name", "Name", K::text},
                      {"address", "Address", K::text},
                      {"phone", "Phone", K::text, k_phone_help},
                      {"notes", "Notes", K::long_text, "Parking, entrance, accessibility"},
                      {"calendar_id", "Google Calendar ID", K::text, "With Google Calendar booking"}},
                     {{"hours", "Opening hours of this location", false, "",
                       "Leave every day empty when the location keeps the business's hours.",
                       weekday_fields(k_hours_help), {}}}};
  FormGroup organization{
      "organization", "Business", false, "", "",
      {{"slug", "Slug", K::fixed, "The business's key; it cannot be changed here"},
       {"name", "Name", K::text},
       {"industry", "Industry", K::text},
       {"timezone", "Time zone", K::text, "IANA name, such as America/New_York"},
       {"country", "Country", K::text, "Two letters, such as US: for numbers written without +1 or another country code"},
       {"phone_numbers", "Phone numbers answered", K::list, "Comma-separated"},
       {"booking_url", "Booking link", K::text},
       {"portal_url", "Customer portal link", K::text, "Where customers reschedule or cancel"},
       {"website", "Website", K::text}},
      {{"owner", "Owner", false, "", "notify_owner texts this phone.",
        {{"name", "Name", K::text}, {"phone", "Phone", K::text, k_phone_help}, {"email", "Email", K::text}}, {}},
       location}};

  std::vector<FormField> engine_fields = {{"voice", "Voice", K::text}, {"model", "Model", K::text}};
  std::vector<FormField> deepgram_fields = engine_fields;
  deepgram_fields.push_back({"listen_model", "Speech recognition model", K::text, "Such as nova-3"});
  FormGroup assistant{
      "assistant", "Assistant", false, "", "",
      {{"name", "Name", K::text, "Empty = Ava"},
       {"engines", "Engines", K::list,
        "In order of preference: openai, deepgram, ultravox, local; the next takes over when one fails. Empty = openai (local is every assistant's last resort)", {},
        "engine"},
       {"voice", "Voice", K::text, "On the first engine; empty = its default"},
       {"greeting", "Greeting", K::long_text, "What the assistant says first; empty = one made from the names"},
       {"model", "Model", K::text, "On the first engine; empty = the daemon's default"},
       {"temperature", "Temperature", K::number, "0.6 to 1.2"},
       {"language", "Language", K::text, "Two letters, such as en"},
       {"personality", "Personality", K::long_text, "Tone and style"},
       {"voicemail_message", "Voicemail message", K::long_text, "Left on answering machines (outbound calls)"},
       {"transfer_digit", "Transfer digit", K::text,
        "The keypad key that transfers to the first fallback number, or off; empty = the daemon's"},
       {"record_calls", "Record calls", K::flag,
        "Both sides, as the caller heard them, kept beside the database until sonoria cleanup deletes them"},
       {"recording_notice", "Recording notice", K::text,
        "Said before the greeting when calls are recorded; empty = \"This call is recorded.\""}},
      {{"vad", "Turn detection", false, "", "When the caller has finished speaking.",
        {{"threshold", "Threshold", K::number, "0 to 1"},
         {"prefix_padding_ms", "Prefix padding (ms)", K::whole},
         {"silence_duration_ms", "Silence before answering (ms)", K::whole}},
        {}},
       {"openai", "On OpenAI", false, "", "", engine_fields, {}},
       {"deepgram", "On Deepgram", false, "", "", deepgram_fields, {}},
       {"ultravox", "On Ultravox", false, "", "", engine_fields, {}}}};

  FormGroup services{"services", "Services", true, "Service", "",
                     {{"name", "Name", K::text},
                      {"duration_minutes", "Duration (minutes)", K::whole},
                      {"price", "Price", K::amount, "Such as 25 or 18.50; 0 = free"},
                      {"currency", "Currency", K::text, "Three letters; empty = USD"},
                      {"description", "Description", K::long_text}},
                     {}};
  FormGroup add_ons{"add_ons", "Add-ons", true, "Add-on", "",
                    {{"name", "Name", K::text}, {"price", "Price", K::amount}, {"description", "Description", K::long_text}},
                    {}};
  FormGroup hours{"hours", "Opening hours", false, "", "Local time; \"24:00\" is midnight.",
                  weekday_fields(k_hours_help), {}};
  FormGroup closures{"closures", "Closures", true, "Closure", "Closures override the opening hours.",
                     {{"from", "From", K::date},
                      {"to", "To", K::date, "Empty = the same day"},
                      {"reason", "Reason", K::text}},
                     {}};
  FormGroup faqs{"faqs", "Questions and answers", true, "Question", "",
                 {{"question", "Question", K::text}, {"answer", "Answer", K::long_text}}, {}};
  FormGroup booking{"booking", "Booking", false, "", "",
                    {{"mode", "Who keeps the appointment book", K::choice,
                      "link: text the booking link; built_in: sonoria's own book; google: Google Calendars",
                      {"link", "built_in", "google"}},
                     {"slot_minutes", "Start times every (minutes)", K::whole},
                     {"buffer_minutes", "Free after each appointment (minutes)", K::whole},
                     {"reminder_hours", "Reminder text (hours before)", K::whole, "0 = no reminder"},
                     {"min_notice_hours", "Minimum notice (hours)", K::whole},
                     {"max_advance_days", "Book at most (days ahead)", K::whole, "0 = no limit"},
                     {"cancellation_notice_hours", "Cancellation notice (hours)", K::whole},
                     {"policies", "Policies", K::lines, "One per line; read to callers"}},
                    {}};
  std::vector<FormField> shift_fields = {{"location", "Location", K::text, "Its name; empty = the only one"}};
  for (auto& f : weekday_fields(k_hours_help)) shift_fields.push_back(f);
  FormGroup team{"team", "Team", true, "Team member", "",
                 {{"name", "Name", K::text},
                  {"role", "Role", K::text},
                  {"bio", "Bio", K::long_text},
                  {"services", "Services", K::lines, "The services they perform, one per line; empty = all"},
                  {"calendar_id", "Google Calendar ID", K::text}},
                 {{"schedule", "Where and when they work", true, "Shift",
                   "No shifts = every location, whenever it is open.", shift_fields, {}}}};
  const char* const placeholder_help =
      "{{customer_name}} {{service}} {{booking_url}} {{portal_url}} {{org_name}} {{org_phone}} {{caller_phone}} "
      "{{message}} {{assistant_name}} {{location}} {{date}} {{time}} {{team_member}} {{reference}} are filled in";
  FormGroup sms{"sms_templates", "Text messages", false, "", placeholder_help,
                {{"booking", "Booking link", K::long_text},
                 {"update", "Reschedule link", K::long_text},
                 {"cancel", "Cancellation link", K::long_text},
                 {"notify_owner", "Message for the owner", K::long_text},
                 {"confirmation", "Appointment confirmed", K::long_text},
                 {"changed", "Appointment changed", K::long_text},
                 {"cancelled", "Appointment cancelled", K::long_text},
                 {"reminder", "Appointment reminder", K::long_text}},
                {}};
  FormGroup fallbacks{"fallback_numbers", "Fallback numbers", true, "Number",
                      "Calls are transferred to the first one.",
                      {{"name", "Name", K::text}, {"number", "Number", K::text, k_phone_help}}, {}};
  FormGroup stages{"stages", "Call flow", true, "Stage",
                   "Stages of a call, each with its instructions and tools; none = one stage.",
                   {{"name", "Name", K::text, "Lowercase letters, digits and _"},
                    {"description", "When to move here", K::long_text},
                    {"instructions", "Instructions", K::long_text},
                    {"start", "Calls start here", K::flag},
                    {"voice", "Voice", K::text},
                    {"tools", "Only these tools", K::optional_lines, "One per line"},
                    {"next", "May move on to", K::list, "Stage names, comma-separated"}},
                   {{"voices", "Voice per engine", false, "", "",
                     {{"openai", "OpenAI", K::text}, {"deepgram", "Deepgram", K::text}, {"ultravox", "Ultravox", K::text}},
                     {}}}};
  FormGroup http_tools{"http_tools", "Your own tools", true, "Tool",
                       "The assistant calls your systems over HTTP, signed with the organization's secret.",
                       {{"name", "Name", K::text},
                        {"description", "When to use it", K::long_text},
                        {"method", "Method", K::choice, "", {"GET", "POST", "PUT", "PATCH", "DELETE"}},
                        {"url", "URL", K::text, "With {{argument}} placeholders"},
                        {"parameters", "Parameters (JSON Schema)", K::json},
                        {"headers", "Headers", K::headers,
                         "Name: value, one per line; secrets as ${ENVIRONMENT_VARIABLE}"},
                        {"timeout_ms", "Timeout (ms)", K::whole},
                        {"retries", "Retries", K::whole},
                        {"filler", "Said while waiting", K::text}},
                       {}};
  FormGroup webhooks{"webhooks", "Webhooks", false, "", "",
                     {{"call_end_url", "After each call", K::text, "POSTed the call's record and transcript"},
                      {"call_start_url", "When a call rings", K::text},
                      {"call_start_timeout_ms", "Ringing webhook timeout (ms)", K::whole}},
                     {}};
  return {organization, assistant, services, add_ons, hours, closures, faqs, booking,
          team,         sms,       fallbacks, stages, http_tools, webhooks};
}

std::string_view trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

std::string without_cr(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s)
    if (c != '\r') out += c;
  return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(separator, start), text.size());
    const auto item = trim(text.substr(start, end - start));
    if (!item.empty()) out.emplace_back(item);
    start = end + 1;
  }
  return out;
}

std::string value_of(const FormValues& values, const std::string& name) {
  auto it = values.find(name);
  return it == values.end() ? std::string() : it->second;
}

bool is_integer_text(std::string_view s) {
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return !s.empty() && s.size() <= 18 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "18.50" → 18.5; nullopt unless the whole text is a plain decimal number.
std::optional<double> decimal_of(std::string_view s) {
  if (s.empty() || s.find_first_not_of("+-.0123456789") != std::string_view::npos) return std::nullopt;
  if (s[0] == '+') s.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::string number_text(double value, bool money) {
  if (money && value != std::floor(value)) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.2f", value);
    return buffer;
  }
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string();
}

// ---- TOML → form values ----

std::string text_of(const toml::node& node, FieldKind kind) {
  if (const auto* s = node.as_string()) {
    if (kind == K::json) {
      auto parsed = nlohmann::json::parse(s->get(), nullptr, false);
      return parsed.is_discarded() ? s->get() : parsed.dump(2);
    }
    return s->get();
  }
  if (const auto* i = node.as_integer()) return std::to_string(i->get());
  if (const auto* f = node.as_floating_point()) return number_text(f->get(), kind == K::amount);
  if (const auto* b = node.as_boolean()) return b->get() ? "1" : "";
  if (const auto* d = node.as_date()) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", d->get().year, d->get().month, d->get().day);
    return buffer;
  }
  if (const auto* a = node.as_array()) {
    std::string out;
    const std::string separator = kind == K::lines || kind == K::optional_lines ? "\n" : ", ";
    for (const auto& element : *a) {
      if (!out.empty()) out += separator;
      out += text_of(element, K::text);
    }
    return out;
  }
  if (const auto* t = node.as_table()) {
    if (kind == K::json) {
      std::ostringstream json;
      json << toml::json_formatter{*t};
      auto parsed = nlohmann::json::parse(json.str(), nullptr, false);
      return parsed.is_discarded() ? json.str() : parsed.dump(2);
    }
    std::string out;  // headers
    for (const auto& [key, value] : *t) {
      if (!out.empty()) out += "\n";
      out += std::string(key.str()) + ": " + text_of(value, K::text);
    }
    return out;
  }
  return {};
}

void read_group(const toml::table& table, const FormGroup& group, const std::string& path, FormValues& out);

void read_fields(const toml::table& table, const FormGroup& group, const std::string& path, FormValues& out) {
  for (const auto& field : group.fields) {
    const toml::node* node = table.get(field.key);
    if (!node && !field.also_reads.empty()) node = table.get(field.also_reads);
    const std::string name = path + "." + field.key;
    if (!node) continue;
    if (field.kind == K::optional_lines) out[name + "~limit"] = "1";
    out[name] = text_of(*node, field.kind);
  }
  for (const auto& inner : group.groups) read_group(table, inner, path, out);
}

void read_group(const toml::table& parent, const FormGroup& group, const std::string& parent_path, FormValues& out) {
  const std::string path = parent_path.empty() ? group.key : parent_path + "." + group.key;
  const toml::node* node = parent.get(group.key);
  if (!node) return;
  if (group.repeated) {
    const toml::array* items = node->as_array();
    if (!items) return;
    for (std::size_t i = 0; i < items->size(); ++i)
      if (const auto* item = (*items)[i].as_table())
        read_fields(*item, group, path + "[" + std::to_string(i) + "]", out);
  } else if (const auto* table = node->as_table()) {
    read_fields(*table, group, path, out);
  }
}

// ---- form values → TOML ----

struct Builder {
  const FormValues& values;
  std::string slug;
  std::map<std::string, std::string> form_paths;  // TOML item path → form item path
  std::map<std::string, std::string> errors;

  // Whether an item holds anything a person typed (choices and boxes do not count: a blank item
  // has its select's first option chosen).
  bool has_text(const FormGroup& group, const std::string& path) const {
    for (const auto& field : group.fields) {
      if (field.kind == K::choice || field.kind == K::flag || field.kind == K::fixed) continue;
      if (!trim(value_of(values, path + "." + field.key)).empty()) return true;
    }
    for (const auto& inner : group.groups) {
      const std::string inner_path = path + "." + inner.key;
      if (inner.repeated) {
        const int n = item_count(values, inner_path);
        for (int i = 0; i < n; ++i)
          if (has_text(inner, inner_path + "[" + std::to_string(i) + "]")) return true;
      } else if (has_text(inner, inner_path)) {
        return true;
      }
    }
    return false;
  }

  void put_field(toml::table& table, const FormField& field, const std::string& name) {
    const std::string raw = value_of(values, name);
    const std::string_view text = trim(raw);
    switch (field.kind) {
      case K::fixed:
        table.insert_or_assign(field.key, slug);
        return;
      case K::flag:
        if (text == "1" || text == "on" || text == "true") table.insert_or_assign(field.key, true);
        return;
      case K::long_text:
      case K::json: {
        const std::string cleaned = without_cr(raw);
        if (!trim(cleaned).empty()) table.insert_or_assign(field.key, std::string(trim(cleaned)));
        return;
      }
      case K::whole:
        if (text.empty()) return;
        if (is_integer_text(text)) {
          int64_t value = 0;
          std::from_chars(text.data() + (text[0] == '+' ? 1 : 0), text.data() + text.size(), value);
          table.insert_or_assign(field.key, value);
        } else {
          table.insert_or_assign(field.key, std::string(text));  // the reader says what was expected
        }
        return;
      case K::number:
      case K::amount:
        if (text.empty()) return;
        if (is_integer_text(text) && field.kind == K::amount) {
          int64_t value = 0;
          std::from_chars(text.data() + (text[0] == '+' ? 1 : 0), text.data() + text.size(), value);
          table.insert_or_assign(field.key, value);
        } else if (auto value = decimal_of(text)) {
          table.insert_or_assign(field.key, *value);
        } else {
          table.insert_or_assign(field.key, std::string(text));
        }
        return;
      case K::list:
      case K::hours:
      case K::lines:
      case K::optional_lines: {
        const bool limited = field.kind == K::optional_lines && trim(value_of(values, name + "~limit")) == "1";
        if (field.kind == K::optional_lines && !limited) return;
        const auto items = split(raw, field.kind == K::list || field.kind == K::hours ? ',' : '\n');
        if (items.empty() && !limited) return;
        toml::array array;
        for (const auto& item : items) array.push_back(item);
        table.insert_or_assign(field.key, std::move(array));
        return;
      }
      case K::headers: {
        toml::table headers;
        int line_number = 0;
        for (const auto& line : split(raw, '\n')) {
          ++line_number;
          const auto colon = line.find(':');
          const auto header_name = trim(std::string_view(line).substr(0, colon == std::string::npos ? 0 : colon));
          if (colon == std::string::npos || header_name.empty()) {
            errors[name] = "\"" + line + "\" is not a header (expected Name: value, one per line)";
            continue;
          }
          headers.insert_or_assign(std::string(header_name), std::string(trim(std::string_view(line).substr(colon + 1))));
        }
        if (!headers.empty()) table.insert_or_assign(field.key, std::move(headers));
        return;
      }
      case K::text:
      case K::date:
      case K::choice:
        if (!text.empty()) table.insert_or_assign(field.key, std::string(text));
        return;
    }
  }

  // The item at `form_path` as a table, stored under `toml_path`.
  toml::table build_item(const FormGroup& group, const std::string& form_path, const std::string& toml_path) {
    toml::table table;
    for (const auto& field : group.fields) put_field(table, field, form_path + "." + field.key);
    for (const auto& inner : group.groups) put_group(table, inner, form_path, toml_path);
    return table;
  }

  void put_group(toml::table& parent, const FormGroup& group, const std::string& form_parent, const std::string& toml_parent) {
    const std::string form_path = form_parent.empty() ? group.key : form_parent + "." + group.key;
    const std::string toml_path = toml_parent.empty() ? group.key : toml_parent + "." + group.key;
    if (!group.repeated) {
      toml::table table = build_item(group, form_path, toml_path);
      if (!table.empty()) parent.insert_or_assign(group.key, std::move(table));
      return;
    }
    toml::array items;
    const int n = item_count(values, form_path);
    for (int i = 0; i < n; ++i) {
      const std::string item_form = form_path + "[" + std::to_string(i) + "]";
      if (trim(value_of(values, item_form + "~remove")) == "1") continue;
      if (!has_text(group, item_form)) continue;
      const std::string item_toml = toml_path + "[" + std::to_string(items.size()) + "]";
      form_paths[item_toml] = item_form;
      items.push_back(build_item(group, item_form, item_toml));
    }
    if (!items.empty()) parent.insert_or_assign(group.key, std::move(items));
  }

  // A TOML field path in the form's numbering: the longest item path it starts with, replaced.
  std::string to_form(const std::string& field) const {
    std::string best_from, best_to;
    for (const auto& [from, to] : form_paths) {
      if (from.size() <= best_from.size() || !field.starts_with(from)) continue;
      if (field.size() != from.size() && field[from.size()] != '.' && field[from.size()] != '[') continue;
      best_from = from;
      best_to = to;
    }
    return best_from.empty() ? field : best_to + field.substr(best_from.size());
  }
};

// "team[3].schedule[0].monday" → "team[].schedule[].monday"
std::string without_indexes(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    out += path[i];
    if (path[i] == '[') {
      const auto close = path.find(']', i);
      if (close == std::string::npos) return out;
      i = close - 1;
    }
  }
  return out;
}

void collect_inputs(const FormGroup& group, const std::string& path, std::set<std::string>& out) {
  const std::string base = path.empty() ? group.key : path + "." + group.key;
  const std::string item = group.repeated ? base + "[]" : base;
  for (const auto& field : group.fields) out.insert(item + "." + field.key);
  for (const auto& inner : group.groups) collect_inputs(inner, item, out);
}

const std::set<std::string>& input_patterns() {
  static const std::set<std::string> patterns = [] {
    std::set<std::string> out;
    for (const auto& group : profile_form()) collect_inputs(group, "", out);
    return out;
  }();
  return patterns;
}

}  // namespace

const std::vector<FormGroup>& profile_form() {
  static const std::vector<FormGroup> form = build_form();
  return form;
}

FormValues form_values(std::string_view profile_toml) {
  toml::table root;
  try {
    root = toml::parse(profile_toml);
  } catch (const toml::parse_error& error) {
    throw DataError("profile: invalid TOML: " + std::string(error.description()));
  }
  FormValues out;
  for (const auto& group : profile_form()) read_group(root, group, "", out);
  return out;
}

int item_count(const FormValues& values, const std::string& path) {
  // Items beyond this are not read: a form with a huge index cannot make the daemon loop.
  constexpr int k_max_items = 500;
  const std::string prefix = path + "[";
  int count = 0;
  for (auto it = values.lower_bound(prefix); it != values.end() && it->first.starts_with(prefix); ++it) {
    const auto close = it->first.find(']', prefix.size());
    if (close == std::string::npos) continue;
    int index = -1;
    const char* begin = it->first.data() + prefix.size();
    const auto [end, ec] = std::from_chars(begin, it->first.data() + close, index);
    if (ec != std::errc() || end != it->first.data() + close || index < 0 || index >= k_max_items) continue;
    count = std::max(count, index + 1);
  }
  return count;
}

std::string input_for_field(const std::string& field) {
  std::string path = field;
  while (!path.empty()) {
    if (input_patterns().count(without_indexes(path))) return path;
    const auto cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return {};
}

FormRead read_profile_form(const FormValues& values, const std::string& slug) {
  Builder builder{values, slug, {}, {}};
  toml::table root;
  for (const auto& group : profile_form()) builder.put_group(root, group, "", "");
  FormRead out;
  std::ostringstream text;
  text << toml::toml_formatter{root};
  out.toml = text.str();
  out.errors = builder.errors;
  auto read = org::read_profile_toml(out.toml, "profile form");
  for (const auto& issue : read.issues) {
    const std::string field = builder.to_form(issue.field);
    const std::string input = input_for_field(field);
    if (input.empty()) {
      out.general.push_back((field.empty() ? "" : field + ": ") + issue.message);
    } else {
      // Beside the input; a deeper field is named unless it is only an element ("hours.monday[1]":
      // the message quotes the range).
      const std::string rest = field.substr(input.size());
      const std::string message = (rest.find('.') == std::string::npos ? "" : field + ": ") + issue.message;
      auto [it, fresh] = out.errors.emplace(input, message);
      if (!fresh) it->second += "; " + message;
    }
  }
  if (out.errors.empty() && out.general.empty()) out.profile = std::move(read.profile);
  return out;
}

bool is_locked_input(const std::string& name, const std::vector<std::string>& locked) {
  for (const auto& l : locked) {
    if (name.compare(0, l.size(), l) != 0) continue;
    if (name.size() == l.size() || name[l.size()] == '.' || name[l.size()] == '[' || name[l.size()] == '~') return true;
  }
  return false;
}

FormValues keep_locked(FormValues submitted, const FormValues& current, const std::vector<std::string>& locked) {
  for (auto it = submitted.begin(); it != submitted.end();)
    it = is_locked_input(it->first, locked) ? submitted.erase(it) : std::next(it);
  for (const auto& [name, value] : current)
    if (is_locked_input(name, locked)) submitted[name] = value;
  return submitted;
}

}  // namespace sonoria::dashboard
