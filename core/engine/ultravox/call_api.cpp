#include "core/engine/ultravox/call_api.hpp"
#include "core/engine/json_text.hpp"
#include "core/url/ws_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <cctype>
#include <optional>

namespace sonoria::engine::ultravox {
namespace {

using nlohmann::json;

constexpr std::size_t k_max_field_errors = 3;
constexpr std::size_t k_max_quoted_body = 200;


// A protobuf duration string: whole seconds with the "s" suffix.
std::string duration_text(std::chrono::seconds s) { return std::to_string(s.count()) + "s"; }

// One OpenAI-style function {"name","description","parameters":{"properties","required"}} as a
// client tool. Only body parameters are allowed for client tools (§7.5).
json temporary_tool(const json& tool) {
  json definition = {{"modelToolName", tool.value("name", "")}};
  if (auto d = tool.find("description"); d != tool.end() && d->is_string() && !d->get_ref<const std::string&>().empty())
    definition["description"] = *d;
  json parameters = json::array();
  auto schema = tool.find("parameters");
  if (schema != tool.end() && schema->is_object()) {
    const json* required = nullptr;
    if (auto r = schema->find("required"); r != schema->end() && r->is_array()) required = &*r;
    if (auto properties = schema->find("properties"); properties != schema->end() && properties->is_object()) {
      for (const auto& [name, property] : properties->items()) {
        json parameter = {{"name", name}, {"location", "PARAMETER_LOCATION_BODY"}};
        parameter["schema"] = property.is_object() ? property : json::object();
        const bool needed = required && std::find(required->begin(), required->end(), json(name)) != required->end();
        parameter["required"] = needed;
        parameters.push_back(std::move(parameter));
      }
    }
  }
  definition["dynamicParameters"] = std::move(parameters);
  definition["client"] = json::object();
  return {{"temporaryTool", std::move(definition)}};
}

// The tools of `session` (OpenAI-style function schemas) as client temporaryTools.
json selected_tools(const SessionConfig& session) {
  json tools = json::array();
  if (!session.tools.is_array()) return tools;
  for (const auto& tool : session.tools) {
    if (!tool.is_object()) continue;
    auto name = tool.find("name");
    if (name == tool.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) continue;
    tools.push_back(temporary_tool(tool));
  }
  return tools;
}

json initial_messages(const std::vector<HistoryLine>& history) {
  json messages = json::array();
  for (const auto& line : history) {
    if (line.text.empty()) continue;
    messages.push_back({{"role", line.role == HistoryLine::Role::caller ? "MESSAGE_ROLE_USER" : "MESSAGE_ROLE_AGENT"},
                        {"text", line.text},
                        {"medium", "MESSAGE_MEDIUM_VOICE"}});
  }
  return messages;
}

// DRF-style field errors ({"medium":{"serverWebSocket":{"inputSampleRate":["This field is required."]}}})
// as "path: message" lines.
void collect_field_errors(const json& node, const std::string& path, std::vector<std::string>& out) {
  if (out.size() >= k_max_field_errors) return;
  if (node.is_string()) {
    out.push_back(path.empty() ? node.get<std::string>() : path + ": " + node.get<std::string>());
  } else if (node.is_array()) {
    bool strings = std::all_of(node.begin(), node.end(), [](const json& j) { return j.is_string(); });
    if (strings && !node.empty()) {
      std::string joined;
      for (const auto& message : node) joined += (joined.empty() ? "" : " ") + message.get<std::string>();
      out.push_back(path.empty() ? joined : path + ": " + joined);
      return;
    }
    for (std::size_t i = 0; i < node.size(); ++i)
      collect_field_errors(node[i], path + "[" + std::to_string(i) + "]", out);
  } else if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      const bool general = key == "non_field_errors" || key == "detail";
      collect_field_errors(value, general ? path : (path.empty() ? key : path + "." + key), out);
    }
  }
}

// What Ultravox said, in its own words, or "".
std::string peer_words(std::string_view body) {
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded() && (j.is_object() || j.is_array())) {
    if (j.is_object()) {
      if (auto d = j.find("detail"); d != j.end() && d->is_string()) return d->get<std::string>();
    }
    std::vector<std::string> errors;
    collect_field_errors(j, "", errors);
    std::string text;
    for (const auto& e : errors) text += (text.empty() ? "" : "; ") + e;
    if (!text.empty()) return text;
  }
  // Not JSON (a proxy's page?): its start, on one line.
  std::string text;
  for (char c : body.substr(0, k_max_quoted_body)) {
    const bool space = std::isspace(static_cast<unsigned char>(c)) != 0;
    if (space && (text.empty() || text.back() == ' ')) continue;
    text.push_back(space ? ' ' : c);
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (body.size() > k_max_quoted_body && !text.empty()) text += "…";
  return text;
}

std::string advice_for(int status) {
  if (status == 401 || status == 403) return " (check engines.ultravox.api_key)";
  if (status == 402) return " (check the Ultravox account's billing)";
  if (status == 429) return " (too many calls at once, or a throttle was exceeded)";
  return "";
}

