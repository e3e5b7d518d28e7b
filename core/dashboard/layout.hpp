#pragma once
// The frame every dashboard page shares: the head (one stylesheet, one script, both served by
// the daemon: no CDN, no inline script, so the Content-Security-Policy can forbid both), the
// navigation for what the viewer may see, and a sign-out form. Pure.

#include <string>

#include "core/auth/access.hpp"

namespace sonoria::dashboard {

struct Frame {
  std::string title;             // the page's, before " · sonoria"
  std::string active;            // the navigation entry to mark: calls, analytics, appointments, profile, knowledge, talk, users, audit
  const auth::Viewer* viewer = nullptr;  // null for pages before sign-in
  std::string csrf;              // the session's CSRF token (the sign-out form)
  std::string notice;            // a one-line message at the top ("Saved."), or ""
};

// A whole HTML document around `main_html`.
std::string render_page(const Frame& frame, const std::string& main_html);

// The dashboard's URL prefix; every link is under it.
inline constexpr const char* k_prefix = "/app";

}  // namespace sonoria::dashboard
