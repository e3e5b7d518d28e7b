// Self-test of the fake Ultravox (tests/fakes/fake_ultravox.hpp) against protocols.md §7.8, driven
// by plain clients: HTTP for call creation, a WebSocket for the joined call. A fake that
// drifts from the protocol fails here before it misleads the daemon's integration tests.

#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <functional>
#include <numbers>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/fake_ultravox.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/fakes/peer_probe.hpp"

using nlohmann::json;
using namespace sonoria::fakes;
using namespace std::chrono_literals;

namespace {

// `ms` of s16le mono at `rate`: a 300 Hz tone well above the fake's VAD threshold, or silence.
std::string pcm(int ms, int rate, bool tone) {
  std::string out;
  const int samples = ms * rate / 1000;
  for (int i = 0; i < samples; ++i) {
    const double value = tone ? 6000.0 * std::sin(2.0 * std::numbers::pi * 300.0 * i / rate) : 0.0;
    const auto sample = static_cast<std::uint16_t>(static_cast<std::int16_t>(std::lround(value)));
    out.push_back(static_cast<char>(sample & 0xFF));
    out.push_back(static_cast<char>(sample >> 8));
  }
  return out;
}

json ws_medium(int input_rate = 8000, json extra = json::object()) {
  json ws = {{"inputSampleRate", input_rate}};
  ws.update(extra);
  return {{"serverWebSocket", ws}};
}

json client_tool(const std::string& name) {
  return {{"temporaryTool",
           {{"modelToolName", name},
            {"description", "Text the caller a booking link."},
            {"dynamicParameters",
             json::array({{{"name", "service"},
                           {"location", "PARAMETER_LOCATION_BODY"},
                           {"schema", {{"type", "string"}}},
                           {"required", true}}})},
            {"client", json::object()}}}};
}

HttpReply post_call(const FakeUltravox& fake, const json& body, const std::string& key, const std::string& query = "") {
  HttpCall call;
  call.method = "POST";
  call.url = fake.base_url() + "/api/calls" + query;
  call.headers = {{"Content-Type", "application/json"}};
  if (!key.empty()) call.headers.emplace_back("X-API-Key", key);
  call.body = body.dump();
  return http_exchange(call);
}

// Creates a call that must succeed and returns its Call object.
json create(const FakeUltravox& fake, const json& body) {
  HttpReply reply = post_call(fake, body, fake.api_key());
  INFO(reply.body);
  REQUIRE(reply.status == 201);
  return json::parse(reply.body);
}

// A WebSocket client whose every step has a deadline, so a misbehaving fake fails a test instead
// of hanging it. Frames are taken as they arrive, while the client waits: binary frames are
// counted, data messages queued for next() and kept in seen().
class UvClient {
 public:
  // Joins `join_url` (ws://127.0.0.1:<port>/…) with `suffix` appended; returns the upgrade status.
  int join(const std::string& join_url, const std::string& suffix = "?apiVersion=1") {
    const std::string rest = join_url.substr(std::string("ws://").size());
    const auto slash = rest.find('/');
    const std::string host = rest.substr(0, slash);
    const auto port = static_cast<unsigned short>(std::stoi(host.substr(host.find(':') + 1)));
    return probe_.connect(port, host, rest.substr(slash) + suffix, {}).status;
  }

  void send(const json& message) { write(message.dump(), false); }
  void send_text(const std::string& text) { write(text, false); }
  void send_binary(const std::string& bytes) { write(bytes, true); }

  // Sends `ms` of audio in 20 ms frames, as a real bridge does.
  void send_audio(int ms, int rate, bool tone) {
    const std::string all = pcm(ms, rate, tone);
    const std::size_t frame = static_cast<std::size_t>(rate / 50) * 2;
    for (std::size_t at = 0; at < all.size(); at += frame) send_binary(all.substr(at, frame));
  }

  // The next data message; nullopt on timeout or close.
  std::optional<json> next(std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    pump_until([&] { return !inbox_.empty() || probe_.ended(); }, deadline);
    if (inbox_.empty()) return std::nullopt;
    json message = std::move(inbox_.front());
    inbox_.pop_front();
    return message;
  }

