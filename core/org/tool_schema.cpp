#include "core/org/tool_schema.hpp"

#include "core/text_bytes.hpp"

#include <cmath>
#include <string_view>
#include <vector>

namespace sonoria::org {
namespace {

using nlohmann::json;

constexpr size_t k_max_shown = 60;

// A value as the model wrote it, shortened so one huge argument cannot flood the reply.
std::string shown(const json& value) {
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > k_max_shown) {
    text.resize(utf8_cut(text, k_max_shown));  // never half a character
    text += "…";
  }
  return text;
}

bool is_known_type(std::string_view t) {
  return t == "string" || t == "integer" || t == "number" || t == "boolean" || t == "object" || t == "array" ||
         t == "null";
}

bool has_type(const json& value, std::string_view type) {
  if (type == "string") return value.is_string();
  if (type == "boolean") return value.is_boolean();
  if (type == "number") return value.is_number();
  if (type == "integer") {
    if (value.is_number_integer()) return true;
    if (!value.is_number_float()) return false;
    double d = value.get<double>();
    return std::isfinite(d) && d == std::floor(d);  // JSON Schema: 2.0 is an integer
  }
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

std::vector<std::string> types_of(const json& property) {
  std::vector<std::string> types;
  auto it = property.find("type");
  if (it == property.end()) return types;
  if (it->is_string()) types.push_back(it->get<std::string>());
  if (it->is_array())
    for (const auto& t : *it)
      if (t.is_string()) types.push_back(t.get<std::string>());
  return types;
}

std::string join_types(const std::vector<std::string>& types) {
  std::string out;
  for (size_t i = 0; i < types.size(); ++i) {
    if (i) out += i + 1 == types.size() ? " or " : ", ";
    out += (types[i] == "integer" || types[i] == "array" || types[i] == "object") ? "an " + types[i] : "a " + types[i];
  }
  return out;
}

bool is_count(const json& j) { return j.is_number_integer() && j.get<int64_t>() >= 0; }

// UTF-8 code points, which is what JSON Schema's maxLength counts.
size_t code_points(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

std::optional<std::string> check_property(const std::string& name, const json& property, const json& value) {
  std::string arg = "argument \"" + name + "\"";
  auto types = types_of(property);
  if (!types.empty()) {
    bool any = false;
    for (const auto& t : types) any = any || has_type(value, t);
    if (!any) return arg + " must be " + join_types(types) + " (got " + shown(value) + ")";
  }
  if (auto e = property.find("enum"); e != property.end() && e->is_array()) {
    bool found = false;
    for (const auto& option : *e) found = found || option == value;
    if (!found) {
      std::string options;
      for (const auto& option : *e) options += (options.empty() ? "" : ", ") + shown(option);
      return arg + " must be one of " + options + " (got " + shown(value) + ")";
    }
  }
  if (auto m = property.find("maxLength"); m != property.end() && is_count(*m) && value.is_string()) {
    auto limit = m->get<size_t>();
    if (code_points(value.get_ref<const std::string&>()) > limit)
      return arg + " is too long (" + std::to_string(code_points(value.get_ref<const std::string&>())) +
             " characters, at most " + std::to_string(limit) + ")";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_arguments(const json& schema, const json& arguments) {
  if (!arguments.is_object()) return "arguments must be a JSON object (got " + shown(arguments) + ")";
  static const json no_properties = json::object();
  const json* properties = &no_properties;
  if (auto p = schema.find("properties"); p != schema.end() && p->is_object()) properties = &*p;

  if (auto r = schema.find("required"); r != schema.end() && r->is_array())
    for (const auto& name : *r)
      if (name.is_string() && !arguments.contains(name.get<std::string>()))
        return "missing required argument \"" + name.get<std::string>() + "\"";

  bool closed = false;
  if (auto a = schema.find("additionalProperties"); a != schema.end() && a->is_boolean()) closed = !a->get<bool>();

  for (const auto& [name, value] : arguments.items()) {
    auto p = properties->find(name);
    if (p == properties->end()) {
      if (!closed) continue;
      std::string known;
      for (const auto& [k, _] : properties->items()) known += (known.empty() ? "" : ", ") + k;
      return "unknown argument \"" + name + "\"" + (known.empty() ? " (this tool takes none)" : " (expected: " + known + ")");
    }
    if (auto problem = check_property(name, *p, value)) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> check_schema(const json& schema) {
  if (!schema.is_object() || schema.value("type", json()) != "object")
    return "parameters must be a JSON Schema with \"type\": \"object\"";
  if (auto p = schema.find("properties"); p != schema.end()) {
    if (!p->is_object()) return "\"properties\" must be an object";
    for (const auto& [name, property] : p->items()) {
      if (!property.is_object()) return "property \"" + name + "\" must be an object";
      for (const auto& t : types_of(property))
        if (!is_known_type(t)) return "property \"" + name + "\" has unsupported type \"" + t + "\"";
      if (auto e = property.find("enum"); e != property.end() && !e->is_array())
        return "property \"" + name + "\" has an \"enum\" that is not an array";
      if (auto m = property.find("maxLength"); m != property.end() && !is_count(*m))
        return "property \"" + name + "\" has a \"maxLength\" that is not a non-negative integer";
    }
  }
  if (auto r = schema.find("required"); r != schema.end()) {
    if (!r->is_array()) return "\"required\" must be an array of names";
    for (const auto& name : *r)
      if (!name.is_string()) return "\"required\" must be an array of names";
  }
  return std::nullopt;
}

}  // namespace sonoria::org
