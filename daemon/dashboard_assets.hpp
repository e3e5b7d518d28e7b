#pragma once
// The dashboard's stylesheet and script, compiled into the binary from daemon/dashboard_assets/
// (cmake/Embed.cmake): a one-binary install serves its own dashboard, with no CDN and no Node
// toolchain.

#include <optional>
#include <string>
#include <string_view>

namespace sonoria::daemon {

struct DashboardAsset {
  std::string_view bytes;
  const char* content_type;
};

// "app.css", "app.js"; nullopt for any other name.
std::optional<DashboardAsset> dashboard_asset(const std::string& name);

}  // namespace sonoria::daemon
