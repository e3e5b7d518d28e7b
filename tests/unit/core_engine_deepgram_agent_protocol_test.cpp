// The Deepgram Voice Agent V1 wire format (protocols.md §6): server messages parsed into typed
// values, client messages built from typed requests, checked field by field against §6 and
// against Deepgram's published AsyncAPI schema.
#include <doctest/doctest.h>

#include "core/engine/deepgram/agent_protocol.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>

using namespace sonoria::engine;
using namespace sonoria::engine::deepgram;
using nlohmann::json;

namespace {

// A message of type T parsed from `text`; fails the test if it is anything else.
template <class T>
T parsed_as(const std::string& text) {
  auto message = parse_agent_message(text);
  INFO(text);
  REQUIRE(message.has_value());
  REQUIRE(std::holds_alternative<T>(*message));
  return std::get<T>(*message);
}

json tool(const std::string& name, const std::string& description, json parameters) {
  return {{"type", "function"}, {"name", name}, {"description", description}, {"parameters", std::move(parameters)}};
}

// The seed configuration of §6.3's example: nova-3, an OpenAI think model with tools, aura-2.
SessionConfig phone_config() {
  SessionConfig c;
  c.model = "gpt-4o-mini";
  c.instructions = "You are the receptionist of Lotus Yoga Studio.";
  c.voice = "aura-2-thalia-en";
  c.language = "en";
  c.temperature = 0.7;
  c.listen_model = "nova-3";
  c.think_provider = "open_ai";
  c.keyterms = {"Lotus Yoga", "vinyasa"};
  c.tools = json::array(
      {tool("send_booking_sms", "Text the caller a booking link.",
            {{"type", "object"}, {"properties", {{"service", {{"type", "string"}}}}}, {"required", {"service"}}}),
       tool("end_call", "Hang up after saying goodbye.", {{"type", "object"}, {"properties", json::object()}})});
  return c;
}

json settings_of(const SessionConfig& c, const std::vector<HistoryLine>& history = {},
                 const std::vector<std::string>& tags = {}) {
  json j = json::parse(settings(c, history, tags));
  REQUIRE(j["type"] == "Settings");
  return j;
}

// ---- a small JSON Schema walker over the published AsyncAPI components -------------------------
// As in the OpenAI protocol test: every key we emit must be declared where the schema lists
// properties (an empty `properties` is a free-form object, as for function parameters), types,
// enums and required keys must match, and for anyOf/oneOf some branch must fit.

json load_spec() {
  auto path = sonoria::test::source_dir() / ".." / "shared" / "conformance" / "spec" /
              "deepgram-agent-v1.asyncapi-4ba987c.json";
  REQUIRE_MESSAGE(std::filesystem::exists(path), "conformance spec not found at " << path.string());
  std::ifstream in(path);
  return json::parse(in);
}

const json& resolve(const json& spec, const json& schema) {
  if (schema.is_object() && schema.contains("$ref")) {
    std::string ref = schema["$ref"];
    const std::string prefix = "#/components/schemas/";
    REQUIRE_MESSAGE(ref.starts_with(prefix), "unexpected $ref " << ref);
    const json& target = spec["components"]["schemas"][ref.substr(prefix.size())];
    REQUIRE_MESSAGE(!target.is_null(), "unresolved $ref " << ref);
    return resolve(spec, target);
  }
  return schema;
}

bool type_fits(const json& value, const std::string& type) {
  if (type == "string") return value.is_string();
  if (type == "integer") return value.is_number_integer();
  if (type == "number") return value.is_number();
  if (type == "boolean") return value.is_boolean();
  if (type == "object") return value.is_object();
  if (type == "array") return value.is_array();
  if (type == "null") return value.is_null();
  return false;
}

void violations(const json& spec, const json& value, const json& raw_schema, const std::string& path,
                std::vector<std::string>& out) {
  const json& schema = resolve(spec, raw_schema);
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (!schema.contains(combinator)) continue;
    std::vector<std::string> best;
    bool first = true;
    for (const auto& branch : schema[combinator]) {
      std::vector<std::string> v;
      violations(spec, value, branch, path, v);
      if (v.empty()) {
        best.clear();
        break;
      }
      if (first || v.size() < best.size()) best = v;
      first = false;
    }
    out.insert(out.end(), best.begin(), best.end());
    if (!best.empty()) return;
  }
  if (schema.contains("type") && !type_fits(value, schema["type"].get<std::string>())) {
    out.push_back(path + ": " + value.dump() + " is not of type " + schema["type"].dump());
    return;
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& option : schema["enum"]) found = found || option == value;
    if (!found) out.push_back(path + ": " + value.dump() + " is not in " + schema["enum"].dump());
  }
  if (value.is_object() && schema.contains("properties") && !schema["properties"].empty()) {
    const json& properties = schema["properties"];
    for (const auto& [key, member] : value.items()) {
      if (!properties.contains(key)) {
        out.push_back(path + "." + key + " is not in the schema");
        continue;
      }
      violations(spec, member, properties[key], path + "." + key, out);
    }
  }
  if (value.is_object() && schema.contains("required"))
    for (const auto& key : schema["required"])
      if (!value.contains(key.get<std::string>())) out.push_back(path + ": required " + key.dump() + " missing");
  if (value.is_array() && schema.contains("items"))
    for (size_t i = 0; i < value.size(); ++i)
      violations(spec, value[i], schema["items"], path + "[" + std::to_string(i) + "]", out);
}