// Whether Ultravox's words are about the audio's sample rate (a field path such as
// "medium.serverWebSocket.inputSampleRate", or "sample rate" in a sentence).
bool mentions_sample_rate(std::string_view words) {
  std::string folded;
  for (char c : words) {
    if (c == ' ' || c == '_') continue;
    folded.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return folded.find("samplerate") != std::string::npos;
}

// The joinUrl as a URL, without the fragment it has no use for; nullopt when it is no URL.
std::optional<boost::urls::url> without_fragment(std::string_view join_url) {
  auto parsed = boost::urls::parse_uri(join_url);
  if (!parsed) return std::nullopt;
  boost::urls::url url(*parsed);
  url.remove_fragment();
  return url;
}

}  // namespace

json create_call_body(const SessionConfig& session, const config::UltravoxSettings& settings,
                      const std::vector<HistoryLine>& history, std::chrono::milliseconds max_call_duration) {
  json body = json::object();
  if (!session.instructions.empty()) body["systemPrompt"] = session.instructions;
  const std::string& model = session.model.empty() ? settings.model : session.model;
  if (!model.empty()) body["model"] = model;
  const std::string& voice = session.voice.empty() ? settings.voice : session.voice;
  if (!voice.empty()) body["voice"] = voice;
  if (!session.language.empty()) body["languageHint"] = session.language;
  body["firstSpeakerSettings"] = {{"user", json::object()}};
  body["medium"] = {{"serverWebSocket",
                     {{"inputSampleRate", session.pcm.input > 0 ? session.pcm.input : k_sample_rate},
                      {"outputSampleRate", session.pcm.output > 0 ? session.pcm.output : k_sample_rate},
                      {"clientBufferSizeMs", k_client_buffer_ms},
                      // Explicitly on: the adapter cannot work without them (§7.3 and the
                      // OpenAPI disagree on which are on by default).
                      {"dataMessages",
                       {{"callStarted", true},
                        {"state", true},
                        {"transcript", true},
                        {"clientToolInvocation", true},
                        {"playbackClearBuffer", true}}}}}};
  if (max_call_duration.count() > 0) {
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(max_call_duration) + k_max_duration_grace;
    body["maxDuration"] = duration_text(seconds);
  }
  if (json tools = selected_tools(session); !tools.empty()) body["selectedTools"] = std::move(tools);
  json messages = initial_messages(history);
  if (!messages.empty()) body["initialMessages"] = std::move(messages);
  return body;
}

std::string stage_definition(const SessionConfig& session) {
  json stage = json::object();
  stage["systemPrompt"] = session.instructions;
  // Always stated, also when empty: the earlier stage's tools must not stay selected.
  stage["selectedTools"] = selected_tools(session);
  if (!session.voice.empty()) stage["voice"] = session.voice;
  return json_text(stage);
}

CreateCallRequest create_call_request(const SessionConfig& session, const config::UltravoxSettings& settings,
                                      const std::vector<HistoryLine>& history,
                                      std::chrono::milliseconds max_call_duration) {
  CreateCallRequest request;
  std::string_view base = settings.api_url;
  while (!base.empty() && base.back() == '/') base.remove_suffix(1);
  request.url = std::string(base) + "/calls";
  request.headers = {{"X-API-Key", settings.api_key}, {"Content-Type", "application/json"}};
  request.body = json_text(create_call_body(session, settings, history, max_call_duration));
  return request;
}

CreateCallResult parse_create_call_response(int status, std::string_view body) {
  if (status == 0) return {"", "Ultravox did not answer the request to create the call"};
  if (status < 200 || status > 299) {
    std::string words = peer_words(body);
    CreateCallResult refused{"", "Ultravox refused to create the call: HTTP " + std::to_string(status) +
                                     advice_for(status) + (words.empty() ? "" : ": " + words)};
    refused.sample_rate_refused = status >= 400 && status < 500 && mentions_sample_rate(words);
    return refused;
  }
  json j = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object())
    return {"", "Ultravox answered the request to create the call (HTTP " + std::to_string(status) +
                    ") with something that is not a JSON object"};
  auto url = j.find("joinUrl");
  if (url == j.end() || !url->is_string() || url->get_ref<const std::string&>().empty())
    return {"", "Ultravox created the call (HTTP " + std::to_string(status) + ") but gave no joinUrl"};
  const std::string& join = url->get_ref<const std::string&>();
  // Checked as the WebSocket client will read it, so that a bad one is reported as Ultravox's.
  const auto url_ok = without_fragment(join);
  const std::string problem = url_ok ? url::ws_url_problem(url_ok->buffer()) : url::ws_url_problem(join);
  if (!problem.empty())
    return {"", "Ultravox's joinUrl \"" + join + "\" is not a ws:// or wss:// URL the call can join (" + problem + ")"};
  return {join, ""};
}

std::string join_url_for_socket(std::string_view join_url) {
  auto url = without_fragment(join_url);
  if (!url) return std::string(join_url);  // parse_create_call_response let no such URL through
  // A version already there is left as Ultravox or the operator chose.
  if (url->params().contains("apiVersion")) return std::string(url->buffer());
  std::string query(url->encoded_query());
  if (!query.empty() && query.back() != '&') query += '&';
  url->set_encoded_query(query + "apiVersion=1");
  return std::string(url->buffer());
}

}  // namespace sonoria::engine::ultravox
