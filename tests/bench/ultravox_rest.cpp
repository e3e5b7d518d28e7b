#include "tests/bench/ultravox_rest.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::bench {

using nlohmann::json;

namespace {

constexpr int k_rate = 8000;

// What is wrong with the serverWebSocket medium, as a DRF field error; null when nothing is.
json medium_problem(const json& request) {
  const auto medium = request.find("medium");
  if (medium == request.end() || !medium->is_object() || !medium->contains("serverWebSocket") ||
      !(*medium)["serverWebSocket"].is_object())
    return {{"medium", {{"serverWebSocket", {"The bench engine only serves serverWebSocket calls."}}}}};
  const json& ws = (*medium)["serverWebSocket"];
  for (const char* key : {"inputSampleRate", "outputSampleRate"}) {
    const auto rate = ws.find(key);
    if (rate == ws.end() || !rate->is_number_integer() || rate->get<int>() != k_rate)
      return {{"medium", {{"serverWebSocket", {{key, {"The bench engine speaks 8000 Hz only."}}}}}}};
  }
  return nullptr;
}

}  // namespace

RestAnswer create_call(bool has_api_key, std::string_view body, std::string_view host, std::string_view call_id) {
  if (!has_api_key) return {401, R"({"detail":"Invalid API key."})"};
  const json request = json::parse(body, nullptr, false);
  if (request.is_discarded() || !request.is_object()) return {400, R"({"detail":"JSON parse error."})"};
  if (json problem = medium_problem(request); !problem.is_null()) return {400, problem.dump()};
  const std::string join = "ws://" + std::string(host) + "/calls/" + std::string(call_id) + "/join";
  const json call = {{"callId", call_id},
                     {"joinUrl", join},
                     {"medium", request["medium"]},
                     {"firstSpeaker", "FIRST_SPEAKER_USER"},
                     {"joined", nullptr},
                     {"ended", nullptr}};
  return {201, call.dump()};
}

std::optional<std::string_view> join_call_id(std::string_view target) {
  const std::string_view path = target.substr(0, target.find('?'));
  constexpr std::string_view k_prefix = "/calls/";
  constexpr std::string_view k_suffix = "/join";
  if (!path.starts_with(k_prefix) || !path.ends_with(k_suffix) || path.size() <= k_prefix.size() + k_suffix.size())
    return std::nullopt;
  const std::string_view id = path.substr(k_prefix.size(), path.size() - k_prefix.size() - k_suffix.size());
  if (id.find('/') != std::string_view::npos) return std::nullopt;
  return id;
}

}  // namespace sonoria::bench