std::vector<std::string> problems_of(const json& spec, const std::string& schema_name, const std::string& text) {
  const json& schema = spec["components"]["schemas"][schema_name];
  REQUIRE_MESSAGE(!schema.is_null(), "schema " << schema_name << " not in the spec");
  std::vector<std::string> problems;
  violations(spec, json::parse(text), schema, "$", problems);
  return problems;
}

void check_against(const json& spec, const std::string& schema_name, const std::string& text) {
  auto problems = problems_of(spec, schema_name, text);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  INFO(schema_name << ":\n" << all << text);
  CHECK(problems.empty());
}

}  // namespace

// ---- server messages ----------------------------------------------------------------------------

TEST_CASE("Welcome carries the request id and SettingsApplied nothing") {
  CHECK(parsed_as<Welcome>(R"({"type":"Welcome","request_id":"fc553ec9-5874-49ca-a47c-b670d525a4b1"})").request_id ==
        "fc553ec9-5874-49ca-a47c-b670d525a4b1");
  CHECK(parsed_as<Welcome>(R"({"type":"Welcome"})").request_id.empty());
  parsed_as<SettingsApplied>(R"({"type":"SettingsApplied"})");
}

TEST_CASE("ConversationText keeps who spoke and what was said") {
  auto user = parsed_as<ConversationText>(
      R"({"type":"ConversationText","role":"user","content":"Do you have a class tomorrow morning?"})");
  CHECK(user.role == "user");
  CHECK(user.content == "Do you have a class tomorrow morning?");
  auto agent = parsed_as<ConversationText>(
      R"({"type":"ConversationText","role":"assistant","content":"Yes, at nine.","languages":["en"]})");
  CHECK(agent.role == "assistant");
  CHECK(agent.content == "Yes, at nine.");
}

TEST_CASE("the turn-taking messages parse, AgentStartedSpeaking with its total latency") {
  parsed_as<UserStartedSpeaking>(R"({"type":"UserStartedSpeaking"})");
  parsed_as<AgentThinking>(R"({"type":"AgentThinking","content":"The user wants a class time."})");
  parsed_as<sonoria::engine::deepgram::AgentAudioDone>(R"({"type":"AgentAudioDone"})");
  auto started =
      parsed_as<AgentStartedSpeaking>(R"({"type":"AgentStartedSpeaking","total_latency":0.82,"tts_latency":0.21,)"
                                      R"("ttt_latency":0.55})");
  CHECK(started.total_latency == doctest::Approx(0.82));
}

