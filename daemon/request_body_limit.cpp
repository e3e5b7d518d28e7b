#include "daemon/request_body_limit.hpp"

#include <cstddef>
#include <string>

#include "daemon/api_routes.hpp"
#include "daemon/dashboard_routes.hpp"

namespace sonoria::daemon {

HttpBodyLimit request_body_limit(const config::Settings& settings, std::string_view method, std::string_view path,
                                 std::string_view origin) {
  HttpBodyLimit limit;
  if (ApiRoutes::is_api_path(path)) {
    limit.bytes = static_cast<std::size_t>(settings.api.max_body_bytes);
    limit.setting = "api.max_body_bytes";
    limit.too_large = api_too_large(settings.api);
    add_cors_headers(*limit.too_large, api_allowed_origin(settings.api, origin));
  } else if (method == "POST" && path == "/app/knowledge") {
    limit.bytes = static_cast<std::size_t>(settings.dashboard.max_upload_bytes);
    limit.setting = "dashboard.max_upload_bytes";
  } else if (DashboardRoutes::is_dashboard_path(path)) {
    limit.bytes = static_cast<std::size_t>(settings.dashboard.max_form_bytes);
    limit.setting = "dashboard.max_form_bytes";
  }
  return limit;
}

}  // namespace sonoria::daemon
