// Self-tests of the peer fakes in tests/fakes, each driven directly by a raw WebSocket client (or,
// for the caller, by a tiny scripted "daemon") so that a fake that drifts from the protocol fails
// here before it misleads the daemon's integration tests.

#include <doctest/doctest.h>

#include <mutex>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/twilio/base64.hpp"
#include "core/twilio/form.hpp"
#include "core/twilio/signature.hpp"
#include "tests/fakes/audio_samples.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/fakes/http_exchange.hpp"
#include "tests/fakes/peer_probe.hpp"
#include "tests/fakes/peer_transport.hpp"
#include "tests/fakes/twiml_reader.hpp"

using nlohmann::json;
using namespace sonoria;
using namespace sonoria::fakes;
using namespace std::chrono_literals;

namespace {

// A WebSocket client whose every step has a deadline, so a misbehaving fake fails a test
// instead of hanging it.
class RawWs {
 public:
  // Connects to ws://127.0.0.1:port/target with extra headers; returns the HTTP status of the upgrade.
  int connect(unsigned short port, const std::string& target, const std::vector<std::pair<std::string, std::string>>& headers) {
    return probe_.connect(port, "127.0.0.1", target, headers).status;
  }

  void send(const json& event) { send_text(event.dump()); }

  void send_text(const std::string& text) { probe_.send(text, PeerFrame::text); }

  // The next event, or nullopt if none arrives in time (the connection is then given up) or the
  // socket closed.
  std::optional<json> read(std::chrono::milliseconds timeout = 3s) {
    probe_.run_until([&] { return !probe_.inbox().empty() || probe_.ended(); }, std::chrono::steady_clock::now() + timeout);
    if (probe_.inbox().empty()) {
      probe_.drop();
      return std::nullopt;
    }
    json event = json::parse(probe_.inbox().front().data, nullptr, false);
    probe_.inbox().pop_front();
    return event;
  }

  // Reads until an event of `type` arrives; every event read is kept in seen().
  std::optional<json> read_until(const std::string& type, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto event = read(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!event) return std::nullopt;
      seen_.push_back(*event);
      if (event->value("type", "") == type) return event;
    }
    return std::nullopt;
  }

  std::vector<std::string> seen_types() const {
    std::vector<std::string> types;
    for (const auto& e : seen_) types.push_back(e.value("type", ""));
    return types;
  }

  bool closed() const { return probe_.ended(); }
  int close_code() const { return probe_.close_code(); }

 private:
  PeerProbe probe_;
  std::vector<json> seen_;
};

// A GA session with μ-law both ways and a 200 ms end-of-turn silence.
json pcmu_update(int silence_ms = 200) {
  return {{"type", "session.update"},
          {"session",
           {{"type", "realtime"},
            {"instructions", "You are a test receptionist."},
            {"audio",
             {{"input",
               {{"format", {{"type", "audio/pcmu"}}},
                {"transcription", {{"model", "gpt-4o-mini-transcribe"}}},
                {"turn_detection", {{"type", "server_vad"}, {"silence_duration_ms", silence_ms}}}}},
              {"output", {{"format", {{"type", "audio/pcmu"}}}, {"voice", "marin"}}}}}}}};
}

json append(const std::string& bytes) {
  return {{"type", "input_audio_buffer.append"}, {"audio", twilio::base64_encode(bytes)}};
}

// Connects to the fake with the right key and reads session.created.
void open_session(RawWs& ws, const FakeOpenAiRealtime& fake, std::vector<std::pair<std::string, std::string>> extra = {}) {
  extra.emplace_back("Authorization", "Bearer " + fake.api_key());
  REQUIRE(ws.connect(fake.port(), "/v1/realtime?model=gpt-realtime", extra) == 101);
}

std::string basic(const std::string& user, const std::string& password) {
  return "Basic " + twilio::base64_encode(user + ":" + password);
}

HttpReply rest_post(const FakeTwilioRest& rest, const std::string& path, const twilio::FormParams& form,
                    const std::string& authorization) {
  HttpCall call;
  call.method = "POST";
  call.url = rest.base_url() + "/Accounts/" + rest.account_sid() + path;
  call.headers = {{"Content-Type", "application/x-www-form-urlencoded"}, {"Authorization", authorization}};
  call.body = twilio::encode_form(form);
  return http_exchange(call);
}

