#include "core/db/sql_dialect.hpp"

namespace sonoria::db {

std::string json_text(Dialect dialect, std::string_view column, std::string_view path) {
  std::string out;
  if (dialect == Dialect::sqlite) {
    out = "json_extract(";
    out.append(column).append(", '$.").append(path).append("')");
    return out;
  }
  std::string keys(path);
  for (auto& c : keys)
    if (c == '.') c = ',';
  out = "(";
  out.append(column).append("::jsonb #>> '{").append(keys).append("}')");
  return out;
}

std::string json_array_contains(Dialect dialect, std::string_view column, std::string_view placeholder) {
  std::string out = "EXISTS (SELECT 1 FROM ";
  if (dialect == Dialect::sqlite)
    out.append("json_each(").append(column).append(") j WHERE j.value = ").append(placeholder).append(")");
  else
    out.append("jsonb_array_elements_text(").append(column).append("::jsonb) j(value) WHERE j.value = ")
        .append(placeholder).append(")");
  return out;
}

std::string json_array_has_field(Dialect dialect, std::string_view column, std::string_view field,
                                 std::string_view placeholder) {
  std::string out = "EXISTS (SELECT 1 FROM ";
  if (dialect == Dialect::sqlite)
    out.append("json_each(").append(column).append(") j WHERE json_extract(j.value, '$.").append(field)
        .append("') = ").append(placeholder).append(")");
  else
    out.append("jsonb_array_elements(").append(column).append("::jsonb) j(value) WHERE j.value ->> '").append(field)
        .append("' = ").append(placeholder).append(")");
  return out;
}

std::string text_contains(Dialect dialect, std::string_view haystack, std::string_view needle) {
  std::string out = dialect == Dialect::sqlite ? "instr(" : "strpos(";
  out.append(haystack).append(", ").append(needle).append(") > 0");
  return out;
}

}  // namespace sonoria::db
