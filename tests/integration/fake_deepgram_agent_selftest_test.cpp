// Self-test of the fake Deepgram Voice Agent server (tests/fakes/fake_deepgram_agent.hpp), driven by a
// raw WebSocket client, so that a fake that drifts from protocols.md §6 fails here before it misleads
// the daemon's integration tests. Each case follows an item of the §6.10 checklist.

#include <doctest/doctest.h>

#include <strings.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/audio_samples.hpp"
#include "tests/fakes/fake_deepgram_agent.hpp"
#include "tests/fakes/peer_probe.hpp"

using nlohmann::json;
using namespace sonoria::fakes;
using namespace std::chrono_literals;

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Frame {
  bool binary = false;
  json message;       // text frames
  std::string bytes;  // the raw payload
};

// A WebSocket client that queues what arrives, so a test can look for "nothing more came" without
// cancelling anything. Every wait has a deadline.
class DgClient {
 public:
  // Connects to ws://127.0.0.1:port/target; returns the HTTP status of the upgrade (and its body).
  int connect(unsigned short port, const std::string& target, const Headers& headers, std::string* body = nullptr) {
    PeerDialResult result = probe_.connect(port, "127.0.0.1", target, headers);
    if (body) *body = result.body;
    response_headers_ = std::move(result.headers);
    return result.status;
  }

  // The upgrade answer's first header called `name` (in any case), or "".
  std::string response_header(const std::string& name) const {
    for (const auto& [key, value] : response_headers_) {
      if (strcasecmp(key.c_str(), name.c_str()) == 0) return value;
    }
    return {};
  }

  void send(const json& message) { write(message.dump(), false); }
  void send_text(const std::string& text) { write(text, false); }
  void send_binary(const std::string& bytes) { write(bytes, true); }

  // Sends `bytes` as μ-law frames of 20 ms, as a Twilio bridge does.
  void send_audio(const std::string& bytes) {
    for (std::size_t at = 0; at < bytes.size(); at += 160) send_binary(bytes.substr(at, 160));
  }

  // The next frame, or nullopt if none arrives in time or the connection ended.
  std::optional<Frame> read(std::chrono::milliseconds timeout = 3s) {
    auto& inbox = probe_.inbox();
    probe_.run_until([&] { return !inbox.empty() || probe_.ended(); }, std::chrono::steady_clock::now() + timeout);
    if (inbox.empty()) return std::nullopt;
    Frame frame;
    frame.binary = inbox.front().frame == PeerFrame::binary;
    frame.bytes = std::move(inbox.front().data);
    inbox.pop_front();
    if (!frame.binary) frame.message = json::parse(frame.bytes, nullptr, false);
    seen_.push_back(frame);
    return frame;
  }

  // Reads until a JSON message of `type`; every frame read is kept in seen().
  std::optional<json> read_until(const std::string& type, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      auto frame = read(left);
      if (!frame) return std::nullopt;
      if (!frame->binary && frame->message.value("type", "") == type) return frame->message;
    }
  }

  // Reads until the connection ends; false if it is still open after `timeout`.
  bool read_to_end(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!probe_.ended() || !probe_.inbox().empty()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      read(left);
    }
    return true;
  }

  // Types of the frames read so far; binary frames show as "<audio>".
  std::vector<std::string> seen_types() const {
    std::vector<std::string> types;
    for (const auto& f : seen_) types.push_back(f.binary ? "<audio>" : f.message.value("type", "?"));
    return types;
  }
  // The same with consecutive audio frames merged, to compare sequences independent of frame sizes.
  std::vector<std::string> seen_shape() const {
    std::vector<std::string> types;
    for (const auto& type : seen_types()) {
      if (type == "<audio>" && !types.empty() && types.back() == "<audio>") continue;
      types.push_back(type);
    }
    return types;
  }
  const std::vector<Frame>& seen() const { return seen_; }
  std::string audio_seen() const {
    std::string audio;
    for (const auto& f : seen_) {
      if (f.binary) audio += f.bytes;
    }
    return audio;
  }
  std::vector<json> seen_of(const std::string& type) const {
    std::vector<json> found;
    for (const auto& f : seen_) {
      if (!f.binary && f.message.value("type", "") == type) found.push_back(f.message);
    }
    return found;
  }
  void forget_seen() { seen_.clear(); }

  bool ended() const { return probe_.ended(); }
  int close_code() const { return probe_.close_code(); }  // 0 when the TCP connection dropped without a close frame

 private:
  void write(std::string data, bool binary) { probe_.send(std::move(data), binary ? PeerFrame::binary : PeerFrame::text); }

  PeerProbe probe_;
  PeerHeaders response_headers_;
  std::vector<Frame> seen_;
};

