#include "daemon/dashboard_routes.hpp"

#include <algorithm>
#include <chrono>

#include "core/auth/password_hash.hpp"
#include "core/auth/session_token.hpp"
#include "core/dashboard/html.hpp"
#include "core/dashboard/login_page.hpp"
#include "core/dashboard/multipart.hpp"
#include "core/db/database.hpp"
#include "core/net/client_address.hpp"
#include "core/twilio/form.hpp"
#include "daemon/dashboard_assets.hpp"
#include "daemon/dashboard_request.hpp"
#include "daemon/db_writer.hpp"
#include "daemon/live_feed.hpp"
#include "daemon/log.hpp"
#include "daemon/read_pool.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {
namespace {

constexpr const char* k_session_cookie = "sonoria_session";
constexpr const char* k_login_cookie = "sonoria_login";
// How often a session's idle deadline is moved (a write), at most.
constexpr int64_t k_touch_every_s = 60;

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Sent with every dashboard answer: no inline script or style, no framing, no sniffing, no
// caching of pages that hold callers' words.
void secure(HttpResponse& r) {
  r.headers.emplace_back("Content-Security-Policy",
                         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                         "media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
                         "form-action 'self'; frame-ancestors 'none'");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("X-Frame-Options", "DENY");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  r.headers.emplace_back("Permissions-Policy", "microphone=(self), camera=(), geolocation=()");
  bool has_cache_control = false;
  for (const auto& [name, value] : r.headers) has_cache_control |= name == "Cache-Control";
  if (!has_cache_control) r.headers.emplace_back("Cache-Control", "no-store");
}

HttpResponder secured(HttpResponder respond) {
  return [respond = std::move(respond)](HttpResponse r) {
    secure(r);
    respond(std::move(r));
  };
}

std::map<std::string, std::string> cookies_of(const HttpRequest& request) {
  std::map<std::string, std::string> out;
  auto header = request.header("cookie");
  if (!header) return out;
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto semi = rest.find(';');
    std::string_view pair = rest.substr(0, semi);
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    out.emplace(std::string(pair.substr(0, eq)), std::string(pair.substr(eq + 1)));
  }
  return out;
}

// Decoded name → first value; nullopt when the text is not a well-formed form encoding.
std::optional<std::map<std::string, std::string>> fields_of(std::string_view encoded) {
  auto parsed = twilio::parse_form(encoded);
  if (!parsed) return std::nullopt;
  std::map<std::string, std::string> out;
  for (auto& [name, value] : *parsed) out.emplace(name, value);
  return out;
}

// When the browser says where a POST comes from, it must be this host (defence in depth
// beside the CSRF token).
bool same_origin(const HttpRequest& request) {
  auto origin = request.header("origin");
  if (!origin) return true;
  auto host = request.header("host");
  if (!host) return false;
  std::string_view o = *origin;
  auto scheme = o.find("://");
  if (scheme == std::string_view::npos) return false;
  return o.substr(scheme + 3) == *host;
}

// Only a path of the dashboard itself: never another site ("//evil", "/\\evil", "https:…").
std::string safe_next(const std::string& next) {
  const bool control = std::any_of(next.begin(), next.end(), [](unsigned char c) { return c < 0x21 || c == 0x7F; });
  if (next.rfind("/app/", 0) != 0 || next.find("//") != std::string::npos || next.find('\\') != std::string::npos || control)
    return "/app/calls";
  return next;
}

HttpResponse off_page() {
  return html_page(404,
                   "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Dashboard off · sonoria</title>"
                   "</head><body><main><h1>The dashboard is off</h1><p>No user may sign in yet. On the server, add one "
                   "with <code>sonoria user add NAME --role admin</code> and reload this page.</p></main></body></html>\n");
}

std::string cookie(const std::string& name, const std::string& value, const std::string& path, int64_t max_age, bool secure_flag) {
  return name + "=" + value + "; Path=" + path + "; Max-Age=" + std::to_string(max_age) + "; HttpOnly; SameSite=Lax" +
         (secure_flag ? "; Secure" : "");
}

HttpResponse login_form(int status, dashboard::LoginForm form, bool secure_flag) {
  form.csrf = auth::new_csrf_token();
  HttpResponse r = html_page(status, dashboard::render_login(form));
  r.headers.emplace_back("Set-Cookie", cookie(k_login_cookie, form.csrf, "/app/login", 3600, secure_flag));
  return r;
}

}  // namespace

