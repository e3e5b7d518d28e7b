// Creating an Ultravox call (protocols.md §7.1, §7.3, §7.5): the request built from a call's
// session, and the answer read into a join URL or a sentence for the record.
#include "core/engine/ultravox/call_api.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "core/engine/providers.hpp"

using namespace sonoria;
using namespace sonoria::engine;
using namespace sonoria::engine::ultravox;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

SessionConfig yoga_session() {
  SessionConfig s;
  s.instructions = "You are the receptionist of Lotus Yoga.";
  s.voice = "Jessica";
  s.model = "";
  s.language = "en";
  s.tools = json::array(
      {{{"type", "function"},
        {"name", "send_booking_sms"},
        {"description", "Text the caller a booking link."},
        {"parameters",
         {{"type", "object"},
          {"properties",
           {{"service", {{"type", "string"}, {"description", "Service to book"}}},
            {"note", {{"type", "string"}}}}},
          {"required", json::array({"service"})},
          {"additionalProperties", false}}}},
       {{"type", "function"},
        {"name", "end_call"},
        {"description", "Hang up."},
        {"parameters", {{"type", "object"}, {"properties", json::object()}}}}});
  return s;
}

struct NullSink final : FrameSink {
  void send_engine(Frame) override {}
};

config::UltravoxSettings uv_settings() {
  config::UltravoxSettings s;
  s.api_url = "https://api.ultravox.ai/api";
  s.api_key = "Zk9Ht7Lm.wX7pN9fM3kLj6tRq2bGhA8yE5cZvD4sT";
  s.model = "ultravox-v0.7";
  s.voice = "Mark";
  return s;
}

}  // namespace

TEST_CASE("the call is created at <api_url>/calls with the key in X-API-Key and a JSON body") {
  config::UltravoxSettings settings = uv_settings();
  for (const std::string url : {"https://api.ultravox.ai/api", "https://api.ultravox.ai/api/"}) {
    settings.api_url = url;
    const CreateCallRequest r = create_call_request(yoga_session(), settings, {});
    CHECK(r.method == "POST");
    CHECK(r.url == "https://api.ultravox.ai/api/calls");
    using Header = std::pair<std::string, std::string>;
    CHECK(r.headers == std::vector<Header>{{"X-API-Key", settings.api_key}, {"Content-Type", "application/json"}});
    CHECK(json::parse(r.body) == create_call_body(yoga_session(), settings, {}));
    CHECK(r.body.find(settings.api_key) == std::string::npos);
  }
}

TEST_CASE("the body asks for a server WebSocket at 8 kHz both ways, with the user speaking first") {
  const json body = create_call_body(yoga_session(), uv_settings(), {});
  CHECK(body["systemPrompt"] == "You are the receptionist of Lotus Yoga.");
  CHECK(body["voice"] == "Jessica");
  CHECK(body["model"] == "ultravox-v0.7");
  CHECK(body["languageHint"] == "en");
  CHECK(body["firstSpeakerSettings"] == json{{"user", json::object()}});
  CHECK_FALSE(body.contains("firstSpeaker"));
  const json& ws = body["medium"]["serverWebSocket"];
  CHECK(body["medium"].size() == 1);
  CHECK(ws["inputSampleRate"] == 8000);
  CHECK(ws["outputSampleRate"] == 8000);
  CHECK(ws["clientBufferSizeMs"] == 30000);
  CHECK(ws["dataMessages"] == json{{"callStarted", true},
                                   {"state", true},
                                   {"transcript", true},
                                   {"clientToolInvocation", true},
                                   {"playbackClearBuffer", true}});
  CHECK_FALSE(body.contains("initialMessages"));
  CHECK_FALSE(body.contains("maxDuration"));
  CHECK_FALSE(body.contains("temperature"));
}

TEST_CASE("a session at other rates asks for them") {
  SessionConfig session = yoga_session();
  session.pcm = {16000, 24000};
  const json ws = create_call_body(session, uv_settings(), {})["medium"]["serverWebSocket"];
  CHECK(ws["inputSampleRate"] == 16000);
  CHECK(ws["outputSampleRate"] == 24000);
}

