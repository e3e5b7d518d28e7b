#include <doctest/doctest.h>

#include "core/engine/openai/realtime_protocol.hpp"
#include "tests/support/temp_dir.hpp"

#include <filesystem>
#include <fstream>

using namespace sonoria::engine;
using namespace sonoria::engine::openai;
using nlohmann::json;

namespace {

SessionConfig phone_config() {
  SessionConfig c;
  c.model = "gpt-realtime";
  c.instructions = "You are the receptionist of Lotus Yoga.";
  c.voice = "marin";
  c.language = "en";
  c.transcription_model = "gpt-4o-mini-transcribe";
  c.vad_threshold = 0.6;
  c.prefix_padding_ms = 250;
  c.silence_duration_ms = 650;
  c.temperature = 0.7;
  c.tools = json::array({{{"type", "function"},
                          {"name", "end_call"},
                          {"description", "Hang up."},
                          {"parameters", {{"type", "object"}, {"properties", json::object()}}}}});
  return c;
}

json session_of(const std::string& text) {
  json j = json::parse(text);
  REQUIRE(j["type"] == "session.update");
  return j["session"];
}

// ---- a small JSON Schema walker over the published OpenAPI components -------------------------
// Checks that every key we emit is declared (where the schema lists properties), that types,
// enums and consts match, and that required keys are present. anyOf/oneOf: some branch must fit.

struct SpecFile {
  json root;
};

SpecFile load_spec(const std::string& name) {
  auto path = sonoria::test::source_dir() / ".." / "shared" / "conformance" / "spec" / name;
  INFO("the OpenAI Realtime schema is missing: " << path.string());
  REQUIRE_MESSAGE(std::filesystem::exists(path), "conformance spec not found at " << path.string());
  std::ifstream in(path);
  return {json::parse(in)};
}

const json& resolve(const SpecFile& spec, const json& schema) {
  if (schema.is_object() && schema.contains("$ref")) {
    std::string ref = schema["$ref"];
    const std::string prefix = "#/components/schemas/";
    REQUIRE_MESSAGE(ref.starts_with(prefix), "unexpected $ref " << ref);
    const json& target = spec.root["components"]["schemas"][ref.substr(prefix.size())];
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

void violations(const SpecFile& spec, const json& value, const json& raw_schema, const std::string& path,
                std::vector<std::string>& out) {
  const json& schema = resolve(spec, raw_schema);
  for (const char* combinator : {"anyOf", "oneOf"}) {
    if (!schema.contains(combinator)) continue;
    if (value.is_null() && schema.value("nullable", false)) return;
    std::vector<std::string> best;
    bool first = true;
    for (const auto& branch : schema[combinator]) {
      std::vector<std::string> v;
      violations(spec, value, branch, path, v);
      if (v.empty()) {
        best.clear();
        first = false;
        break;
      }
      if (first || v.size() < best.size()) best = v;
      first = false;
    }
    out.insert(out.end(), best.begin(), best.end());
    if (!best.empty()) return;
  }
  if (schema.contains("type")) {
    const json& t = schema["type"];
    bool fits = t.is_string() ? type_fits(value, t) : false;
    if (t.is_array())
      for (const auto& one : t) fits = fits || type_fits(value, one);
    if (value.is_null() && schema.value("nullable", false)) fits = true;
    if (!fits) {
      out.push_back(path + ": " + value.dump() + " is not of type " + t.dump());
      return;
    }
  }
  if (schema.contains("enum")) {
    bool found = false;
    for (const auto& option : schema["enum"]) found = found || option == value;
    if (!found) out.push_back(path + ": " + value.dump() + " is not in " + schema["enum"].dump());
  }
  if (schema.contains("const") && schema["const"] != value)
    out.push_back(path + ": " + value.dump() + " is not " + schema["const"].dump());
  if (value.is_object() && schema.contains("properties")) {
    const json& properties = schema["properties"];
    for (const auto& [key, member] : value.items()) {
      if (!properties.contains(key)) {
        out.push_back(path + "." + key + " is not in the schema");
        continue;
      }
      violations(spec, member, properties[key], path + "." + key, out);
    }
    if (schema.contains("required"))
      for (const auto& key : schema["required"])
        if (!value.contains(key.get<std::string>())) out.push_back(path + ": required " + key.dump() + " missing");
  }
  if (value.is_array() && schema.contains("items"))
    for (size_t i = 0; i < value.size(); ++i)
      violations(spec, value[i], schema["items"], path + "[" + std::to_string(i) + "]", out);
}

void check_against(const SpecFile& spec, const std::string& schema_name, const std::string& event_text) {
  json event = json::parse(event_text);
  const json& schema = spec.root["components"]["schemas"][schema_name];
  REQUIRE_MESSAGE(!schema.is_null(), "schema " << schema_name << " not in the spec");
  std::vector<std::string> problems;
  violations(spec, event, schema, "$", problems);
  std::string all;
  for (const auto& p : problems) all += p + "\n";
  INFO(schema_name << ":\n" << all << event_text);
  CHECK(problems.empty());
}

constexpr const char* k_ga_spec = "openai-realtime.openapi-f85dbe2.json";    // 2026-08, GA
constexpr const char* k_beta_spec = "openai-realtime.openapi-498c71d.json";  // 2025-04, beta era

}  // namespace

TEST_CASE("the GA session.update has the shape of protocols.md §5.2") {
  json s = session_of(session_update(phone_config(), OpenAiProtocol::ga));
  CHECK(s["type"] == "realtime");
  CHECK(s["model"] == "gpt-realtime");
  CHECK(s["instructions"] == "You are the receptionist of Lotus Yoga.");
  CHECK(s["output_modalities"] == json::array({"audio"}));
  CHECK(s["audio"]["input"]["format"] == json{{"type", "audio/pcmu"}});
  CHECK(s["audio"]["output"]["format"] == json{{"type", "audio/pcmu"}});
  CHECK(s["audio"]["output"]["voice"] == "marin");
  CHECK(s["audio"]["input"]["transcription"] == json{{"model", "gpt-4o-mini-transcribe"}, {"language", "en"}});
  const json& vad = s["audio"]["input"]["turn_detection"];
  CHECK(vad["type"] == "server_vad");
  CHECK(vad["threshold"] == 0.6);
  CHECK(vad["prefix_padding_ms"] == 250);
  CHECK(vad["silence_duration_ms"] == 650);
  CHECK(vad["create_response"] == true);
  CHECK(vad["interrupt_response"] == true);
  CHECK(s["tools"][0]["name"] == "end_call");
  CHECK(s["tool_choice"] == "auto");
  SUBCASE("and none of the beta fields that would make GA reject the whole update") {
    for (const char* beta : {"temperature", "voice", "modalities", "input_audio_format", "output_audio_format",
                             "turn_detection", "input_audio_transcription"})
      CHECK_MESSAGE(!s.contains(beta), beta);
  }
}

TEST_CASE("the GA session.update conforms to the published RealtimeClientEventSessionUpdate schema") {
  auto spec = load_spec(k_ga_spec);
  check_against(spec, "RealtimeClientEventSessionUpdate", session_update(phone_config(), OpenAiProtocol::ga));
  SUBCASE("also without transcription, noise reduction or model") {
    auto c = phone_config();
    c.transcription_model = "";
    c.noise_reduction = "";
    c.model = "";
    check_against(spec, "RealtimeClientEventSessionUpdate", session_update(c, OpenAiProtocol::ga));
  }
}

TEST_CASE("the walker itself rejects a beta-shaped session in the GA schema") {
  // Guards the conformance test above against passing vacuously.
  auto spec = load_spec(k_ga_spec);
  json event = json::parse(session_update(phone_config(), OpenAiProtocol::beta));
  std::vector<std::string> problems;
  violations(spec, event, spec.root["components"]["schemas"]["RealtimeClientEventSessionUpdate"], "$", problems);
  CHECK_FALSE(problems.empty());
}

TEST_CASE("the beta session.update is flat with g711_ulaw strings, both modalities and a temperature") {
  json s = session_of(session_update(phone_config(), OpenAiProtocol::beta));
  CHECK(s["modalities"] == json::array({"text", "audio"}));
  CHECK(s["input_audio_format"] == "g711_ulaw");
  CHECK(s["output_audio_format"] == "g711_ulaw");
  CHECK(s["voice"] == "marin");
  CHECK(s["temperature"] == 0.7);
  CHECK(s["turn_detection"]["silence_duration_ms"] == 650);
  CHECK(s["input_audio_transcription"]["model"] == "gpt-4o-mini-transcribe");
  CHECK(s["tool_choice"] == "auto");
  CHECK_FALSE(s.contains("type"));
  CHECK_FALSE(s.contains("audio"));
  auto spec = load_spec(k_beta_spec);
  check_against(spec, "RealtimeClientEventSessionUpdate", session_update(phone_config(), OpenAiProtocol::beta));
}

TEST_CASE("the other client events conform to their GA schemas") {
  auto spec = load_spec(k_ga_spec);
  std::string append;
  REQUIRE(write_input_audio_append(append, "fn5+fn5+/w=="));
  check_against(spec, "RealtimeClientEventInputAudioBufferAppend", append);
  check_against(spec, "RealtimeClientEventConversationItemTruncate", conversation_item_truncate("item_1", 1500));
  check_against(spec, "RealtimeClientEventConversationItemCreate", function_call_output("call_1", R"({"ok":true})"));
  check_against(spec, "RealtimeClientEventConversationItemCreate", conversation_item_user_text("The caller pressed 1."));
  check_against(spec, "RealtimeClientEventConversationItemCreate", conversation_item_system_text("Greet the caller."));
  check_against(spec, "RealtimeClientEventConversationItemCreate",
                conversation_item_assistant_text("Hello!", OpenAiProtocol::ga));
  check_against(spec, "RealtimeClientEventResponseCreate", response_create());
  check_against(spec, "RealtimeClientEventResponseCreate", response_create_with_instructions("Say goodbye."));
}

TEST_CASE("assistant text items use output_text in GA and text in beta") {
  CHECK(json::parse(conversation_item_assistant_text("hi", OpenAiProtocol::ga))["item"]["content"][0]["type"] ==
        "output_text");
  CHECK(json::parse(conversation_item_assistant_text("hi", OpenAiProtocol::beta))["item"]["content"][0]["type"] ==
        "text");
  json user = json::parse(conversation_item_user_text("The caller pressed 1 on their keypad."));
  CHECK(user["item"]["role"] == "user");
  CHECK(user["item"]["content"][0] == json{{"type", "input_text"}, {"text", "The caller pressed 1 on their keypad."}});
}

TEST_CASE("truncate never asks for a negative audio_end_ms") {
  CHECK(json::parse(conversation_item_truncate("item_1", -40))["audio_end_ms"] == 0);
  json t = json::parse(conversation_item_truncate("item_1", 1234));
  CHECK(t == json{{"type", "conversation.item.truncate"}, {"item_id", "item_1"}, {"content_index", 0}, {"audio_end_ms", 1234}});
}

TEST_CASE("the audio append reuses its buffer and refuses anything that is not base64") {
  std::string out;
  REQUIRE(write_input_audio_append(out, "AAAA"));
  CHECK(out == R"({"type":"input_audio_buffer.append","audio":"AAAA"})");
  CHECK(json::parse(out)["audio"] == "AAAA");
  std::string frame(216, 'f');
  REQUIRE(write_input_audio_append(out, frame));
  const char* storage = out.data();
  auto capacity = out.capacity();
  REQUIRE(write_input_audio_append(out, std::string(216, 'g')));
  CHECK(out.data() == storage);
  CHECK(out.capacity() == capacity);
  CHECK_FALSE(write_input_audio_append(out, R"(AA","type":"evil)"));
  CHECK(out.empty());
}

TEST_CASE("response.create carries instructions only when asked") {
  CHECK(json::parse(response_create()) == json{{"type", "response.create"}});
  CHECK(json::parse(response_create_with_instructions("Say goodbye."))["response"]["instructions"] == "Say goodbye.");
  CHECK(json::parse(function_call_output("call_9", R"({"ok":false})"))["item"] ==
        json{{"type", "function_call_output"}, {"call_id", "call_9"}, {"output", R"({"ok":false})"}});
}

TEST_CASE("audio deltas parse under both the GA and the beta name") {
  for (const char* type : {"response.output_audio.delta", "response.audio.delta"}) {
    CAPTURE(type);
    auto e = parse_openai_event(std::string(R"({"type":")") + type +
                                R"(","event_id":"e1","response_id":"resp_1","item_id":"item_7","output_index":0,"content_index":0,"delta":"fn5+fn5+"})");
    REQUIRE(e);
    auto* delta = std::get_if<AudioDelta>(&*e);
    REQUIRE(delta);
    CHECK(delta->response_id == "resp_1");
    CHECK(delta->item_id == "item_7");
    CHECK(delta->delta_b64 == "fn5+fn5+");
  }
  CHECK_FALSE(parse_openai_event(R"({"type":"response.output_audio.delta","item_id":"i"})"));
}

TEST_CASE("transcript, audio-done and item events parse under both name sets") {
  auto done_ga = parse_openai_event(R"({"type":"response.output_audio_transcript.done","item_id":"i1","transcript":"Hello there"})");
  auto done_beta = parse_openai_event(R"({"type":"response.audio_transcript.done","item_id":"i1","transcript":"Hello there"})");
  REQUIRE(done_ga);
  REQUIRE(done_beta);
  CHECK(std::get<AssistantTranscriptDone>(*done_ga).text == "Hello there");
  CHECK(std::get<AssistantTranscriptDone>(*done_beta).item_id == "i1");
  CHECK(std::holds_alternative<AudioDone>(*parse_openai_event(R"({"type":"response.audio.done","item_id":"i1"})")));
  CHECK(std::holds_alternative<AudioDone>(*parse_openai_event(R"({"type":"response.output_audio.done","item_id":"i1"})")));
  CHECK(std::get<AssistantTranscriptDelta>(*parse_openai_event(R"({"type":"response.audio_transcript.delta","item_id":"i1","delta":"Hel"})")).text ==
        "Hel");
  for (const char* type : {"conversation.item.added", "conversation.item.created"}) {
    auto e = parse_openai_event(std::string(R"({"type":")") + type +
                                R"(","previous_item_id":"item_1","item":{"id":"item_2","type":"message","role":"user","content":[]}})");
    REQUIRE(e);
    auto added = std::get<ItemAdded>(*e);
    CHECK(added.item_id == "item_2");
    CHECK(added.previous_item_id == "item_1");
    CHECK(added.role == "user");
    CHECK(added.item_type == "message");
  }
  auto root = std::get<ItemAdded>(*parse_openai_event(R"({"type":"conversation.item.added","previous_item_id":null,"item":{"id":"item_1","type":"message","role":"system"}})"));
  CHECK(root.previous_item_id.empty());
}

