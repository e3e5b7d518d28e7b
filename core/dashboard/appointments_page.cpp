#include "core/dashboard/appointments_page.hpp"

#include "core/dashboard/html.hpp"
#include "core/dashboard/local_time.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::dashboard {
namespace {

std::string when(int64_t unix_seconds, const std::string& timezone) {
  return local_time_text(db::format_timestamp(db::TimePoint(std::chrono::seconds(unix_seconds))), timezone);
}

// The private calendar feeds, for those who may have them.
std::string feeds_section(const AppointmentsPage& page) {
  std::string out;
  if (!page.feeds.empty()) {
    out += "<section aria-labelledby=\"feeds-heading\"><h2 id=\"feeds-heading\">Calendar feeds</h2><p>Subscribe to "
           "these in Google, Apple or Outlook calendars to see the book there. Anyone with a feed's address can read "
           "its appointments: share it like a password (<code>sonoria org secret --rotate</code> replaces them all).</p>"
           "<dl class=\"feeds\">";
    int n = 0;
    for (const auto& [what, url] : page.feeds) {
      const std::string id = "feed-" + std::to_string(n++);
      out += "<dt><label for=\"" + id + "\">" + escape(what) + "</label></dt><dd><input id=\"" + id +
             "\" type=\"text\" readonly value=\"" + escape(url) + "\"></dd>";
    }
    out += "</dl></section>";
  }
  return out;
}

}  // namespace

std::string render_appointments(const Frame& frame, const AppointmentsPage& page) {
  std::string out = "<h1>Appointments</h1><form class=\"filters\" method=\"get\" action=\"" + std::string(k_prefix) +
                    "/appointments\">";
  if (page.organizations.size() > 1) {
    std::vector<std::pair<std::string, std::string>> orgs{{"", "Every organization"}};
    orgs.insert(orgs.end(), page.organizations.begin(), page.organizations.end());
    out += select_field("org", "Organization", orgs, page.org);
  }
  out += text_field("from", "From", page.from, "", "date") + text_field("to", "Until", page.to, "", "date") +
         select_field("status", "Status", {{"", "Booked and cancelled"}, {"booked", "booked"}, {"cancelled", "cancelled"}},
                      page.status) +
         "<button type=\"submit\">Show</button></form>";
  if (!page.error.empty()) out += "<p class=\"error\" role=\"alert\">" + escape(page.error) + "</p>";
  if (page.rows.empty()) return render_page(frame, out + "<p class=\"empty\">No appointments in this period.</p>" + feeds_section(page));
  out += "<table id=\"appointments\"><thead><tr><th scope=\"col\">When</th><th scope=\"col\">Service</th>"
         "<th scope=\"col\">With</th><th scope=\"col\">Where</th><th scope=\"col\">Customer</th>"
         "<th scope=\"col\">Reference</th><th scope=\"col\">Status</th><th scope=\"col\"><span class=\"visually-hidden\">Actions</span></th>"
         "</tr></thead><tbody>";
  for (const auto& row : page.rows) {
    const auto& a = row.appointment;
    out += "<tr data-reference=\"" + escape(a.reference) + "\"><td>" + escape(when(a.starts_at, row.timezone)) + "</td><td>" +
           escape(a.service) + "</td><td>" + escape(a.team_member.empty() ? "–" : a.team_member) + "</td><td>" +
           escape(a.location.empty() ? (row.organization.empty() ? "–" : row.organization) : a.location) + "</td><td>" +
           escape(a.customer_name) + "<br><span class=\"muted\">" + escape(a.customer_phone) + "</span></td><td><code>" +
           escape(a.reference) + "</code></td><td><span class=\"status status-" + escape(a.status) + "\">" +
           escape(a.status) + "</span></td><td>";
    if (row.can_cancel && a.status == "booked")
      out += "<form method=\"post\" action=\"" + std::string(k_prefix) + "/appointments/" + percent_encode(a.reference) +
             "/cancel\" data-confirm=\"Cancel " + escape(a.service) + " for " + escape(a.customer_name) + "?\">" +
             csrf_field(frame.csrf) +
             "<label><input type=\"checkbox\" name=\"notify\" value=\"1\" checked> text the customer</label> "
             "<button type=\"submit\" class=\"danger\">Cancel</button></form>";
    out += "</td></tr>";
  }
  out += "</tbody></table>";
  return render_page(frame, out + feeds_section(page));
}


}  // namespace sonoria::dashboard
