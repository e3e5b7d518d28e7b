#include "daemon/dashboard_assets.hpp"

namespace sonoria::daemon {

namespace assets {
std::string_view app_css();  // generated from daemon/dashboard_assets/app.css
std::string_view app_js();   // generated from daemon/dashboard_assets/app.js
std::string_view talk_js();  // generated from daemon/dashboard_assets/talk.js
std::string_view talk_worklet_js();  // generated from daemon/dashboard_assets/talk-worklet.js
}  // namespace assets

std::optional<DashboardAsset> dashboard_asset(const std::string& name) {
  if (name == "app.css") return DashboardAsset{assets::app_css(), "text/css; charset=utf-8"};
  if (name == "app.js") return DashboardAsset{assets::app_js(), "text/javascript; charset=utf-8"};
  if (name == "talk.js") return DashboardAsset{assets::talk_js(), "text/javascript; charset=utf-8"};
  if (name == "talk-worklet.js") return DashboardAsset{assets::talk_worklet_js(), "text/javascript; charset=utf-8"};
  return std::nullopt;
}

}  // namespace sonoria::daemon