  // Reads until a data message of `type` (whose fields include `match`) arrives.
  std::optional<json> until(const std::string& type, const json& match = json::object(),
                            std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto message = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!message) return std::nullopt;
      if (!message->is_object() || message->value("type", "") != type) continue;
      bool matches = true;
      for (const auto& [key, value] : match.items()) matches = matches && message->contains(key) && (*message)[key] == value;
      if (matches) return message;
    }
    return std::nullopt;
  }

  // True when no frame at all (message or audio) arrives within `quiet` and the socket stays open.
  bool silent_for(std::chrono::milliseconds quiet) {
    const std::size_t before = frames_;
    pump_until([&] { return frames_ != before || probe_.ended(); }, std::chrono::steady_clock::now() + quiet);
    return frames_ == before && !probe_.ended();
  }

  // Waits for the server to close; returns the close code (0 for a TCP drop), nullopt if still open.
  std::optional<int> wait_closed(std::chrono::milliseconds timeout = 3s) {
    pump_until([&] { return probe_.ended(); }, std::chrono::steady_clock::now() + timeout);
    if (!probe_.ended()) return std::nullopt;
    return probe_.close_code();
  }

  void close(int code = 1000) {
    probe_.close(code);
    pump_until([&] { return probe_.ended(); }, std::chrono::steady_clock::now() + 1s);
  }

  std::int64_t audio_bytes() const { return audio_bytes_; }
  int audio_frames() const { return audio_frames_; }
  const std::vector<std::string>& kinds() const { return kinds_; }

  std::vector<json> seen_of(const std::string& type) const {
    std::vector<json> out;
    for (const auto& m : seen_) {
      if (m.is_object() && m.value("type", "") == type) out.push_back(m);
    }
    return out;
  }

  void reset_counts() {
    audio_bytes_ = 0;
    audio_frames_ = 0;
    kinds_.clear();
    seen_.clear();
  }

 private:
  // Takes what arrived: audio is counted, data messages queued and kept.
  void take_arrivals() {
    auto& arrived = probe_.inbox();
    for (; !arrived.empty(); arrived.pop_front()) {
      ++frames_;
      if (arrived.front().frame == PeerFrame::binary) {
        audio_bytes_ += static_cast<std::int64_t>(arrived.front().data.size());
        ++audio_frames_;
        kinds_.push_back("<audio>");
      } else {
        json message = json::parse(arrived.front().data, nullptr, false);
        kinds_.push_back(message.is_object() ? message.value("type", "?") : "<text>");
        seen_.push_back(message);
        inbox_.push_back(std::move(message));
      }
    }
  }

  // Runs the client's I/O until `done` or the deadline.
  void pump_until(const std::function<bool()>& done, std::chrono::steady_clock::time_point deadline) {
    probe_.run_until(
        [&] {
          take_arrivals();
          return done();
        },
        deadline);
  }

  void write(std::string data, bool binary) {
    probe_.send(std::move(data), binary ? PeerFrame::binary : PeerFrame::text);
    take_arrivals();  // what came while sending
  }

  PeerProbe probe_;
  std::deque<json> inbox_;
  std::vector<json> seen_;
  std::vector<std::string> kinds_;
  std::size_t frames_ = 0;
  std::int64_t audio_bytes_ = 0;
  int audio_frames_ = 0;
};

// Agent transcript deltas of `ordinal`, concatenated.
std::string deltas_of(const UvClient& client, int ordinal) {
  std::string text;
  for (const auto& m : client.seen_of("transcript")) {
    if (m.value("role", "") == "agent" && m.value("ordinal", -1) == ordinal && m.contains("delta")) {
      text += m["delta"].get<std::string>();
    }
  }
  return text;
}

}  // namespace

