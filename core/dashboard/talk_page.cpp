#include "core/dashboard/talk_page.hpp"

#include "core/dashboard/html.hpp"

namespace sonoria::dashboard {

std::string render_talk(const Frame& frame, const TalkPage& page) {
  std::string out = "<h1>Talk to your assistant</h1>";
  if (page.orgs.empty())
    return render_page(frame, out + "<p class=\"empty\">No organization yet: import one with <code>sonoria org import "
                                    "FILE.toml</code>.</p>");
  out += "<p>Call your assistant from this browser: no phone or Twilio number needed. The call takes the same path as "
         "a phone call (the profile, the engines, the tools) and is stored with its transcript, marked as a test. "
         "Texts the assistant sends are shown on the call's page, not sent; a transfer is shown, not dialled. "
         "Headphones avoid the assistant hearing itself.</p>";
  out += "<form id=\"talk\" class=\"talk\" method=\"post\" action=\"" + std::string(k_prefix) + "/talk\" data-stream=\"" +
         std::string(k_prefix) + "/talk/media\" data-worklet=\"" + std::string(k_prefix) + "/static/talk-worklet.js\">" +
         csrf_field(frame.csrf);
  if (page.orgs.size() > 1) out += select_field("org", "Organization", page.orgs, page.org);
  else out += "<input type=\"hidden\" name=\"org\" value=\"" + escape(page.orgs.front().first) + "\">";
  out += text_field("from", "Call as (optional)", "", "", "tel",
                    "placeholder=\"+15551234567\" autocomplete=\"tel\" aria-describedby=\"f-from-help\"") +
         "<p class=\"help\" id=\"f-from-help\">The caller's number the assistant sees, in international form; leave it "
         "empty to call with a withheld number.</p>";
  out += "<div class=\"talk-buttons\"><button type=\"submit\" id=\"talk-start\">Call your assistant</button> "
         "<button type=\"button\" id=\"talk-hangup\" class=\"secondary\" disabled>Hang up</button></div></form>";
  out += "<p id=\"talk-status\" class=\"talk-status\" role=\"status\" aria-live=\"polite\">Not connected.</p>";
  out += "<dl class=\"facts\"><dt>Sent from your microphone</dt><dd id=\"talk-sent\">0.0 s</dd><dt>Played from the assistant</dt>"
         "<dd id=\"talk-heard\">0.0 s</dd></dl>";
  out += "<p id=\"talk-record\" hidden><a href=\"#\">The call's record: transcript, tools and texts</a></p>";
  out += "<noscript><p class=\"error\">The test call needs JavaScript and a microphone.</p></noscript>";
  out += "<script src=\"" + std::string(k_prefix) + "/static/talk.js\" defer></script>";
  return render_page(frame, out);
}

}  // namespace sonoria::dashboard
