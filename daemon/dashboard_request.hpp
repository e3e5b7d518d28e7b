#pragma once
// What a signed-in dashboard page handler is given (daemon/dashboard_routes.hpp checks the
// session and the CSRF token before any handler runs), and the helpers the page files share.

#include <map>
#include <optional>
#include <string>

#include "core/auth/access.hpp"
#include "core/db/user_store.hpp"
#include "core/dashboard/layout.hpp"
#include "core/dashboard/multipart.hpp"
#include "daemon/http_message.hpp"
#include "daemon/http_server.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

struct Services;
class LiveFeed;

struct DashboardRequest {
  const HttpRequest& http;
  auth::Viewer viewer;
  db::DashboardSession session;
  std::map<std::string, std::string> query;  // decoded query parameters (first of each name)
  std::map<std::string, std::string> form;   // decoded form fields of a POST (first of each name)
  std::string notice;                        // from ?notice= after a redirect
  std::vector<dashboard::FormPart> files;    // the files of a multipart POST (its text fields are in `form`)

  dashboard::Frame frame(std::string title, std::string active) const {
    dashboard::Frame f;
    f.title = std::move(title);
    f.active = std::move(active);
    f.viewer = &viewer;
    f.csrf = session.csrf_token;
    f.notice = notice;
    return f;
  }
  std::string param(const std::string& name) const {
    auto it = query.find(name);
    return it == query.end() ? std::string() : it->second;
  }
  std::string field(const std::string& name) const {
    auto it = form.find(name);
    return it == form.end() ? std::string() : it->second;
  }
};

// Everything a handler may use. Handlers run on a ReadPool thread with its read-only database;
// changes go to the writer (Services::writer.post_job) and answer from there.
struct DashboardContext {
  Services& services;
  LiveFeed& live;
};

HttpResponse html_page(int status, std::string body);
HttpResponse redirect(const std::string& location);
// The "not here" page: also what a viewer gets for something of another organization, so that
// changing an id in the URL tells nothing about what exists.
HttpResponse not_found_page(const DashboardRequest& request);

// The page handlers (daemon/dashboard_*_pages.cpp).
void calls_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void call_page(DashboardContext& c, const DashboardRequest& r, const std::string& sid, db::Database& database,
               HttpResponder respond);
void analytics_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void call_recording(DashboardContext& c, const DashboardRequest& r, const std::string& sid, db::Database& database,
                    HttpResponder respond);
void live_stream(DashboardContext& c, const DashboardRequest& r, HttpResponder respond);
void appointments_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void users_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void add_user(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void remove_user(DashboardContext& c, const DashboardRequest& r, int64_t user_id, db::Database& database,
                 HttpResponder respond);
void audit_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void profile_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void save_profile(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void profile_versions_page(DashboardContext& c, const DashboardRequest& r, db::Database& database,
                           HttpResponder respond);
void profile_version_page(DashboardContext& c, const DashboardRequest& r, int version, db::Database& database,
                          HttpResponder respond);
void roll_back_profile(DashboardContext& c, const DashboardRequest& r, int version, db::Database& database,
                       HttpResponder respond);
void prompt_preview_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void knowledge_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void upload_knowledge(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void remove_knowledge(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void talk_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void start_talk(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond);
void cancel_appointment(DashboardContext& c, const DashboardRequest& r, const std::string& reference,
                        db::Database& database, HttpResponder respond);

}  // namespace sonoria::daemon
