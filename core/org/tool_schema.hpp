#pragma once
// (In core/org: a profile's own HTTP tools are checked at import, and core/tools checks every
// call.) Checks a tool call's arguments against the small part of JSON Schema that tool parameters use:
// a top-level `type: object` with `properties` (each with `type` string | integer | number |
// boolean | object | array | null, or a list of those; `enum`; `maxLength` for strings), `required`
// and `additionalProperties: false`. Other keywords (description, …) are ignored. Pure functions.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace sonoria::org {

// nullopt when `arguments` satisfies `schema`, else one readable sentence for the model, naming the
// argument, the bad value and what was expected: `argument "target" must be one of "front desk",
// "manager" (got "reception")`.
std::optional<std::string> check_arguments(const nlohmann::json& schema, const nlohmann::json& arguments);

// nullopt when `schema` is within the subset above (a tool's parameters must be), else what is not.
std::optional<std::string> check_schema(const nlohmann::json& schema);

}  // namespace sonoria::org