TEST_CASE("fake Ultravox: call creation checks the key and the body (checklist 1)") {
  FakeUltravox fake;
  const json body = {{"systemPrompt", "You are a test receptionist."},
                     {"voice", "Mark"},
                     {"medium", ws_medium(8000, {{"outputSampleRate", 8000}, {"clientBufferSizeMs", 30000}})},
                     {"firstSpeakerSettings", {{"agent", {{"text", "Hi!"}}}}},
                     {"selectedTools", json::array({client_tool("send_booking_sms"), {{"toolName", "hangUp"}}})},
                     {"metadata", {{"org", "42"}}}};

  SUBCASE("201 with a Call object and a ws:// joinUrl; the request is recorded without the key") {
    HttpReply reply = post_call(fake, body, fake.api_key());
    REQUIRE(reply.status == 201);
    const json call = json::parse(reply.body);
    const std::string id = call["callId"];
    CHECK(id.size() == 36);
    CHECK(call["joinUrl"] == "ws://127.0.0.1:" + std::to_string(fake.port()) + "/calls/" + id + "/join");
    CHECK(call["model"] == "ultravox-v0.7");
    CHECK(call["maxDuration"] == "3600s");
    CHECK(call["joinTimeout"] == "30s");
    CHECK(call["voice"] == "Mark");
    CHECK(call["systemPrompt"] == "You are a test receptionist.");
    CHECK(call["medium"] == body["medium"]);
    CHECK(call["firstSpeaker"] == "FIRST_SPEAKER_AGENT");
    CHECK(call["firstSpeakerSettings"] == body["firstSpeakerSettings"]);
    CHECK(call["joined"].is_null());
    CHECK(call["endReason"].is_null());
    CHECK(call["created"].get<std::string>().back() == 'Z');

    REQUIRE(fake.call_count() == 1);
    const UltravoxCallRecord record = fake.call(0);
    CHECK(record.call_id == id);
    CHECK(record.request == body);
    CHECK(record.input_sample_rate == 8000);
    CHECK(record.output_sample_rate == 8000);
    bool key_redacted = false;
    for (const auto& [name, value] : record.request_headers) {
      if (name == "X-API-Key") key_redacted = value == "<redacted>";
    }
    CHECK(key_redacted);
    REQUIRE(fake.rest_requests().size() == 1);
    CHECK(fake.rest_requests()[0].api_key_matched);

    HttpCall get;
    get.url = fake.base_url() + "/api/calls/" + id;
    get.headers = {{"X-API-Key", fake.api_key()}};
    HttpReply fetched = http_exchange(get);
    CHECK(fetched.status == 200);
    CHECK(json::parse(fetched.body)["callId"] == id);
  }

  SUBCASE("401 for a wrong or missing key") {
    for (const std::string key : {"wrong-key", ""}) {
      HttpReply reply = post_call(fake, body, key);
      CHECK(reply.status == 401);
      CHECK(json::parse(reply.body) == json{{"detail", "Invalid API key."}});
    }
    CHECK(fake.call_count() == 0);
    CHECK_FALSE(fake.rest_requests()[0].api_key_matched);
    CHECK_FALSE(fake.rest_requests()[1].api_key_present);
  }

  SUBCASE("400 naming the field for invalid bodies") {
    struct Bad {
      const char* what;
      json body;
      std::string field;   // must appear in the error body
    };
    json tool_with_query = client_tool("lookup");
    tool_with_query["temporaryTool"]["dynamicParameters"][0]["location"] = "PARAMETER_LOCATION_QUERY";
    json two_implementations = client_tool("lookup");
    two_implementations["temporaryTool"]["http"] = {{"baseUrlPattern", "https://example.com/x"}, {"httpMethod", "POST"}};
    const std::vector<Bad> cases = {
        {"missing inputSampleRate", {{"medium", {{"serverWebSocket", {{"outputSampleRate", 8000}}}}}}, "inputSampleRate"},
        {"unknown top-level field", {{"medium", ws_medium()}, {"bogusField", 1}}, "bogusField"},
        {"unknown serverWebSocket field", {{"medium", ws_medium(8000, {{"sampleRate", 8000}})}}, "sampleRate"},
        {"two media", {{"medium", {{"serverWebSocket", {{"inputSampleRate", 8000}}}, {"twilio", json::object()}}}}, "medium"},
        {"bad tool name", {{"medium", ws_medium()}, {"selectedTools", json::array({client_tool("send sms!")})}}, "modelToolName"},
        {"client tool with a query parameter", {{"medium", ws_medium()}, {"selectedTools", json::array({tool_with_query})}}, "location"},
        {"two implementations", {{"medium", ws_medium()}, {"selectedTools", json::array({two_implementations})}}, "temporaryTool"},
        {"duplicate tool names",
         {{"medium", ws_medium()}, {"selectedTools", json::array({client_tool("a"), client_tool("a")})}}, "selectedTools"},
        {"both first speakers",
         {{"medium", ws_medium()}, {"firstSpeakerSettings", {{"agent", json::object()}, {"user", json::object()}}}},
         "firstSpeakerSettings"},
        {"initialMessages role",
         {{"medium", ws_medium()}, {"initialMessages", json::array({{{"role", "user"}, {"text", "hi"}}})}}, "role"},
        {"maxDuration format", {{"medium", ws_medium()}, {"maxDuration", "1h"}}, "maxDuration"},
        {"temperature range", {{"medium", ws_medium()}, {"temperature", 1.5}}, "temperature"},
    };
    for (const auto& bad : cases) {
      INFO(bad.what);
      HttpReply reply = post_call(fake, bad.body, fake.api_key());
      CHECK(reply.status == 400);
      CHECK(reply.body.find(bad.field) != std::string::npos);
      CHECK(json::parse(reply.body, nullptr, false).is_object());
    }
    CHECK(fake.call_count() == 0);
    const json missing = json::parse(post_call(fake, cases[0].body, fake.api_key()).body);
    CHECK(missing["medium"]["serverWebSocket"]["inputSampleRate"] == json::array({"This field is required."}));
  }

  SUBCASE("priorCallId inherits the prior call's properties and is recorded") {
    const json first = create(fake, body);
    const std::string prior = first["callId"];
    HttpReply reply = post_call(fake, {{"systemPrompt", "Second call."}}, fake.api_key(), "?priorCallId=" + prior);
    REQUIRE(reply.status == 201);
    const json second = json::parse(reply.body);
    CHECK(second["medium"] == body["medium"]);
    CHECK(second["systemPrompt"] == "Second call.");
    CHECK(fake.call(1).prior_call_id == prior);
    CHECK(fake.call(1).input_sample_rate == 8000);
    CHECK(post_call(fake, {{"initialMessages", json::array()}}, fake.api_key(), "?priorCallId=" + prior).status == 400);
    CHECK(post_call(fake, json::object(), fake.api_key(), "?priorCallId=00000000-0000-4000-8000-000000000000").status == 404);
  }

  SUBCASE("faults: a refused sample rate, and a status for every create") {
    UltravoxFaults faults;
    faults.refuse_sample_rate = 8000;
    fake.set_faults(faults);
    HttpReply refused = post_call(fake, body, fake.api_key());
    CHECK(refused.status == 400);
    CHECK(json::parse(refused.body)["medium"]["serverWebSocket"].contains("inputSampleRate"));
    json upsampled = body;
    upsampled["medium"] = ws_medium(16000, {{"outputSampleRate", 24000}});
    CHECK(post_call(fake, upsampled, fake.api_key()).status == 201);

    faults = {};
    faults.create_status = 429;
    fake.set_faults(faults);
    HttpReply throttled = post_call(fake, body, fake.api_key());
    CHECK(throttled.status == 429);
    CHECK(json::parse(throttled.body).contains("detail"));
    CHECK(fake.call_count() == 1);
  }
}

