#include "daemon/request_body_limit.hpp"

#include <cstddef>
#include <string>

#include "daemon/api_routes.hpp"

namespace sonoria::daemon {

namespace {

bool under(std::string_view path, std::string_view root) {
  return path == root || (path.size() > root.size() && path.substr(0, root.size()) == root && path[root.size()] == '/');
}

std::string size_text(std::size_t bytes) {
  if (bytes % (1024 * 1024) == 0) return std::to_string(bytes / (1024 * 1024)) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

HttpBodyLimit request_body_limit(const config::Settings& settings, std::string_view method, std::string_view path,
                                 std::string_view origin) {
  HttpBodyLimit limit;
  if (under(path, "/api")) {
    limit.bytes = static_cast<std::size_t>(settings.api.max_body_bytes);
    limit.setting = "api.max_body_bytes";
    limit.too_large = api_error(413, "too_large", "the request body is larger than " + size_text(limit.bytes) +
                                                      " (api.max_body_bytes)");
    if (const std::string allowed = api_allowed_origin(settings.api, origin); !allowed.empty()) {
      limit.too_large->headers.emplace_back("Access-Control-Allow-Origin", allowed);
      limit.too_large->headers.emplace_back("Vary", "Origin");
    }
  } else if (method == "POST" && path == "/app/knowledge") {
    limit.bytes = static_cast<std::size_t>(settings.dashboard.max_upload_bytes);
    limit.setting = "dashboard.max_upload_bytes";
  } else if (under(path, "/app")) {
    limit.bytes = static_cast<std::size_t>(settings.dashboard.max_form_bytes);
    limit.setting = "dashboard.max_form_bytes";
  }
  return limit;
}

}  // namespace sonoria::daemon
