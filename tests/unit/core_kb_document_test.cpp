#include "core/kb/document.hpp"

#include <doctest/doctest.h>

#include "core/error.hpp"

using namespace sonoria;
using namespace sonoria::kb;

namespace {

std::string error_of(std::string_view bytes, Format format, std::string_view name = "notes.md") {
  try {
    read_document(bytes, format, name);
  } catch (const DataError& e) {
    return e.what();
  }
  return "(accepted)";
}

}  // namespace

TEST_CASE("formats come from the file's extension") {
  CHECK(format_of("policies.md") == Format::markdown);
  CHECK(format_of("docs/Policies.MARKDOWN") == Format::markdown);
  CHECK(format_of("hours.txt") == Format::text);
  CHECK(format_of("visit.htm") == Format::html);
  CHECK_FALSE(format_of("brochure.pdf"));
  CHECK_FALSE(format_of("README"));
  CHECK_FALSE(format_of("dir.md/file"));
}

TEST_CASE("Markdown: headings make a path, markup goes, lists and tables stay readable") {
  const auto d = read_document(
      "---\ntitle: ignored\n---\n# Bright Smile policies\n\nWelcome to **Bright Smile**.\n\n"
      "## Cancellations\n\nPlease give *24 hours'* notice. See [our page](https://x.example/c).\n\n"
      "- A missed visit costs $50.\n- Emergencies are exempt.\n\n"
      "## Payment\n\n| Method | Accepted |\n|---|---|\n| Card | yes |\n\n```\ncode stays\n```\n",
      Format::markdown, "policies.md");
  CHECK(d.title == "Bright Smile policies");
  REQUIRE(d.sections.size() == 3);
  CHECK(d.sections[0].heading == "Bright Smile policies");
  CHECK(d.sections[0].text == "Welcome to Bright Smile.");
  CHECK(d.sections[1].heading == "Bright Smile policies › Cancellations");
  CHECK(d.sections[1].text ==
        "Please give 24 hours' notice. See our page.\n\nA missed visit costs $50.\n\nEmergencies are exempt.");
  CHECK(d.sections[2].heading == "Bright Smile policies › Payment");
  CHECK(d.sections[2].text == "Method Accepted\n\nCard yes\n\ncode stays");
}

TEST_CASE("HTML: the body's text with headings as sections; scripts, styles and comments dropped; entities decoded") {
  const auto d = read_document(
      "<html><head><title>First visit &amp; parking</title><style>p{color:red}</style></head><body>"
      "<script>alert('x')</script><!-- hidden --><h1>Your first visit</h1><p>Bring your <b>insurance card</b>"
      " &ndash; and a photo&nbsp;ID.</p><h2>Parking</h2><ul><li>Garage on Lake Ave</li><li>Validated &#8364;0</li></ul>"
      "<table><tr><td>Mon</td><td>9&ndash;5</td></tr></table></body></html>",
      Format::html, "visit.html");
  CHECK(d.title == "First visit & parking");
  REQUIRE(d.sections.size() == 2);
  CHECK(d.sections[0].heading == "Your first visit");
  CHECK(d.sections[0].text == "Bring your insurance card – and a photo ID.");
  CHECK(d.sections[1].heading == "Your first visit › Parking");
  CHECK(d.sections[1].text == "Garage on Lake Ave\n\nValidated €0\n\nMon 9–5");
}

TEST_CASE("plain text: paragraphs, titled by the file's name") {
  const auto d = read_document("Whitening takes 90 minutes.\nIt lasts a year.\n\n\nKids are welcome.\n", Format::text,
                               "docs/services.txt");
  CHECK(d.title == "services");
  REQUIRE(d.sections.size() == 1);
  CHECK(d.sections[0].heading.empty());
  CHECK(d.sections[0].text == "Whitening takes 90 minutes. It lasts a year.\n\nKids are welcome.");
}

TEST_CASE("binary, non-UTF-8, empty and oversized files are refused with the name and why") {
  CHECK(error_of(std::string("PK\x03\x04\0\0", 6), Format::markdown, "notes.md") ==
        "notes.md: binary data (a NUL byte at offset 4); expected a text document: Markdown, plain text or HTML in UTF-8");
  CHECK(error_of("caf\xe9 au lait", Format::text, "menu.txt") ==
        "menu.txt: not UTF-8 text (an invalid byte at offset 3); save it as UTF-8 and import it again");
  CHECK(error_of("\n\n  \n", Format::text, "blank.txt") == "blank.txt: no text in it (expected paragraphs of prose)");
  CHECK(error_of("<html><script>x</script></html>", Format::html, "empty.html") ==
        "empty.html: no text in it (expected paragraphs of prose)");
  CHECK(error_of(std::string(k_max_document_bytes + 1, 'a'), Format::text, "huge.txt").find("is too large") !=
        std::string::npos);
  // A byte-order mark is not text.
  CHECK(read_document("\xEF\xBB\xBFHello.", Format::text, "bom.txt").sections[0].text == "Hello.");
}