TEST_CASE("fake Ultravox: join, greeting and a voice turn (checklist 2)") {
  FakeUltravox fake;
  fake.set_silence_duration(200ms);
  ScriptedReply reply;
  reply.text = "Sure, I can book that for you today.";
  reply.audio_ms = 300;
  reply.chunk_ms = 100;
  fake.set_default_reply(reply);
  fake.push_caller_transcript("I'd like a yoga class.");
  const json call = create(fake, {{"medium", ws_medium(8000, {{"outputSampleRate", 16000}})},
                                  {"firstSpeakerSettings", {{"agent", {{"text", "Hi from the fake."}}}}}});

  UvClient stranger;
  CHECK(stranger.join("ws://127.0.0.1:" + std::to_string(fake.port()) + "/calls/nope/join") == 404);

  UvClient client;
  REQUIRE(client.join(call["joinUrl"]) == 101);
  auto started = client.next();
  REQUIRE(started);
  CHECK(*started == json{{"type", "call_started"}, {"callId", call["callId"]}});
  auto state = client.next();
  REQUIRE(state);
  CHECK(*state == json{{"type", "state"}, {"state", "listening"}});

  // The greeting: thinking, speaking, deltas with audio, the final transcript, listening.
  REQUIRE(client.until("transcript", {{"role", "agent"}, {"final", true}}));
  auto greeting = client.seen_of("transcript").back();
  CHECK(greeting["text"] == "Hi from the fake.");
  CHECK(greeting["medium"] == "voice");
  CHECK(deltas_of(client, greeting["ordinal"]) == "Hi from the fake.");
  REQUIRE(client.until("state", {{"state", "listening"}}));
  CHECK(client.audio_bytes() == 300 * 16 * 2);  // reply timing at outputSampleRate 16 kHz

  UvClient second;
  CHECK(second.join(call["joinUrl"]) == 409);

  // The caller speaks 300 ms, then is silent: a user turn, then the scripted reply.
  client.reset_counts();
  client.send_audio(300, 8000, true);
  client.send_audio(300, 8000, false);
  auto user = client.until("transcript", {{"role", "user"}});
  REQUIRE(user);
  CHECK(*user == json{{"type", "transcript"}, {"role", "user"}, {"medium", "voice"}, {"text", "I'd like a yoga class."},
                      {"final", true}, {"ordinal", 1}});
  REQUIRE(client.until("state", {{"state", "listening"}}));
  const std::vector<std::string> expected_head = {"transcript", "state", "state", "transcript", "<audio>"};
  REQUIRE(client.kinds().size() > expected_head.size());
  CHECK(std::vector<std::string>(client.kinds().begin(), client.kinds().begin() + 5) == expected_head);
  CHECK(client.seen_of("state")[0]["state"] == "thinking");
  CHECK(client.seen_of("state")[1]["state"] == "speaking");
  CHECK(client.kinds()[client.kinds().size() - 2] == "transcript");  // the final transcript, after the last audio
  CHECK(deltas_of(client, 2) == reply.text);
  CHECK(client.audio_bytes() == 300 * 16 * 2);

  client.close(1000);
  REQUIRE(fake.wait_for([&] { return fake.call(0).closed; }));
  const UltravoxCallRecord record = fake.call(0);
  CHECK(record.joined);
  CHECK(record.join_target.find("?apiVersion=1") != std::string::npos);
  CHECK(record.received_pcm.size() == 600 * 8 * 2);
  CHECK(record.client_audio_frames == 30);
  REQUIRE(record.agent_turns.size() == 2);
  CHECK(record.agent_turns[0].origin == "greeting");
  CHECK(record.agent_turns[1].spoken == reply.text);
  CHECK(record.agent_turns[1].audio_bytes == 300 * 16 * 2);
  CHECK(record.server_audio_frames == 6);
  CHECK(record.violations.empty());
  CHECK(record.close_code == 1000);
  CHECK(record.end_reason == "hangup");
  CHECK(record.call["endReason"] == "hangup");
  CHECK(fake.refused_joins() == 2);
  CHECK(fake.open_session_count() == 0);
}

