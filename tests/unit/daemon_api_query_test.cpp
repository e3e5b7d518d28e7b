#include "daemon/api_query.hpp"

#include <doctest/doctest.h>

#include "daemon/api_routes.hpp"

namespace api_query_test {

using sonoria::daemon::api_path_segment;
using sonoria::daemon::api_query;
using sonoria::daemon::ApiBadRequest;
using Params = std::map<std::string, std::string>;

TEST_CASE("query parameters are decoded: '+' is a space, the last of a repeated name wins, nameless ones are skipped") {
  CHECK(api_query("limit=5&org=lotus+yoga&org=harbor%20physio&=x&flag") ==
        Params{{"flag", ""}, {"limit", "5"}, {"org", "harbor physio"}});
}

TEST_CASE("an empty query is no parameters, also when the view is not NUL-terminated (boostorg/url#946)") {
  const std::string text = "limit=5";
  CHECK(api_query(std::string_view(text.data(), 0)).empty());
  CHECK(api_query(std::string_view(text.data() + 1, 0)).empty());
  const std::string empties = "=&&a==b&cXYZ";
  CHECK(api_query(std::string_view(empties.data(), 9)) == Params{{"a", "=b"}, {"c", ""}});
}

TEST_CASE("a malformed escape is a 400 naming the query or the path segment; '+' stays a plus in a path") {
  try {
    (void)api_query("limit=%zz");
    FAIL("no error");
  } catch (const ApiBadRequest& e) {
    CHECK(e.code == "invalid_query");
  }
  try {
    (void)api_path_segment("CA%2");
    FAIL("no error");
  } catch (const ApiBadRequest& e) {
    CHECK(e.code == "invalid_path");
  }
  CHECK(api_path_segment("a+b%2Fc") == "a+b/c");
}

}  // namespace api_query_test
