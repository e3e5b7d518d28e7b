#include "core/org/templates.hpp"

#include <doctest/doctest.h>

using namespace sonoria::org;

TEST_CASE("a template using only known placeholders has no unknown ones") {
  CHECK(unknown_placeholders("Hi {{customer_name}}, book {{service}} at {{booking_url}}").empty());
  CHECK(unknown_placeholders("no placeholders at all").empty());
}

TEST_CASE("unknown placeholders are listed once each, in order of first use") {
  const auto unknown = unknown_placeholders("{{foo}} {{customer_name}} {{bar}} {{foo}} {{ baz }}");
  CHECK(unknown == std::vector<std::string>{"foo", "bar", "baz"});
}

TEST_CASE("every documented placeholder name is known") {
  for (const char* name : {"customer_name", "service", "booking_url", "portal_url", "org_name", "org_phone",
                           "caller_phone", "message", "assistant_name", "location"}) {
    CHECK(is_known_placeholder(name));
  }
  CHECK_FALSE(is_known_placeholder("Customer_Name"));
  CHECK_FALSE(is_known_placeholder(""));
}

TEST_CASE("an empty marker counts as an unknown placeholder") {
  CHECK(unknown_placeholders("hello {{}}") == std::vector<std::string>{""});
}

TEST_CASE("rendering fills in values and tolerates spaces inside the braces") {
  const std::map<std::string, std::string> values = {{"customer_name", "Dana"}, {"service", "Hot yoga"}};
  CHECK(render_template("Hi {{customer_name}}, your {{ service }} is booked.", values) ==
        "Hi Dana, your Hot yoga is booked.");
}

TEST_CASE("placeholders without a value render as empty text") {
  CHECK(render_template("[{{portal_url}}][{{nonsense}}]", {}) == "[][]");
}

TEST_CASE("an opening pair of braces without a closing pair stays as written") {
  CHECK(render_template("Hi {{customer_name", {{"customer_name", "Dana"}}) == "Hi {{customer_name");
  CHECK(unknown_placeholders("Hi {{customer_name").empty());
}

TEST_CASE("values are inserted verbatim and not expanded again") {
  CHECK(render_template("{{message}}", {{"message", "{{customer_name}}"}, {"customer_name", "Dana"}}) ==
        "{{customer_name}}");
}
