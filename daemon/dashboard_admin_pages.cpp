// The dashboard's users (admins) and audit log (admins and owners).
#include "core/auth/access.hpp"
#include "core/auth/password_hash.hpp"
#include "core/dashboard/html.hpp"
#include "core/dashboard/users_page.hpp"
#include "core/db/database.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

dashboard::UsersPage users_of(const DashboardRequest& r, db::Database& database) {
  dashboard::UsersPage page;
  page.users = database.users().list(0);
  for (const auto& o : database.orgs().list()) page.organizations.emplace_back(o.slug, o.name);
  page.viewer_id = r.viewer.user_id;
  return page;
}

HttpResponse forbidden(const DashboardRequest& r) {
  return html_page(403, dashboard::render_page(r.frame("Not allowed", ""),
                                               "<h1>Not allowed</h1><p>Only an admin manages users.</p>"));
}

}  // namespace

void users_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  if (!auth::can_manage_users(r.viewer)) return respond(forbidden(r));
  respond(html_page(200, dashboard::render_users(r.frame("Users", "users"), users_of(r, database))));
}

void add_user(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  if (!auth::can_manage_users(r.viewer)) return respond(forbidden(r));
  auto page = users_of(r, database);
  auto& f = page.form;
  f.username = r.field("username");
  f.role = r.field("role");
  f.org = r.field("org");
  const std::string password = r.field("password");
  const auto username = auth::normalize_username(f.username);
  const auto role = auth::parse_role(f.role);
  if (!username) f.errors["username"] = "expected 1–64 letters, digits, . _ @ + or -";
  else if (database.users().find_by_username(*username)) f.errors["username"] = "a user of that name exists already";
  if (!role) f.errors["role"] = "expected admin, owner or staff";
  std::optional<int64_t> organization_id;
  if (role && *role != auth::Role::admin) {
    for (const auto& o : database.orgs().list())
      if (o.slug == f.org) organization_id = o.id;
    if (!organization_id) f.errors["org"] = "an owner or staff member belongs to an organization: pick one";
  } else if (role && !f.org.empty()) {
    f.errors["org"] = "an admin works across organizations: pick none";
  }
  if (auto problem = auth::password_problem(password, username.value_or(f.username))) f.errors["password"] = *problem;
  else if (password != r.field("password_again")) f.errors["password_again"] = "the two passwords differ";
  if (!f.errors.empty()) return respond(html_page(400, dashboard::render_users(r.frame("Users", "users"), page)));

  db::UserRow user;
  user.username = *username;
  user.role = f.role;
  user.organization_id = organization_id;
  user.password_hash = auth::hash_password(password);  // on this read-pool thread, not an io thread
  const auto viewer = r.viewer;
  const std::string address = r.http.remote_address;
  const bool queued = c.services.writer.post_job([=](db::Database& db) mutable {
    try {
      db.users().add(user);
      db::AuditEntry entry{0, "", viewer.user_id, viewer.username, user.organization_id, "user.add", user.username,
                           "added as " + user.role, address};
      db.users().audit(entry);
    } catch (const db::UserExists&) {
      return respond(redirect("/app/users?notice=" + dashboard::percent_encode("A user named " + user.username + " exists already.")));
    }
    log_info("dashboard.user_added", "", "user added", {{"user", user.username}, {"role", user.role}, {"by", viewer.username}});
    respond(redirect("/app/users?notice=" + dashboard::percent_encode("Added " + user.username + ".")));
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

void remove_user(DashboardContext& c, const DashboardRequest& r, int64_t user_id, db::Database& database,
                 HttpResponder respond) {
  if (!auth::can_manage_users(r.viewer)) return respond(forbidden(r));
  const auto user = database.users().find(user_id);
  if (!user) return respond(not_found_page(r));
  if (user->id == r.viewer.user_id)
    return respond(redirect("/app/users?notice=" + dashboard::percent_encode("You cannot remove yourself.")));
  const auto viewer = r.viewer;
  const std::string address = r.http.remote_address;
  const db::UserRow removed = *user;
  const bool queued = c.services.writer.post_job([=](db::Database& db) {
    db.users().remove(removed.id);
    db::AuditEntry entry{0, "", viewer.user_id, viewer.username, removed.organization_id, "user.remove", removed.username,
                         "removed; their sessions ended", address};
    db.users().audit(entry);
    respond(redirect("/app/users?notice=" + dashboard::percent_encode("Removed " + removed.username + ".")));
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

void audit_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  const auto scope = auth::visible_organization(r.viewer);
  if (!auth::can_read_audit(r.viewer, scope)) return respond(not_found_page(r));
  dashboard::AuditPage page;
  page.entries = database.users().audit_log(scope.value_or(0), 500);
  for (const auto& o : database.orgs().list()) page.organizations[o.id] = o.name;
  respond(html_page(200, dashboard::render_audit(r.frame("Audit log", "audit"), page)));
}

}  // namespace sonoria::daemon
