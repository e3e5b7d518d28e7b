// The dashboard's call pages: the list with its filters, one call, its recording, and the live
// event stream.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>

#include "core/audio/recording_file.hpp"
#include "core/audio/wav.hpp"
#include "core/auth/access.hpp"
#include "core/dashboard/byte_range.hpp"
#include "core/dashboard/html.hpp"
#include "core/dashboard/call_page.hpp"
#include "core/dashboard/calls_page.hpp"
#include "core/db/database.hpp"
#include "core/engine/providers.hpp"
#include "core/org/time_text.hpp"
#include "core/reports/pricing.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/live_feed.hpp"
#include "daemon/log.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

struct OrgInfo {
  std::string slug;
  std::string name;
  std::string timezone;
};

// The organizations the viewer may see, by id.
std::map<int64_t, OrgInfo> visible_orgs(const auth::Viewer& viewer, db::Database& database) {
  std::map<int64_t, OrgInfo> out;
  for (const auto& o : database.orgs().list())
    if (auth::can_view(viewer, o.id)) out[o.id] = {o.slug, o.name, o.timezone};
  return out;
}

// A filter's date as the stored timestamp of that day's start (UTC), or an error message.
std::optional<std::string> day_start(const std::string& text, int day_offset, std::string& error, const char* label) {
  if (text.empty()) return std::nullopt;
  auto date = org::parse_date(text);
  if (!date) {
    error = std::string(label) + ": \"" + text + "\" is not a date (expected YYYY-MM-DD)";
    return std::nullopt;
  }
  const auto day = std::chrono::sys_days(*date) + std::chrono::days(day_offset);
  return db::format_timestamp(std::chrono::time_point_cast<std::chrono::milliseconds>(day));
}

}  // namespace

void calls_page(DashboardContext& c, const DashboardRequest& r, db::Database& database, HttpResponder respond) {
  (void)c;
  dashboard::CallsPage page;
  auto& f = page.filter;
  f = {r.param("org"), r.param("since"), r.param("until"), r.param("status"), r.param("direction"),
       r.param("engine"), r.param("party"), r.param("stage"), r.param("said")};
  const auto orgs = visible_orgs(r.viewer, database);
  for (const auto& [id, o] : orgs) page.organizations.emplace_back(o.slug, o.name);

  db::CallQuery query;
  query.organization_id = auth::visible_organization(r.viewer);
  if (!f.org.empty()) {
    auto it = std::find_if(orgs.begin(), orgs.end(), [&](const auto& o) { return o.second.slug == f.org; });
    if (it == orgs.end()) page.error = "Organization: \"" + f.org + "\" is not one you can see";
    else query.organization_id = it->first;
  }
  query.started_from = day_start(f.since, 0, page.error, "From");
  query.started_before = day_start(f.until, 1, page.error, "Until");
  if (!f.status.empty()) query.status = f.status;
  if (!f.direction.empty()) query.direction = f.direction;
  if (!f.engine.empty()) {
    if (!engine::parse_provider(f.engine)) page.error = "Engine: \"" + f.engine + "\" is not an engine";
    query.engine = f.engine;
  }
  if (!f.party.empty()) {
    std::string digits;
    for (char ch : f.party)
      if ((ch >= '0' && ch <= '9') || (ch == '+' && digits.empty())) digits += ch;
    if (digits.empty() || digits == "+") page.error = "Caller number: \"" + f.party + "\" has no digits";
    query.party = digits;
  }
  if (!f.stage.empty()) query.stage = f.stage;
  if (!f.said.empty()) query.said = f.said;
  const bool filters_ok = page.error.empty();
  std::optional<db::ListCursor> cursor;
  if (auto text = r.param("cursor"); !text.empty() && filters_ok) {
    cursor = db::decode_cursor(text);
    if (!cursor) page.error = "That page of calls does not exist; showing the newest.";
  }
  // A filter that cannot be used shows no calls (not every call, which would mislead); a bad
  // page cursor shows the first page.
  if (filters_ok) {
    auto found = database.queries().list(query, cursor, 50);
    for (auto& call : found.calls) {
      dashboard::CallListRow row;
      if (call.organization_id) {
        if (auto o = orgs.find(*call.organization_id); o != orgs.end()) {
          row.organization = o->second.name;
          row.timezone = o->second.timezone;
        }
      }
      row.call = std::move(call);
      page.rows.push_back(std::move(row));
    }
    if (found.next) page.next_cursor = db::encode_cursor(*found.next);
  }
  if (r.param("partial") == "1") return respond(html_page(200, dashboard::render_calls_table(page)));
  respond(html_page(page.error.empty() ? 200 : 400, dashboard::render_calls(r.frame("Calls", "calls"), page)));
}

