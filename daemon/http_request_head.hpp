#pragma once
// A request as Beast parsed it, seen the daemon's way: how it is framed (request_framing.hpp
// decides whether to refuse it) and the HttpRequest the routes get. Included only where Beast's
// parser runs (http_server.cpp, and the HTTP fuzz target that drives the parser without a socket).

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "daemon/http_message.hpp"
#include "daemon/request_framing.hpp"

namespace sonoria::daemon {

// The fields of `head` that decide its framing.
RequestHead framing_of(const boost::beast::http::request_header<>& head);

// The routes' view of `message`, whose body is moved out: lower-case header names (repeated
// fields joined with ", "), the target split at the first '?'.
HttpRequest to_request(boost::beast::http::request<boost::beast::http::string_body>& message,
                       const std::string& remote_address);

}  // namespace sonoria::daemon