TEST_CASE("FunctionCallRequest lists every function with its id, name, arguments and side") {
  auto request = parsed_as<FunctionCallRequest>(R"({"type":"FunctionCallRequest","functions":[
      {"id":"fc_12345678-90ab","name":"send_booking_sms","arguments":"{\"service\":\"yoga\"}","client_side":true},
      {"id":"fc_2","name":"lookup_hours","arguments":"{}","client_side":false,"thought_signature":"sig"},
      {"id":"fc_3","name":"end_call","arguments":"{}","client_side":true}]})");
  REQUIRE(request.functions.size() == 3);
  CHECK(request.functions[0].id == "fc_12345678-90ab");
  CHECK(request.functions[0].name == "send_booking_sms");
  CHECK(request.functions[0].arguments == R"({"service":"yoga"})");
  CHECK(request.functions[0].client_side);
  CHECK(request.functions[1].id == "fc_2");
  CHECK_FALSE(request.functions[1].client_side);
  CHECK(request.functions[2].name == "end_call");
  CHECK(request.functions[2].client_side);

  SUBCASE("an empty list is a request for nothing") {
    CHECK(parsed_as<FunctionCallRequest>(R"({"type":"FunctionCallRequest","functions":[]})").functions.empty());
  }
  SUBCASE("without client_side the call is taken as the client's, the only kind sonoria declares") {
    auto f = parsed_as<FunctionCallRequest>(
        R"({"type":"FunctionCallRequest","functions":[{"id":"a","name":"b","arguments":"{}"}]})");
    CHECK(f.functions[0].client_side);
  }
  SUBCASE("arguments given as an object are kept as their JSON text") {
    auto f = parsed_as<FunctionCallRequest>(
        R"({"type":"FunctionCallRequest","functions":[{"id":"a","name":"b","arguments":{"x":1},"client_side":true}]})");
    CHECK(json::parse(f.functions[0].arguments) == json{{"x", 1}});
  }
  SUBCASE("arguments the model got wrong are passed on as written") {
    auto f = parsed_as<FunctionCallRequest>(
        R"({"type":"FunctionCallRequest","functions":[{"id":"a","name":"b","arguments":"{not json","client_side":true}]})");
    CHECK(f.functions[0].arguments == "{not json");
  }
}

TEST_CASE("FunctionCallCancelled names the withdrawn calls") {
  auto cancelled = parsed_as<FunctionCallCancelled>(
      R"({"type":"FunctionCallCancelled","functions":[{"id":"fc_1","name":"send_booking_sms"},{"id":"fc_2","name":"x"}]})");
  CHECK(cancelled.ids == std::vector<std::string>{"fc_1", "fc_2"});
  // An entry without a usable id names nothing.
  CHECK(parsed_as<FunctionCallCancelled>(R"({"type":"FunctionCallCancelled","functions":[{"name":"x"},{"id":3},"y"]})")
            .ids.empty());
}

TEST_CASE("InjectionRefused keeps Deepgram's reason") {
  CHECK(parsed_as<InjectionRefused>(R"({"type":"InjectionRefused","message":"The user is currently speaking."})")
            .message == "The user is currently speaking.");
}

TEST_CASE("Error is fatal and Warning is not, both with code and description") {
  auto error = parsed_as<Problem>(
      R"({"type":"Error","description":"No message from the client in time.","code":"CLIENT_MESSAGE_TIMEOUT"})");
  CHECK(error.fatal);
  CHECK(error.code == "CLIENT_MESSAGE_TIMEOUT");
  CHECK(error.description == "No message from the client in time.");
  auto warning = parsed_as<Problem>(
      R"({"type":"Warning","description":"Prompt truncated.","code":"PROMPT_TOO_LONG"})");
  CHECK_FALSE(warning.fatal);
  CHECK(warning.code == "PROMPT_TOO_LONG");
  CHECK(warning.description == "Prompt truncated.");
}

TEST_CASE("messages sonoria does not act on, and types Deepgram adds later, are Other") {
  for (const char* type : {"History", "LatencyReport", "PromptUpdated", "SpeakUpdated", "ThinkUpdated", "ListenUpdated",
                           "FunctionCallResponse", "SomethingNew2027"}) {
    CAPTURE(type);
    const std::string message = json{{"type", type}, {"extra", {1, 2}}}.dump();
    CHECK(parsed_as<Other>(message).type == type);
  }
  CHECK(parsed_as<Other>(R"({"type":"History","role":"user","content":"hi"})").type == "History");
  // The early-access name is not V1's and is not mistaken for it.
  CHECK(parsed_as<Other>(R"({"type":"SettingsConfiguration"})").type == "SettingsConfiguration");
}

