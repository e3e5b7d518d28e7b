// "Talk to your assistant" in the dashboard: the page, and the request that places a test call
// (daemon/test_call.hpp) and answers the browser with what its stream needs.
#include <nlohmann/json.hpp>

#include "core/auth/access.hpp"
#include "core/dashboard/talk_page.hpp"
#include "core/db/database.hpp"
#include "core/org/phone_numbers.hpp"
#include "core/phone/phone_number.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/org_directory.hpp"
#include "daemon/test_call.hpp"

namespace sonoria::daemon {
namespace {

HttpResponse refusal(int status, const std::string& error) { return api_json(status, {{"error", error}}); }

// What a refused test call is told, in the words of the page.
std::string refused_text(const std::string& reason) {
  if (reason == "capacity") return "All lines are busy (calls.max_concurrent); try again when a call has ended.";
  if (reason == "rate_limited") return "This number has called too often in the last hour; call as another number.";
  if (reason == "blocked_caller") return "This number is on the blocked list (calls.blocked_callers); call as another number.";
  if (reason == "shutting_down") return "The server is shutting down; try again in a moment.";
  return "The call was not admitted (" + reason + ").";
}

}  // namespace

void talk_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  dashboard::TalkPage page;
  for (const auto& o : database.orgs().list()) {
    if (!auth::can_view(r.viewer, o.id)) continue;
    page.orgs.emplace_back(o.slug, o.name);
  }
  page.org = r.param("org");
  respond(html_page(200, dashboard::render_talk(r.frame("Talk to your assistant", "talk"), page)));
}

void start_talk(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)database;
  const std::string slug = r.field("org");
  auto profile = c.services.orgs.by_id_or_slug(slug);
  // Another organization's assistant is "not here", as everything of it is.
  if (slug.empty() || !profile || !auth::can_view(r.viewer, profile->id))
    return respond(refusal(404, "There is no organization \"" + slug + "\" you may call."));
  std::string from = r.field("from");
  if (!from.empty()) {
    const phone::Parsed parsed = phone::parse(from, org::default_region(profile->organization));
    if (!parsed.number) return respond(refusal(400, "Call as: " + parsed.error + ", or leave it empty."));
    from = parsed.number->e164;
  }
  start_test_call(c.services, {profile, from, r.viewer.username}, [respond](TestCallStarted started) {
    if (!started.refused.empty()) return respond(refusal(503, refused_text(started.refused)));
    respond(api_json(200, {{"call_sid", started.call_sid},
                              {"token", started.token},
                              {"stream", k_test_call_stream_path},
                              {"record", std::string(dashboard::k_prefix) + "/calls/" + started.call_sid}}));
  });
}

}  // namespace sonoria::daemon
