#pragma once
// The owner's dashboard under /app/: server-rendered pages (core/dashboard), a stylesheet and a
// script compiled into the binary, and a live event stream of the calls on the line.
//
//   GET  /app/login, POST /app/login, POST /app/logout
//   GET  /app/calls?org=&since=&until=&status=&direction=&engine=&party=&stage=&said=&cursor=
//   GET  /app/calls/{sid}            GET /app/live (text/event-stream)      GET /app/analytics
//   GET  /app/appointments?org=&from=&to=&status=   POST /app/appointments/{ref}/cancel (notify=1)
//   GET  /app/users, POST /app/users, POST /app/users/{id}/remove (admins)    GET /app/audit
//   GET  /app/static/app.css|app.js
//
// Off (404 with how to turn it on) until a user exists (`sonoria user add`). Sign-in: scrypt
// check on a ReadPool thread, throttled per username and address (auth::LoginThrottle); the
// session is a random token in an HttpOnly, SameSite=Lax cookie (Secure per dashboard.secure_cookies)
// whose SHA-256 keys the session row; idle and absolute lifetimes from [dashboard]. Every POST
// carries the session's CSRF token (the login form a double-submit one) and, when the browser
// sends Origin, an Origin of this host. Every answer carries a CSP without inline script,
// frame-ancestors 'none', nosniff and no-store. What a viewer may see is core/auth/access.hpp's
// decision; another organization's call answers as if it did not exist.
//
// Threading: handle() runs on a connection strand and never blocks: the session check and the
// page's reads run as one ReadPool job; sign-in and sign-out write through the DbWriter.

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "core/auth/login_throttle.hpp"
#include "daemon/http_message.hpp"
#include "daemon/http_server.hpp"

namespace sonoria::daemon {

struct Services;
class LiveFeed;
struct DashboardRequest;

class DashboardRoutes {
 public:
  explicit DashboardRoutes(Services& services);
  ~DashboardRoutes();

  static bool is_dashboard_path(std::string_view path) { return path == "/app" || path.starts_with("/app/"); }
  // The WebSocket upgrade of a test call's stream (daemon/test_call.hpp): from this dashboard's
  // own pages only. Runs on the connection's strand; reads nothing.
  static bool accept_test_call_upgrade(const HttpRequest& upgrade);
  void handle(const HttpRequest& request, HttpResponder respond);
  // Closes the live event streams (the daemon is draining).
  void stop();

 private:
  void login(const HttpRequest& request, HttpResponder respond);
  void logout(const DashboardRequest& request, HttpResponder respond);
  void signed_in(const HttpRequest& request, HttpResponder respond);
  bool secure_cookies() const;

  Services& s_;
  auth::LoginThrottle throttle_;
  // Password checks under way on the read pool, at most k_max_password_checks.
  static constexpr int k_max_password_checks = 4;
  std::shared_ptr<std::atomic<int>> password_checks_ = std::make_shared<std::atomic<int>>(0);
  std::unique_ptr<LiveFeed> live_;
};

}  // namespace sonoria::daemon