TEST_CASE("a refusal of the sample rate is told apart from other refusals") {
  CHECK(parse_create_call_response(
            400, R"({"medium":{"serverWebSocket":{"inputSampleRate":["Unsupported sample rate 8000."]}}})")
            .sample_rate_refused);
  CHECK(parse_create_call_response(400, R"({"detail":"Sample rate 8000 Hz is not supported."})").sample_rate_refused);
  CHECK(parse_create_call_response(422, R"({"detail":"unsupported output_sample_rate"})").sample_rate_refused);
  CHECK_FALSE(parse_create_call_response(400, R"({"voice":["Unknown voice."]})").sample_rate_refused);
  CHECK_FALSE(parse_create_call_response(503, R"({"detail":"sample rate service down"})").sample_rate_refused);
  CHECK_FALSE(parse_create_call_response(201, R"({"joinUrl":"wss://h/x"})").sample_rate_refused);
}

TEST_CASE("providers: after a refused 8 kHz, Ultravox is asked for 16 kHz in and 24 kHz out, then nothing") {
  auto wider = wider_audio(Provider::ultravox, {});
  REQUIRE(wider);
  CHECK(*wider == PcmRates{16000, 24000});
  CHECK_FALSE(wider_audio(Provider::ultravox, *wider));
  CHECK_FALSE(wider_audio(Provider::openai, {}));
  CHECK_FALSE(wider_audio(Provider::deepgram, {}));
  CHECK(parse_create_response(Provider::ultravox, 400,
                              R"({"medium":{"serverWebSocket":{"outputSampleRate":["Unsupported sample rate 8000."]}}})")
            .audio_refused);
}

TEST_CASE("the session's voice and model win over the settings, which fill in when the session has none") {
  SessionConfig session = yoga_session();
  config::UltravoxSettings settings = uv_settings();
  session.model = "fixie-ai/ultravox-70B";
  CHECK(create_call_body(session, settings, {})["model"] == "fixie-ai/ultravox-70B");
  session.voice.clear();
  session.model.clear();
  CHECK(create_call_body(session, settings, {})["voice"] == "Mark");
  settings.model.clear();
  settings.voice.clear();
  session.instructions.clear();
  session.language.clear();
  const json body = create_call_body(session, settings, {});
  CHECK_FALSE(body.contains("model"));  // Ultravox's default
  CHECK_FALSE(body.contains("voice"));
  CHECK_FALSE(body.contains("systemPrompt"));
  CHECK_FALSE(body.contains("languageHint"));
}

TEST_CASE("function tools become client temporary tools with body parameters") {
  const json tools = create_call_body(yoga_session(), uv_settings(), {})["selectedTools"];
  REQUIRE(tools.size() == 2);
  CHECK(tools[0] == json{{"temporaryTool",
                          {{"modelToolName", "send_booking_sms"},
                           {"description", "Text the caller a booking link."},
                           {"dynamicParameters",
                            json::array({{{"name", "note"},
                                          {"location", "PARAMETER_LOCATION_BODY"},
                                          {"schema", {{"type", "string"}}},
                                          {"required", false}},
                                         {{"name", "service"},
                                          {"location", "PARAMETER_LOCATION_BODY"},
                                          {"schema", {{"type", "string"}, {"description", "Service to book"}}},
                                          {"required", true}}})},
                           {"client", json::object()}}}});
  CHECK(tools[1]["temporaryTool"]["modelToolName"] == "end_call");
  CHECK(tools[1]["temporaryTool"]["dynamicParameters"] == json::array());

  SUBCASE("entries without a name are skipped; no tools, no selectedTools") {
    SessionConfig session = yoga_session();
    session.tools = json::array({42, {{"type", "function"}}, {{"name", ""}}, {{"name", "lookup"}}});
    const json only = create_call_body(session, uv_settings(), {})["selectedTools"];
    REQUIRE(only.size() == 1);
    CHECK(only[0]["temporaryTool"]["modelToolName"] == "lookup");
    CHECK_FALSE(only[0]["temporaryTool"].contains("description"));
    session.tools = json::array();
    CHECK_FALSE(create_call_body(session, uv_settings(), {}).contains("selectedTools"));
    session.tools = nullptr;
    CHECK_FALSE(create_call_body(session, uv_settings(), {}).contains("selectedTools"));
  }
}

TEST_CASE("a reconnect seeds the new call with the conversation so far") {
  const std::vector<HistoryLine> history = {{HistoryLine::Role::assistant, "Lotus Yoga, how can I help?"},
                                            {HistoryLine::Role::caller, "I'd like a class on Friday."},
                                            {HistoryLine::Role::caller, ""},
                                            {HistoryLine::Role::assistant, "Sure, which time?"}};
  const json body = create_call_body(yoga_session(), uv_settings(), history);
  CHECK(body["initialMessages"] ==
        json::array({{{"role", "MESSAGE_ROLE_AGENT"}, {"text", "Lotus Yoga, how can I help?"}, {"medium", "MESSAGE_MEDIUM_VOICE"}},
                     {{"role", "MESSAGE_ROLE_USER"}, {"text", "I'd like a class on Friday."}, {"medium", "MESSAGE_MEDIUM_VOICE"}},
                     {{"role", "MESSAGE_ROLE_AGENT"}, {"text", "Sure, which time?"}, {"medium", "MESSAGE_MEDIUM_VOICE"}}}));
  CHECK(body["firstSpeakerSettings"] == json{{"user", json::object()}});  // no second greeting
}

TEST_CASE("Ultravox's time limit lies a little beyond the call's own") {
  CHECK(create_call_body(yoga_session(), uv_settings(), {}, 30min)["maxDuration"] == "1920s");
  CHECK(create_call_body(yoga_session(), uv_settings(), {}, 1500ms)["maxDuration"] == "122s");
  CHECK_FALSE(create_call_body(yoga_session(), uv_settings(), {}, 0ms).contains("maxDuration"));
}

TEST_CASE("a created call's joinUrl is read from the answer") {
  const std::string call = R"({"callId":"5fd6a7c3","joinUrl":"wss://voice.ultravox.ai/calls/5fd6a7c3/x","model":"ultravox-v0.7"})";
  CreateCallResult r = parse_create_call_response(201, call);
  CHECK(r.ok());
  CHECK(r.join_url == "wss://voice.ultravox.ai/calls/5fd6a7c3/x");
  CHECK(parse_create_call_response(200, R"({"joinUrl":"ws://127.0.0.1:9/calls/a/join"})").join_url ==
        "ws://127.0.0.1:9/calls/a/join");
}

TEST_CASE("a call that was not created gives a sentence with the status and Ultravox's words") {
  SUBCASE("a bad key") {
    CreateCallResult r = parse_create_call_response(401, R"({"detail":"Invalid API key."})");
    CHECK_FALSE(r.ok());
    CHECK(r.join_url.empty());
    CHECK(r.error == "Ultravox refused to create the call: HTTP 401 (check engines.ultravox.api_key): Invalid API key.");
  }
  SUBCASE("field errors name the field") {
    CreateCallResult r = parse_create_call_response(
        400, R"({"medium":{"serverWebSocket":{"inputSampleRate":["This field is required."]}}})");
    CHECK(r.error == "Ultravox refused to create the call: HTTP 400: "
                     "medium.serverWebSocket.inputSampleRate: This field is required.");
    r = parse_create_call_response(400, R"({"selectedTools":[{},{"temporaryTool":["Exactly one.","Really."]}]})");
    CHECK(r.error == "Ultravox refused to create the call: HTTP 400: selectedTools[1].temporaryTool: Exactly one. Really.");
    r = parse_create_call_response(400, R"({"non_field_errors":["Invalid data."]})");
    CHECK(r.error == "Ultravox refused to create the call: HTTP 400: Invalid data.");
  }
  SUBCASE("throttling") {
    CHECK(parse_create_call_response(429, R"({"detail":"Request was throttled."})").error ==
          "Ultravox refused to create the call: HTTP 429 (too many calls at once, or a throttle was exceeded): "
          "Request was throttled.");
  }
  SUBCASE("a body that is not JSON is quoted, on one line and short") {
    CHECK(parse_create_call_response(502, "<html>\n  Bad   gateway\n</html>\n").error ==
          "Ultravox refused to create the call: HTTP 502: <html> Bad gateway </html>");
    const std::string long_body(1000, 'x');
    const std::string error = parse_create_call_response(503, long_body).error;
    CHECK(error.size() < 300);
    CHECK(error.find("HTTP 503") != std::string::npos);
    CHECK(parse_create_call_response(500, "").error == "Ultravox refused to create the call: HTTP 500");
  }
  SUBCASE("no answer, or a success without a usable joinUrl") {
    CHECK(parse_create_call_response(0, "").error == "Ultravox did not answer the request to create the call");
    CHECK(parse_create_call_response(201, "not json").error.find("not a JSON object") != std::string::npos);
    CHECK(parse_create_call_response(201, R"({"callId":"x","joinUrl":null})").error.find("no joinUrl") !=
          std::string::npos);
    CHECK(parse_create_call_response(201, R"({"joinUrl":"https://example.com/x"})").error.find("not a ws://") !=
          std::string::npos);
    CHECK(parse_create_call_response(201, R"({"joinUrl":"wss://"})").error.find("not a ws://") != std::string::npos);
  }
  SUBCASE("a joinUrl the WebSocket client could not join is refused here, saying why") {
    const auto reason = [](const std::string& join) {
      return parse_create_call_response(201, nlohmann::json{{"joinUrl", join}}.dump()).error;
    };
    CHECK(reason("wss://voice.ultravox.ai:70000/calls/a") ==
          "Ultravox's joinUrl \"wss://voice.ultravox.ai:70000/calls/a\" is not a ws:// or wss:// URL the call can join "
          "(port \"70000\" is not between 1 and 65535)");
    CHECK(reason("wss://user:secret@voice.ultravox.ai/calls/a").find("user info") != std::string::npos);
    CHECK(reason("wss://voice ultravox.ai/calls/a").find("expected ws://") != std::string::npos);
    CHECK(reason("wss:voice.ultravox.ai/calls/a").find("the host is missing") != std::string::npos);
    CHECK(reason("https://voice.ultravox.ai/calls/a").find("scheme must be ws or wss") != std::string::npos);
    CHECK(reason("WSS://voice.ultravox.ai/calls/a").empty());  // schemes are case-insensitive
    // A fragment means nothing to a socket: dropped, not refused.
    CHECK(parse_create_call_response(201, R"({"joinUrl":"wss://h/calls/a#x"})").join_url == "wss://h/calls/a#x");
    CHECK(reason("ws://[::1]:9/calls/a").empty());
  }
}

TEST_CASE("the socket joins with apiVersion=1 unless the joinUrl names a version") {
  CHECK(join_url_for_socket("wss://voice.ultravox.ai/calls/a/join") == "wss://voice.ultravox.ai/calls/a/join?apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?token=t") == "wss://h/calls/a?token=t&apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?") == "wss://h/calls/a?apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?apiVersion=2") == "wss://h/calls/a?apiVersion=2");
  CHECK(join_url_for_socket("wss://h/calls/a?x=1&apiVersion=1") == "wss://h/calls/a?x=1&apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?myapiVersion=1") == "wss://h/calls/a?myapiVersion=1&apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a#frag") == "wss://h/calls/a?apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?x=1&") == "wss://h/calls/a?x=1&apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?x=a%26apiVersion%3D2") == "wss://h/calls/a?x=a%26apiVersion%3D2&apiVersion=1");
  CHECK(join_url_for_socket("wss://h/calls/a?apiVersion") == "wss://h/calls/a?apiVersion");
}

TEST_CASE("providers: Ultravox creates its call over REST before connecting to the join URL") {
  config::Settings settings;
  settings.ultravox = uv_settings();
  settings.calls.max_duration = 30min;
  const std::vector<HistoryLine> history = {{HistoryLine::Role::caller, "Hello?"}};

  auto request = create_request(Provider::ultravox, yoga_session(), settings, history);
  REQUIRE(request);
  CHECK(request->method == "POST");
  CHECK(request->url == "https://api.ultravox.ai/api/calls");
  CHECK(request->headers.at(0) == std::pair<std::string, std::string>{"X-API-Key", settings.ultravox.api_key});
  const json body = json::parse(request->body);
  CHECK(body["maxDuration"] == "1920s");
  CHECK(body["initialMessages"].size() == 1);

  CreateResult created = parse_create_response(Provider::ultravox, 201, R"({"joinUrl":"wss://h/calls/a/join"})");
  REQUIRE(created.ok());
  ConnectRequest connect = connect_request(Provider::ultravox, yoga_session(), settings, created.url);
  CHECK(connect.url == "wss://h/calls/a/join?apiVersion=1");
  CHECK(connect.headers.empty());
  CHECK(connect_request(Provider::ultravox, yoga_session(), settings).url.empty());

  CreateResult refused = parse_create_response(Provider::ultravox, 401, R"({"detail":"Invalid API key."})");
  CHECK_FALSE(refused.ok());
  CHECK(refused.url.empty());
  CHECK(refused.error.find("HTTP 401") != std::string::npos);

  NullSink sink;
  auto adapter = make_adapter(Provider::ultravox, yoga_session(), settings, sink, nullptr);
  REQUIRE(adapter);
  CHECK(adapter->name() == "ultravox");
}

TEST_CASE("providers: engines that connect directly have no creation step") {
  config::Settings settings;
  for (Provider p : {Provider::openai, Provider::deepgram}) {
    CAPTURE(to_string(p));
    CHECK_FALSE(create_request(p, yoga_session(), settings, {}));
    CHECK_FALSE(parse_create_response(p, 201, R"({"joinUrl":"wss://h/x"})").ok());
  }
  settings.engine.api_key = "sk-test";
  CHECK(connect_request(Provider::openai, yoga_session(), settings, "wss://ignored").url.rfind("wss://api.openai.com", 0) == 0);
}

TEST_CASE("providers: Ultravox needs an API key and an API URL") {
  config::Settings settings;
  CHECK(missing_settings(Provider::ultravox, settings) == "engines.ultravox.api_key is not set");
  settings.ultravox.api_key = "k";
  CHECK(missing_settings(Provider::ultravox, settings).empty());
  settings.ultravox.api_url.clear();
  CHECK(missing_settings(Provider::ultravox, settings) == "engines.ultravox.api_url is not set");
}
