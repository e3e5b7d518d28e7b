#include "core/config/url_password.hpp"

namespace sonoria::config {

std::vector<std::pair<std::size_t, std::size_t>> url_password_spans(const std::string& url) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  if (const auto scheme = url.find("://"); scheme != std::string::npos) {
    const auto authority = scheme + 3;
    const auto query = url.find('?', authority);
    const auto at = url.rfind('@', query == std::string::npos ? std::string::npos : query);
    if (at != std::string::npos && at >= authority) {
      const auto colon = url.find(':', authority);
      if (colon != std::string::npos && colon < at) out.emplace_back(colon + 1, at - colon - 1);
    }
  }
  // libpq also takes password=… among a URL's parameters, or a key=value string's words.
  for (auto p = url.find("password="); p != std::string::npos; p = url.find("password=", p + 1)) {
    if (p > 0 && url[p - 1] != '?' && url[p - 1] != '&' && url[p - 1] != ' ') continue;
    const auto start = p + 9;
    const auto end = url.find_first_of("& ", start);
    out.emplace_back(start, (end == std::string::npos ? url.size() : end) - start);
  }
  return out;
}

std::string redact_url_password(const std::string& url) {
  std::string out = url;
  const auto spans = url_password_spans(url);
  for (auto it = spans.rbegin(); it != spans.rend(); ++it) out.replace(it->first, it->second, "…(redacted)");
  return out;
}

}  // namespace sonoria::config