void call_page(DashboardContext& c, const DashboardRequest& r, const std::string& sid, db::Database& database,
               HttpResponder respond) {
  auto row = database.queries().find(sid);
  // Another organization's call is answered exactly like a call that does not exist.
  if (!row || !auth::can_view(r.viewer, row->organization_id)) return respond(not_found_page(r));
  dashboard::CallPageData data;
  data.detail.call = *row;
  if (row->organization_id) {
    for (const auto& o : database.orgs().list())
      if (o.id == *row->organization_id) {
        data.detail.organization = o.slug;
        data.organization_name = o.name;
        data.timezone = o.timezone;
      }
  }
  data.detail.transcript = database.queries().transcript(*row);
  data.detail.events = database.queries().events(*row);
  data.messages = database.calls().messages(sid);
  if (const auto cost = reports::call_cost_micro_usd(*row, reports::prices_from(c.services.settings.pricing)); cost > 0)
    data.cost_micro_usd = cost;
  if (row->recording)
    data.recording_url = std::string(dashboard::k_prefix) + "/calls/" + dashboard::percent_encode(sid) + "/recording";
  respond(html_page(200, dashboard::render_call(r.frame("Call from " + row->from_number, "calls"), data)));
}

// The recording as a 16-bit PCM WAV made from the stored µ-law on the fly, a range at a time
// (core/audio/recording_file.hpp): an hour-long call is never read whole for one request.
void call_recording(DashboardContext& c, const DashboardRequest& r, const std::string& sid, db::Database& database,
                    HttpResponder respond) {
  auto row = database.queries().find(sid);
  if (!row || !auth::can_view(r.viewer, row->organization_id) || !row->recording) return respond(not_found_page(r));
  const auto file = audio::recordings_directory(c.services.settings.database.path) / *row->recording;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(file.c_str(), "rb"), &std::fclose);
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  if (!in || ec) {
    log_warn("dashboard.recording_missing", sid, "the call's recording file cannot be read", {{"file", file.string()}});
    return respond(not_found_page(r));
  }
  const std::uint64_t samples = size > audio::k_ulaw_wav_header_bytes ? size - audio::k_ulaw_wav_header_bytes : 0;
  const std::uint64_t served = audio::served_wav_size(samples);
  constexpr std::uint64_t k_piece = 1u << 20;
  const auto range_header = r.http.header("range");
  // Without a Range header (a download) the whole file, unless it is very long.
  auto range = dashboard::read_byte_range(range_header, served, range_header ? k_piece : 64u << 20);
  HttpResponse out;
  out.content_type = "audio/wav";
  out.headers.emplace_back("Accept-Ranges", "bytes");
  out.headers.emplace_back("Cache-Control", "private, no-cache");
  if (r.param("download") == "1")
    out.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + sid + ".wav\"");
  if (range.kind == dashboard::ByteRange::Kind::unsatisfiable) {
    out.status = 416;
    out.headers.emplace_back("Content-Range", "bytes */" + std::to_string(served));
    return respond(std::move(out));
  }
  const bool cut = range.kind == dashboard::ByteRange::Kind::whole && range.last + 1 < served;
  const auto window = audio::samples_for_bytes(samples, range.first, range.last);
  std::string ulaw(window.samples, '\xFF');
  if (window.samples > 0) {
    std::fseek(in.get(), static_cast<long>(audio::k_ulaw_wav_header_bytes + window.first_sample), SEEK_SET);
    ulaw.resize(std::fread(ulaw.data(), 1, ulaw.size(), in.get()));
  }
  out.body = audio::served_wav_bytes(samples, range.first, range.last, ulaw);
  if (range.kind == dashboard::ByteRange::Kind::partial || cut) {
    out.status = 206;
    out.headers.emplace_back("Content-Range", "bytes " + std::to_string(range.first) + "-" +
                                                  std::to_string(range.last) + "/" + std::to_string(served));
  }
  respond(std::move(out));
}

void live_stream(DashboardContext& c, const DashboardRequest& r, HttpResponder respond) {
  HttpResponse stream;
  stream.content_type = "text/event-stream";
  stream.headers.emplace_back("Cache-Control", "no-store");
  stream.headers.emplace_back("X-Accel-Buffering", "no");  // a proxy in front must not hold events back
  LiveFeed* live = &c.live;
  stream.open_stream = [live, org = auth::visible_organization(r.viewer)](std::shared_ptr<ResponseSink> sink) {
    live->subscribe(std::move(sink), org);
  };
  respond(std::move(stream));
}

}  // namespace sonoria::daemon
