// The REST API (daemon/): the JSON bodies of POST /api/calls and of an appointment's
// cancellation, and the query and path of every route. Whatever arrives, the answer is a value or an ApiBadRequest (a 400), never another
// exception.
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

#include "daemon/api_query.hpp"
#include "daemon/appointment_api.hpp"
#include "daemon/api_routes.hpp"
#include "daemon/outbound_api.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::api_request {

SONORIA_FUZZ_TARGET(api_body) {
  const auto parsed = daemon::parse_outbound_body(std::string(input));
  if (const auto* refused = std::get_if<daemon::HttpResponse>(&parsed)) {
    FUZZ_CHECK(refused->status == 400);
    const auto body = nlohmann::json::parse(refused->body);  // a JSON problem body
    FUZZ_CHECK(body.at("error").at("message").is_string());
  }
}

SONORIA_FUZZ_TARGET(api_cancel_body) {
  const auto parsed = daemon::parse_cancel_body(std::string(input));
  if (const auto* refused = std::get_if<daemon::HttpResponse>(&parsed)) {
    FUZZ_CHECK(refused->status == 400);
    const auto body = nlohmann::json::parse(refused->body);
    FUZZ_CHECK(body.at("error").at("expected").is_string());
  }
}

SONORIA_FUZZ_TARGET(api_query) {
  const std::size_t question = input.find('?');
  try {
    for (const auto& [name, value] : daemon::api_query(question == std::string_view::npos ? input : input.substr(question + 1)))
      FUZZ_CHECK(!name.empty());
  } catch (const daemon::ApiBadRequest& e) {
    FUZZ_CHECK(e.code == "invalid_query");
  }
  try {
    (void)daemon::api_path_segment(input.substr(0, question));
    (void)daemon::api_limit({{"limit", std::string(input)}}, 50);
  } catch (const daemon::ApiBadRequest&) {
  }
}

}  // namespace sonoria::fuzz::api_request
