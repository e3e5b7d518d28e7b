#pragma once
// The sign-in page. Pure.

#include <string>

namespace sonoria::dashboard {

struct LoginForm {
  std::string username;          // kept after a failed attempt; the password never is
  std::string next;              // where to go after signing in (a path under /app/)
  std::string csrf;              // the login form's token (also in a cookie: double submit)
  std::string error;             // "" or why the last attempt failed
};

std::string render_login(const LoginForm& form);

}  // namespace sonoria::dashboard