TEST_CASE("what is not a message is rejected without throwing") {
  for (const char* garbage : {"", "not json", "[1,2]", "42", "null", R"("Welcome")", R"({"no_type":1})",
                              R"({"type":7})", R"({"type":null})", R"({"type":["Welcome"]})", "{\"type\":\"Welcome\"",
                              R"({"type":"FunctionCallRequest"})", R"({"type":"FunctionCallRequest","functions":{}})",
                              R"({"type":"FunctionCallRequest","functions":"fc_1"})",
                              R"({"type":"FunctionCallRequest","functions":[{"name":"x","arguments":"{}"}]})",
                              R"({"type":"FunctionCallRequest","functions":[{"id":"fc_1","arguments":"{}"}]})",
                              R"({"type":"FunctionCallRequest","functions":[{"id":1,"name":"x"}]})",
                              R"({"type":"FunctionCallRequest","functions":["fc_1"]})",
                              R"({"type":"FunctionCallCancelled"})", R"({"type":"FunctionCallCancelled","functions":5})"}) {
    CAPTURE(garbage);
    CHECK_NOTHROW(parse_agent_message(garbage));
    CHECK_FALSE(parse_agent_message(garbage));
  }
}

TEST_CASE("mistyped fields read as empty, never throw") {
  auto text = parsed_as<ConversationText>(R"({"type":"ConversationText","role":5,"content":{"a":1}})");
  CHECK(text.role.empty());
  CHECK(text.content.empty());
  CHECK(parsed_as<AgentStartedSpeaking>(R"({"type":"AgentStartedSpeaking","total_latency":"slow"})").total_latency == 0);
  CHECK(parsed_as<AgentStartedSpeaking>(R"({"type":"AgentStartedSpeaking","total_latency":1e300})").total_latency ==
        doctest::Approx(1e300));
  auto error = parsed_as<Problem>(R"({"type":"Error","code":42,"description":null})");
  CHECK(error.fatal);
  CHECK(error.code.empty());
  CHECK(error.description.empty());
  CHECK(parsed_as<Welcome>(R"({"type":"Welcome","request_id":[1]})").request_id.empty());
  CHECK(parsed_as<InjectionRefused>(R"({"type":"InjectionRefused","message":false})").message.empty());
  auto f = parsed_as<FunctionCallRequest>(
      R"({"type":"FunctionCallRequest","functions":[{"id":"a","name":"b","arguments":7,"client_side":"yes"}]})");
  CHECK(f.functions[0].arguments.empty());
  CHECK(f.functions[0].client_side);
}

// ---- Settings -----------------------------------------------------------------------------------

TEST_CASE("Settings asks for μ-law at 8 kHz both ways with no container, as Twilio needs") {
  json s = settings_of(phone_config());
  CHECK(s["audio"]["input"] == json{{"encoding", "mulaw"}, {"sample_rate", 8000}});
  CHECK(s["audio"]["output"] == json{{"encoding", "mulaw"}, {"sample_rate", 8000}, {"container", "none"}});
}

TEST_CASE("Settings names the listen, think and speak providers of §6.3") {
  json agent = settings_of(phone_config())["agent"];
  const json& listen = agent["listen"]["provider"];
  CHECK(listen["type"] == "deepgram");
  CHECK(listen["version"] == "v1");
  CHECK(listen["model"] == "nova-3");
  CHECK(listen["language"] == "en");
  CHECK(listen["keyterms"] == json{"Lotus Yoga", "vinyasa"});

  const json& think = agent["think"];
  CHECK(think["provider"]["type"] == "open_ai");
  CHECK(think["provider"]["model"] == "gpt-4o-mini");
  CHECK(think["provider"]["temperature"] == doctest::Approx(0.7));
  CHECK(think["prompt"] == "You are the receptionist of Lotus Yoga Studio.");
  CHECK_FALSE(think.contains("endpoint"));  // Deepgram-managed LLM

  CHECK(agent["speak"] == json{{"provider", {{"type", "deepgram"}, {"model", "aura-2-thalia-en"}}}});
}