TEST_CASE("fake Ultravox: client tools freeze the call until their result (checklist 3)") {
  FakeUltravox fake;
  const json call = create(fake, {{"medium", ws_medium()},
                                  {"firstSpeakerSettings", {{"user", json::object()}}},
                                  {"selectedTools", json::array({client_tool("send_booking_sms"), {{"toolName", "hangUp"}}})}});
  UvClient client;
  REQUIRE(client.join(call["joinUrl"]) == 101);
  REQUIRE(client.until("state", {{"state", "listening"}}));

  ScriptedReply booking;
  booking.text = "Done, I sent it.";
  booking.audio_ms = 100;
  booking.function_calls = {{"send_booking_sms", R"({"service":"yoga"})", "inv_7"}};
  fake.push_reply(booking);
  client.send({{"type", "user_text_message"}, {"text", "Text me the link."}});
  auto user = client.until("transcript", {{"role", "user"}});
  REQUIRE(user);
  CHECK((*user)["medium"] == "text");
  auto invocation = client.until("client_tool_invocation");
  REQUIRE(invocation);
  CHECK(*invocation == json{{"type", "client_tool_invocation"}, {"toolName", "send_booking_sms"},
                            {"invocationId", "inv_7"}, {"parameters", {{"service", "yoga"}}}});

  // Frozen: nothing until the right result; a malformed or foreign result does not unfreeze it.
  CHECK(client.silent_for(300ms));
  client.send({{"type", "client_tool_result"}, {"invocationId", "inv_7"}, {"result", "{}"}, {"errorType", "undefined"}});
  client.send({{"type", "client_tool_result"}, {"invocationId", "inv_99"}, {"result", "{}"}});
  CHECK(client.silent_for(300ms));
  client.send({{"type", "client_tool_result"}, {"invocationId", "inv_7"}, {"result", R"({"sent":true})"}});
  auto said = client.until("transcript", {{"role", "agent"}, {"final", true}});
  REQUIRE(said);
  CHECK((*said)["text"] == "Done, I sent it.");
  REQUIRE(client.until("state", {{"state", "listening"}}));

  // new-stage: the stage is recorded and the reply goes on.
  ScriptedReply staged = booking;
  staged.text = "Let me move you on.";
  staged.function_calls = {{"send_booking_sms", R"({"service":"pilates"})", ""}};
  fake.push_reply(staged);
  client.send({{"type", "user_text_message"}, {"text", "Reschedule please."}, {"urgency", "immediate"}});
  invocation = client.until("client_tool_invocation");
  REQUIRE(invocation);
  const json stage = {{"systemPrompt", "You are now the rescheduling assistant."}, {"voice", "Jessica"}};
  client.send({{"type", "client_tool_result"}, {"invocationId", (*invocation)["invocationId"]},
               {"result", stage.dump()}, {"responseType", "new-stage"}});
  said = client.until("transcript", {{"role", "agent"}, {"final", true}});
  REQUIRE(said);
  CHECK((*said)["text"] == "Let me move you on.");

  // hang-up: the agent says its text, then the call ends with 1000.
  ScriptedReply goodbye = booking;
  goodbye.text = "Goodbye!";
  goodbye.function_calls = {{"send_booking_sms", "{}", ""}};
  fake.push_reply(goodbye);
  client.send({{"type", "user_text_message"}, {"text", "That's all."}});
  invocation = client.until("client_tool_invocation");
  REQUIRE(invocation);
  client.send({{"type", "client_tool_result"}, {"invocationId", (*invocation)["invocationId"]},
               {"result", "ok"}, {"responseType", "hang-up"}});
  said = client.until("transcript", {{"role", "agent"}, {"final", true}});
  REQUIRE(said);
  CHECK((*said)["text"] == "Goodbye!");
  CHECK(client.wait_closed() == 1000);

  REQUIRE(fake.wait_for([&] { return fake.call(0).closed; }));
  const UltravoxCallRecord record = fake.call(0);
  REQUIRE(record.tool_results.size() == 5);
  CHECK_FALSE(record.tool_results[0].accepted);
  CHECK_FALSE(record.tool_results[1].accepted);
  CHECK(record.tool_results[2].accepted);
  CHECK(record.tool_results[2].result == R"({"sent":true})");
  CHECK(record.tool_results[3].response_type == "new-stage");
  CHECK(record.tool_results[4].response_type == "hang-up");
  REQUIRE(record.stages.size() == 1);
  CHECK(record.stages[0] == stage);
  REQUIRE(record.violations.size() == 2);
  CHECK(record.violations[0].find("both result and errorType") != std::string::npos);
  CHECK(record.violations[1].find("inv_99") != std::string::npos);
  CHECK(record.end_reason == "hangup");
  CHECK(record.close_code == 1000);
}