TEST_CASE("VAD, commit, transcription and truncation events carry their ids and offsets") {
  auto started = std::get<SpeechStarted>(*parse_openai_event(R"({"type":"input_audio_buffer.speech_started","audio_start_ms":1000,"item_id":"item_3"})"));
  CHECK(started.item_id == "item_3");
  CHECK(started.audio_start_ms == 1000);
  CHECK(std::get<SpeechStopped>(*parse_openai_event(R"({"type":"input_audio_buffer.speech_stopped","audio_end_ms":2000,"item_id":"item_3"})")).audio_end_ms ==
        2000);
  auto committed = std::get<InputCommitted>(*parse_openai_event(R"({"type":"input_audio_buffer.committed","previous_item_id":"item_2","item_id":"item_3"})"));
  CHECK(committed.previous_item_id == "item_2");
  CHECK(std::get<InputTranscriptCompleted>(*parse_openai_event(R"({"type":"conversation.item.input_audio_transcription.completed","item_id":"item_3","content_index":0,"transcript":"Hey, can you hear me?","usage":{"type":"duration","seconds":2}})")).transcript ==
        "Hey, can you hear me?");
  CHECK(std::get<InputTranscriptFailed>(*parse_openai_event(R"({"type":"conversation.item.input_audio_transcription.failed","item_id":"item_3","error":{"type":"transcription_error","code":"audio_unintelligible","message":"unintelligible"}})")).message ==
        "unintelligible");
  CHECK(std::get<ItemTruncated>(*parse_openai_event(R"({"type":"conversation.item.truncated","item_id":"item_4","content_index":0,"audio_end_ms":1500})")).audio_end_ms ==
        1500);
}