// A scripted stand-in for sonoria's daemon, enough to drive FakeTwilioCaller: it checks webhook
// signatures, answers TwiML, and on the media stream sends 100 ms of audio, mark "a", 100 ms more,
// mark "b"; when "a" comes back it sends `clear`, then one message with a wrong streamSid and one
// binary frame. Connections are served on its own thread.
class MiniDaemon {
 public:
  explicit MiniDaemon(std::string auth_token) : token_(std::move(auth_token)) {
    server_.start([this](const PeerRequest& request, PeerExchange exchange) { serve(request, std::move(exchange)); });
  }

  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(server_.port()) + path; }

  struct Seen {
    std::vector<std::string> webhook_targets;
    std::vector<bool> webhook_signatures_valid;
    std::vector<bool> idempotency_tokens;
    std::string stream_target;
    bool stream_signature_valid = false;
    std::vector<json> stream_messages;  // every message after the upgrade
  };
  Seen seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }

 private:
  // The media stream's side of the daemon.
  struct Stream {
    PeerSocket socket;
    std::string stream_sid;
  };

  void serve(const PeerRequest& request, PeerExchange exchange) {
    if (request.websocket_upgrade) {
      serve_stream(request, exchange);
      return;
    }
    const auto form = twilio::parse_form(request.body).value_or(twilio::FormParams{});
    const bool valid = twilio::validate_signature(token_, request.header("X-Twilio-Signature").value_or(""),
                                                  "https://voice.example.com" + request.target, form);
    {
      std::lock_guard lock(mutex_);
      seen_.webhook_targets.push_back(request.target);
      seen_.webhook_signatures_valid.push_back(valid);
      seen_.idempotency_tokens.push_back(!request.header("I-Twilio-Idempotency-Token").value_or("").empty());
    }
    PeerResponse response;
    response.status = valid ? 200 : 403;
    response.headers = {{"Content-Type", "text/xml"}};
    if (request.target == "/twilio/voice") {
      response.body = R"(<?xml version="1.0" encoding="UTF-8"?><Response><Connect action="/twilio/connect-done">)"
                      R"(<Stream url="wss://voice.example.com/twilio/media"><Parameter name="token" value="abc"/>)"
                      R"(</Stream></Connect></Response>)";
    } else {
      response.body = "<Response><Say>Goodbye.</Say><Hangup/></Response>";
    }
    exchange.respond(std::move(response));
  }

  void serve_stream(const PeerRequest& request, PeerExchange& exchange) {
    {
      std::lock_guard lock(mutex_);
      seen_.stream_target = request.target;
      seen_.stream_signature_valid = twilio::validate_signature(
          token_, request.header("x-twilio-signature").value_or(""), "wss://voice.example.com/twilio/media", {});
    }
    auto stream = std::make_shared<Stream>();
    PeerEvents events;
    events.message = [this, stream](std::string text, PeerFrame) { on_stream_message(*stream, text); };
    stream->socket = exchange.accept({}, std::move(events));
  }

  void on_stream_message(Stream& stream, const std::string& text) {
    json message = json::parse(text, nullptr, false);
    {
      std::lock_guard lock(mutex_);
      seen_.stream_messages.push_back(message);
    }
    auto send = [&](const json& reply) { stream.socket.send(reply.dump()); };
    const std::string event = message.value("event", "");
    if (event == "start") {
      stream.stream_sid = message["streamSid"];
      const std::string audio = twilio::base64_encode(ulaw_tone(100));
      send({{"event", "media"}, {"streamSid", stream.stream_sid}, {"media", {{"payload", audio}}}});
      send({{"event", "mark"}, {"streamSid", stream.stream_sid}, {"mark", {{"name", "a"}}}});
      send({{"event", "media"}, {"streamSid", stream.stream_sid}, {"media", {{"payload", audio}}}});
      send({{"event", "mark"}, {"streamSid", stream.stream_sid}, {"mark", {{"name", "b"}}}});
    } else if (event == "mark" && message["mark"]["name"] == "a") {
      send({{"event", "clear"}, {"streamSid", stream.stream_sid}});
      send({{"event", "media"}, {"streamSid", "MZwrong"}, {"media", {{"payload", "AAAA"}}}});
      stream.socket.send(std::string("\x01\x02"), PeerFrame::binary);
    }
  }

  std::string token_;
  mutable std::mutex mutex_;
  Seen seen_;
  PeerServer server_;  // last: destroyed, and so stopped, first, before what its handlers use
};

}  // namespace

// ---- fake OpenAI Realtime ----------------------------------------------------------------------

TEST_CASE("the fake OpenAI refuses an upgrade without the expected bearer key") {
  FakeOpenAiRealtime fake("sk-right");
  RawWs ws;
  CHECK(ws.connect(fake.port(), "/v1/realtime", {{"Authorization", "Bearer sk-wrong"}}) == 401);
  RawWs anonymous;
  CHECK(anonymous.connect(fake.port(), "/v1/realtime", {}) == 401);
  CHECK(fake.refused_upgrades() == 2);
  CHECK(fake.session_count() == 0);
}

TEST_CASE("in GA mode an OpenAI-Beta header gets beta_api_shape_disabled and close 4000") {
  FakeOpenAiRealtime fake;
  RawWs ws;
  open_session(ws, fake, {{"OpenAI-Beta", "realtime=v1"}});
  auto error = ws.read();
  REQUIRE(error);
  CHECK((*error)["type"] == "error");
  CHECK((*error)["error"]["code"] == "beta_api_shape_disabled");
  CHECK_FALSE(ws.read());
  CHECK(ws.close_code() == 4000);
  CHECK(fake.session(0).openai_beta_header == "realtime=v1");
}

