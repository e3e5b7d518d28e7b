#include "core/dashboard/knowledge_page.hpp"

#include <cstdio>

#include "core/dashboard/html.hpp"

namespace sonoria::dashboard {
namespace {

std::string org_field(const KnowledgePage& page) {
  return page.choose ? "<input type=\"hidden\" name=\"org\" value=\"" + escape(page.org) + "\">" : "";
}

std::string size_text(int64_t bytes) {
  char out[32];
  if (bytes < 1024) std::snprintf(out, sizeof out, "%lld B", static_cast<long long>(bytes));
  else if (bytes < 1024 * 1024) std::snprintf(out, sizeof out, "%.1f KiB", static_cast<double>(bytes) / 1024);
  else std::snprintf(out, sizeof out, "%.1f MiB", static_cast<double>(bytes) / (1024 * 1024));
  return out;
}

}  // namespace

std::string render_knowledge(const Frame& frame, const KnowledgePage& page) {
  std::string out = "<h1>Knowledge base" + (page.org_name.empty() ? "" : ": " + escape(page.org_name)) + "</h1>";
  if (page.orgs.empty())
    return render_page(frame, out + "<p class=\"empty\">No organization yet: import one with <code>sonoria org import "
                                    "FILE.toml</code>.</p>");
  if (page.choose) {
    out += "<form method=\"get\" action=\"" + std::string(k_prefix) + "/knowledge\" class=\"filters\">" +
           select_field("org", "Organization", page.orgs, page.org) + "<button type=\"submit\">Show</button></form>";
  }
  out += "<p>When a caller asks something the profile does not answer, the assistant searches these documents "
         "and the profile's questions and answers, and answers from what it finds.</p>";

  out += "<h2>Documents</h2>";
  if (page.documents.empty()) {
    out += "<p class=\"empty\">No documents yet.</p>";
  } else {
    out += "<table id=\"documents\"><thead><tr><th scope=\"col\">File</th><th scope=\"col\">Title</th><th scope=\"col\">"
           "Format</th><th scope=\"col\">Size</th><th scope=\"col\">Passages</th><th scope=\"col\">Imported</th>" +
           std::string(page.can_edit ? "<th scope=\"col\"><span class=\"visually-hidden\">Remove</span></th>" : "") +
           "</tr></thead><tbody>";
    for (const auto& d : page.documents) {
      const bool faq = d.source == db::k_faq_source;
      out += "<tr data-source=\"" + escape(d.source) + "\"><td>" + escape(faq ? "Questions and answers" : d.source) +
             "</td><td>" + escape(d.title) + "</td><td>" + escape(d.format) + "</td><td>" + size_text(d.bytes) +
             "</td><td>" + std::to_string(d.passages) + "</td><td>" + escape(d.imported_at.substr(0, 16)) + "</td>";
      if (page.can_edit) {
        if (faq) {
          out += "<td class=\"muted\">From the profile</td>";
        } else {
          out += "<td><form method=\"post\" action=\"" + std::string(k_prefix) + "/knowledge/remove\" data-confirm=\"" +
                 escape("Remove " + d.source + "? The assistant no longer finds what it says.") + "\">" +
                 csrf_field(frame.csrf) + org_field(page) + "<input type=\"hidden\" name=\"source\" value=\"" +
                 escape(d.source) + "\"><button type=\"submit\" class=\"secondary\" aria-label=\"" +
                 escape("Remove " + d.source) + "\">Remove</button></form></td>";
        }
      }
      out += "</tr>";
    }
    out += "</tbody></table>";
  }

  if (page.can_edit) {
    out += "<h2>Add a document</h2><form method=\"post\" enctype=\"multipart/form-data\" action=\"" +
           std::string(k_prefix) + "/knowledge\" class=\"upload\">" + csrf_field(frame.csrf) + org_field(page);
    const bool invalid = !page.upload_error.empty();
    out += "<div class=\"field" + std::string(invalid ? " invalid" : "") +
           "\"><label for=\"f-document\">Markdown, text or HTML file</label><input id=\"f-document\" name=\"document\" "
           "type=\"file\" accept=\".md,.markdown,.txt,.text,.html,.htm\" required aria-describedby=\"f-document-help" +
           std::string(invalid ? " f-document-error" : "") + "\"" + (invalid ? " aria-invalid=\"true\"" : "") + ">";
    out += "<p class=\"help\" id=\"f-document-help\">Up to 4 MiB. A file with the name of one already here replaces it.</p>";
    if (invalid) out += "<p class=\"error\" id=\"f-document-error\">" + escape(page.upload_error) + "</p>";
    out += "</div><button type=\"submit\">Add</button></form>";
  }

  out += "<h2>Try a question</h2><form method=\"get\" action=\"" + std::string(k_prefix) + "/knowledge\" class=\"filters\">" +
         org_field(page) + text_field("q", "A caller's question", page.question, "", "search") +
         "<button type=\"submit\">Search</button></form>";
  if (!page.question.empty()) {
    if (page.hits.empty()) {
      out += "<p class=\"empty\" id=\"hits\">Nothing found: the assistant would say it does not know and offer to take a "
             "message.</p>";
    } else {
      out += "<ol id=\"hits\" class=\"hits\">";
      for (const auto& h : page.hits) {
        char score[32];
        std::snprintf(score, sizeof score, "%.2f", h.score);
        out += "<li><p><strong>" + escape(h.source == db::k_faq_source ? "Questions and answers" : h.source) +
               "</strong>" + (h.heading.empty() ? "" : " — " + escape(h.heading)) + " <span class=\"muted\">(score " +
               score + ")</span></p><p>" + escape(h.text) + "</p></li>";
      }
      out += "</ol>";
    }
  }
  return render_page(frame, out);
}

}  // namespace sonoria::dashboard