// The AsyncAPI's required fields of every server message the fake sends (History is either form).
void check_shapes(const std::vector<Frame>& frames) {
  static const std::map<std::string, std::vector<std::string>> k_required = {
      {"Welcome", {"request_id"}},
      {"SettingsApplied", {}},
      {"ConversationText", {"role", "content"}},
      {"UserStartedSpeaking", {}},
      {"AgentThinking", {"content"}},
      {"FunctionCallRequest", {"functions"}},
      {"FunctionCallCancelled", {"functions"}},
      {"FunctionCallResponse", {"name", "content"}},
      {"AgentStartedSpeaking", {"total_latency", "tts_latency", "ttt_latency"}},
      {"AgentAudioDone", {}},
      {"History", {}},
      {"PromptUpdated", {}},
      {"SpeakUpdated", {}},
      {"ThinkUpdated", {}},
      {"ListenUpdated", {}},
      {"InjectionRefused", {"message"}},
      {"Error", {"description", "code"}},
      {"Warning", {"description", "code"}}};
  for (const auto& frame : frames) {
    if (frame.binary) continue;
    const std::string type = frame.message.value("type", "");
    auto known = k_required.find(type);
    CAPTURE(frame.bytes);
    REQUIRE(known != k_required.end());
    for (const auto& key : known->second) CHECK(frame.message.contains(key));
    if (type == "AgentStartedSpeaking") {
      for (const auto& key : known->second) CHECK(frame.message[key].is_number());
    }
    if (type == "ConversationText") CHECK((frame.message["role"] == "user" || frame.message["role"] == "assistant"));
    if (type == "History") {
      CHECK((frame.message.contains("function_calls") ||
             (frame.message["role"].is_string() && frame.message["content"].is_string())));
    }
    if (type == "FunctionCallRequest") {
      for (const auto& function : frame.message["functions"]) {
        CHECK(function["id"].is_string());
        CHECK(function["name"].is_string());
        CHECK(function["arguments"].is_string());
        CHECK(function["client_side"].is_boolean());
      }
    }
    if (type == "FunctionCallCancelled") {
      for (const auto& function : frame.message["functions"]) {
        CHECK(function["id"].is_string());
        CHECK(function["name"].is_string());
      }
    }
  }
}

// The Settings sonoria sends (protocols.md §6.3), greeting optional.
json telephony_settings(std::optional<std::string> greeting = std::nullopt) {
  const json functions = json::array(
      {{{"name", "send_booking_sms"},
        {"description", "Text the caller a booking link."},
        {"parameters",
         {{"type", "object"}, {"properties", {{"service", {{"type", "string"}}}}}, {"required", {"service"}}}}},
       {{"name", "end_call"},
        {"description", "Hang up after saying goodbye."},
        {"parameters", {{"type", "object"}, {"properties", json::object()}}},
        {"defer_until_eot", true}}});
  json agent;
  agent["listen"]["provider"] = {{"type", "deepgram"}, {"version", "v1"}, {"model", "nova-3"}, {"language", "en"}};
  agent["think"] = {{"provider", {{"type", "open_ai"}, {"model", "gpt-4o-mini"}, {"temperature", 0.7}}},
                    {"prompt", "You are the receptionist of Lotus Yoga Studio."},
                    {"functions", functions}};
  agent["speak"]["provider"] = {{"type", "deepgram"}, {"model", "aura-2-thalia-en"}};
  json settings = {{"type", "Settings"},
                   {"audio",
                    {{"input", {{"encoding", "mulaw"}, {"sample_rate", 8000}}},
                     {"output", {{"encoding", "mulaw"}, {"sample_rate", 8000}, {"container", "none"}}}}},
                   {"agent", agent}};
  if (greeting) settings["agent"]["greeting"] = *greeting;
  return settings;
}

// Connects with the fake's key and reads Welcome.
void open_session(DgClient& client, const FakeDeepgramAgent& fake) {
  REQUIRE(client.connect(fake.port(), "/v1/agent/converse", {{"Authorization", "Token " + fake.api_key()}}) == 101);
  auto welcome = client.read();
  REQUIRE(welcome);
  REQUIRE(welcome->message["type"] == "Welcome");
}

// Connects, sends `settings` and reads up to SettingsApplied.
void apply_settings(DgClient& client, const FakeDeepgramAgent& fake, const json& settings = telephony_settings()) {
  open_session(client, fake);
  client.send(settings);
  REQUIRE(client.read_until("SettingsApplied"));
}

