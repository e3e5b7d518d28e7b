#include "core/dashboard/knowledge_page.hpp"

#include <doctest/doctest.h>

using namespace sonoria;
using namespace sonoria::dashboard;

namespace {
const auth::Viewer k_owner{1, "ana", auth::Role::owner, 4};

KnowledgePage studio() {
  KnowledgePage page;
  page.orgs = {{"lotus-yoga", "Lotus Yoga Studio"}};
  page.org = "lotus-yoga";
  page.org_name = "Lotus Yoga Studio";
  page.documents = {{1, "faq", "Questions and answers", "faq", "", 900, 4, "2026-12-01T10:00:00.000Z"},
                    {2, "prices <2026>.md", "Prices", "markdown", "", 2048, 3, "2026-12-02T11:30:00.000Z"}};
  return page;
}
}  // namespace

TEST_CASE("an owner sees the documents, removes one (not the FAQs), and uploads with the size said") {
  Frame frame{"Knowledge base", "knowledge", &k_owner, "csrf-token", ""};
  auto page = studio();
  page.can_edit = true;
  const auto html = render_knowledge(frame, page);
  CHECK(html.find("prices &lt;2026&gt;.md") != std::string::npos);
  CHECK(html.find("prices <2026>") == std::string::npos);
  CHECK(html.find("2.0 KiB") != std::string::npos);
  CHECK(html.find("name=\"source\" value=\"prices &lt;2026&gt;.md\"") != std::string::npos);
  CHECK(html.find("name=\"source\" value=\"faq\"") == std::string::npos);  // indexed from the profile
  CHECK(html.find("enctype=\"multipart/form-data\"") != std::string::npos);
  CHECK(html.find("Up to 4 MiB") != std::string::npos);
  CHECK(html.find("name=\"csrf\" value=\"csrf-token\"") != std::string::npos);
}

TEST_CASE("staff search but change nothing; an upload's problem stands beside the file input") {
  Frame frame{"Knowledge base", "knowledge", &k_owner, "t", ""};
  auto page = studio();
  page.question = "Is there parking?";
  page.hits = {{"faq", "Questions and answers", "Is there parking?", "Yes, behind the bakery.", 3.25}};
  auto html = render_knowledge(frame, page);
  CHECK(html.find("multipart/form-data") == std::string::npos);
  CHECK(html.find("/knowledge/remove") == std::string::npos);
  CHECK(html.find("Yes, behind the bakery.") != std::string::npos);
  CHECK(html.find("(score 3.25)") != std::string::npos);
  page.hits.clear();
  CHECK(render_knowledge(frame, page).find("Nothing found") != std::string::npos);

  page.can_edit = true;
  page.upload_error = "notes.bin: not text";
  html = render_knowledge(frame, page);
  CHECK(html.find("aria-invalid=\"true\"") != std::string::npos);
  CHECK(html.find("<p class=\"error\" id=\"f-document-error\">notes.bin: not text</p>") != std::string::npos);
}