TEST_CASE("session.updated reports the formats in either shape") {
  auto ga = std::get<SessionUpdated>(*parse_openai_event(
      R"({"type":"session.updated","session":{"type":"realtime","audio":{"input":{"format":{"type":"audio/pcmu"}},"output":{"format":{"type":"audio/pcm","rate":24000}}}}})"));
  CHECK(ga.input_format == "audio/pcmu");
  CHECK(ga.output_format == "audio/pcm");
  CHECK_FALSE(is_pcmu(ga.output_format));
  auto beta = std::get<SessionUpdated>(*parse_openai_event(
      R"({"type":"session.updated","session":{"input_audio_format":"g711_ulaw","output_audio_format":"g711_ulaw"}})"));
  CHECK(is_pcmu(beta.input_format));
  CHECK(is_pcmu(beta.output_format));
  auto created = std::get<SessionCreated>(*parse_openai_event(R"({"type":"session.created","session":{"id":"sess_1","expires_at":1760000000}})"));
  CHECK(created.session_id == "sess_1");
  CHECK(created.expires_at == 1760000000);
}

TEST_CASE("errors keep type, code, message, param and the client event id; session_expired is its own event") {
  auto e = std::get<EngineError>(*parse_openai_event(
      R"({"type":"error","event_id":"event_890","error":{"type":"invalid_request_error","code":"invalid_value","message":"bad","param":"session.audio.input.format","event_id":"evt_client_12"}})"));
  CHECK(e.type == "invalid_request_error");
  CHECK(e.code == "invalid_value");
  CHECK(e.message == "bad");
  CHECK(e.param == "session.audio.input.format");
  CHECK(e.client_event_id == "evt_client_12");
  auto null_code = std::get<EngineError>(*parse_openai_event(R"({"type":"error","error":{"type":"invalid_request_error","code":null,"message":"Audio content of 3700ms is already shorter than 3760ms","param":null}})"));
  CHECK(null_code.code.empty());
  auto expired = parse_openai_event(R"({"type":"error","error":{"type":"invalid_request_error","code":"session_expired","message":"Your session hit the maximum duration of 60 minutes."}})");
  REQUIRE(expired);
  CHECK(std::get<SessionExpired>(*expired).message == "Your session hit the maximum duration of 60 minutes.");
}

