// Everything a caller, a peer or a person typed is escaped before it reaches a page.
#include <doctest/doctest.h>

#include "core/dashboard/html.hpp"
#include "core/dashboard/layout.hpp"
#include "core/dashboard/login_page.hpp"

using namespace sonoria;
using namespace sonoria::dashboard;

TEST_CASE("escape covers the five characters HTML gives meaning to") {
  CHECK(escape("<a href=\"x\">Tom & Jerry's</a>") == "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
  CHECK(escape("café ☕") == "café ☕");
}

TEST_CASE("query strings are percent-encoded and leave out empty values") {
  CHECK(query_string({{"said", "book a class"}, {"org", ""}, {"party", "+1555"}}) == "party=%2B1555&said=book%20a%20class");
  CHECK(percent_encode("a/b?c") == "a%2Fb%3Fc");
}

TEST_CASE("a field with an error is marked for assistive technology") {
  const std::string html = text_field("assistant.name", "Name", "\"Ava\"", "must not be empty");
  CHECK(html.find("for=\"f-assistant.name\"") != std::string::npos);
  CHECK(html.find("value=\"&quot;Ava&quot;\"") != std::string::npos);
  CHECK(html.find("aria-invalid=\"true\"") != std::string::npos);
  CHECK(html.find("aria-describedby=\"f-assistant.name-error\"") != std::string::npos);
  CHECK(html.find("must not be empty") != std::string::npos);
}

TEST_CASE("pages load script and style from the daemon, never inline") {
  auth::Viewer staff{3, "ben<b>", auth::Role::staff, 7};
  Frame frame;
  frame.title = "Calls";
  frame.active = "calls";
  frame.viewer = &staff;
  frame.csrf = "c0ffee";
  const std::string page = render_page(frame, "<p>body</p>");
  CHECK(page.find("<script src=\"/app/static/app.js\" defer></script>") != std::string::npos);
  CHECK(page.find("<script>") == std::string::npos);
  CHECK(page.find("style=") == std::string::npos);
  CHECK(page.find("ben&lt;b&gt;") != std::string::npos);
  CHECK(page.find("name=\"csrf\" value=\"c0ffee\"") != std::string::npos);
  CHECK(page.find("aria-current=\"page\">Calls") != std::string::npos);
  // Staff are not offered what they may not open.
  CHECK(page.find("/app/users") == std::string::npos);
  CHECK(page.find("/app/audit") == std::string::npos);
}

TEST_CASE("the sign-in form keeps the username, never the password, and carries its token") {
  LoginForm form{"ana\"", "/app/calls/CA1", "tok", "The username or password is not right."};
  const std::string page = render_login(form);
  CHECK(page.find("value=\"ana&quot;\"") != std::string::npos);
  CHECK(page.find("name=\"csrf\" value=\"tok\"") != std::string::npos);
  CHECK(page.find("value=\"/app/calls/CA1\"") != std::string::npos);
  CHECK(page.find("type=\"password\" value=\"\"") != std::string::npos);
  CHECK(page.find("role=\"alert\"") != std::string::npos);
}