TEST_CASE("fake Ultravox: barge-in clears playback and stops the agent's audio (checklist 4)") {
  FakeUltravox fake;
  fake.set_silence_duration(200ms);
  ScriptedReply slow;
  slow.text = "Welcome to the studio, we have classes every day of the week.";
  slow.audio_ms = 3000;
  slow.chunk_ms = 100;
  slow.chunk_interval = 40ms;
  fake.set_default_reply(slow);
  const json call = create(fake, {{"medium", ws_medium(16000)}});  // default: the agent greets first
  UvClient client;
  REQUIRE(client.join(call["joinUrl"]) == 101);
  REQUIRE(client.until("state", {{"state", "speaking"}}));
  REQUIRE(client.until("transcript", {{"role", "agent"}}));  // the first delta, then audio follows

  client.send_audio(100, 16000, true);
  REQUIRE(client.until("playback_clear_buffer"));
  const int frames_at_clear = client.audio_frames();
  auto cut = client.until("transcript", {{"role", "agent"}, {"final", true}});
  REQUIRE(cut);
  CHECK((*cut)["text"].get<std::string>().size() < slow.text.size());
  REQUIRE(client.until("state", {{"state", "listening"}}));
  CHECK(client.silent_for(300ms));
  CHECK(client.audio_frames() <= frames_at_clear + 1);  // at most one frame was already on the wire

  // The interruption then completes as a normal user turn.
  client.send_audio(300, 16000, false);
  REQUIRE(client.until("transcript", {{"role", "user"}, {"text", "caller turn 1"}}));

  const UltravoxCallRecord record = fake.call(0);
  REQUIRE(!record.agent_turns.empty());
  CHECK(record.agent_turns[0].interrupted);
  CHECK(record.agent_turns[0].audio_bytes < 3000 * 16 * 2);
  CHECK(record.server_messages_of("playback_clear_buffer").size() == 1);
}

