#include "core/dashboard/profile_page.hpp"

#include <doctest/doctest.h>

#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::dashboard;

namespace {

struct PageFixture {
  auth::Viewer viewer{1, "maya", auth::Role::owner, 4};
  Frame frame{"Profile", "profile", &viewer, "csrf-token", ""};
  org::Profile studio = org::load_profile_file(test::source_dir() / "examples" / "yoga-studio.toml");
  ProfileEditPage page;
  PageFixture() {
    page.org = {"lotus-yoga", "Lotus Yoga Studio", "America/New_York", false};
    page.values = form_values(org::export_profile_toml(studio));
    page.can_edit = true;
    page.base_version = 3;
  }
};

}  // namespace

TEST_CASE("the profile form labels every input and posts back the version it was opened on") {
  PageFixture f;
  const auto html = render_profile_edit(f.frame, f.page);
  CHECK(html.find("<label for=\"f-organization.name\">Name</label>") != std::string::npos);
  CHECK(html.find("name=\"organization.name\" value=\"Lotus Yoga Studio\"") != std::string::npos);
  CHECK(html.find("name=\"base_version\" value=\"3\"") != std::string::npos);
  CHECK(html.find("name=\"csrf\" value=\"csrf-token\"") != std::string::npos);
  CHECK(html.find("Service 4: Private session") != std::string::npos);
  CHECK(html.find("name=\"services[4].name\"") != std::string::npos);  // the blank one to add
  CHECK(html.find("name=\"services[3]~remove\"") != std::string::npos);
  CHECK(html.find("Save changes") != std::string::npos);
}

TEST_CASE("an error is shown beside its input and listed at the top with a link to it") {
  PageFixture f;
  f.page.values["services[1].price"] = "cheap";
  f.page.errors["services[1].price"] = "found a string \"cheap\" (expected an amount such as 25 or 18.50)";
  f.page.general.push_back("stages: two stages start");
  const auto html = render_profile_edit(f.frame, f.page);
  CHECK(html.find("Nothing was saved: 2 problems") != std::string::npos);
  CHECK(html.find("<a href=\"#f-services[1].price\">") != std::string::npos);
  CHECK(html.find("aria-invalid=\"true\"") != std::string::npos);
  CHECK(html.find("id=\"f-services[1].price-error\">found a string &quot;cheap&quot;") != std::string::npos);
  CHECK(html.find("value=\"cheap\"") != std::string::npos);  // what was typed stays
}

TEST_CASE("a viewer who may not edit reads the form disabled, without a save button") {
  PageFixture f;
  f.page.can_edit = false;
  const auto html = render_profile_edit(f.frame, f.page);
  CHECK(html.find("<fieldset disabled") != std::string::npos);
  CHECK(html.find("Save changes") == std::string::npos);
}

TEST_CASE("typed text is escaped everywhere in the form") {
  PageFixture f;
  f.page.values["faqs[0].answer"] = "</textarea><script>alert(1)</script>";
  f.page.values["organization.name"] = "\"><img src=x>";
  const auto html = render_profile_edit(f.frame, f.page);
  CHECK(html.find("<script>alert") == std::string::npos);
  CHECK(html.find("<img src=x>") == std::string::npos);
}

TEST_CASE("a version's changes fold unchanged lines and offer a roll back") {
  PageFixture f;
  ProfileDiffPage page;
  page.org = f.page.org;
  page.version = {4, 2, "2026-12-05T14:03:07.120Z", "maya", "price", ""};
  page.against = 1;
  page.current = 3;
  page.can_roll_back = true;
  std::string before, after;
  for (int i = 0; i < 20; ++i) before += "line " + std::to_string(i) + "\n";
  after = before;
  after.replace(after.find("line 10"), 7, "LINE 10");
  page.diff = diff_lines(before, after);
  const auto html = render_profile_diff(f.frame, page);
  CHECK(html.find("<del>- line 10\n</del>") != std::string::npos);
  CHECK(html.find("<ins>+ LINE 10\n</ins>") != std::string::npos);
  CHECK(html.find("unchanged lines") != std::string::npos);
  CHECK(html.find("line 2\n") == std::string::npos);  // folded
  CHECK(html.find("Roll back to version 2") != std::string::npos);
  CHECK(html.find("Sat 05 Dec 2026 09:03") != std::string::npos);  // New York time
}