// Reads until the connection ends and returns the one Error the fake sent before closing.
json fatal_error(DgClient& client) {
  REQUIRE(client.read_to_end());
  const auto errors = client.seen_of("Error");
  REQUIRE(errors.size() == 1);
  return errors[0];
}

// The type of the next JSON message ("" if none arrives, "<audio>" for a binary frame).
std::string next_type(DgClient& client) {
  auto frame = client.read();
  if (!frame) return "";
  return frame->binary ? "<audio>" : frame->message.value("type", "?");
}

// One caller utterance: `tone_ms` of speech, then `silence_ms` of silence.
std::string utterance(int tone_ms, int silence_ms) { return ulaw_tone(tone_ms) + ulaw_silence(silence_ms); }

}  // namespace

TEST_CASE("deepgram fake: the handshake needs `Authorization: Token <key>` and refusals carry Deepgram's error body") {
  FakeDeepgramAgent fake("dg-right");
  CHECK(fake.url() == "ws://127.0.0.1:" + std::to_string(fake.port()) + "/v1/agent/converse");

  DgClient wrong;
  std::string body;
  CHECK(wrong.connect(fake.port(), "/v1/agent/converse", {{"Authorization", "Token dg-wrong"}}, &body) == 401);
  const json error = json::parse(body, nullptr, false);
  CHECK(error["err_code"] == "INVALID_AUTH");
  CHECK(error["err_msg"].is_string());
  DgClient bearer;
  CHECK(bearer.connect(fake.port(), "/v1/agent/converse", {{"Authorization", "Bearer dg-right"}}) == 401);
  DgClient anonymous;
  CHECK(anonymous.connect(fake.port(), "/v1/agent/converse", {}) == 401);
  DgClient early_access;
  CHECK(early_access.connect(fake.port(), "/agent", {{"Authorization", "Token dg-right"}}) == 404);
  CHECK(fake.refused_upgrades() == 4);
  CHECK(fake.session_count() == 0);

  fake.set_faults({.upgrade_status = 429});
  DgClient busy;
  CHECK(busy.connect(fake.port(), "/v1/agent/converse", {{"Authorization", "Token dg-right"}}, &body) == 429);
  CHECK(json::parse(body, nullptr, false)["err_code"] == "TOO_MANY_REQUESTS");
  fake.set_faults({.upgrade_status = 503});
  DgClient down;
  CHECK(down.connect(fake.port(), "/v1/agent/converse", {{"Authorization", "Token dg-right"}}) == 503);
  CHECK(fake.refused_upgrades() == 6);

  fake.set_faults({});
  DgClient good;
  REQUIRE(good.connect(fake.port(), "/v1/agent/converse", {{"Authorization", "Token dg-right"}}) == 101);
  auto welcome = good.read();
  REQUIRE(welcome);
  CHECK(welcome->message["type"] == "Welcome");
  const std::string request_id = welcome->message["request_id"];
  CHECK(std::regex_match(request_id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));
  CHECK(good.response_header("dg-request-id") == request_id);
  const DeepgramSessionRecord record = fake.session(0);
  CHECK(record.request_id == request_id);
  CHECK(record.authorization == "Token dg-right");
  CHECK(record.target == "/v1/agent/converse");
  CHECK(fake.open_session_count() == 1);
}

