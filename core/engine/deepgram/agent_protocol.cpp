#include "core/engine/deepgram/agent_protocol.hpp"
#include "core/engine/json_text.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::engine::deepgram {
namespace {

using nlohmann::json;

// Peer JSON is read with these accessors only: a missing or mistyped field reads as empty.
std::string text_of(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double number_of(const json& j, const char* key) {
  if (!j.is_object()) return 0;
  auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<double>() : 0;
}

const json* array_of(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? &*it : nullptr;
}


std::optional<AgentMessage> parse_function_call_request(const json& j) {
  const json* functions = array_of(j, "functions");
  if (!functions) return std::nullopt;
  FunctionCallRequest request;
  for (const auto& f : *functions) {
    if (!f.is_object() || text_of(f, "id").empty() || text_of(f, "name").empty()) return std::nullopt;
    FunctionCall call{text_of(f, "id"), text_of(f, "name"), text_of(f, "arguments"), true};
    if (auto side = f.find("client_side"); side != f.end() && side->is_boolean()) call.client_side = side->get<bool>();
    if (auto args = f.find("arguments"); args != f.end() && args->is_object()) call.arguments = json_text(*args);
    request.functions.push_back(std::move(call));
  }
  return request;
}

std::optional<AgentMessage> parse_function_call_cancelled(const json& j) {
  const json* functions = array_of(j, "functions");
  if (!functions) return std::nullopt;
  FunctionCallCancelled cancelled;
  for (const auto& f : *functions)
    if (auto id = text_of(f, "id"); !id.empty()) cancelled.ids.push_back(std::move(id));
  return cancelled;
}

std::optional<AgentMessage> parse_known(const json& j, const std::string& type) {
  if (type == "ConversationText") return ConversationText{text_of(j, "role"), text_of(j, "content")};
  if (type == "UserStartedSpeaking") return UserStartedSpeaking{};
  if (type == "AgentThinking") return AgentThinking{};
  if (type == "AgentStartedSpeaking") return AgentStartedSpeaking{number_of(j, "total_latency")};
  if (type == "AgentAudioDone") return AgentAudioDone{};
  if (type == "FunctionCallRequest") return parse_function_call_request(j);
  if (type == "FunctionCallCancelled") return parse_function_call_cancelled(j);
  if (type == "SettingsApplied") return SettingsApplied{};
  if (type == "Welcome") return Welcome{text_of(j, "request_id")};
  if (type == "InjectionRefused") return InjectionRefused{text_of(j, "message")};
  if (type == "Error") return Problem{true, text_of(j, "code"), text_of(j, "description")};
  if (type == "Warning") return Problem{false, text_of(j, "code"), text_of(j, "description")};
  return Other{type};
}

// Read with the peer accessors too: json::value() throws on a mistyped field.
json function_of(const json& tool) {
  json f = {{"name", text_of(tool, "name")}, {"description", text_of(tool, "description")}};
  auto parameters = tool.find("parameters");
  f["parameters"] = parameters != tool.end() && parameters->is_object()
                        ? *parameters
                        : json{{"type", "object"}, {"properties", json::object()}};
  return f;
}

}  // namespace

std::optional<AgentMessage> parse_agent_message(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return std::nullopt;
  try {
    return parse_known(j, type->get<std::string>());
  } catch (const std::exception&) {
    return std::nullopt;  // only reachable through an odd number conversion: the message is malformed
  }
}

namespace {

json think_of(const SessionConfig& config) {
  json think_provider = {{"type", config.think_provider}, {"model", config.model}};
  if (config.think_provider == "open_ai" || config.think_provider == "anthropic")
    think_provider["temperature"] = config.temperature;
  json think = {{"provider", std::move(think_provider)}, {"prompt", config.instructions}};
  json functions = json::array();
  if (config.tools.is_array())
    for (const auto& tool : config.tools)
      // A function without a name would make Deepgram refuse the whole Settings.
      if (!text_of(tool, "name").empty()) functions.push_back(function_of(tool));
  if (!functions.empty()) think["functions"] = std::move(functions);
  return think;
}

json speak_of(const SessionConfig& config) { return {{"provider", {{"type", "deepgram"}, {"model", config.voice}}}}; }

}  // namespace

std::string settings(const SessionConfig& config, const std::vector<HistoryLine>& history,
                     const std::vector<std::string>& tags) {
  json listen = {{"type", "deepgram"}, {"version", "v1"}, {"model", config.listen_model}};
  if (!config.language.empty()) listen["language"] = config.language;
  // Key terms are a nova-3 feature (English); other models reject the field.
  if (!config.keyterms.empty() && config.listen_model.rfind("nova-3", 0) == 0) listen["keyterms"] = config.keyterms;

  json agent = {{"listen", {{"provider", std::move(listen)}}}, {"think", think_of(config)}, {"speak", speak_of(config)}};
  if (!history.empty()) {
    json messages = json::array();
    for (const auto& line : history)
      messages.push_back({{"type", "History"},
                          {"role", line.role == HistoryLine::Role::caller ? "user" : "assistant"},
                          {"content", line.text}});
    agent["context"] = {{"messages", std::move(messages)}};
  }

  json message = {{"type", "Settings"},
                  {"audio",
                   {{"input", {{"encoding", "mulaw"}, {"sample_rate", 8000}}},
                    {"output", {{"encoding", "mulaw"}, {"sample_rate", 8000}, {"container", "none"}}}}},
                  {"agent", std::move(agent)}};
  if (!tags.empty()) message["tags"] = tags;
  return json_text(message);
}

std::string update_think(const SessionConfig& config) { return json_text({{"type", "UpdateThink"}, {"think", think_of(config)}}); }

std::string update_speak(const SessionConfig& config) { return json_text({{"type", "UpdateSpeak"}, {"speak", speak_of(config)}}); }

std::string function_call_response(std::string_view id, std::string_view name, std::string_view content) {
  return json_text({{"type", "FunctionCallResponse"}, {"id", id}, {"name", name}, {"content", content}});
}

std::string inject_agent_message(std::string_view message) {
  return json_text({{"type", "InjectAgentMessage"}, {"message", message}});
}

std::string inject_user_message(std::string_view content) {
  return json_text({{"type", "InjectUserMessage"}, {"content", content}});
}

std::string keep_alive() { return R"({"type":"KeepAlive"})"; }

Connect connect_request(std::string_view url, std::string_view api_key) {
  Connect c;
  c.url = std::string(url.substr(0, url.find('#')));
  c.headers.emplace_back("Authorization", "Token " + std::string(api_key));
  return c;
}

}  // namespace sonoria::engine::deepgram