TEST_CASE("a GA session starts at PCM 24 kHz and a beta-shaped update is rejected whole") {
  FakeOpenAiRealtime fake;
  RawWs ws;
  open_session(ws, fake);
  auto created = ws.read();
  REQUIRE(created);
  CHECK((*created)["type"] == "session.created");
  CHECK((*created)["session"]["audio"]["output"]["format"] == json({{"type", "audio/pcm"}, {"rate", 24000}}));
  CHECK((*created)["session"]["model"] == "gpt-realtime");

  SUBCASE("a flat beta update misses session.type") {
    ws.send({{"type", "session.update"}, {"session", {{"voice", "alloy"}, {"input_audio_format", "g711_ulaw"}}}});
    auto error = ws.read();
    REQUIRE(error);
    CHECK((*error)["error"]["code"] == "missing_required_parameter");
    CHECK((*error)["error"]["param"] == "session.type");
  }
  SUBCASE("a beta field beside valid GA fields is an unknown parameter, and nothing is applied") {
    ws.send({{"type", "session.update"},
             {"event_id", "evt_client_1"},
             {"session", {{"type", "realtime"}, {"instructions", "new prompt"}, {"voice", "alloy"}}}});
    auto error = ws.read();
    REQUIRE(error);
    CHECK((*error)["error"]["code"] == "unknown_parameter");
    CHECK((*error)["error"]["param"] == "session.voice");
    CHECK((*error)["error"]["event_id"] == "evt_client_1");
    CHECK(fake.session(0).session["instructions"] != "new prompt");
  }
  SUBCASE("unknown fields are found deep inside the audio object") {
    json update = pcmu_update();
    update["session"]["audio"]["input"]["turn_detection"]["eagerness"] = "high";
    ws.send(update);
    auto error = ws.read();
    REQUIRE(error);
    CHECK((*error)["error"]["code"] == "unknown_parameter");
    CHECK((*error)["error"]["param"] == "session.audio.input.turn_detection.eagerness");
  }
  SUBCASE("a format given as a string is the wrong type") {
    ws.send({{"type", "session.update"},
             {"session", {{"type", "realtime"}, {"audio", {{"input", {{"format", "pcm16"}}}}}}}});
    auto error = ws.read();
    REQUIRE(error);
    CHECK((*error)["error"]["code"] == "invalid_type");
    CHECK((*error)["error"]["param"] == "session.audio.input.format");
  }
  SUBCASE("a valid update answers session.updated with the merged session") {
    ws.send(pcmu_update());
    auto updated = ws.read();
    REQUIRE(updated);
    CHECK((*updated)["type"] == "session.updated");
    CHECK((*updated)["session"]["audio"]["input"]["format"]["type"] == "audio/pcmu");
    CHECK((*updated)["session"]["audio"]["output"]["voice"] == "marin");
    CHECK((*updated)["session"]["audio"]["input"]["turn_detection"]["create_response"] == true);
    CHECK((*updated)["session"]["tool_choice"] == "auto");  // untouched fields keep their value
    CHECK(fake.session(0).session_updates.size() == 1);
  }
}

TEST_CASE("VAD detects speech from non-silent bytes and the reply streams the full GA sequence") {
  FakeOpenAiRealtime fake;
  ScriptedReply reply;
  reply.text = "Hello there, how can I help?";
  reply.audio_ms = 500;
  reply.chunk_ms = 200;
  fake.push_reply(reply);
  fake.push_caller_transcript("I would like to book a class");
  RawWs ws;
  open_session(ws, fake);
  ws.send(pcmu_update());
  REQUIRE(ws.read_until("session.updated"));

  const std::string caller = ulaw_silence(500) + ulaw_tone(300) + ulaw_silence(300);
  for (std::size_t at = 0; at < caller.size(); at += 160) ws.send(append(caller.substr(at, 160)));

  auto started = ws.read_until("input_audio_buffer.speech_started");
  REQUIRE(started);
  CHECK((*started)["audio_start_ms"] == 200);  // speech at 500 ms minus 300 ms prefix padding
  auto stopped = ws.read_until("input_audio_buffer.speech_stopped");
  REQUIRE(stopped);
  CHECK((*stopped)["audio_end_ms"] == 1000);   // 500 + 300 + 200 ms of silence
  CHECK((*stopped)["item_id"] == (*started)["item_id"]);
  auto done = ws.read_until("response.done");
  REQUIRE(done);
  CHECK((*done)["response"]["status"] == "completed");
  CHECK((*done)["response"]["usage"]["output_tokens"].get<int>() > 0);

  const std::vector<std::string> expected = {
      "input_audio_buffer.committed", "conversation.item.added", "conversation.item.done",
      "conversation.item.input_audio_transcription.completed", "response.created", "rate_limits.updated",
      "response.output_item.added", "conversation.item.added", "response.content_part.added",
      "response.output_audio_transcript.delta", "response.output_audio.delta",
      "response.output_audio_transcript.delta", "response.output_audio.delta",
      "response.output_audio_transcript.delta", "response.output_audio.delta", "response.output_audio.done",
      "response.output_audio_transcript.done", "response.content_part.done", "response.output_item.done",
      "conversation.item.done", "response.done"};
  auto types = ws.seen_types();
  types.erase(types.begin(), std::find(types.begin(), types.end(), "input_audio_buffer.committed"));
  CHECK(types == expected);

  const RealtimeSessionRecord record = fake.session(0);
  CHECK(record.appended_audio == caller);
  REQUIRE(record.assistant_audio.size() == 1);
  CHECK(record.assistant_audio.begin()->second == ulaw_tone(500));
  CHECK(record.server_events_of("conversation.item.input_audio_transcription.completed")[0]["transcript"] ==
        "I would like to book a class");
  CHECK(record.responses_completed == 1);
}

