// The HTTP in front of every route (daemon/http_server.cpp): the bytes of a request, read as the
// server reads them: the head checked for folded lines as sent, Beast's parser with the server's
// limits, the framing checks against request smuggling, then the routes' HttpRequest.
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/asio/buffer.hpp>
#include <string>

#include "daemon/http_request_head.hpp"
#include "daemon/http_server.hpp"
#include "daemon/request_framing.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::http_request {

namespace http = boost::beast::http;

SONORIA_FUZZ_TARGET(http_request) {
  const daemon::HttpServerOptions limits;
  const std::size_t end = input.find("\r\n\r\n");
  if (end != std::string_view::npos && daemon::has_obsolete_fold(input.substr(0, end + 4))) return;  // 400

  http::request_parser<http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(limits.body_limit);
  std::string_view rest = input;
  boost::beast::error_code ec;
  while (!rest.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    if (ec == http::error::need_more) break;
    if (ec) return;  // 400, 413 or 431
    if (used == 0) break;
    rest.remove_prefix(used);
    if (parser.is_header_done() && !parser.is_done()) {
      if (daemon::refuse_head(daemon::framing_of(parser.get()), limits.max_header_fields)) return;  // 400, 431 or 501
    }
  }
  if (!parser.is_header_done()) return;  // the server waits for more
  if (daemon::refuse_head(daemon::framing_of(parser.get()), limits.max_header_fields)) return;
  if (!parser.is_done()) return;
  auto message = parser.release();
  const daemon::HttpRequest request = daemon::to_request(message, "192.0.2.1");
  FUZZ_CHECK(request.path.find('?') == std::string::npos);
  FUZZ_CHECK(request.body.size() <= limits.body_limit);
  for (const auto& [name, value] : request.headers)
    for (char c : name) FUZZ_CHECK(!(c >= 'A' && c <= 'Z'));
}

}  // namespace sonoria::fuzz::http_request