TEST_CASE("deepgram fake: Settings must come first, exactly once, in the telephony profile") {
  FakeDeepgramAgent fake;
  DgClient client;
  open_session(client, fake);

  SUBCASE("audio before Settings is fatal") {
    client.send_binary(ulaw_silence(20));
    CHECK(fatal_error(client)["code"] == "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS");
    CHECK(client.close_code() == 1000);
    CHECK(fake.session(0).received_audio == ulaw_silence(20));
  }
  SUBCASE("any other message before Settings is fatal") {
    client.send({{"type", "KeepAlive"}});
    CHECK(fatal_error(client)["code"] == "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS");
  }
  SUBCASE("the early-access SettingsConfiguration is not Settings") {
    json settings = telephony_settings();
    settings["type"] = "SettingsConfiguration";
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS");
  }
  SUBCASE("a second Settings is fatal") {
    client.send(telephony_settings());
    REQUIRE(client.read_until("SettingsApplied"));
    client.send(telephony_settings());
    CHECK(fatal_error(client)["code"] == "SETTINGS_ALREADY_APPLIED");
    CHECK(fake.session(0).client_message_count("Settings") == 2);
  }
  SUBCASE("PCM input (the default when audio.input is left out) is not telephony") {
    json settings = telephony_settings();
    settings["audio"].erase("input");
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "INVALID_SETTINGS");
  }
  SUBCASE("output in a WAV container is not telephony") {
    json settings = telephony_settings();
    settings["audio"]["output"]["container"] = "wav";
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "INVALID_SETTINGS");
  }
  SUBCASE("16 kHz μ-law is not telephony") {
    json settings = telephony_settings();
    settings["audio"]["output"]["sample_rate"] = 16000;
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "INVALID_SETTINGS");
  }
  SUBCASE("think without a prompt is refused") {
    json settings = telephony_settings();
    settings["agent"]["think"].erase("prompt");
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "INVALID_SETTINGS");
  }
  SUBCASE("a missing required field does not match the schema") {
    json settings = telephony_settings();
    settings.erase("agent");
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
  SUBCASE("input without sample_rate does not match the schema") {
    json settings = telephony_settings();
    settings["audio"]["input"].erase("sample_rate");
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
  SUBCASE("an unknown encoding does not match the schema") {
    json settings = telephony_settings();
    settings["audio"]["input"]["encoding"] = "g711_ulaw";
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
  SUBCASE("the early-access speak.model shape does not match the schema") {
    json settings = telephony_settings();
    settings["agent"]["speak"] = {{"model", "aura-asteria-en"}};
    client.send(settings);
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
  SUBCASE("not JSON at all") {
    client.send_text("{\"type\": \"Settings\", oops");
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
    CHECK(fake.session(0).client_messages.at(0)["type"].is_null());
  }
  check_shapes(client.seen());
  CHECK(fake.wait_for([&] { return fake.session(0).closed; }));
  CHECK(fake.session(0).error_codes.size() == 1);
}

TEST_CASE("deepgram fake: SettingsApplied, then the greeting as text, latency, μ-law frames and AgentAudioDone") {
  FakeDeepgramAgent fake;
  fake.set_greeting_pacing({.audio_ms = 600, .chunk_ms = 200});
  DgClient client;
  json settings = telephony_settings("Thanks for calling Lotus Yoga Studio.");
  settings["agent"]["context"] = {
      {"messages",
       {{{"type", "History"}, {"role", "user"}, {"content", "Do you have classes tomorrow?"}},
        {{"role", "assistant"}, {"content", "Yes, at nine."}},
        {{"type", "History"},
         {"function_calls",
          {{{"id", "fc_1"}, {"name", "send_booking_sms"}, {"client_side", true}, {"arguments", "{}"},
            {"response", "{\"sent\":true}"}}}}}}}};
  settings["tags"] = {"sonoria"};
  settings["some_future_field"] = true;  // unknown fields are accepted
  apply_settings(client, fake, settings);
  REQUIRE(client.read_until("AgentAudioDone"));

  const std::vector<std::string> expected = {"Welcome", "SettingsApplied", "ConversationText", "History",
                                             "AgentStartedSpeaking", "<audio>", "AgentAudioDone"};
  CHECK(client.seen_shape() == expected);
  const auto types = client.seen_types();
  CHECK(std::count(types.begin(), types.end(), "<audio>") == 3);
  const json text = client.seen_of("ConversationText").at(0);
  CHECK(text["role"] == "assistant");
  CHECK(text["content"] == "Thanks for calling Lotus Yoga Studio.");
  CHECK(client.audio_seen() == ulaw_tone(600));
  check_shapes(client.seen());

  const DeepgramSessionRecord record = fake.session(0);
  CHECK(record.settings == settings);
  CHECK(record.settings_applied);
  REQUIRE(record.context_messages.size() == 3);
  CHECK(record.context_messages[1]["content"] == "Yes, at nine.");
  REQUIRE(record.agent_turns.size() == 1);
  CHECK(record.agent_turns[0].source == "greeting");
  CHECK(record.agent_turns[0].frames == 3);
  CHECK(record.agent_turns[0].done);
  CHECK(record.agent_turns[0].audio == ulaw_tone(600));
}

TEST_CASE("deepgram fake: the VAD turns caller audio into a user turn, and the scripted reply streams") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(200);
  ScriptedReply reply;
  reply.text = "We have a class at nine.";
  reply.audio_ms = 500;
  reply.chunk_ms = 100;
  fake.push_reply(reply);
  fake.push_caller_transcript("Do you have a class tomorrow morning?");
  DgClient client;
  apply_settings(client, fake);

  const std::string caller = ulaw_silence(300) + utterance(300, 300);
  client.send_audio(caller);
  REQUIRE(client.read_until("AgentAudioDone"));
  const std::vector<std::string> expected = {"Welcome", "SettingsApplied", "UserStartedSpeaking", "ConversationText",
                                             "History", "AgentThinking", "ConversationText", "History",
                                             "AgentStartedSpeaking", "<audio>", "AgentAudioDone"};
  CHECK(client.seen_shape() == expected);
  const auto texts = client.seen_of("ConversationText");
  REQUIRE(texts.size() == 2);
  CHECK(texts[0] == json({{"type", "ConversationText"}, {"role", "user"}, {"content", "Do you have a class tomorrow morning?"}}));
  CHECK(texts[1]["content"] == "We have a class at nine.");
  CHECK(client.seen_of("AgentThinking").at(0)["content"] == "");
  CHECK(client.audio_seen() == ulaw_tone(500));
  check_shapes(client.seen());

  // The next turn falls back to "caller turn N" and the default reply.
  client.forget_seen();
  client.send_audio(utterance(100, 250));
  REQUIRE(client.read_until("AgentAudioDone"));
  CHECK(client.seen_of("ConversationText").at(0)["content"] == "caller turn 2");
  CHECK(client.seen_of("ConversationText").at(1)["content"] == ScriptedReply{}.text);

  const DeepgramSessionRecord record = fake.session(0);
  CHECK(record.received_audio == caller + utterance(100, 250));
  CHECK(record.audio_frames_received == static_cast<int>((caller.size() + 159) / 160 + (utterance(100, 250).size() + 159) / 160));
  REQUIRE(record.agent_turns.size() == 2);
  CHECK(record.agent_turns[0].frames == 5);
  CHECK(record.agent_turns[0].text == "We have a class at nine.");
}

TEST_CASE("deepgram fake: flags.history false silences History") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);
  DgClient client;
  json settings = telephony_settings("Hello.");
  settings["flags"] = {{"history", false}};
  apply_settings(client, fake, settings);
  REQUIRE(client.read_until("AgentAudioDone"));  // the greeting, before the caller speaks over it
  client.send_audio(utterance(100, 150));
  REQUIRE(client.read_until("AgentAudioDone"));
  CHECK(client.seen_of("History").empty());
  CHECK(client.seen_of("ConversationText").size() == 3);
}