TEST_CASE("fake Ultravox: violations, small messages and hang_up (checklist 5)") {
  FakeUltravox fake;
  ScriptedReply quick;
  quick.audio_ms = 100;
  fake.set_default_reply(quick);
  const json call = create(fake, {{"medium", ws_medium()}, {"firstSpeaker", "FIRST_SPEAKER_USER"}});
  UvClient client;
  REQUIRE(client.join(call["joinUrl"]) == 101);
  REQUIRE(client.until("state", {{"state", "listening"}}));

  client.send({{"type", "media"}, {"media", {{"payload", "AAAA"}}}});  // Twilio-style JSON audio
  client.send_binary(std::string(321, '\0'));                              // not whole samples
  client.send_text("not json");
  client.send({{"type", "spawn_thread"}, {"newThreadId", "t1"}});           // unknown here: ignored
  client.send({{"type", "ping"}, {"timestamp", 12.5}});
  auto pong = client.until("pong");
  REQUIRE(pong);
  CHECK((*pong)["timestamp"] == 12.5);

  client.send({{"type", "user_text_message"}, {"text", "Just so you know."}, {"urgency", "later"}});
  REQUIRE(client.until("transcript", {{"role", "user"}}));
  CHECK(client.silent_for(200ms));  // "later" forces no generation

  client.send({{"type", "set_output_medium"}, {"medium", "text"}});
  client.send({{"type", "forced_agent_message"}, {"content", "A text-only notice."}});
  auto forced = client.until("transcript", {{"role", "agent"}, {"final", true}});
  REQUIRE(forced);
  CHECK(*forced == json{{"type", "transcript"}, {"role", "agent"}, {"medium", "text"}, {"text", "A text-only notice."},
                        {"final", true}, {"ordinal", 1}});
  CHECK(client.audio_frames() == 0);

  client.send({{"type", "set_output_medium"}, {"medium", "voice"}});
  client.send({{"type", "hang_up"}, {"message", "Bye now."}});
  auto bye = client.until("transcript", {{"role", "agent"}, {"final", true}});
  REQUIRE(bye);
  CHECK((*bye)["text"] == "Bye now.");
  CHECK(client.wait_closed() == 1000);

  REQUIRE(fake.wait_for([&] { return fake.call(0).closed; }));
  const UltravoxCallRecord record = fake.call(0);
  REQUIRE(record.violations.size() == 3);
  CHECK(record.violations[0].find("JSON text frame") != std::string::npos);
  CHECK(record.violations[1].find("321 bytes") != std::string::npos);
  CHECK(record.violations[2].find("not a JSON object") != std::string::npos);
  CHECK(record.received_pcm.empty());
  CHECK(record.client_message_count("spawn_thread") == 1);
  CHECK(record.client_message_count("hang_up") == 1);
  CHECK(record.end_reason == "hangup");
  REQUIRE(record.agent_turns.size() == 2);
  CHECK(record.agent_turns[1].origin == "hang_up");
  CHECK(record.agent_turns[1].audio_bytes == 100 * 8 * 2);
}