TEST_CASE("function calls come from arguments.done and from the function_call output item") {
  auto ga = std::get<FunctionCallDone>(*parse_openai_event(
      R"({"type":"response.function_call_arguments.done","response_id":"resp_1","item_id":"item_fc1","output_index":0,"call_id":"call_abc","name":"end_call","arguments":"{\"reason\":\"bye\"}"})"));
  CHECK(ga.call_id == "call_abc");
  CHECK(ga.name == "end_call");
  CHECK(ga.arguments == R"({"reason":"bye"})");
  auto beta = std::get<FunctionCallDone>(*parse_openai_event(
      R"({"type":"response.function_call_arguments.done","response_id":"resp_1","item_id":"item_fc1","call_id":"call_abc","arguments":"{}"})"));
  CHECK(beta.name.empty());
  auto item = std::get<FunctionCallDone>(*parse_openai_event(
      R"({"type":"response.output_item.done","response_id":"resp_1","output_index":0,"item":{"id":"item_fc1","type":"function_call","status":"completed","call_id":"call_abc","name":"transfer_call","arguments":"{}"}})"));
  CHECK(item.name == "transfer_call");
  CHECK(item.response_id == "resp_1");
  auto message_item = parse_openai_event(R"({"type":"response.output_item.done","response_id":"resp_1","item":{"id":"item_1","type":"message","role":"assistant"}})");
  CHECK(std::get<Ignored>(*message_item).type == "response.output_item.done");
}

TEST_CASE("response.done sums up status, reason, failure and usage") {
  auto done = std::get<ResponseDone>(*parse_openai_event(R"({"type":"response.done","response":{
    "object":"realtime.response","id":"resp_1","status":"cancelled",
    "status_details":{"type":"cancelled","reason":"turn_detected"},
    "usage":{"total_tokens":253,"input_tokens":132,"output_tokens":121,
             "input_token_details":{"text_tokens":119,"audio_tokens":13,"cached_tokens":64},
             "output_token_details":{"text_tokens":30,"audio_tokens":91}}}})"));
  CHECK(done.response_id == "resp_1");
  CHECK(done.status == "cancelled");
  CHECK(done.reason == "turn_detected");
  CHECK(done.usage == Usage{132, 121, 13, 91, 64, 253});
  auto failed = std::get<ResponseDone>(*parse_openai_event(
      R"({"type":"response.done","response":{"id":"resp_2","status":"failed","status_details":{"type":"failed","error":{"type":"server_error","code":"x"}},"usage":null}})"));
  CHECK(failed.status == "failed");
  CHECK(json::parse(failed.error)["code"] == "x");
  CHECK(failed.usage == Usage{});
  CHECK(std::get<ResponseCreated>(*parse_openai_event(R"({"type":"response.created","response":{"id":"resp_3","status":"in_progress"}})")).response_id ==
        "resp_3");
}

