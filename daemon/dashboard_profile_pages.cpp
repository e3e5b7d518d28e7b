// The business profile in the dashboard: the form (read by the same code as `sonoria org
// import`), its versions with compare and roll back, and the prompt preview. A saved profile is
// in force for the next call: the writer stores it and refreshes the daemon's organizations.
#include <chrono>

#include "core/auth/access.hpp"
#include "core/call/prompt_preview.hpp"
#include "core/call/stages.hpp"
#include "core/dashboard/html.hpp"
#include "core/dashboard/line_diff.hpp"
#include "core/dashboard/profile_form.hpp"
#include "core/dashboard/profile_page.hpp"
#include "core/db/database.hpp"
#include "core/error.hpp"
#include "core/org/profile_toml.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/log.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

// The organization the request is about, or the response to give instead (an admin without
// ?org= picks one; anything not visible to the viewer is "not here").
struct Target {
  std::optional<org::Profile> profile;
  std::optional<HttpResponse> instead;
  dashboard::ProfileOf of;
};

Target target_of(const DashboardRequest& r, db::Database& database) {
  Target t;
  const auto scope = auth::visible_organization(r.viewer);
  const std::string wanted = r.param("org");
  if (scope) {
    t.profile = database.orgs().find(*scope);
    if (t.profile && !wanted.empty() && wanted != t.profile->organization.slug) t.profile.reset();
  } else if (wanted.empty()) {
    std::vector<std::pair<std::string, std::string>> orgs;
    for (const auto& o : database.orgs().list()) orgs.emplace_back(o.slug, o.name);
    t.instead = html_page(200, dashboard::render_profile_choice(r.frame("Profiles", "profile"), orgs));
    return t;
  } else {
    t.profile = database.orgs().find_by_slug(wanted);
  }
  if (!t.profile) {
    t.instead = not_found_page(r);
    return t;
  }
  t.of = {t.profile->organization.slug, t.profile->organization.name, t.profile->organization.timezone, !scope};
  return t;
}

int current_version(db::Database& database, int64_t organization_id) {
  const auto versions = database.orgs().versions(organization_id);
  return versions.empty() ? 0 : versions.front().version;
}

std::string profile_url(const dashboard::ProfileOf& of, const std::string& path, const std::string& notice) {
  std::map<std::string, std::string> q{{"notice", notice}};
  if (of.choose) q["org"] = of.slug;
  return std::string(dashboard::k_prefix) + path + "?" + dashboard::query_string(q);
}

// What a writer job needs to render the form again (the request is gone by then).
struct FormAgain {
  auth::Viewer viewer;
  std::string csrf;
  dashboard::ProfileEditPage page;

  HttpResponse render(int status) const {
    dashboard::Frame frame;
    frame.title = "Profile";
    frame.active = "profile";
    frame.viewer = &viewer;
    frame.csrf = csrf;
    return html_page(status, dashboard::render_profile_edit(frame, page));
  }
};

