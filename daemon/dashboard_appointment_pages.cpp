// The dashboard's appointment book: the list, and cancelling as the owner.
#include <algorithm>

#include "core/auth/access.hpp"
#include "core/booking/availability.hpp"
#include "core/booking/icalendar.hpp"
#include "core/booking/local_clock.hpp"
#include "core/dashboard/local_time.hpp"
#include "core/dashboard/appointments_page.hpp"
#include "core/dashboard/html.hpp"
#include "core/db/database.hpp"
#include "core/org/time_text.hpp"
#include "daemon/appointment_api.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {

void appointments_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  dashboard::AppointmentsPage page;
  page.org = r.param("org");
  page.from = r.param("from");
  page.to = r.param("to");
  page.status = r.param("status");
  if (!page.status.empty() && page.status != "booked" && page.status != "cancelled")
    page.error = "Status: \"" + page.status + "\" is not one (expected booked or cancelled)";
  const auto from = page.from.empty() ? std::nullopt : org::parse_date(page.from);
  const auto to = page.to.empty() ? std::nullopt : org::parse_date(page.to);
  if (!page.from.empty() && !from) page.error = "From: \"" + page.from + "\" is not a date (expected YYYY-MM-DD)";
  if (!page.to.empty() && !to) page.error = "Until: \"" + page.to + "\" is not a date (expected YYYY-MM-DD)";

  std::vector<org::Profile> visible;
  for (auto& profile : database.orgs().all())
    if (auth::can_view(r.viewer, profile.id)) visible.push_back(std::move(profile));
  for (const auto& p : visible) page.organizations.emplace_back(p.organization.slug, p.organization.name);
  if (!page.org.empty() &&
      std::none_of(visible.begin(), visible.end(), [&](const org::Profile& p) { return p.organization.slug == page.org; }))
    page.error = "Organization: \"" + page.org + "\" is not one you can see";

  if (page.error.empty()) {
    const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    for (const auto& profile : visible) {
      if (!page.org.empty() && profile.organization.slug != page.org) continue;
      db::AppointmentFilter filter;
      filter.organization_id = profile.id;
      filter.status = page.status;
      // Days are the organization's own; with no dates, from the start of its today.
      const booking::LocalClock clock(profile.organization.timezone);
      filter.from = from ? booking::local_day_start(profile, *from) : booking::local_day_start(profile, clock.local(now).date);
      if (to) filter.to = booking::local_day_start(profile, *to, 1);
      filter.limit = 500;
      for (auto& a : database.appointments().list(filter))
        page.rows.push_back({std::move(a), profile.organization.name, profile.organization.timezone,
                             auth::can_manage_appointments(r.viewer, profile.id)});
    }
    std::sort(page.rows.begin(), page.rows.end(),
              [](const auto& a, const auto& b) { return a.appointment.starts_at < b.appointment.starts_at; });
  }
  // The private feeds of the books this viewer runs (not staff: a feed's address outlives a
  // user's removal).
  std::vector<org::Profile> books;
  bool missing_secret = false;
  for (auto& profile : visible) {
    if (profile.booking.mode != "built_in" || !auth::can_edit_profile(r.viewer, profile.id)) continue;
    if (!page.org.empty() && profile.organization.slug != page.org) continue;
    missing_secret |= c.services.orgs.signing_secret(profile.id).empty();
    books.push_back(std::move(profile));
  }
  const bool several = visible.size() > 1;
  std::vector<int64_t> book_ids;
  for (const auto& b : books) book_ids.push_back(b.id);
  auto answer = [&services = c.services, books = std::move(books), several, page = std::move(page),
                 frame_viewer = r.viewer, csrf = r.session.csrf_token, notice = r.notice, respond]() mutable {
    for (const auto& profile : books) {
      const std::string secret = services.orgs.signing_secret(profile.id);
      if (secret.empty()) continue;
      const std::string& base = services.settings.server.public_url;
      const std::string prefix = several ? profile.organization.name + ": " : "";
      page.feeds.emplace_back(prefix + "every appointment", base + booking::feed_path(secret, profile.organization.slug, ""));
      for (const auto& member : profile.team)
        page.feeds.emplace_back(prefix + member.name, base + booking::feed_path(secret, profile.organization.slug,
                                                                                 booking::member_slug(member.name)));
    }
    dashboard::Frame frame;
    frame.title = "Appointments";
    frame.active = "appointments";
    frame.viewer = &frame_viewer;
    frame.csrf = csrf;
    frame.notice = notice;
    respond(html_page(page.error.empty() ? 200 : 400, dashboard::render_appointments(frame, page)));
  };
  if (!missing_secret) return answer();
  // A feed's token is made from the organization's signing secret: one that has none gets it now
  // (on the writer), and the daemon learns it, so the feed answers.
  auto shared = std::make_shared<decltype(answer)>(std::move(answer));
  Services& services = c.services;
  if (!services.writer.post_job([&services, shared, book_ids](db::Database& db) {
        for (const int64_t id : book_ids) db.orgs().signing_secret(id);
        services.orgs.replace(db.orgs().all(), db.knowledge().organizations_with_documents(), db.orgs().signing_secrets());
        (*shared)();
      }))
    respond(html_page(503, "busy; retry shortly\n"));
}

void cancel_appointment(DashboardContext& c, const DashboardRequest& r, const std::string& reference,
                        db::Database& database, HttpResponder respond) {
  const auto found = database.appointments().find(auth::visible_organization(r.viewer).value_or(0), reference);
  if (!found || !auth::can_manage_appointments(r.viewer, found->organization_id)) return respond(not_found_page(r));
  const bool notify = r.field("notify") == "1";
  const auto viewer = r.viewer;
  const std::string address = r.http.remote_address;
  cancel_appointment_as_owner(c.services, found->reference, notify, found->organization_id,
                              [respond, viewer, address, notify](const OwnerCancel& result, db::Database* db) {
                                if (result.status != 200)
                                  return respond(redirect("/app/appointments?notice=" +
                                                          dashboard::percent_encode("Not cancelled: " + result.message)));
                                const auto& a = *result.appointment;
                                if (db) {
                                  db::AuditEntry entry{0, "", viewer.user_id, viewer.username, a.organization_id,
                                                       "appointment.cancel", a.reference,
                                                       a.service + " on " +
                                                           dashboard::local_time_text(
                                                               db::format_timestamp(db::TimePoint(std::chrono::seconds(a.starts_at))),
                                                               result.profile->organization.timezone) +
                                                           (notify ? ", customer texted" : ", customer not texted"),
                                                       address};
                                  try {
                                    db->users().audit(entry);
                                  } catch (const std::exception& e) {
                                    log_error("dashboard.audit_failed", "", e.what());
                                  }
                                }
                                respond(redirect("/app/appointments?notice=" +
                                                 dashboard::percent_encode("Cancelled " + a.reference + ".")));
                              });
}

}  // namespace sonoria::daemon
