#pragma once
// The business profile as a web form: which inputs there are (every key of the TOML format,
// examples/yoga-studio.toml), and the conversions between a profile's TOML and the form's
// values. A submitted form becomes TOML text that org::read_profile_toml then reads and checks,
// exactly as `sonoria org import` does; its problems come back keyed by the input they belong
// to. Pure.
//
// Input names are the TOML paths of the values ("organization.owner.phone", "services[2].price",
// "team[0].schedule[1].monday"), so a problem's field names its input. Repeated sections show
// their items and one blank item to add; a blank item is left out, as is an item whose
// "~remove" box is ticked ("services[2]~remove").

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>
#include <utility>

#include "core/org/profile.hpp"

namespace sonoria::dashboard {

enum class FieldKind {
  text,            // one line
  long_text,       // a textarea
  whole,           // an integer
  number,          // a decimal number
  amount,          // money: 25 or 18.50
  flag,            // a checkbox
  list,            // comma-separated values ("+15550001000, +15550001001")
  hours,           // comma-separated "HH:MM-HH:MM" ranges; empty = closed
  lines,           // one value per line (a textarea)
  optional_lines,  // one per line, used only when its "~limit" box is ticked (a stage's tools)
  date,            // YYYY-MM-DD
  choice,          // one of `choices` ("" among them = not set)
  headers,         // "Name: value" per line (an HTTP tool's headers)
  json,            // JSON text (an HTTP tool's parameters)
  fixed,           // shown, not editable (the slug: changing it would make another organization)
};

struct FormField {
  std::string key;                  // the TOML key
  std::string label;
  FieldKind kind = FieldKind::text;
  std::string help;                 // shown under the input
  std::vector<std::string> choices;
  std::string also_reads;           // another key with the same value when reading ("engine")

  // A constructor rather than aggregate initialization: the schema lists
  // fields tersely and most have no help, choices or second key.
  FormField(std::string key_, std::string label_, FieldKind kind_ = FieldKind::text, std::string help_ = {},
            std::vector<std::string> choices_ = {}, std::string also_reads_ = {})
      : key(std::move(key_)), label(std::move(label_)), kind(kind_), help(std::move(help_)),
        choices(std::move(choices_)), also_reads(std::move(also_reads_)) {}
};

struct FormGroup {
  std::string key;                  // the TOML key of the table or array of tables
  std::string title;
  bool repeated = false;            // an array of tables
  std::string item_title;           // "Service" (repeated groups)
  std::string help;
  std::vector<FormField> fields;
  std::vector<FormGroup> groups;    // tables and arrays inside it
};

// The form's sections in the order of the TOML format.
const std::vector<FormGroup>& profile_form();

using FormValues = std::map<std::string, std::string>;  // input name → text

// The inputs' values for a profile's TOML (org::export_profile_toml). Throws sonoria::DataError
// when the text is not TOML.
FormValues form_values(std::string_view profile_toml);

// How many items a repeated group at `path` ("services", "team[1].schedule") has in `values`.
int item_count(const FormValues& values, const std::string& path);

struct FormRead {
  std::optional<org::Profile> profile;        // set when the form is a valid profile
  std::string toml;                           // what was read (the form as TOML)
  std::map<std::string, std::string> errors;  // input name → problem, for the inputs it names
  std::vector<std::string> general;           // problems that belong to no one input
};

// Reads a submitted form as a profile. `slug` is the organization's: the form cannot change it.
FormRead read_profile_form(const FormValues& values, const std::string& slug);

// What only the server's administrator changes, whatever an owner submits: the numbers the
// organization answers (a number claimed is a caller taken from someone else), the business's own
// HTTP tools (their headers may name the server's environment, "${OPENAI_API_KEY}", and their
// URLs reach anywhere the server can) and webhooks (likewise). Input names or their prefixes.
inline const std::vector<std::string> k_admin_only_inputs = {"organization.phone_numbers", "http_tools", "webhooks"};

// True when `name` is `locked` or an input inside it ("http_tools[0].url" inside "http_tools").
bool is_locked_input(const std::string& name, const std::vector<std::string>& locked);

// `submitted` with every locked input replaced by `current`'s (added, changed and removed alike).
FormValues keep_locked(FormValues submitted, const FormValues& current, const std::vector<std::string>& locked);

// The input a TOML field belongs to: the field itself when it is an input, else the nearest
// enclosing input ("hours.monday[1]" → "hours.monday"); "" when none encloses it.
std::string input_for_field(const std::string& field);

}  // namespace sonoria::dashboard