TEST_CASE("fake Ultravox: faults, data message flags and mediaIdleTimeout") {
  FakeUltravox fake;
  ScriptedReply reply;
  reply.audio_ms = 1000;
  reply.chunk_ms = 100;
  fake.set_default_reply(reply);

  SUBCASE("join_status refuses joins") {
    const json call = create(fake, {{"medium", ws_medium()}});
    UltravoxFaults faults;
    faults.join_status = 503;
    fake.set_faults(faults);
    UvClient client;
    CHECK(client.join(call["joinUrl"]) == 503);
    CHECK(fake.refused_joins() == 1);
    CHECK_FALSE(fake.call(0).joined);
  }

  SUBCASE("close_after_audio_frames drops the socket, or closes it with 1011") {
    for (const bool abrupt : {true, false}) {
      UltravoxFaults faults;
      faults.close_after_audio_frames = 2;
      faults.close_abruptly = abrupt;
      fake.set_faults(faults);
      const json call = create(fake, {{"medium", ws_medium()}});
      UvClient client;
      REQUIRE(client.join(call["joinUrl"]) == 101);
      CHECK(client.wait_closed() == (abrupt ? 0 : 1011));
      CHECK(client.audio_frames() == 2);
      const int index = fake.call_count() - 1;
      REQUIRE(fake.wait_for([&] { return fake.call(index).closed; }));
      CHECK(fake.call(index).end_reason == "system_error");
      CHECK(fake.call(index).close_code == (abrupt ? 0 : 1011));
    }
  }

  SUBCASE("inject_raw and close_session") {
    const json call = create(fake, {{"medium", ws_medium()}, {"firstSpeakerSettings", {{"user", json::object()}}}});
    UvClient client;
    REQUIRE(client.join(call["joinUrl"]) == 101);
    REQUIRE(client.until("state", {{"state", "listening"}}));
    fake.inject_raw(0, R"({"type":"debug","message":"injected"})");
    auto injected = client.until("debug");
    REQUIRE(injected);
    CHECK((*injected)["message"] == "injected");
    fake.close_session(0, false, 1000);
    CHECK(client.wait_closed() == 1000);
    REQUIRE(fake.wait_for([&] { return fake.call(0).closed; }));
    CHECK(fake.call(0).end_reason == "agent_hangup");
  }

  SUBCASE("dataMessages flags switch messages off") {
    const json call = create(fake, {{"medium", ws_medium(8000, {{"dataMessages", {{"state", false}, {"callStarted", false}}}})},
                                    {"firstSpeakerSettings", {{"agent", {{"text", "Hello."}}}}}});
    UvClient client;
    REQUIRE(client.join(call["joinUrl"]) == 101);
    auto first = client.next();
    REQUIRE(first);
    CHECK((*first)["type"] == "transcript");
    REQUIRE(client.until("transcript", {{"role", "agent"}, {"final", true}}));
    CHECK(client.seen_of("state").empty());
    CHECK(client.seen_of("call_started").empty());
  }

  SUBCASE("no audio for mediaIdleTimeout ends the call as a connection error") {
    fake.set_media_idle_timeout(300ms);
    const json call = create(fake, {{"medium", ws_medium(8000, {{"mediaIdleTimeout", "30s"}})},
                                    {"firstSpeakerSettings", {{"user", json::object()}}}});
    UvClient client;
    REQUIRE(client.join(call["joinUrl"]) == 101);
    client.send_audio(100, 8000, false);  // audio re-arms the timer; then nothing
    CHECK(client.wait_closed(3s) == 1000);
    REQUIRE(fake.wait_for([&] { return fake.call(0).closed; }));
    CHECK(fake.call(0).end_reason == "connection_error");
    CHECK(fake.call(0).call["endReason"] == "connection_error");
  }
}

TEST_CASE("fake Ultravox: user-first fallback greeting and the built-in hangUp tool") {
  FakeUltravox fake;
  ScriptedReply quick;
  quick.audio_ms = 100;
  fake.set_default_reply(quick);

  SUBCASE("the agent speaks after user.fallback.delay when the user stays silent") {
    const json call = create(fake, {{"medium", ws_medium()},
                                    {"firstSpeakerSettings", {{"user", {{"fallback", {{"delay", "0.2s"}, {"text", "Are you there?"}}}}}}}});
    UvClient client;
    REQUIRE(client.join(call["joinUrl"]) == 101);
    const auto joined = std::chrono::steady_clock::now();
    auto greeting = client.until("transcript", {{"role", "agent"}, {"final", true}});
    REQUIRE(greeting);
    CHECK((*greeting)["text"] == "Are you there?");
    CHECK(std::chrono::steady_clock::now() - joined >= 150ms);
    CHECK(fake.call(0).agent_turns.at(0).origin == "greeting");
  }

  SUBCASE("a scripted hangUp call ends the call after the text as agent_hangup") {
    const json call = create(fake, {{"medium", ws_medium()},
                                    {"firstSpeakerSettings", {{"user", json::object()}}},
                                    {"selectedTools", json::array({{{"toolName", "hangUp"}}})}});
    ScriptedReply bye = quick;
    bye.text = "Thanks, goodbye.";
    bye.function_calls = {{"hangUp", "{}", ""}, {"not_selected", "{}", ""}};
    fake.push_reply(bye);
    UvClient client;
    REQUIRE(client.join(call["joinUrl"]) == 101);
    client.send({{"type", "user_text_message"}, {"text", "Bye."}});
    auto said = client.until("transcript", {{"role", "agent"}, {"final", true}});
    REQUIRE(said);
    CHECK((*said)["text"] == "Thanks, goodbye.");
    CHECK(client.seen_of("client_tool_invocation").empty());
    CHECK(client.wait_closed() == 1000);
    REQUIRE(fake.wait_for([&] { return fake.call(0).closed; }));
    const UltravoxCallRecord record = fake.call(0);
    CHECK(record.end_reason == "agent_hangup");
    REQUIRE(record.violations.size() == 1);  // the script called a tool the call did not select
    CHECK(record.violations[0].find("not_selected") != std::string::npos);
  }
}