// Stores `profile` on the writer thread, then makes it the one the next call gets.
void save_on_writer(DashboardContext& c, const DashboardRequest& r, org::Profile profile, db::ProfileChange change,
                    std::optional<int> expected_version, FormAgain again, std::string done_path,
                    std::string audit_action, HttpResponder respond) {
  const std::string address = r.http.remote_address;
  Services& services = c.services;
  const int64_t organization_id = profile.id;
  const bool queued = services.writer.post_job([=, &services, profile = std::move(profile),
                                                again = std::move(again)](db::Database& db) mutable {
    const int before = current_version(db, organization_id);
    if (expected_version && *expected_version != before) {
      const auto latest = db.orgs().version(organization_id, before);
      again.page.general.push_back("Nothing was saved: " + (latest && !latest->saved_by.empty() ? latest->saved_by : std::string("someone")) +
                                   " saved version " + std::to_string(before) +
                                   " after you opened this page. Your changes are below; compare them with the "
                                   "current version and save again.");
      again.page.base_version = before;
      return respond(again.render(409));
    }
    try {
      db.orgs().upsert(profile, change);
    } catch (const DataError& e) {
      // A phone number that belongs to another organization: only the database knows.
      again.page.errors["organization.phone_numbers"] = e.what();
      return respond(again.render(400));
    }
    const int after = current_version(db, organization_id);
    const auto slug = profile.organization.slug;
    if (after == before) {
      return respond(redirect(profile_url(again.page.org, done_path, "Nothing had changed; no new version.")));
    }
    db::AuditEntry entry{0, "", again.viewer.user_id, again.viewer.username, organization_id, audit_action, slug,
                         "version " + std::to_string(after) + (change.note.empty() ? "" : ": " + change.note), address};
    db.users().audit(entry);
    // In force for the next call, not at the next periodic reload.
    services.orgs.replace(db.orgs().all(), db.knowledge().organizations_with_documents(), db.orgs().signing_secrets());
    log_info("dashboard.profile_saved", "", "profile saved",
             {{"org", slug}, {"version", after}, {"by", again.viewer.username}});
    respond(redirect(profile_url(again.page.org, done_path, "Saved as version " + std::to_string(after) + ".")));
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

}  // namespace

void profile_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  auto t = target_of(r, database);
  if (t.instead) return respond(std::move(*t.instead));
  dashboard::ProfileEditPage page;
  page.org = t.of;
  page.values = dashboard::form_values(org::export_profile_toml(*t.profile));
  page.can_edit = auth::can_edit_profile(r.viewer, t.profile->id);
  page.base_version = current_version(database, t.profile->id);
  if (r.viewer.role != auth::Role::admin) page.locked = dashboard::k_admin_only_inputs;
  respond(html_page(200, dashboard::render_profile_edit(r.frame("Profile", "profile"), page)));
}

void save_profile(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  auto t = target_of(r, database);
  if (t.instead) return respond(std::move(*t.instead));
  if (!auth::can_edit_profile(r.viewer, t.profile->id)) return respond(not_found_page(r));
  FormAgain again{r.viewer, r.session.csrf_token, {}};
  auto& page = again.page;
  page.org = t.of;
  page.values = r.form;
  page.values.erase("csrf");
  page.can_edit = true;
  page.note = r.field("note").substr(0, 200);
  int base = 0;
  try {
    base = std::stoi(r.field("base_version"));
  } catch (const std::exception&) {
    base = current_version(database, t.profile->id);
  }
  page.base_version = base;
  // What only an admin changes stays as stored, whatever was sent (k_admin_only_inputs).
  dashboard::FormValues submitted = r.form;
  if (r.viewer.role != auth::Role::admin) {
    page.locked = dashboard::k_admin_only_inputs;
    submitted = dashboard::keep_locked(std::move(submitted), dashboard::form_values(org::export_profile_toml(*t.profile)),
                                       page.locked);
    page.values = submitted;
    page.values.erase("csrf");
  }
  // The same reading and rules as `sonoria org import`, on this read-pool thread.
  auto read = dashboard::read_profile_form(submitted, t.profile->organization.slug);
  if (!read.profile) {
    page.errors = std::move(read.errors);
    page.general = std::move(read.general);
    return respond(again.render(400));
  }
  read.profile->id = t.profile->id;
  // Taken before `again` moves (argument order is unspecified).
  db::ProfileChange change{r.viewer.username, page.note};
  save_on_writer(c, r, std::move(*read.profile), std::move(change), base, std::move(again), "/profile", "profile.save",
                 std::move(respond));
}

void profile_versions_page(DashboardContext& c, const DashboardRequest& r, db::Database& database,
                           HttpResponder respond) {
  (void)c;
  auto t = target_of(r, database);
  if (t.instead) return respond(std::move(*t.instead));
  dashboard::ProfileVersionsPage page;
  page.org = t.of;
  page.versions = database.orgs().versions(t.profile->id);
  respond(html_page(200, dashboard::render_profile_versions(r.frame("Profile versions", "profile"), page)));
}

void profile_version_page(DashboardContext& c, const DashboardRequest& r, int version, db::Database& database,
                          HttpResponder respond) {
  (void)c;
  auto t = target_of(r, database);
  if (t.instead) return respond(std::move(*t.instead));
  auto shown = database.orgs().version(t.profile->id, version);
  if (!shown) return respond(not_found_page(r));
  dashboard::ProfileDiffPage page;
  page.org = t.of;
  page.current = current_version(database, t.profile->id);
  page.can_roll_back = auth::can_edit_profile(r.viewer, t.profile->id);
  std::string from;
  if (r.param("against") == "current" && version != page.current) {
    page.against = page.current;
    page.against_current = true;
    if (auto current = database.orgs().version(t.profile->id, page.current)) from = current->profile_toml;
  } else if (version > 1) {
    page.against = version - 1;
    if (auto previous = database.orgs().version(t.profile->id, version - 1)) from = previous->profile_toml;
  }
  page.diff = dashboard::diff_lines(from, shown->profile_toml);
  page.version = std::move(*shown);
  respond(html_page(200, dashboard::render_profile_diff(r.frame("Profile version", "profile"), page)));
}

void roll_back_profile(DashboardContext& c, const DashboardRequest& r, int version, db::Database& database,
                       HttpResponder respond) {
  auto t = target_of(r, database);
  if (t.instead) return respond(std::move(*t.instead));
  if (!auth::can_edit_profile(r.viewer, t.profile->id)) return respond(not_found_page(r));
  const auto old = database.orgs().version(t.profile->id, version);
  if (!old) return respond(not_found_page(r));
  // The old version is read and checked again: rules may have grown since it was saved.
  auto read = org::read_profile_toml(old->profile_toml, "version " + std::to_string(version));
  FormAgain again{r.viewer, r.session.csrf_token, {}};
  again.page.org = t.of;
  again.page.can_edit = true;
  if (r.viewer.role != auth::Role::admin) again.page.locked = dashboard::k_admin_only_inputs;
  again.page.base_version = current_version(database, t.profile->id);
  if (!read.profile) {
    again.page.values = dashboard::form_values(old->profile_toml);
    for (const auto& issue : read.issues) {
      const std::string input = dashboard::input_for_field(issue.field);
      if (input.empty()) again.page.general.push_back(issue.field + ": " + issue.message);
      else again.page.errors.emplace(input, issue.message);
    }
    again.page.general.insert(again.page.general.begin(),
                              "Version " + std::to_string(version) +
                                  " does not pass today's checks; it is below with its problems. Correct them and save.");
    return respond(again.render(400));
  }
  read.profile->id = t.profile->id;
  read.profile->organization.slug = t.profile->organization.slug;
  // An owner's roll back does not bring back numbers, tools or webhooks an admin has changed since.
  if (r.viewer.role != auth::Role::admin) {
    read.profile->organization.phone_numbers = t.profile->organization.phone_numbers;
    read.profile->http_tools = t.profile->http_tools;
    read.profile->webhooks = t.profile->webhooks;
  }
  again.page.values = dashboard::form_values(old->profile_toml);
  save_on_writer(c, r, std::move(*read.profile), {r.viewer.username, "rolled back to version " + std::to_string(version)},
                 std::nullopt, std::move(again), "/profile/versions", "profile.rollback", std::move(respond));
}

void prompt_preview_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  auto t = target_of(r, database);
  if (t.instead) return respond(std::move(*t.instead));
  const auto& profile = *t.profile;
  dashboard::PromptPreviewPage page;
  page.org = t.of;
  page.outbound = r.param("outbound") == "1";
  for (const auto& s : profile.stages) page.stages.push_back(s.name);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  page.at = r.param("at").empty() ? call::local_minute_text(now, profile.organization.timezone) : r.param("at");
  call::PromptPreview preview;
  preview.outbound = page.outbound;
  preview.has_knowledge = !database.knowledge().documents(profile.id).empty();
  int status = 200;
  if (!r.param("stage").empty()) {
    preview.stage = call::find_stage(profile.stages, r.param("stage"));
    if (preview.stage) page.stage = r.param("stage");
  }
  const auto at = call::parse_preview_time(page.at, profile.organization.timezone);
  if (!at) {
    page.error = "expected a date and time such as 2026-12-24T10:00";
    status = 400;
  } else {
    try {
      page.prompt = call::preview_prompt(profile, *at, preview);
    } catch (const std::exception& e) {
      page.error = e.what();
      status = 400;
    }
  }
  respond(html_page(status, dashboard::render_prompt_preview(r.frame("Prompt preview", "profile"), page)));
}

}  // namespace sonoria::daemon
