#include "core/dashboard/layout.hpp"

#include "core/dashboard/html.hpp"

namespace sonoria::dashboard {
namespace {

std::string nav_link(const Frame& frame, const std::string& key, const std::string& href, const std::string& label) {
  return "<li><a href=\"" + std::string(k_prefix) + href + "\"" + (frame.active == key ? " aria-current=\"page\"" : "") +
         ">" + escape(label) + "</a></li>";
}

}  // namespace

std::string render_page(const Frame& frame, const std::string& main_html) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>" +
      escape(frame.title) + " · sonoria</title><link rel=\"stylesheet\" href=\"" + k_prefix +
      "/static/app.css\"><script src=\"" + k_prefix + "/static/app.js\" defer></script></head><body>";
  out += "<a class=\"skip\" href=\"#main\">Skip to content</a>";
  if (frame.viewer) {
    const auth::Viewer& v = *frame.viewer;
    out += "<header class=\"top\"><nav aria-label=\"Main\"><a class=\"brand\" href=\"" + std::string(k_prefix) +
           "/calls\">sonoria</a><ul>";
    out += nav_link(frame, "calls", "/calls", "Calls");
    out += nav_link(frame, "analytics", "/analytics", "Analytics");
    out += nav_link(frame, "appointments", "/appointments", "Appointments");
    out += nav_link(frame, "profile", "/profile", "Profile");
    out += nav_link(frame, "knowledge", "/knowledge", "Knowledge base");
    out += nav_link(frame, "talk", "/talk", "Talk to your assistant");
    if (auth::can_manage_users(v)) out += nav_link(frame, "users", "/users", "Users");
    if (v.role != auth::Role::staff) out += nav_link(frame, "audit", "/audit", "Audit log");
    out += "</ul></nav><form class=\"signout\" method=\"post\" action=\"" + std::string(k_prefix) + "/logout\">" +
           csrf_field(frame.csrf) + "<span class=\"who\">" + escape(v.username) + " (" +
           std::string(auth::role_name(v.role)) + ")</span> <button type=\"submit\">Sign out</button></form></header>";
  }
  out += "<main id=\"main\">";
  if (!frame.notice.empty()) out += "<p class=\"notice\" role=\"status\">" + escape(frame.notice) + "</p>";
  out += main_html;
  out += "</main></body></html>\n";
  return out;
}

}  // namespace sonoria::dashboard
