#pragma once
// POST /api/calls: an outbound call placed through the daemon, with the same checks as
// `sonoria call` (outbound.hpp). Body: {"to":"+1…","org":"ID or slug","machine_detection":false}.
// The policy reads run on the read pool, the Twilio request on the io_context; the answer is
// 201 {"call_sid","status","to","from"}, or a JSON error: 400 bad body, 404 unknown org,
// 422 refused by policy, 502 Twilio refused.

#include <string>
#include <variant>

#include "daemon/http_message.hpp"
#include "daemon/http_server.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {

class ReadPool;

struct OutboundApiRequest {
  std::string to;
  std::string org;  // id or slug
  bool machine_detection = false;
};

// The body of POST /api/calls, or the 400 answer saying which field is wrong and what it should
// be ({"error":{"code":"invalid_body","message","field","expected"}}; an unknown field suggests
// the nearest known one).
std::variant<OutboundApiRequest, HttpResponse> parse_outbound_body(const std::string& body);

void handle_outbound_api(Services& services, ReadPool& pool, const HttpRequest& request, HttpResponder respond);

}  // namespace sonoria::daemon