TEST_CASE("Settings declares the tools as client-side functions, converted from the OpenAI tool shape") {
  json functions = settings_of(phone_config())["agent"]["think"]["functions"];
  REQUIRE(functions.size() == 2);
  CHECK(functions[0] == json{{"name", "send_booking_sms"},
                             {"description", "Text the caller a booking link."},
                             {"parameters",
                              {{"type", "object"},
                               {"properties", {{"service", {{"type", "string"}}}}},
                               {"required", {"service"}}}}});
  CHECK(functions[1]["name"] == "end_call");
  for (const auto& f : functions) {
    CHECK_FALSE(f.contains("type"));      // OpenAI's "type":"function" is not Deepgram's
    CHECK_FALSE(f.contains("endpoint"));  // no endpoint: Deepgram asks us (client_side)
  }

  SUBCASE("a tool without parameters takes no arguments; one without a description gets an empty one") {
    SessionConfig c = phone_config();
    c.tools = json::array({{{"type", "function"}, {"name", "transfer_call"}}});
    json f = settings_of(c)["agent"]["think"]["functions"][0];
    CHECK(f["description"] == "");
    CHECK(f["parameters"] == json{{"type", "object"}, {"properties", json::object()}});
  }
  SUBCASE("entries that are not tools are skipped") {
    SessionConfig c = phone_config();
    c.tools = json::array({"end_call", 7, tool("end_call", "Hang up.", {{"type", "object"}})});
    json functions2 = settings_of(c)["agent"]["think"]["functions"];
    REQUIRE(functions2.size() == 1);
    CHECK(functions2[0]["name"] == "end_call");
  }
  SUBCASE("no tools, or null, declare no functions") {
    SessionConfig c = phone_config();
    c.tools = json::array();
    CHECK_FALSE(settings_of(c)["agent"]["think"].contains("functions"));
    c.tools = nullptr;
    CHECK_FALSE(settings_of(c)["agent"]["think"].contains("functions"));
  }
}

TEST_CASE("Settings seeds the conversation so far as History messages in agent.context") {
  std::vector<HistoryLine> history = {{HistoryLine::Role::assistant, "Thanks for calling, how can I help?"},
                                      {HistoryLine::Role::caller, "Is there a class tomorrow?"},
                                      {HistoryLine::Role::assistant, "Yes, at nine."}};
  json messages = settings_of(phone_config(), history)["agent"]["context"]["messages"];
  CHECK(messages == json::array({{{"type", "History"}, {"role", "assistant"}, {"content", "Thanks for calling, how can I help?"}},
                                 {{"type", "History"}, {"role", "user"}, {"content", "Is there a class tomorrow?"}},
                                 {{"type", "History"}, {"role", "assistant"}, {"content", "Yes, at nine."}}}));
  CHECK_FALSE(settings_of(phone_config())["agent"].contains("context"));
}

TEST_CASE("Settings has no greeting: the call greets with InjectAgentMessage once the caller can hear it") {
  CHECK_FALSE(settings_of(phone_config())["agent"].contains("greeting"));
}

TEST_CASE("Settings tags the session only when tags are given") {
  CHECK(settings_of(phone_config(), {}, {"sonoria", "org-42"})["tags"] == json{"sonoria", "org-42"});
  CHECK_FALSE(settings_of(phone_config()).contains("tags"));
}

TEST_CASE("Settings leaves out what the chosen models would reject") {
  SessionConfig c = phone_config();
  SUBCASE("key terms are for nova-3 only") {
    c.listen_model = "nova-2";
    CHECK_FALSE(settings_of(c)["agent"]["listen"]["provider"].contains("keyterms"));
    c.listen_model = "nova-3-general";
    CHECK(settings_of(c)["agent"]["listen"]["provider"]["keyterms"].size() == 2);
    c.keyterms.clear();
    CHECK_FALSE(settings_of(c)["agent"]["listen"]["provider"].contains("keyterms"));
  }
  SUBCASE("no language: Deepgram's default") {
    c.language = "";
    CHECK_FALSE(settings_of(c)["agent"]["listen"]["provider"].contains("language"));
  }
  SUBCASE("a temperature only for providers that take one") {
    c.think_provider = "anthropic";
    c.model = "claude-3-5-haiku-latest";
    CHECK(settings_of(c)["agent"]["think"]["provider"]["temperature"] == doctest::Approx(0.7));
    c.think_provider = "google";
    c.model = "gemini-2.0-flash";
    json provider = settings_of(c)["agent"]["think"]["provider"];
    CHECK(provider == json{{"type", "google"}, {"model", "gemini-2.0-flash"}});
  }
}

TEST_CASE("Settings never throws on odd text and stays valid JSON") {
  SessionConfig c = phone_config();
  c.instructions = "Caf\xC3\xA9 \xFF\xFE broken";  // invalid UTF-8 is replaced, not thrown on
  c.tools = json::array({{{"name", 5}, {"description", true}, {"parameters", "none"}}});
  std::string text;
  CHECK_NOTHROW(text = settings(c, {{HistoryLine::Role::caller, "\xC3"}}, {}));
  json s = json::parse(text);
  CHECK(s["agent"]["think"]["prompt"].get<std::string>().starts_with("Caf\xC3\xA9 "));
  // A tool with no usable name cannot be declared (Deepgram would refuse the whole Settings).
  CHECK_FALSE(s["agent"]["think"].contains("functions"));
}