TEST_CASE("deepgram fake: caller speech while agent audio is still being sent stops it (barge-in)") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);
  ScriptedReply slow;
  slow.text = "Let me tell you about all of our classes.";
  slow.audio_ms = 3000;
  slow.chunk_ms = 100;
  slow.chunk_interval = 40ms;
  fake.push_reply(slow);
  DgClient client;
  apply_settings(client, fake);

  client.send_audio(utterance(100, 150));
  REQUIRE(client.read_until("AgentStartedSpeaking"));
  REQUIRE(client.read());  // the first audio frame
  client.send_audio(ulaw_tone(100));
  REQUIRE(client.read_until("UserStartedSpeaking"));
  // Nothing more of that reply: a few frames may have been in flight when the caller spoke.
  client.forget_seen();
  while (auto frame = client.read(300ms)) {
    CHECK(frame->binary);
  }
  CHECK(client.seen_of("AgentAudioDone").empty());

  const DeepgramSessionRecord record = fake.session(0);
  REQUIRE(record.agent_turns.size() == 1);
  CHECK(record.agent_turns[0].interrupted);
  CHECK_FALSE(record.agent_turns[0].done);
  CHECK(record.agent_turns[0].frames < 10);
  CHECK(record.agent_turns[0].audio.size() < ulaw_tone(3000).size());
}

