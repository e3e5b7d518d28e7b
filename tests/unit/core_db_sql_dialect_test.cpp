#include <doctest/doctest.h>

#include "core/db/sql_dialect.hpp"

using namespace sonoria::db;

TEST_CASE("JSON in text columns is read with each database's own functions") {
  CHECK(json_text(Dialect::sqlite, "o.profile_json", "webhooks.call_end_url") ==
        "json_extract(o.profile_json, '$.webhooks.call_end_url')");
  CHECK(json_text(Dialect::postgresql, "o.profile_json", "webhooks.call_end_url") ==
        "(o.profile_json::jsonb #>> '{webhooks,call_end_url}')");
  CHECK(json_array_contains(Dialect::sqlite, "c.stages") == "EXISTS (SELECT 1 FROM json_each(c.stages) j WHERE j.value = ?)");
  CHECK(json_array_contains(Dialect::postgresql, "c.stages") ==
        "EXISTS (SELECT 1 FROM jsonb_array_elements_text(c.stages::jsonb) j(value) WHERE j.value = ?)");
  CHECK(json_array_has_field(Dialect::postgresql, "c.engines", "engine") ==
        "EXISTS (SELECT 1 FROM jsonb_array_elements(c.engines::jsonb) j(value) WHERE j.value ->> 'engine' = ?)");
  CHECK(text_contains(Dialect::sqlite, "a", "?") == "instr(a, ?) > 0");
  CHECK(text_contains(Dialect::postgresql, "a", "?") == "strpos(a, ?) > 0");
}
