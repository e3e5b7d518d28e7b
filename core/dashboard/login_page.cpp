#include "core/dashboard/login_page.hpp"

#include "core/dashboard/html.hpp"
#include "core/dashboard/layout.hpp"

namespace sonoria::dashboard {

std::string render_login(const LoginForm& form) {
  std::string main = "<section class=\"login\"><h1>Sign in to sonoria</h1>";
  if (!form.error.empty()) main += "<p class=\"error\" role=\"alert\" id=\"login-error\">" + escape(form.error) + "</p>";
  main += "<form method=\"post\" action=\"" + std::string(k_prefix) + "/login\">" + csrf_field(form.csrf) +
          "<input type=\"hidden\" name=\"next\" value=\"" + escape(form.next) + "\">" +
          text_field("username", "Username", form.username, "", "text",
                     "autocomplete=\"username\" required autofocus autocapitalize=\"none\"") +
          text_field("password", "Password", "", "", "password", "autocomplete=\"current-password\" required") +
          "<button type=\"submit\">Sign in</button></form></section>";
  Frame frame;
  frame.title = "Sign in";
  return render_page(frame, main);
}

}  // namespace sonoria::dashboard