TEST_CASE("deepgram fake: a function call waits for its FunctionCallResponse, then the agent goes on by itself") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);
  ScriptedReply reply;
  reply.text = "I've texted you the booking link.";
  reply.audio_ms = 400;
  reply.function_calls = {{"send_booking_sms", "{\"service\":\"yoga\"}", ""}};
  fake.push_reply(reply);
  DgClient client;
  apply_settings(client, fake);

  client.send_audio(utterance(100, 150));
  auto request = client.read_until("FunctionCallRequest");
  REQUIRE(request);
  REQUIRE((*request)["functions"].size() == 1);
  const json call = (*request)["functions"][0];
  CHECK(call["name"] == "send_booking_sms");
  CHECK(call["arguments"] == "{\"service\":\"yoga\"}");
  CHECK(call["client_side"] == true);
  const std::string id = call["id"];
  CHECK(id.rfind("fc_", 0) == 0);

  // An unknown id is a Warning (non-fatal); nothing is said until the right id arrives.
  client.send({{"type", "FunctionCallResponse"}, {"id", "fc_nope"}, {"name", "send_booking_sms"}, {"content", "{}"}});
  auto warning = client.read_until("Warning");
  REQUIRE(warning);
  CHECK((*warning)["code"] == "FUNCTION_CALL_FAILED");
  CHECK_FALSE(client.read(200ms));

  client.send({{"type", "FunctionCallResponse"}, {"id", id}, {"name", "send_booking_sms"},
               {"content", "{\"sent\":true}"}});
  REQUIRE(client.read_until("AgentAudioDone"));
  const std::vector<std::string> tail = {"History", "ConversationText", "History", "AgentStartedSpeaking", "<audio>",
                                         "AgentAudioDone"};
  auto shape = client.seen_shape();
  REQUIRE(shape.size() >= tail.size());
  CHECK(std::vector<std::string>(shape.end() - static_cast<std::ptrdiff_t>(tail.size()), shape.end()) == tail);
  const json history = client.seen_of("History").back();
  CHECK(client.seen_of("History").at(1)["function_calls"][0] ==
        json({{"id", id}, {"name", "send_booking_sms"}, {"client_side", true}, {"arguments", "{\"service\":\"yoga\"}"},
              {"response", "{\"sent\":true}"}}));
  CHECK(history["content"] == "I've texted you the booking link.");
  check_shapes(client.seen());

  const DeepgramSessionRecord record = fake.session(0);
  REQUIRE(record.function_responses.size() == 2);
  CHECK_FALSE(record.function_responses[0].matched);
  CHECK(record.function_responses[1].matched);
  CHECK(record.function_responses[1].content == "{\"sent\":true}");
  CHECK(record.warning_codes == std::vector<std::string>{"FUNCTION_CALL_FAILED"});
}

TEST_CASE("deepgram fake: caller speech cancels an outstanding function call, and a late response is dropped") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);
  ScriptedReply reply;
  reply.function_calls = {{"end_call", "{}", "fc_fixed-1"}};
  fake.push_reply(reply);
  DgClient client;
  apply_settings(client, fake);

  client.send_audio(utterance(100, 150));
  auto request = client.read_until("FunctionCallRequest");
  REQUIRE(request);
  CHECK((*request)["functions"][0]["id"] == "fc_fixed-1");
  client.send_audio(ulaw_tone(100));
  REQUIRE(client.read_until("UserStartedSpeaking"));
  auto cancelled = client.read_until("FunctionCallCancelled");
  REQUIRE(cancelled);
  CHECK((*cancelled)["functions"] == json::array({{{"id", "fc_fixed-1"}, {"name", "end_call"}}}));

  client.send({{"type", "FunctionCallResponse"}, {"id", "fc_fixed-1"}, {"name", "end_call"}, {"content", "{}"}});
  CHECK_FALSE(client.read(300ms));  // no Warning, no speech
  CHECK(fake.session(0).function_responses.size() == 1);
  CHECK(fake.session(0).warning_codes.empty());
  check_shapes(client.seen());
}

TEST_CASE("deepgram fake: a scripted call to an undeclared function is NON_EXISTENT_FUNCTION_CALLED") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);
  ScriptedReply reply;
  reply.function_calls = {{"transfer_call", "{}", ""}};
  fake.push_reply(reply);
  DgClient client;
  apply_settings(client, fake);
  client.send_audio(utterance(100, 150));
  CHECK(fatal_error(client)["code"] == "NON_EXISTENT_FUNCTION_CALLED");
}