HttpResponse html_page(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  return r;
}

HttpResponse redirect(const std::string& location) {
  HttpResponse r;
  r.status = 303;
  r.content_type.clear();
  r.headers.emplace_back("Location", location);
  return r;
}

HttpResponse not_found_page(const DashboardRequest& request) {
  return html_page(404, dashboard::render_page(request.frame("Not found", ""),
                                               "<h1>Not found</h1><p>There is nothing here, or nothing you may see.</p>"
                                               "<p><a href=\"/app/calls\">Back to the calls</a></p>"));
}

DashboardRoutes::DashboardRoutes(Services& services) : s_(services), live_(std::make_unique<LiveFeed>(services)) {}
DashboardRoutes::~DashboardRoutes() = default;

void DashboardRoutes::stop() { live_->stop(); }

bool DashboardRoutes::accept_test_call_upgrade(const HttpRequest& upgrade) {
  // A browser says where a WebSocket comes from: another site's page may not open one. (The
  // call's token, given to a signed-in user, is what authenticates the stream when it starts.)
  const bool ok = same_origin(upgrade);
  if (!ok) log_warn("dashboard.stream_refused", "", "a test call stream from another origin was refused",
                    {{"remote", upgrade.remote_address}});
  return ok;
}

bool DashboardRoutes::secure_cookies() const {
  const auto& mode = s_.settings.dashboard.secure_cookies;
  if (mode == "always") return true;
  if (mode == "never") return false;
  return !s_.settings.server.tls_cert.empty() || s_.settings.server.public_url.rfind("https://", 0) == 0;
}