TEST_CASE("caller speech during a paced reply cancels it, and truncation is held to the audio sent") {
  FakeOpenAiRealtime fake;
  ScriptedReply slow;
  slow.audio_ms = 3000;
  slow.chunk_ms = 100;
  slow.chunk_interval = 40ms;
  fake.push_reply(slow);
  RawWs ws;
  open_session(ws, fake);
  ws.send(pcmu_update());
  REQUIRE(ws.read_until("session.updated"));
  ws.send({{"type", "response.create"}, {"response", {{"instructions", "Greet the caller."}}}});
  auto first_audio = ws.read_until("response.output_audio.delta");
  REQUIRE(first_audio);
  const std::string item_id = (*first_audio)["item_id"];

  ws.send({{"type", "response.create"}});
  auto busy = ws.read_until("error");
  REQUIRE(busy);
  CHECK((*busy)["error"]["code"] == "conversation_already_has_active_response");

  ws.send(append(ulaw_tone(100)));
  REQUIRE(ws.read_until("input_audio_buffer.speech_started"));
  auto done = ws.read_until("response.done");
  REQUIRE(done);
  CHECK((*done)["response"]["status"] == "cancelled");
  CHECK((*done)["response"]["status_details"]["reason"] == "turn_detected");
  CHECK((*done)["response"]["output"][0]["status"] == "incomplete");

  const auto sent_ms = static_cast<int>(fake.session(0).assistant_audio.at(item_id).size() / 8);
  CHECK(sent_ms < 3000);
  ws.send({{"type", "conversation.item.truncate"}, {"item_id", item_id}, {"content_index", 0}, {"audio_end_ms", 2900}});
  auto refused = ws.read_until("error");
  REQUIRE(refused);
  CHECK((*refused)["error"]["message"] == "Audio content of " + std::to_string(sent_ms) + "ms is already shorter than 2900ms");
  ws.send({{"type", "conversation.item.truncate"}, {"item_id", item_id}, {"content_index", 0}, {"audio_end_ms", 60}});
  auto truncated = ws.read_until("conversation.item.truncated");
  REQUIRE(truncated);
  CHECK((*truncated)["audio_end_ms"] == 60);
  REQUIRE(fake.session(0).truncates.size() == 1);
  CHECK(fake.session(0).truncates[0].item_id == item_id);
  CHECK(fake.session(0).response_creates == 2);
}

TEST_CASE("a scripted function call waits for a known call_id's output and a new response.create") {
  FakeOpenAiRealtime fake;
  ScriptedReply call;
  call.text = "";
  call.audio_ms = 0;
  call.function_calls = {{"send_booking_sms", R"({"service":"yoga"})", "call_abc"}};
  fake.push_reply(call);
  ScriptedReply after;
  after.text = "Sent.";
  after.audio_ms = 200;
  fake.push_reply(after);
  RawWs ws;
  open_session(ws, fake);
  ws.send(pcmu_update());
  REQUIRE(ws.read_until("session.updated"));
  ws.send({{"type", "response.create"}});
  auto arguments = ws.read_until("response.function_call_arguments.done");
  REQUIRE(arguments);
  CHECK((*arguments)["name"] == "send_booking_sms");
  CHECK((*arguments)["arguments"] == R"({"service":"yoga"})");
  REQUIRE(ws.read_until("response.done"));

  ws.send({{"type", "conversation.item.create"},
           {"item", {{"type", "function_call_output"}, {"call_id", "call_unknown"}, {"output", "{}"}}}});
  auto unknown = ws.read_until("error");
  REQUIRE(unknown);
  CHECK((*unknown)["error"]["param"] == "item.call_id");
  ws.send({{"type", "conversation.item.create"},
           {"item", {{"type", "function_call_output"}, {"call_id", "call_abc"}, {"output", R"({"sent":true})"}}}});
  REQUIRE(ws.read_until("conversation.item.added"));
  ws.send({{"type", "response.create"}});
  auto transcript = ws.read_until("response.output_audio_transcript.done");
  REQUIRE(transcript);
  CHECK((*transcript)["transcript"] == "Sent.");
  const auto record = fake.session(0);
  REQUIRE(record.function_outputs.size() == 1);
  CHECK(record.function_outputs[0].output == R"({"sent":true})");
}