TEST_CASE("deepgram fake: updates are acknowledged, KeepAlive is not, ForceEndTurn needs Flux") {
  FakeDeepgramAgent fake;
  DgClient client;
  apply_settings(client, fake);

  client.send({{"type", "KeepAlive"}});
  client.send({{"type", "UpdatePrompt"}, {"prompt", "The caller is member #123."}});
  CHECK(next_type(client) == "PromptUpdated");  // nothing came for the KeepAlive
  client.send({{"type", "UpdateSpeak"}, {"speak", {{"provider", {{"type", "deepgram"}, {"model", "aura-2-asteria-en"}}}}}});
  CHECK(next_type(client) == "SpeakUpdated");
  client.send({{"type", "UpdateThink"},
               {"think", json::array({{{"provider", {{"type", "open_ai"}, {"model", "gpt-4o"}}}, {"prompt", "New."}}})}});
  CHECK(next_type(client) == "ThinkUpdated");
  client.send({{"type", "UpdateListen"},
               {"listen", {{"provider", {{"type", "deepgram"}, {"version", "v2"}, {"model", "flux-general-en"},
                                         {"eot_threshold", 0.8}}}}}});
  CHECK(next_type(client) == "ListenUpdated");
  client.send({{"type", "ForceEndTurn"}});
  auto warning = client.read();
  REQUIRE(warning);
  CHECK(warning->message["type"] == "Warning");
  CHECK(warning->message["code"] == "FORCE_END_TURN_UNSUPPORTED");
  client.send({{"type", "KeepAlive"}});
  CHECK_FALSE(client.read(200ms));
  check_shapes(client.seen());

  const DeepgramSessionRecord record = fake.session(0);
  CHECK(record.keepalives == 2);
  CHECK(record.client_message_count("UpdatePrompt") == 1);
  CHECK(record.client_messages.back()["type"] == "KeepAlive");
  CHECK_FALSE(record.closed);

  SUBCASE("an update missing its field does not match the schema") {
    client.send({{"type", "UpdatePrompt"}, {"instructions", "early-access name"}});
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
  SUBCASE("an unknown type does not match the schema") {
    client.send({{"type", "UpdateInstructions"}, {"instructions", "early-access name"}});
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
}

TEST_CASE("deepgram fake: InjectAgentMessage speaks when nobody is mid-turn and is refused otherwise") {
  FakeDeepgramAgent fake;
  fake.set_greeting_pacing({.audio_ms = 2000, .chunk_ms = 100, .chunk_interval = 30ms});
  DgClient client;
  apply_settings(client, fake, telephony_settings("Welcome to Lotus Yoga, let me tell you about us."));
  REQUIRE(client.read_until("AgentStartedSpeaking"));

  client.send({{"type", "InjectAgentMessage"}, {"message", "One moment please."}});
  auto refused = client.read_until("InjectionRefused");
  REQUIRE(refused);
  CHECK(refused->at("message").is_string());
  REQUIRE(client.read_until("AgentAudioDone", 5s));

  client.forget_seen();
  client.send({{"type", "InjectAgentMessage"}, {"message", "One moment please."}});
  REQUIRE(client.read_until("AgentAudioDone"));
  const std::vector<std::string> expected = {"ConversationText", "History", "AgentStartedSpeaking", "<audio>",
                                             "AgentAudioDone"};
  CHECK(client.seen_shape() == expected);
  CHECK(client.seen_of("ConversationText")[0]["role"] == "assistant");
  CHECK(client.seen_of("ConversationText")[0]["content"] == "One moment please.");
  CHECK(client.audio_seen() == ulaw_tone(3 * 60));  // ~60 ms per word
  check_shapes(client.seen());

  const DeepgramSessionRecord record = fake.session(0);
  CHECK(record.injected_agent_messages == std::vector<std::string>{"One moment please.", "One moment please."});
  REQUIRE(record.agent_turns.size() == 2);
  CHECK(record.agent_turns[1].source == "inject");

  SUBCASE("the v3→v4 migration guide's `content` is not the V1 field") {
    client.send({{"type", "InjectAgentMessage"}, {"content", "One moment please."}});
    CHECK(fatal_error(client)["code"] == "UNPARSABLE_CLIENT_MESSAGE");
  }
}

TEST_CASE("deepgram fake: InjectUserMessage is a completed user turn") {
  FakeDeepgramAgent fake;
  ScriptedReply reply;
  reply.text = "Sure, nine o'clock works.";
  fake.push_reply(reply);
  DgClient client;
  apply_settings(client, fake);
  client.send({{"type", "InjectUserMessage"}, {"content", "Book me for nine."}});
  REQUIRE(client.read_until("AgentAudioDone"));
  const auto texts = client.seen_of("ConversationText");
  REQUIRE(texts.size() == 2);
  CHECK(texts[0]["role"] == "user");
  CHECK(texts[0]["content"] == "Book me for nine.");
  CHECK(texts[1]["content"] == "Sure, nine o'clock works.");
  CHECK(client.seen_of("UserStartedSpeaking").empty());
  CHECK(fake.session(0).injected_user_messages == std::vector<std::string>{"Book me for nine."});
}

TEST_CASE("deepgram fake: no client message within the timeout is CLIENT_MESSAGE_TIMEOUT") {
  FakeDeepgramAgent fake;
  fake.set_client_timeout(300ms);
  DgClient client;
  apply_settings(client, fake);
  // Audio and KeepAlive both count as client messages.
  for (int i = 0; i < 3; ++i) {
    std::this_thread::sleep_for(150ms);
    if (i % 2 == 0) client.send_binary(ulaw_silence(20));
    else client.send({{"type", "KeepAlive"}});
  }
  CHECK_FALSE(fake.session(0).closed);
  const auto quiet_from = std::chrono::steady_clock::now();
  CHECK(fatal_error(client)["code"] == "CLIENT_MESSAGE_TIMEOUT");
  CHECK(std::chrono::steady_clock::now() - quiet_from >= 250ms);
  CHECK(fake.wait_for([&] { return fake.session(0).closed; }));
}

TEST_CASE("deepgram fake: injected faults") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);

  SUBCASE("an Error right after SettingsApplied, then close") {
    fake.set_faults({.error_after_settings = "FAILED_TO_START_LISTENING"});
    DgClient client;
    apply_settings(client, fake);
    CHECK(fatal_error(client)["code"] == "FAILED_TO_START_LISTENING");
    CHECK(client.close_code() == 1000);
  }
  SUBCASE("an abrupt drop after N agent audio frames") {
    fake.set_faults({.close_after_audio_frames = 2});
    DgClient client;
    apply_settings(client, fake, telephony_settings("Hello and welcome to the studio."));
    REQUIRE(client.read_to_end());
    CHECK(client.close_code() == 0);
    CHECK(fake.wait_for([&] { return fake.session(0).closed; }));
    CHECK(fake.session(0).agent_turns.at(0).frames == 2);
    CHECK(fake.session(0).close_code == 0);
  }
  SUBCASE("a 1011 close after N agent audio frames") {
    fake.set_faults({.close_after_audio_frames = 1, .close_abruptly = false});
    DgClient client;
    apply_settings(client, fake, telephony_settings("Hello."));
    REQUIRE(client.read_to_end());
    CHECK(client.close_code() == 1011);
  }
  SUBCASE("the two-hour limit: a Warning, then an Error and close") {
    fake.set_faults({.session_limit_after = 200ms, .session_limit_grace = 100ms});
    DgClient client;
    apply_settings(client, fake);
    auto warning = client.read_until("Warning");
    REQUIRE(warning);
    CHECK((*warning)["code"] == "MAXIMUM_SESSION_LENGTH_APPROACHING");
    client.send({{"type", "KeepAlive"}});  // does not extend the session
    CHECK(fatal_error(client)["code"] == "MAXIMUM_SESSION_LENGTH_REACHED");
  }
  SUBCASE("a scripted think failure: a Warning code keeps the session, an Error code ends it") {
    ScriptedReply warned;
    warned.fail_code = "THINK_REQUEST_FAILED";
    ScriptedReply failed;
    failed.fail_code = "FAILED_TO_THINK";
    fake.push_reply(warned);
    fake.push_reply(failed);
    DgClient client;
    apply_settings(client, fake);
    client.send_audio(utterance(100, 150));
    auto warning = client.read_until("Warning");
    REQUIRE(warning);
    CHECK((*warning)["code"] == "THINK_REQUEST_FAILED");
    client.send_audio(utterance(100, 150));
    CHECK(fatal_error(client)["code"] == "FAILED_TO_THINK");
    CHECK(client.seen_of("AgentStartedSpeaking").empty());
  }
  SUBCASE("raw frames and test-driven closes") {
    DgClient client;
    apply_settings(client, fake);
    fake.inject_raw(0, "{\"type\":\"SomethingNew\",\"x\":1}");
    auto raw = client.read();
    REQUIRE(raw);
    CHECK(raw->message["type"] == "SomethingNew");
    fake.close_session(0, false, 1001);
    REQUIRE(client.read_to_end());
    CHECK(client.close_code() == 1001);
    CHECK(fake.wait_for([&] { return fake.session(0).closed && fake.session(0).close_code == 1001; }));
    CHECK(fake.open_session_count() == 0);
  }
}

TEST_CASE("deepgram fake: concurrent sessions keep their own audio, replies and records") {
  FakeDeepgramAgent fake;
  fake.set_silence_duration(100);
  ScriptedReply first;
  first.text = "first";
  ScriptedReply second;
  second.text = "second";
  fake.push_reply(first);
  fake.push_reply(second);
  DgClient a;
  DgClient b;
  apply_settings(a, fake);
  apply_settings(b, fake);
  a.send_audio(utterance(100, 150));
  REQUIRE(a.read_until("AgentAudioDone"));
  b.send_audio(utterance(200, 150));
  REQUIRE(b.read_until("AgentAudioDone"));
  CHECK(a.seen_of("ConversationText").back()["content"] == "first");
  CHECK(b.seen_of("ConversationText").back()["content"] == "second");
  CHECK(fake.session(0).received_audio == utterance(100, 150));
  CHECK(fake.session(1).received_audio == utterance(200, 150));
  CHECK(fake.session(0).request_id != fake.session(1).request_id);
  CHECK(fake.wait_for_server_message(1, "AgentAudioDone"));
  CHECK(fake.sessions().size() == 2);
  CHECK(fake.pending_replies() == 0);
}
