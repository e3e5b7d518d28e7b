#include "core/dashboard/users_page.hpp"

#include "core/dashboard/html.hpp"
#include "core/dashboard/local_time.hpp"

namespace sonoria::dashboard {
namespace {

std::string error_of(const NewUserForm& form, const std::string& field) {
  auto it = form.errors.find(field);
  return it == form.errors.end() ? std::string() : it->second;
}

}  // namespace

std::string render_users(const Frame& frame, const UsersPage& page) {
  std::string out = "<h1>Users</h1><table id=\"users\"><thead><tr><th scope=\"col\">Username</th><th scope=\"col\">Role</th>"
                    "<th scope=\"col\">Organization</th><th scope=\"col\">Last sign-in</th>"
                    "<th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th></tr></thead><tbody>";
  for (const auto& u : page.users) {
    out += "<tr data-user=\"" + escape(u.username) + "\"><td>" + escape(u.username) + "</td><td>" + escape(u.role) +
           "</td><td>" + escape(u.organization_slug.empty() ? "every organization" : u.organization_slug) + "</td><td>" +
           escape(u.last_login_at ? local_time_text(*u.last_login_at, "") : "never") + "</td><td>";
    if (u.id != page.viewer_id)
      out += "<form method=\"post\" action=\"" + std::string(k_prefix) + "/users/" + std::to_string(u.id) +
             "/remove\" data-confirm=\"Remove " + escape(u.username) + "? Their sessions end at once.\">" +
             csrf_field(frame.csrf) + "<button type=\"submit\" class=\"danger\">Remove</button></form>";
    out += "</td></tr>";
  }
  out += "</tbody></table>";
  const NewUserForm& f = page.form;
  out += "<section aria-labelledby=\"add-heading\"><h2 id=\"add-heading\">Add a user</h2>";
  if (!f.errors.empty()) out += "<p class=\"error\" role=\"alert\">The user was not added: see the fields marked below.</p>";
  out += "<form method=\"post\" action=\"" + std::string(k_prefix) + "/users\" class=\"stacked\">" + csrf_field(frame.csrf) +
         text_field("username", "Username (a name or e-mail address)", f.username, error_of(f, "username"), "text",
                    "autocomplete=\"off\" required");
  out += select_field("role", "Role", {{"owner", "owner: their organization, profile included"},
                                       {"staff", "staff: their organization, read only"},
                                       {"admin", "admin: every organization and the users"}},
                      f.role);
  if (!error_of(f, "role").empty()) out += "<p class=\"error\">" + escape(error_of(f, "role")) + "</p>";
  std::vector<std::pair<std::string, std::string>> orgs{{"", "(none, for an admin)"}};
  orgs.insert(orgs.end(), page.organizations.begin(), page.organizations.end());
  out += select_field("org", "Organization", orgs, f.org);
  if (!error_of(f, "org").empty()) out += "<p class=\"error\" id=\"f-org-error\">" + escape(error_of(f, "org")) + "</p>";
  out += text_field("password", "Password (at least 10 characters)", "", error_of(f, "password"), "password",
                    "autocomplete=\"new-password\" required");
  out += text_field("password_again", "Password again", "", error_of(f, "password_again"), "password",
                    "autocomplete=\"new-password\" required");
  out += "<button type=\"submit\">Add user</button></form></section>";
  return render_page(frame, out);
}

std::string render_audit(const Frame& frame, const AuditPage& page) {
  std::string out = "<h1>Audit log</h1>";
  if (page.entries.empty()) return render_page(frame, out + "<p class=\"empty\">Nothing recorded yet.</p>");
  out += "<table id=\"audit\"><thead><tr><th scope=\"col\">When (UTC)</th><th scope=\"col\">Who</th>"
         "<th scope=\"col\">Organization</th><th scope=\"col\">What</th><th scope=\"col\">On</th>"
         "<th scope=\"col\">Detail</th><th scope=\"col\">From</th></tr></thead><tbody>";
  for (const auto& e : page.entries) {
    std::string org = "–";
    if (e.organization_id) {
      auto it = page.organizations.find(*e.organization_id);
      org = it == page.organizations.end() ? "#" + std::to_string(*e.organization_id) : it->second;
    }
    out += "<tr><td>" + escape(local_time_text(e.at, "")) + "</td><td>" + escape(e.actor) + "</td><td>" + escape(org) +
           "</td><td>" + escape(e.action) + "</td><td>" + escape(e.target) + "</td><td>" + escape(e.detail) + "</td><td>" +
           escape(e.remote_address) + "</td></tr>";
  }
  return render_page(frame, out + "</tbody></table>");
}

}  // namespace sonoria::dashboard