TEST_CASE("a caller transcript can be held back until after the response it triggered") {
  FakeOpenAiRealtime fake;
  fake.set_transcripts_after_response(true);
  fake.push_caller_transcript("Do you have parking?");
  RawWs ws;
  open_session(ws, fake);
  ws.send(pcmu_update());
  REQUIRE(ws.read_until("session.updated"));
  ws.send(append(ulaw_tone(200) + ulaw_silence(300)));
  auto transcript = ws.read_until("conversation.item.input_audio_transcription.completed");
  REQUIRE(transcript);
  CHECK((*transcript)["transcript"] == "Do you have parking?");
  const auto types = ws.seen_types();
  const auto done = std::find(types.begin(), types.end(), "response.done");
  CHECK(done != types.end());
  CHECK(done + 1 == types.end() - 1);  // response.done came right before the transcript
  const json user_item = fake.session(0).server_events_of("conversation.item.added").at(0)["item"];
  CHECK((*transcript)["item_id"] == user_item["id"]);
}

TEST_CASE("response.cancel ends the active response as client_cancelled, and a second cancel is refused") {
  FakeOpenAiRealtime fake;
  ScriptedReply slow;
  slow.audio_ms = 2000;
  slow.chunk_ms = 100;
  slow.chunk_interval = 30ms;
  fake.push_reply(slow);
  RawWs ws;
  open_session(ws, fake);
  ws.send(pcmu_update());
  REQUIRE(ws.read_until("session.updated"));
  ws.send({{"type", "response.create"}});
  REQUIRE(ws.read_until("response.output_audio.delta"));
  ws.send({{"type", "response.cancel"}});
  auto done = ws.read_until("response.done");
  REQUIRE(done);
  CHECK((*done)["response"]["status_details"]["reason"] == "client_cancelled");
  ws.send({{"type", "response.cancel"}});
  auto refused = ws.read_until("error");
  REQUIRE(refused);
  CHECK((*refused)["error"]["code"] == "response_cancel_not_active");
  CHECK(fake.session(0).responses_cancelled == 1);
}

TEST_CASE("concurrent sessions are independent: each has its own audio, replies and records") {
  FakeOpenAiRealtime fake;
  RawWs first;
  RawWs second;
  open_session(first, fake);
  open_session(second, fake);
  REQUIRE(first.read_until("session.created"));
  REQUIRE(second.read_until("session.created"));
  first.send(pcmu_update());
  second.send(pcmu_update());
  REQUIRE(first.read_until("session.updated"));
  REQUIRE(second.read_until("session.updated"));
  first.send(append(ulaw_silence(40)));
  second.send(append(ulaw_tone(40)));
  second.send({{"type", "response.create"}});
  REQUIRE(second.read_until("response.done"));
  CHECK(fake.wait_for([&] { return fake.session(0).appended_audio.size() == 320; }));
  CHECK(fake.session_count() == 2);
  CHECK(fake.open_session_count() == 2);
  CHECK(fake.session(0).appended_audio == ulaw_silence(40));
  CHECK(fake.session(1).appended_audio == ulaw_tone(40));
  CHECK(fake.session(0).response_ids.empty());
  CHECK(fake.session(1).response_ids.size() == 1);
  CHECK(fake.session(0).session_id != fake.session(1).session_id);
}

TEST_CASE("beta mode takes flat session fields and answers with beta event names") {
  FakeOpenAiRealtime fake;
  fake.set_dialect(RealtimeDialect::beta);
  RawWs ws;
  open_session(ws, fake, {{"OpenAI-Beta", "realtime=v1"}});
  auto created = ws.read();
  REQUIRE(created);
  CHECK((*created)["session"]["input_audio_format"] == "pcm16");
  ws.send({{"type", "session.update"},
           {"session", {{"input_audio_format", "g711_ulaw"}, {"output_audio_format", "g711_ulaw"}, {"voice", "alloy"},
                        {"modalities", {"text", "audio"}}, {"turn_detection", {{"type", "server_vad"}}}}}});
  auto updated = ws.read_until("session.updated");
  REQUIRE(updated);
  CHECK((*updated)["session"]["output_audio_format"] == "g711_ulaw");
  ws.send({{"type", "session.update"}, {"session", {{"type", "realtime"}}}});
  auto error = ws.read_until("error");
  REQUIRE(error);
  CHECK((*error)["error"]["param"] == "session.type");
  ws.send({{"type", "response.create"}});
  REQUIRE(ws.read_until("response.done"));
  const auto types = ws.seen_types();
  CHECK(std::count(types.begin(), types.end(), "response.audio.delta") > 0);
  CHECK(std::count(types.begin(), types.end(), "conversation.item.created") == 1);
  CHECK(std::count(types.begin(), types.end(), "response.output_audio.delta") == 0);
}

