#include "tests/fakes/http_exchange.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>

#include <strings.h>

namespace sonoria::fakes {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<std::string> HttpReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) return value;
  }
  return std::nullopt;
}

HttpReply http_exchange(const HttpCall& call) {
  HttpReply reply;
  auto parsed = boost::urls::parse_uri(call.url);
  if (!parsed || parsed->scheme() != "http" || parsed->host().empty()) {
    reply.error = "not an http:// URL: " + call.url;
    return reply;
  }
  const std::string host = parsed->host();
  const std::string port = parsed->has_port() ? std::string(parsed->port()) : "80";
  std::string target = parsed->encoded_path().empty() ? "/" : std::string(parsed->encoded_path());
  if (parsed->has_query()) target += "?" + std::string(parsed->encoded_query());

  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::string_body> request{http::string_to_verb(call.method), target, 11};
  request.set(http::field::host, parsed->has_port() ? host + ":" + port : host);
  request.set(http::field::user_agent, "TwilioProxy/1.1");
  for (const auto& [key, value] : call.headers) request.set(key, value);
  request.body() = call.body;
  request.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  beast::error_code failure;

  stream.expires_after(call.timeout);
  resolver.async_resolve(host, port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(results, [&](beast::error_code ec2, const tcp::endpoint&) {
      if (ec2) {
        failure = ec2;
        return;
      }
      http::async_write(stream, request, [&](beast::error_code ec3, std::size_t) {
        if (ec3) {
          failure = ec3;
          return;
        }
        http::async_read(stream, buffer, parser, [&](beast::error_code ec4, std::size_t) { failure = ec4; });
      });
    });
  });
  ioc.run();

  if (failure) {
    reply.error = failure == beast::error::timeout ? "timed out after " + std::to_string(call.timeout.count()) + " ms"
                                                   : failure.message();
    return reply;
  }
  const auto& response = parser.get();
  reply.status = static_cast<int>(response.result_int());
  for (const auto& field : response) reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  reply.body = response.body();
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

}  // namespace sonoria::fakes
