#pragma once
// "Talk to your assistant": the page that places a test call from the browser. The work is done
// by its script (daemon/dashboard_assets/talk.js) and the daemon (daemon/test_call.hpp); the page
// holds the controls, what the call is doing, and a link to the call's record afterwards. Pure.

#include <string>
#include <utility>
#include <vector>

#include "core/dashboard/layout.hpp"

namespace sonoria::dashboard {

struct TalkPage {
  std::vector<std::pair<std::string, std::string>> orgs;  // (slug, name) the viewer may call
  std::string org;                                        // the one selected
};

std::string render_talk(const Frame& frame, const TalkPage& page);

}  // namespace sonoria::dashboard