TEST_CASE("injected faults: garbage, unknown events, session_expired with close 1001, a mid-response drop") {
  FakeOpenAiRealtime fake;
  RealtimeFaults faults;
  faults.garbage_after_created = true;
  faults.unknown_event_after_created = true;
  fake.set_faults(faults);
  RawWs ws;
  open_session(ws, fake);
  REQUIRE(ws.read_until("session.created"));
  auto garbage = ws.read();
  CHECK_FALSE(garbage->is_object());  // parsing it fails: the client must survive that
  auto unknown = ws.read();
  REQUIRE(unknown);
  CHECK((*unknown)["type"] == "session.quota_preview");

  SUBCASE("session_expired") {
    fake.expire_session(0);
    auto expired = ws.read_until("error");
    REQUIRE(expired);
    CHECK((*expired)["error"]["code"] == "session_expired");
    CHECK_FALSE(ws.read());
    CHECK(ws.close_code() == 1001);
  }
  SUBCASE("close mid-response") {
    faults = {};
    faults.close_after_audio_deltas = 2;
    fake.set_faults(faults);
    ws.send({{"type", "response.create"}});
    CHECK_FALSE(ws.read_until("response.done"));
    CHECK(ws.closed());
    CHECK(fake.wait_for([&] { return fake.session(0).closed; }));
    CHECK(fake.session(0).server_events_of("response.output_audio.delta").size() == 2);
  }
}

// ---- fake Twilio REST --------------------------------------------------------------------------

TEST_CASE("the fake Twilio REST API answers 401 with code 20003 without valid Basic auth") {
  FakeTwilioRest rest("AC00000000000000000000000000000001", "secret-token");
  const twilio::FormParams form = {{"To", "+15557654321"}, {"From", "+15550001000"}, {"Body", "hi"}};
  auto reply = rest_post(rest, "/Messages.json", form, "");
  CHECK(reply.status == 401);
  CHECK(json::parse(reply.body)["code"] == 20003);
  reply = rest_post(rest, "/Messages.json", form, basic(rest.account_sid(), "wrong"));
  CHECK(reply.status == 401);
  rest.add_api_key("SK00000000000000000000000000000009", "key-secret");
  reply = rest_post(rest, "/Messages.json", form, basic("SK00000000000000000000000000000009", "key-secret"));
  CHECK(reply.status == 201);
  CHECK(rest.request_count() == 3);
  CHECK(rest.requests()[2].auth_user == "SK00000000000000000000000000000009");
}

TEST_CASE("a created call has the fixture's shape and cannot be redirected once completed") {
  FakeTwilioRest rest("AC00000000000000000000000000000001", "secret-token");
  const std::string auth = basic(rest.account_sid(), "secret-token");
  auto created = rest_post(rest, "/Calls.json",
                           {{"To", "+15557654321"}, {"From", "+15550001000"}, {"Twiml", "<Response/>"},
                            {"StatusCallbackEvent", "initiated"}, {"StatusCallbackEvent", "answered"}},
                           auth);
  REQUIRE(created.status == 201);
  const json call = json::parse(created.body);
  for (const char* field : {"account_sid", "answered_by", "api_version", "caller_name", "date_created", "date_updated",
                            "direction", "duration", "end_time", "forwarded_from", "from", "from_formatted", "group_sid",
                            "parent_call_sid", "phone_number_sid", "price", "price_unit", "sid", "start_time", "status",
                            "subresource_uris", "to", "to_formatted", "trunk_sid", "uri", "queue_time"}) {
    CHECK_MESSAGE(call.contains(field), field);
  }
  CHECK(call["status"] == "queued");
  CHECK(call["direction"] == "outbound-api");
  CHECK(call["to_formatted"] == "(555) 765-4321");
  const auto events = rest.requests().back().form;
  CHECK(std::count_if(events.begin(), events.end(), [](const auto& p) { return p.first == "StatusCallbackEvent"; }) == 2);

  const std::string sid = call["sid"];
  REQUIRE(rest.set_call_status(sid, "in-progress"));
  auto hung_up = rest_post(rest, "/Calls/" + sid + ".json", {{"Status", "completed"}}, auth);
  CHECK(hung_up.status == 200);
  CHECK(json::parse(hung_up.body)["status"] == "completed");
  auto redirect = rest_post(rest, "/Calls/" + sid + ".json", {{"Twiml", "<Response><Hangup/></Response>"}}, auth);
  CHECK(redirect.status == 400);
  CHECK(json::parse(redirect.body)["code"] == 21220);
  auto unknown = rest_post(rest, "/Calls/CA0000000000000000000000000000dead.json", {{"Status", "completed"}}, auth);
  CHECK(unknown.status == 404);
  CHECK(json::parse(unknown.body)["code"] == 20404);
}

