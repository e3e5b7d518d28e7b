#include "daemon/http_request_head.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace sonoria::daemon {

namespace http = boost::beast::http;

RequestHead framing_of(const http::request_header<>& head) {
  RequestHead framing;
  framing.method_known = head.method() != http::verb::unknown;
  framing.version = head.version();
  const auto hosts = head.equal_range(http::field::host);
  framing.host_fields = static_cast<int>(std::distance(hosts.first, hosts.second));
  framing.fields = static_cast<int>(std::distance(head.begin(), head.end()));
  for (auto [it, last] = head.equal_range(http::field::transfer_encoding); it != last; ++it)
    framing.transfer_encodings.emplace_back(it->value());
  return framing;
}

HttpRequest to_request(http::request<http::string_body>& message, const std::string& remote_address) {
  HttpRequest request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  const std::size_t question = request.target.find('?');
  request.path = request.target.substr(0, question);
  if (question != std::string::npos) request.query = request.target.substr(question + 1);
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string value(field.value());
    auto [it, inserted] = request.headers.emplace(std::move(name), value);
    if (!inserted) it->second += ", " + value;
  }
  request.body = std::move(message.body());
  request.remote_address = remote_address;
  return request;
}

}  // namespace sonoria::daemon