void DashboardRoutes::handle(const HttpRequest& request, HttpResponder raw_respond) {
  HttpResponder respond = secured(std::move(raw_respond));
  const std::string& path = request.path;
  if (path == "/app" || path == "/app/") return respond(redirect("/app/calls"));
  if (path.rfind("/app/static/", 0) == 0) {
    auto asset = dashboard_asset(path.substr(12));
    if (!asset || (request.method != "GET" && request.method != "HEAD")) return respond(html_page(404, "not found\n"));
    HttpResponse r;
    r.content_type = asset->content_type;
    r.body = std::string(asset->bytes);
    r.headers.emplace_back("Cache-Control", "public, max-age=300");
    return respond(std::move(r));
  }
  if (path == "/app/login") return login(request, std::move(respond));
  if (request.method != "GET" && request.method != "HEAD" && request.method != "POST") {
    HttpResponse r = html_page(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, POST");
    return respond(std::move(r));
  }
  signed_in(request, std::move(respond));
}

void DashboardRoutes::login(const HttpRequest& request, HttpResponder respond) {
  const bool secure_flag = secure_cookies();
  if (request.method == "GET" || request.method == "HEAD") {
    auto query = fields_of(request.query).value_or(std::map<std::string, std::string>{});
    dashboard::LoginForm form;
    form.next = safe_next(query["next"]);
    if (!s_.reads.post([respond, form, secure_flag](db::Database& database) {
          if (database.users().count() == 0) return respond(off_page());
          respond(login_form(200, form, secure_flag));
        }))
      respond(html_page(503, "busy; retry shortly\n"));
    return;
  }
  if (request.method != "POST") {
    HttpResponse r = html_page(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, POST");
    return respond(std::move(r));
  }
  auto fields = fields_of(request.body);
  if (!fields || !same_origin(request)) return respond(html_page(400, "malformed sign-in form\n"));
  dashboard::LoginForm form;
  form.next = safe_next((*fields)["next"]);
  form.username = (*fields)["username"];
  const std::string password = (*fields)["password"];
  // Login CSRF: the form's token must match the cookie set with the form.
  const auto cookies = cookies_of(request);
  auto login_cookie = cookies.find(k_login_cookie);
  if (login_cookie == cookies.end() || !auth::same_secret(login_cookie->second, (*fields)["csrf"])) {
    form.error = "This sign-in form had expired. Please try again.";
    return respond(login_form(403, form, secure_flag));
  }
  const std::string username = auth::normalize_username(form.username).value_or(form.username);
  // The client behind a trusted proxy; its failures count against its network (an IPv6 /64).
  const std::string address =
      net::client_address(request.remote_address, request.header("x-forwarded-for"), s_.settings.server.trusted_proxies);
  const std::string network = net::limit_key(address);
  const auto wait = throttle_.wait_before(username, network, std::chrono::steady_clock::now());
  if (wait.count() > 0) {
    form.error = "Too many failed attempts. Try again in " + std::to_string(wait.count()) + " seconds.";
    HttpResponse r = login_form(429, form, secure_flag);
    r.headers.emplace_back("Retry-After", std::to_string(wait.count()));
    log_warn("dashboard.login_throttled", "", "sign-in refused: too many failed attempts",
             {{"user", username}, {"remote", address}});
    return respond(std::move(r));
  }
  // Each check is tens of milliseconds of scrypt on the read pool: a burst of sign-ins (before any
  // failure is counted) must not take the pool from every other page.
  if (password_checks_->fetch_add(1) >= k_max_password_checks) {
    password_checks_->fetch_sub(1);
    form.error = "Too many sign-ins at once. Try again in a second.";
    HttpResponse r = login_form(429, form, secure_flag);
    r.headers.emplace_back("Retry-After", "1");
    return respond(std::move(r));
  }
  // Given back when the job is done with (run, or refused by a full pool), whatever path it took.
  std::shared_ptr<void> check_slot(nullptr, [checks = password_checks_](void*) { checks->fetch_sub(1); });
  const auto& settings = s_.settings.dashboard;
  const auto user_agent = std::string(request.header("user-agent").value_or("")).substr(0, 200);
  auto* writer = &s_.writer;
  auto* throttle = &throttle_;
  const int64_t idle_s = std::chrono::duration_cast<std::chrono::seconds>(settings.session_idle).count();
  const int64_t lifetime_s = std::chrono::duration_cast<std::chrono::seconds>(settings.session_lifetime).count();
  bool queued = s_.reads.post([=](db::Database& database) mutable {
    if (database.users().count() == 0) return respond(off_page());
    auto user = database.users().find_by_username(username);
    // The same scrypt work whether or not the user exists: timing names no usernames.
    const bool ok = user ? auth::verify_password(password, user->password_hash) : (auth::verify_nothing(password), false);
    check_slot.reset();
    if (!ok) {
      throttle->failed(username, network, std::chrono::steady_clock::now());
      log_warn("dashboard.login_failed", "", "sign-in failed", {{"user", username}, {"remote", address}});
      form.error = "The username or password is not right.";
      return respond(login_form(401, form, secure_flag));
    }
    throttle->succeeded(username);
    const std::string token = auth::new_session_token();
    db::DashboardSession session;
    session.token_sha256 = auth::token_digest(token);
    session.user_id = user->id;
    session.csrf_token = auth::new_csrf_token();
    session.created_at = now_s();
    session.last_seen_at = session.created_at;
    session.expires_at = session.created_at + std::min(idle_s, lifetime_s);
    session.remote_address = address;
    session.user_agent = user_agent;
    const db::UserRow who = *user;
    bool written = writer->post_job([=](db::Database& db) {
      try {
        db.users().end_expired_sessions(session.created_at);
        db.users().create_session(session);
        db.users().record_login(who.id);
        db::AuditEntry entry{0, "", who.id, who.username, who.organization_id, "login", who.username, "signed in", address};
        db.users().audit(entry);
      } catch (const std::exception& e) {
        log_error("dashboard.session_failed", "", e.what());
        return respond(html_page(500, "the session could not be stored; see the server log\n"));
      }
      log_info("dashboard.login", "", "signed in", {{"user", who.username}, {"remote", address}});
      HttpResponse r = redirect(form.next);
      r.headers.emplace_back("Set-Cookie", cookie(k_session_cookie, token, "/app", lifetime_s, secure_flag));
      r.headers.emplace_back("Set-Cookie", cookie(k_login_cookie, "", "/app/login", 0, secure_flag));
      respond(std::move(r));
    });
    if (!written) respond(html_page(503, "busy; retry shortly\n"));
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

void DashboardRoutes::logout(const DashboardRequest& request, HttpResponder respond) {
  const bool secure_flag = secure_cookies();
  const auto session = request.session;
  const auto viewer = request.viewer;
  const std::string address = request.http.remote_address;
  bool written = s_.writer.post_job([=](db::Database& db) {
    db.users().end_session(session.token_sha256);
    db::AuditEntry entry{0, "", viewer.user_id, viewer.username, viewer.organization_id, "logout", viewer.username,
                         "signed out", address};
    db.users().audit(entry);
    HttpResponse r = redirect("/app/login");
    r.headers.emplace_back("Set-Cookie", cookie(k_session_cookie, "", "/app", 0, secure_flag));
    respond(std::move(r));
  });
  if (!written) respond(html_page(503, "busy; retry shortly\n"));
}

void DashboardRoutes::signed_in(const HttpRequest& request, HttpResponder respond) {
  const bool is_post = request.method == "POST";
  auto query = fields_of(request.query);
  // A form with a file comes as multipart/form-data: its text fields join the others.
  std::vector<dashboard::FormPart> files;
  std::optional<std::map<std::string, std::string>> form;
  const auto boundary = is_post ? dashboard::multipart_boundary(request.header("content-type").value_or("")) : std::nullopt;
  if (boundary) {
    if (auto parts = dashboard::parse_multipart(request.body, *boundary)) {
      form.emplace();
      for (auto& part : *parts) {
        if (part.filename) files.push_back(std::move(part));
        else form->emplace(part.name, std::move(part.data));
      }
    }
  } else {
    form = is_post ? fields_of(request.body) : std::optional<std::map<std::string, std::string>>(std::map<std::string, std::string>{});
  }
  if (!query || !form) return respond(html_page(400, "malformed query or form\n"));
  if (is_post && !same_origin(request)) return respond(html_page(403, "cross-origin form refused\n"));
  const auto cookies = cookies_of(request);
  auto token = cookies.find(k_session_cookie);
  const bool wants_page = request.path != "/app/live";
  auto to_login = [wants_page, &request]() {
    if (!wants_page) return html_page(401, "not signed in\n");
    return redirect("/app/login?next=" + dashboard::percent_encode(request.method == "GET" ? request.target : "/app/calls"));
  };
  if (token == cookies.end() || token->second.empty()) return respond(to_login());

  auto shared_request = std::make_shared<HttpRequest>(request);
  const std::string digest = auth::token_digest(token->second);
  const auto& settings = s_.settings.dashboard;
  const int64_t idle_s = std::chrono::duration_cast<std::chrono::seconds>(settings.session_idle).count();
  const int64_t lifetime_s = std::chrono::duration_cast<std::chrono::seconds>(settings.session_lifetime).count();
  const bool secure_flag = secure_cookies();
  bool queued = s_.reads.post([this, shared_request, digest, respond, query = std::move(*query), form = std::move(*form),
                               files = std::move(files),
                               idle_s, lifetime_s, secure_flag, wants_page](db::Database& database) mutable {
    const HttpRequest& http = *shared_request;
    try {
      if (database.users().count() == 0) return respond(off_page());
      const int64_t now = now_s();
      auto found = database.users().find_session(digest, now);
      if (!found) {
        HttpResponse r = wants_page ? redirect("/app/login?next=" + dashboard::percent_encode(http.method == "GET" ? http.target : "/app/calls"))
                                    : html_page(401, "not signed in\n");
        r.headers.emplace_back("Set-Cookie", cookie(k_session_cookie, "", "/app", 0, secure_flag));
        return respond(std::move(r));
      }
      auto& [session, user] = *found;
      DashboardRequest r{http, {}, session, std::move(query), std::move(form), {}, std::move(files)};
      r.viewer.user_id = user.id;
      r.viewer.username = user.username;
      r.viewer.role = auth::parse_role(user.role).value_or(auth::Role::staff);
      r.viewer.organization_id = user.organization_id;
      r.notice = r.param("notice");
      if (http.method == "POST") {
        std::string sent = r.field("csrf");
        if (sent.empty()) sent = std::string(http.header("x-csrf-token").value_or(""));
        if (!auth::same_secret(sent, session.csrf_token)) {
          log_warn("dashboard.csrf_refused", "", "a form without this session's CSRF token was refused",
                   {{"user", user.username}, {"path", http.path}});
          return respond(html_page(403, dashboard::render_page(r.frame("Refused", ""),
                                                               "<h1>This form had expired</h1><p>Nothing was changed. "
                                                               "Go back, reload the page and try again.</p>")));
        }
      }
      if (now - session.last_seen_at >= k_touch_every_s) {
        const int64_t expires = std::min(now + idle_s, session.created_at + lifetime_s);
        s_.writer.post_job([digest, now, expires](db::Database& db) { db.users().touch_session(digest, now, expires); });
      }
      DashboardContext context{s_, *live_};
      const std::string& path = http.path;
      static const std::string k_calls = "/app/calls/";
      if (path == "/app/logout" && http.method == "POST") return logout(r, respond);
      static const std::string k_appointments = "/app/appointments/";
      static const std::string k_cancel = "/cancel";
      if (http.method == "POST" && path.rfind(k_appointments, 0) == 0 && path.size() > k_appointments.size() + k_cancel.size() &&
          path.ends_with(k_cancel)) {
        const std::string reference = path.substr(k_appointments.size(), path.size() - k_appointments.size() - k_cancel.size());
        if (reference.find('/') != std::string::npos) return respond(not_found_page(r));
        return cancel_appointment(context, r, reference, database, respond);
      }
      if (http.method == "POST" && path == "/app/users") return add_user(context, r, database, respond);
      static const std::string k_users = "/app/users/";
      static const std::string k_remove = "/remove";
      if (http.method == "POST" && path.rfind(k_users, 0) == 0 && path.ends_with(k_remove)) {
        const std::string id = path.substr(k_users.size(), path.size() - k_users.size() - k_remove.size());
        if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
          return respond(not_found_page(r));
        return remove_user(context, r, std::stoll(id), database, respond);
      }
      static const std::string k_versions = "/app/profile/versions/";
      static const std::string k_rollback = "/rollback";
      // "/app/profile/versions/12" (GET) and "/app/profile/versions/12/rollback" (POST): the version number.
      auto version_in_path = [&](const std::string& suffix) -> std::optional<int> {
        if (path.rfind(k_versions, 0) != 0 || !path.ends_with(suffix)) return std::nullopt;
        const std::string n = path.substr(k_versions.size(), path.size() - k_versions.size() - suffix.size());
        if (n.empty() || n.size() > 9 || n.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
        return std::stoi(n);
      };
      if (http.method == "POST" && path == "/app/profile") return save_profile(context, r, database, respond);
      if (http.method == "POST" && path == "/app/talk") return start_talk(context, r, database, respond);
      if (http.method == "POST" && path == "/app/knowledge") return upload_knowledge(context, r, database, respond);
      if (http.method == "POST" && path == "/app/knowledge/remove") return remove_knowledge(context, r, database, respond);
      if (http.method == "POST") {
        if (auto version = version_in_path(k_rollback)) return roll_back_profile(context, r, *version, database, respond);
        return respond(not_found_page(r));
      }
      if (path == "/app/profile") return profile_page(context, r, database, respond);
      if (path == "/app/profile/versions") return profile_versions_page(context, r, database, respond);
      if (auto version = version_in_path("")) return profile_version_page(context, r, *version, database, respond);
      if (path == "/app/profile/prompt") return prompt_preview_page(context, r, database, respond);
      if (path == "/app/talk") return talk_page(context, r, database, respond);
      if (path == "/app/knowledge") return knowledge_page(context, r, database, respond);
      if (path == "/app/users") return users_page(context, r, database, respond);
      if (path == "/app/audit") return audit_page(context, r, database, respond);
      if (path == "/app/appointments") return appointments_page(context, r, database, respond);
      if (path == "/app/calls") return calls_page(context, r, database, respond);
      static const std::string k_recording = "/recording";
      if (path.rfind(k_calls, 0) == 0 && path.ends_with(k_recording) && path.size() > k_calls.size() + k_recording.size()) {
        const std::string encoded = path.substr(k_calls.size(), path.size() - k_calls.size() - k_recording.size());
        auto sid = twilio::parse_form("s=" + encoded);
        if (encoded.find('/') != std::string::npos || !sid || sid->empty()) return respond(not_found_page(r));
        return call_recording(context, r, sid->front().second, database, respond);
      }
      if (path.rfind(k_calls, 0) == 0 && path.size() > k_calls.size() && path.find('/', k_calls.size()) == std::string::npos) {
        auto sid = twilio::parse_form("s=" + path.substr(k_calls.size()));
        if (!sid || sid->empty()) return respond(not_found_page(r));
        return call_page(context, r, sid->front().second, database, respond);
      }
      if (path == "/app/analytics") return analytics_page(context, r, database, respond);
      if (path == "/app/live") return live_stream(context, r, respond);
      respond(not_found_page(r));
    } catch (const std::exception& e) {
      log_error("dashboard.failed", "", e.what(), {{"path", http.path}});
      respond(html_page(500, "the page could not be made; see the server log\n"));
    }
  });
  if (!queued) respond(html_page(503, "busy; retry shortly\n"));
}

}  // namespace sonoria::daemon