TEST_CASE("messages are validated like Twilio, trial restrictions included") {
  FakeTwilioRest rest("AC00000000000000000000000000000001", "secret-token");
  rest.set_unverified_numbers({"+15559990000"});
  const std::string auth = basic(rest.account_sid(), "secret-token");
  auto code_of = [&](const twilio::FormParams& form) {
    auto reply = rest_post(rest, "/Messages.json", form, auth);
    return reply.status == 201 ? 0 : json::parse(reply.body)["code"].get<int>();
  };
  CHECK(code_of({{"From", "+15550001000"}, {"Body", "hi"}}) == 21604);
  CHECK(code_of({{"To", "+15557654321"}, {"From", "+15550001000"}}) == 21602);
  CHECK(code_of({{"To", "5557654321"}, {"From", "+15550001000"}, {"Body", "hi"}}) == 21211);
  CHECK(code_of({{"To", "+15559990000"}, {"From", "+15550001000"}, {"Body", "hi"}}) == 21608);
  CHECK(code_of({{"To", "+15557654321"}, {"From", "+15550001000"}, {"Body", std::string(1601, 'x')}}) == 21617);
  CHECK(code_of({{"To", "+15557654321"}, {"From", "+15550001000"}, {"Body", "Your booking is confirmed."}}) == 0);
  const json message = rest.messages_created().at(0);
  CHECK(message["status"] == "queued");
  CHECK(message["num_segments"] == "1");
  CHECK(message["sid"].get<std::string>().rfind("SM", 0) == 0);
}

TEST_CASE("scripted REST faults: rate limits, server errors without JSON, and dropped connections") {
  FakeTwilioRest rest("AC00000000000000000000000000000001", "secret-token");
  const std::string auth = basic(rest.account_sid(), "secret-token");
  const twilio::FormParams form = {{"To", "+15557654321"}, {"From", "+15550001000"}, {"Body", "hi"}};
  rest.rate_limit_next(2, "Messages.json");
  rest.fail_next(1, 503, false);
  rest.drop_next(1);
  auto first = rest_post(rest, "/Messages.json", form, auth);
  CHECK(first.status == 429);
  CHECK(json::parse(first.body)["code"] == 20429);
  CHECK(rest_post(rest, "/Messages.json", form, auth).status == 429);
  auto unavailable = rest_post(rest, "/Messages.json", form, auth);
  CHECK(unavailable.status == 503);
  CHECK(json::parse(unavailable.body, nullptr, false).is_discarded());
  auto dropped = rest_post(rest, "/Messages.json", form, auth);
  CHECK(dropped.status == 0);
  CHECK_FALSE(dropped.error.empty());
  CHECK(rest_post(rest, "/Messages.json", form, auth).status == 201);
  CHECK(rest.messages_created().size() == 1);
}

// ---- TwiML reader ------------------------------------------------------------------------------

TEST_CASE("the TwiML reader extracts the Connect action, Stream url and Parameters") {
  const auto result = parse_twiml(R"(<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <!-- sonoria -->
  <Connect action="https://voice.example.com/twilio/connect-done?call=1&amp;org=2">
    <Stream url="wss://voice.example.com/twilio/media" name="sonoria">
      <Parameter name="token" value="9f2c&quot;1a"/>
      <Parameter name="org" value="42"/>
    </Stream>
  </Connect>
  <Say voice="Polly.Joanna">Sorry &amp; goodbye.</Say>
</Response>)");
  REQUIRE_MESSAGE(result.twiml, result.error);
  const Twiml& twiml = *result.twiml;
  REQUIRE(twiml.connect);
  CHECK(twiml.connect->action == "https://voice.example.com/twilio/connect-done?call=1&org=2");
  REQUIRE(twiml.connect->stream);
  CHECK(twiml.connect->stream->url == "wss://voice.example.com/twilio/media");
  REQUIRE(twiml.connect->stream->parameters.size() == 2);
  CHECK(twiml.connect->stream->parameters[0].value == "9f2c\"1a");
  CHECK(twiml.verbs_after_connect() == std::vector<std::string>{"Say"});
  REQUIRE(twiml.says.size() == 1);
  CHECK(twiml.says[0].text == "Sorry & goodbye.");
}

TEST_CASE("the TwiML reader refuses stream URLs Twilio would refuse") {
  const std::string insecure = R"(<Response><Connect><Stream url="ws://127.0.0.1:8080/twilio/media"/></Connect></Response>)";
  CHECK_FALSE(parse_twiml(insecure).twiml);
  CHECK(parse_twiml(insecure, TwimlRules{true}).twiml);
  const std::string query = R"(<Response><Connect><Stream url="wss://h/twilio/media?token=1"/></Connect></Response>)";
  CHECK(parse_twiml(query).error.find("query string") != std::string::npos);
  CHECK_FALSE(parse_twiml(R"(<Response><Conect/></Response>)").twiml);
  CHECK_FALSE(parse_twiml(R"(<Reponse><Hangup/></Reponse>)").twiml);
  CHECK(parse_twiml("<Response><Say>unclosed</Response>").error.find("line 1") != std::string::npos);
}

