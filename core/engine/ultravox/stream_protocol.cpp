#include "core/engine/ultravox/stream_protocol.hpp"
#include "core/engine/json_text.hpp"

#include <nlohmann/json.hpp>

namespace sonoria::engine::ultravox {
namespace {

using nlohmann::json;

// Peer JSON is read with these accessors only: a missing or mistyped field reads as absent.
const std::string* string_at(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
}

std::string text_of(const json& j, const char* key) {
  const std::string* s = string_at(j, key);
  return s ? *s : std::string();
}


std::optional<ServerMessage> parse_transcript(const json& j) {
  const std::string* role = string_at(j, "role");
  if (!role) return std::nullopt;
  Transcript t;
  t.role = *role;
  t.medium = text_of(j, "medium");
  if (const std::string* text = string_at(j, "text")) t.text = *text;
  t.delta = text_of(j, "delta");
  if (auto f = j.find("final"); f != j.end() && f->is_boolean()) t.final = f->get<bool>();
  if (auto o = j.find("ordinal"); o != j.end() && o->is_number_integer()) t.ordinal = o->get<std::int64_t>();
  return t;
}

std::optional<ServerMessage> parse_invocation(const json& j) {
  const std::string* name = string_at(j, "toolName");
  const std::string* id = string_at(j, "invocationId");
  if (!name || !id || name->empty() || id->empty()) return std::nullopt;
  ToolInvocation call{*name, *id, "{}"};
  if (auto p = j.find("parameters"); p != j.end() && !p->is_null()) call.parameters = json_text(*p);
  return call;
}

std::optional<ServerMessage> parse_known(const json& j, const std::string& type) {
  if (type == "transcript") return parse_transcript(j);
  if (type == "state") {
    const std::string* state = string_at(j, "state");
    if (!state) return std::nullopt;
    return AgentState{*state};
  }
  if (type == "playback_clear_buffer") return PlaybackClearBuffer{};
  if (type == "client_tool_invocation") return parse_invocation(j);
  if (type == "call_started") return CallStarted{text_of(j, "callId")};
  if (type == "pong") {
    auto t = j.find("timestamp");
    return Pong{t != j.end() && t->is_number() ? t->get<double>() : 0.0};
  }
  if (type == "debug") return Debug{text_of(j, "message")};
  return Other{type};
}

const char* urgency_name(Urgency urgency) {
  switch (urgency) {
    case Urgency::immediate: return "immediate";
    case Urgency::later: return "later";
    case Urgency::soon: break;
  }
  return "soon";
}

}  // namespace

std::optional<ServerMessage> parse_server_message(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  const std::string* type = string_at(j, "type");
  if (!type) return std::nullopt;
  try {
    return parse_known(j, *type);
  } catch (const std::exception&) {
    return std::nullopt;  // not reachable with the checks above; a malformed message if ever
  }
}

std::string client_tool_result(std::string_view invocation_id, std::string_view result, AgentReaction reaction) {
  json message = {{"type", "client_tool_result"}, {"invocationId", invocation_id}, {"result", result}};
  if (reaction == AgentReaction::listens) message["agentReaction"] = "listens";
  else if (reaction == AgentReaction::speaks_once) message["agentReaction"] = "speaks-once";
  return json_text(message);
}

std::string client_tool_result_new_stage(std::string_view invocation_id, std::string_view stage) {
  return json_text({{"type", "client_tool_result"},
               {"invocationId", invocation_id},
               {"result", stage},
               {"responseType", "new-stage"}});
}

std::string user_text_message(std::string_view text, Urgency urgency) {
  return json_text({{"type", "user_text_message"}, {"text", text}, {"urgency", urgency_name(urgency)}});
}

std::string forced_agent_message(std::string_view content, Urgency urgency) {
  const char* name = urgency == Urgency::immediate ? "immediate" : "soon";
  return json_text({{"type", "forced_agent_message"}, {"content", content}, {"urgency", name}});
}

std::string ping(double timestamp) { return json_text({{"type", "ping"}, {"timestamp", timestamp}}); }

}  // namespace sonoria::engine::ultravox
