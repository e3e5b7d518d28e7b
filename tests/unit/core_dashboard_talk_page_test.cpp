#include "core/dashboard/talk_page.hpp"

#include <doctest/doctest.h>

using namespace sonoria;
using namespace sonoria::dashboard;

namespace {
const auth::Viewer k_admin{1, "root", auth::Role::admin, std::nullopt};
}

TEST_CASE("the talk page posts the session's token and names the stream and the audio script") {
  Frame frame{"Talk to your assistant", "talk", &k_admin, "csrf-token", ""};
  TalkPage page;
  page.orgs = {{"lotus-yoga", "Lotus Yoga Studio"}};
  const auto html = render_talk(frame, page);
  CHECK(html.find("name=\"csrf\" value=\"csrf-token\"") != std::string::npos);
  CHECK(html.find("data-stream=\"/app/talk/media\"") != std::string::npos);
  CHECK(html.find("data-worklet=\"/app/static/talk-worklet.js\"") != std::string::npos);
  CHECK(html.find("<script src=\"/app/static/talk.js\" defer></script>") != std::string::npos);
  // One organization: no choice to make, it rides along hidden.
  CHECK(html.find("<input type=\"hidden\" name=\"org\" value=\"lotus-yoga\">") != std::string::npos);
  CHECK(html.find("<select") == std::string::npos);
  // Labelled inputs and a status read out as it changes.
  CHECK(html.find("<label for=\"f-from\">") != std::string::npos);
  CHECK(html.find("role=\"status\" aria-live=\"polite\"") != std::string::npos);
  CHECK(html.find("aria-current=\"page\"") != std::string::npos);
}

TEST_CASE("an admin picks which assistant to call; names are escaped") {
  Frame frame{"Talk to your assistant", "talk", &k_admin, "t", ""};
  TalkPage page;
  page.orgs = {{"lotus-yoga", "Lotus <Yoga>"}, {"bright-smile-dental", "Bright Smile"}};
  page.org = "bright-smile-dental";
  const auto html = render_talk(frame, page);
  CHECK(html.find("<select") != std::string::npos);
  CHECK(html.find("Lotus &lt;Yoga&gt;") != std::string::npos);
  CHECK(html.find("Lotus <Yoga>") == std::string::npos);
}

TEST_CASE("without an organization there is nothing to call, and the page says how to add one") {
  Frame frame{"Talk to your assistant", "talk", &k_admin, "t", ""};
  const auto html = render_talk(frame, TalkPage{});
  CHECK(html.find("sonoria org import") != std::string::npos);
  CHECK(html.find("talk.js") == std::string::npos);
}