TEST_CASE("the TwiML reader reads Dial, Hangup and Reject") {
  const auto dial = parse_twiml(R"(<Response><Say>Transferring you now.</Say>
    <Dial callerId="+15550001000" timeout="20" answerOnBridge="true"><Number>+15557654321</Number></Dial>
    <Hangup/></Response>)");
  REQUIRE(dial.twiml);
  REQUIRE(dial.twiml->dial);
  CHECK(dial.twiml->dial->number == "+15557654321");
  CHECK(dial.twiml->dial->caller_id == "+15550001000");
  CHECK(dial.twiml->dial->timeout == 20);
  CHECK(dial.twiml->dial->answer_on_bridge);
  CHECK(dial.twiml->hangup);
  const auto reject = parse_twiml(R"(<Response><Reject reason="busy"/></Response>)");
  REQUIRE(reject.twiml);
  CHECK(reject.twiml->reject == "busy");
  CHECK_FALSE(parse_twiml(R"(<Response><Reject reason="later"/></Response>)").twiml);
}

// ---- fake Twilio caller ------------------------------------------------------------------------

TEST_CASE("the fake caller signs its webhook, streams on a virtual clock, and echoes marks as audio plays") {
  CallerOptions options;
  MiniDaemon daemon(options.auth_token);
  FakeTwilioCaller caller(options);

  const auto params = caller.voice_params();
  CHECK(twilio::form_value(params, "CalledCity") == "");
  CHECK(twilio::form_value(params, "Direction") == "inbound");
  CHECK(twilio::form_value(params, "StirVerstat").has_value());
  CHECK(twilio::form_value(params, "CallToken").has_value());

  auto answer = caller.post_voice_webhook(daemon.url("/twilio/voice"), "https://voice.example.com/twilio/voice");
  REQUIRE(answer.status == 200);
  REQUIRE_MESSAGE(answer.twiml, answer.twiml_error);
  REQUIRE(caller.open_stream().ok);
  CHECK(caller.wait_for([&] { return caller.stream().received().size() >= 4; }));
  CHECK(caller.stream().buffered_bytes() == 1600);

  caller.send_silence(60);
  CHECK(caller.stream().marks_echoed().empty());  // 60 ms played, mark "a" waits behind 100 ms
  caller.send_silence(40);
  CHECK(caller.stream().marks_echoed() == std::vector<std::string>{"a"});
  CHECK(caller.wait_for([&] { return caller.stream().clears() == 1; }));
  CHECK(caller.stream().marks_echoed() == std::vector<std::string>{"a", "b"});  // flushed by clear
  CHECK(caller.stream().heard() == ulaw_tone(100));
  CHECK(caller.stream().cleared_bytes() == 800);
  CHECK(caller.wait_for([&] { return caller.stream().violations().size() == 2; }));
  caller.dtmf('5');
  caller.hang_up();
  CHECK(caller.stream().closed());
  CHECK(caller.stream().close_code() == 1000);

  auto action = caller.post_connect_action();
  REQUIRE(action.twiml);
  CHECK(action.twiml->hangup);
  CHECK(caller.post_status_callback("/twilio/status", {"completed", 3, 42, 200, {}}).status == 200);

  const auto seen = daemon.seen();
  CHECK(seen.webhook_targets == std::vector<std::string>{"/twilio/voice", "/twilio/connect-done", "/twilio/status"});
  CHECK(seen.webhook_signatures_valid == std::vector<bool>{true, true, true});
  CHECK(seen.idempotency_tokens == std::vector<bool>{true, true, true});
  CHECK(seen.stream_target == "/twilio/media");
  CHECK(seen.stream_signature_valid);
  REQUIRE(seen.stream_messages.size() >= 2);
  CHECK(seen.stream_messages[0]["event"] == "connected");
  const json& start = seen.stream_messages[1];
  CHECK(start["sequenceNumber"] == "1");
  CHECK(start["start"]["customParameters"] == json({{"token", "abc"}}));
  CHECK(start["start"]["mediaFormat"] == json({{"encoding", "audio/x-mulaw"}, {"sampleRate", 8000}, {"channels", 1}}));
  std::vector<std::string> timestamps;
  std::vector<std::string> events;
  for (std::size_t i = 1; i < seen.stream_messages.size(); ++i) {
    const json& m = seen.stream_messages[i];
    events.push_back(m["event"]);
    CHECK(m["sequenceNumber"] == std::to_string(i));
    if (m["event"] == "media") timestamps.push_back(m["media"]["timestamp"]);
  }
  CHECK(timestamps == std::vector<std::string>{"0", "20", "40", "60", "80"});
  CHECK(events == std::vector<std::string>{"start", "media", "media", "media", "media", "media", "mark", "mark",
                                           "dtmf", "stop"});
}