TEST_CASE("Settings conforms to the published AgentV1Settings schema") {
  json spec = load_spec();
  std::vector<HistoryLine> history = {{HistoryLine::Role::assistant, "Hello."}, {HistoryLine::Role::caller, "Hi."}};
  check_against(spec, "AgentV1_AgentV1Settings", settings(phone_config(), history, {"sonoria"}));
  SUBCASE("also without tools, history, tags, language or key terms") {
    SessionConfig c = phone_config();
    c.tools = json::array();
    c.language = "";
    c.keyterms.clear();
    check_against(spec, "AgentV1_AgentV1Settings", settings(c, {}, {}));
  }
  SUBCASE("and the walker is not vacuous: an early-access Settings fails it") {
    json early = json::parse(settings(phone_config(), {}, {}));
    early["type"] = "SettingsConfiguration";
    early["agent"]["listen"] = {{"model", "nova-2"}};
    early["audio"]["output"]["buffer_size"] = 250;
    CHECK(problems_of(spec, "AgentV1_AgentV1Settings", early.dump()).size() >= 3);
  }
}

// ---- other client messages ----------------------------------------------------------------------

TEST_CASE("FunctionCallResponse answers a call by its id and name with the result as text") {
  json r = json::parse(function_call_response("fc_12345678-90ab", "send_booking_sms", R"({"sent":true})"));
  CHECK(r == json{{"type", "FunctionCallResponse"},
                  {"id", "fc_12345678-90ab"},
                  {"name", "send_booking_sms"},
                  {"content", R"({"sent":true})"}});
}

TEST_CASE("InjectAgentMessage carries the words in message, never content") {
  json r = json::parse(inject_agent_message("One moment while I look that up."));
  CHECK(r == json{{"type", "InjectAgentMessage"}, {"message", "One moment while I look that up."}});
}

TEST_CASE("InjectUserMessage carries the words in content") {
  json r = json::parse(inject_user_message("The caller pressed 1 on their keypad."));
  CHECK(r == json{{"type", "InjectUserMessage"}, {"content", "The caller pressed 1 on their keypad."}});
}

TEST_CASE("KeepAlive is just its type") { CHECK(json::parse(keep_alive()) == json{{"type", "KeepAlive"}}); }

TEST_CASE("the client messages conform to their published schemas") {
  json spec = load_spec();
  check_against(spec, "AgentV1_AgentV1SendFunctionCallResponse", function_call_response("fc_1", "end_call", "{}"));
  check_against(spec, "AgentV1_AgentV1InjectAgentMessage", inject_agent_message("Hello!"));
  check_against(spec, "AgentV1_AgentV1InjectUserMessage", inject_user_message("The caller pressed 1."));
  check_against(spec, "AgentV1_AgentV1KeepAlive", keep_alive());
}

TEST_CASE("client messages escape what they carry") {
  std::string quoted = "He said \"hi\"\n\\ and left";
  CHECK(json::parse(inject_agent_message(quoted))["message"] == quoted);
  CHECK(json::parse(inject_user_message(quoted))["content"] == quoted);
  CHECK(json::parse(function_call_response("a\"b", "n", quoted))["id"] == "a\"b");
  CHECK_NOTHROW(json::parse(inject_agent_message("\xFF")));
}

// ---- connection ---------------------------------------------------------------------------------

TEST_CASE("the connection goes to the configured URL with the key as a Token") {
  auto c = connect_request("wss://agent.deepgram.com/v1/agent/converse", "dg-secret");
  CHECK(c.url == "wss://agent.deepgram.com/v1/agent/converse");
  REQUIRE(c.headers.size() == 1);
  CHECK(c.headers[0] == std::pair<std::string, std::string>{"Authorization", "Token dg-secret"});
  SUBCASE("another region's URL is kept as given, without a fragment") {
    CHECK(connect_request("wss://agent.eu.deepgram.com/v1/agent/converse?x=1", "k").url ==
          "wss://agent.eu.deepgram.com/v1/agent/converse?x=1");
    CHECK(connect_request("wss://h/v1/agent/converse#frag", "k").url == "wss://h/v1/agent/converse");
  }
}