TEST_CASE("unknown event types are ignored and garbage is rejected without throwing") {
  CHECK(std::get<Ignored>(*parse_openai_event(R"({"type":"rate_limits.updated","rate_limits":[]})")).type ==
        "rate_limits.updated");
  CHECK(std::get<Ignored>(*parse_openai_event(R"({"type":"some.future.event","x":1})")).type == "some.future.event");
  for (const char* garbage : {"", "not json", "[1,2]", "42", R"({"no_type":1})", R"({"type":7})", "{\"type\":\"error\"",
                              R"({"type":"response.done","response":"nope"})",
                              R"({"type":"input_audio_buffer.committed"})",
                              R"({"type":"response.function_call_arguments.done","name":"x"})",
                              R"({"type":"conversation.item.added","item":{"type":"message"}})"}) {
    CAPTURE(garbage);
    CHECK_NOTHROW(parse_openai_event(garbage));
    CHECK_FALSE(parse_openai_event(garbage));
  }
  // Mistyped optional fields read as empty, never throw.
  auto odd = parse_openai_event(R"({"type":"input_audio_buffer.speech_started","audio_start_ms":"soon","item_id":5})");
  REQUIRE(odd);
  CHECK(std::get<SpeechStarted>(*odd).audio_start_ms == 0);
  CHECK(std::get<SpeechStarted>(*odd).item_id.empty());
  // Numbers beyond int64 are clamped, not converted (undefined behaviour; found by the fuzzer).
  for (const auto& [text, expected] : std::vector<std::pair<std::string, int64_t>>{
           {"1e300", INT64_MAX}, {"-1e300", INT64_MIN}, {"18446744073709551615", INT64_MAX}, {"12.9", 12}}) {
    CAPTURE(text);
    auto done = parse_openai_event(R"({"type":"response.done","response":{"usage":{"total_tokens":)" + text + "}}}");
    REQUIRE(done);
    CHECK(std::get<ResponseDone>(*done).usage.total == expected);
  }
}

