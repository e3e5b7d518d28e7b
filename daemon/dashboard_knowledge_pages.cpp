// The knowledge base in the dashboard: its documents, an upload (multipart, size-capped by the
// server before it is read: dashboard.max_upload_bytes, daemon/request_body_limit.hpp), a removal, and a trial search. Changes
// go through the writer, read and indexed by the same code as `sonoria kb add`, and the daemon's
// organizations are refreshed so the next call can search what was added.
#include "core/auth/access.hpp"
#include "core/dashboard/html.hpp"
#include "core/dashboard/knowledge_page.hpp"
#include "core/db/database.hpp"
#include "core/db/knowledge_import.hpp"
#include "core/error.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

// The page's data for the organization the request names (or the viewer's own); nullopt when
// it is not one the viewer may see.
std::optional<dashboard::KnowledgePage> page_for(const DashboardRequest& r, db::Database& database,
                                                 const std::string& wanted, int64_t* organization_id) {
  dashboard::KnowledgePage page;
  const auto scope = auth::visible_organization(r.viewer);
  page.choose = !scope;
  for (const auto& o : database.orgs().list()) {
    if (!auth::can_view(r.viewer, o.id)) continue;
    page.orgs.emplace_back(o.slug, o.name);
    const bool chosen = wanted.empty() ? page.org.empty() : o.slug == wanted;
    if (chosen) {
      page.org = o.slug;
      page.org_name = o.name;
      *organization_id = o.id;
    }
  }
  if (page.orgs.empty()) return page;
  if (page.org.empty()) return std::nullopt;
  page.can_edit = auth::can_edit_profile(r.viewer, *organization_id);
  page.documents = database.knowledge().documents(*organization_id);
  return page;
}

std::string back_to(const dashboard::KnowledgePage& page, const std::string& notice) {
  std::map<std::string, std::string> q{{"notice", notice}};
  if (page.choose) q["org"] = page.org;
  return std::string(dashboard::k_prefix) + "/knowledge?" + dashboard::query_string(q);
}

dashboard::Frame frame_for(const auth::Viewer& viewer, const std::string& csrf) {
  dashboard::Frame f;
  f.title = "Knowledge base";
  f.active = "knowledge";
  f.viewer = &viewer;
  f.csrf = csrf;
  return f;
}

// After a change: the daemon's organizations know who has something to search.
void refresh(Services& s, db::Database& db) {
  s.orgs.replace(db.orgs().all(), db.knowledge().organizations_with_documents(), db.orgs().signing_secrets());
}

}  // namespace

void knowledge_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  int64_t id = 0;
  auto page = page_for(r, database, r.param("org"), &id);
  if (!page) return respond(not_found_page(r));
  page->question = r.param("q").substr(0, 500);
  if (!page->question.empty() && id != 0) page->hits = database.knowledge().search(id, page->question, 5);
  respond(html_page(200, dashboard::render_knowledge(r.frame("Knowledge base", "knowledge"), *page)));
}

void upload_knowledge(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  int64_t id = 0;
  auto page = page_for(r, database, r.field("org"), &id);
  if (!page || !page->can_edit || id == 0) return respond(not_found_page(r));
  const dashboard::FormPart* file = nullptr;
  for (const auto& f : r.files)
    if (f.name == "document") file = &f;
  auto again = [&](std::string error) {
    page->upload_error = std::move(error);
    respond(html_page(400, dashboard::render_knowledge(r.frame("Knowledge base", "knowledge"), *page)));
  };
  if (!file || !file->filename || file->filename->empty()) return again("Choose a file to add.");
  // Only the file's own name: a browser may send a path ("C:\\docs\\prices.md").
  std::string name = *file->filename;
  if (const auto slash = name.find_last_of("/\\"); slash != std::string::npos) name = name.substr(slash + 1);
  if (name.empty() || name == db::k_faq_source) return again("\"" + *file->filename + "\" is not a file name that can be used.");
  Services& services = c.services;
  const auto viewer = r.viewer;
  const std::string csrf = r.session.csrf_token;
  const std::string address = r.http.remote_address;
  const bool queued = services.writer.post_job([&services, page = *page, id, name, bytes = file->data, viewer, csrf,
                                                address, respond](db::Database& db) mutable {
    db::KbImportResult result;
    try {
      result = db::import_document(db.knowledge(), id, name, bytes);
    } catch (const UserError& e) {
      // The import's own message (binary data, not UTF-8, too large, nothing to index).
      page.upload_error = e.what();
      return respond(html_page(400, dashboard::render_knowledge(frame_for(viewer, csrf), page)));
    }
    db::AuditEntry entry{0, "", viewer.user_id, viewer.username, id, "knowledge.add", result.source,
                         std::to_string(result.passages) + " passages", address};
    db.users().audit(entry);
    refresh(services, db);
    log_info("dashboard.knowledge_added", "", "document added",
             {{"org", page.org}, {"source", result.source}, {"by", viewer.username}});
    const std::string verb = result.what == db::KbImport::replaced    ? "Replaced "
                             : result.what == db::KbImport::unchanged ? "Already here, unchanged: "
                                                                      : "Added ";
    respond(redirect(back_to(page, verb + result.source + " (" + std::to_string(result.passages) + " passages).")));
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

void remove_knowledge(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  int64_t id = 0;
  auto page = page_for(r, database, r.field("org"), &id);
  if (!page || !page->can_edit || id == 0) return respond(not_found_page(r));
  const std::string source = r.field("source");
  if (source.empty() || source == db::k_faq_source) return respond(not_found_page(r));
  Services& services = c.services;
  const auto viewer = r.viewer;
  const std::string address = r.http.remote_address;
  const bool queued = services.writer.post_job([&services, page = *page, id, source, viewer, address,
                                                respond](db::Database& db) {
    if (!db.knowledge().remove(id, source)) return respond(redirect(back_to(page, "There was no " + source + ".")));
    db::AuditEntry entry{0, "", viewer.user_id, viewer.username, id, "knowledge.remove", source, "", address};
    db.users().audit(entry);
    refresh(services, db);
    respond(redirect(back_to(page, "Removed " + source + ".")));
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

}  // namespace sonoria::daemon
