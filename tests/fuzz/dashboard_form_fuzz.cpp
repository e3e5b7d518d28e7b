// The dashboard's uploads (core/dashboard/multipart.hpp): a signed-in owner's browser sends them,
// and anyone who can reach the port can send what a browser would not. The input's first line is
// the Content-Type, the rest the body. Whatever arrives, the parts found lie inside the body.
#include <string>
#include <string_view>

#include "core/dashboard/multipart.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::dashboard_form {

SONORIA_FUZZ_TARGET(multipart) {
  const std::size_t line_end = input.find('\n');
  const std::string_view content_type = input.substr(0, line_end);
  const std::string_view body = line_end == std::string_view::npos ? std::string_view() : input.substr(line_end + 1);
  const auto boundary = dashboard::multipart_boundary(content_type);
  if (!boundary) return;
  FUZZ_CHECK(!boundary->empty());
  const auto parts = dashboard::parse_multipart(body, *boundary);
  if (!parts) return;
  for (const auto& part : *parts) {
    FUZZ_CHECK(part.data.size() <= body.size());
    FUZZ_CHECK(part.data.empty() || body.find(part.data) != std::string_view::npos);
  }
}

}  // namespace sonoria::fuzz::dashboard_form