TEST_CASE("the connection appends the model to the URL and picks the auth header") {
  auto ga = openai_connect_request("wss://api.openai.com/v1/realtime", "gpt-realtime", "sk-test", OpenAiProtocol::ga);
  CHECK(ga.url == "wss://api.openai.com/v1/realtime?model=gpt-realtime");
  REQUIRE(ga.headers.size() == 1);
  CHECK(ga.headers[0] == std::pair<std::string, std::string>{"Authorization", "Bearer sk-test"});

  auto beta = openai_connect_request("wss://api.openai.com/v1/realtime", "gpt-4o-realtime-preview-2024-12-17", "sk-test",
                                     OpenAiProtocol::beta);
  CHECK(beta.headers.size() == 2);
  CHECK(beta.headers[1] == std::pair<std::string, std::string>{"OpenAI-Beta", "realtime=v1"});

  auto azure = openai_connect_request(
      "wss://lotus.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=rt", "gpt-4o-realtime",
      "az-key", OpenAiProtocol::beta);
  CHECK(azure.url ==
        "wss://lotus.openai.azure.com/openai/realtime?api-version=2024-10-01-preview&deployment=rt&model=gpt-4o-realtime");
  CHECK(azure.headers[0] == std::pair<std::string, std::string>{"api-key", "az-key"});

  SUBCASE("an existing model parameter, an empty model, odd characters and a trailing ?") {
    CHECK(openai_connect_request("wss://h/v1/realtime?model=x", "y", "k", OpenAiProtocol::ga).url ==
          "wss://h/v1/realtime?model=x");
    CHECK(openai_connect_request("wss://h/v1/realtime?amodel=x", "y", "k", OpenAiProtocol::ga).url ==
          "wss://h/v1/realtime?amodel=x&model=y");
    CHECK(openai_connect_request("wss://h/v1/realtime", "", "k", OpenAiProtocol::ga).url == "wss://h/v1/realtime");
    CHECK(openai_connect_request("wss://h/v1/realtime?", "a b&c", "k", OpenAiProtocol::ga).url ==
          "wss://h/v1/realtime?model=a%20b%26c");
    CHECK(openai_connect_request("wss://h:443/v1/realtime", "m", "k", OpenAiProtocol::ga).headers[0].first ==
          "Authorization");
  }
  CHECK(parse_openai_protocol("ga") == OpenAiProtocol::ga);
  CHECK(parse_openai_protocol("beta") == OpenAiProtocol::beta);
  CHECK_FALSE(parse_openai_protocol("GA2"));
}

TEST_CASE("the audio of an append is found only in the exact shape write_input_audio_append makes") {
  std::string event;
  REQUIRE(write_input_audio_append(event, "AAEC/w=="));
  CHECK(input_audio_append_payload(event) == std::optional<std::string_view>("AAEC/w=="));
  CHECK(input_audio_append_payload(R"({"type":"input_audio_buffer.append","audio":""})") ==
        std::optional<std::string_view>(""));
  CHECK_FALSE(input_audio_append_payload(R"({"type":"input_audio_buffer.commit"})"));
  CHECK_FALSE(input_audio_append_payload(R"({"type":"input_audio_buffer.append","audio":"AA","event_id":"x"})"));
  CHECK_FALSE(input_audio_append_payload(R"({"type":"input_audio_buffer.append","audio":"A"}"})"));
  CHECK_FALSE(input_audio_append_payload(""));
}
