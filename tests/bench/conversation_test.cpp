#include "tests/bench/conversation.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/simulate/probe.hpp"
#include "core/twilio/base64.hpp"
#include "tests/bench/realtime_events.hpp"

using namespace sonoria::bench;
using nlohmann::json;
namespace simulate = sonoria::simulate;

namespace {

constexpr std::uint64_t k_ms = 1'000'000;

// A conversation plus what it said, event by event.
struct Harness {
  explicit Harness(EngineOptions o = {}) : options(o), conversation(options, stats, 3, "gpt-realtime") {}

  std::vector<json> drain() {
    std::vector<json> events;
    for (const auto& message : out) events.push_back(json::parse(message.data));
    out.clear();
    return events;
  }
  std::vector<json> send(const json& event, std::uint64_t now = 0) {
    conversation.on_text(event.dump(), now, out);
    return drain();
  }
  // 20 ms caller frames with probes (stream 9, consecutive sequence), sent at `sent_ns`.
  std::vector<json> append(int frames, bool speech, std::uint64_t sent_ns, std::uint64_t now) {
    std::string raw;
    for (int i = 0; i < frames; ++i) {
      std::string frame(simulate::k_frame_bytes, speech ? '\x10' : '\xFF');
      simulate::stamp_probe(frame, {9, caller_sequence++, sent_ns, speech});
      raw += frame;
    }
    conversation.on_text(R"({"type":"input_audio_buffer.append","audio":")" + sonoria::twilio::base64_encode(raw) + "\"}",
                         now, out);
    return drain();
  }
  void configure(int silence_ms = 200) {
    send({{"type", "session.update"},
          {"session",
           {{"type", "realtime"},
            {"audio",
             {{"input", {{"format", {{"type", "audio/pcmu"}}},
                         {"turn_detection", {{"type", "server_vad"}, {"silence_duration_ms", silence_ms}}}}},
              {"output", {{"format", {{"type", "audio/pcmu"}}}}}}}}}});
  }

  EngineOptions options;
  EngineStats stats;
  Conversation conversation;
  Outbox out;
  std::uint32_t caller_sequence = 0;
};

std::vector<std::string> types(const std::vector<json>& events) {
  std::vector<std::string> t;
  for (const auto& e : events) t.push_back(e.value("type", ""));
  return t;
}

std::size_t count_of(const std::vector<json>& events, const std::string& type) {
  return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const json& e) { return e["type"] == type; }));
}

const json& last_of(const std::vector<json>& events, const std::string& type) {
  for (auto it = events.rbegin(); it != events.rend(); ++it)
    if ((*it)["type"] == type) return *it;
  throw std::runtime_error("no " + type);
}

}  // namespace

TEST_CASE("a connection opens with OpenAI's PCM default and switches to μ-law on session.update") {
  Harness h;
  h.conversation.open(h.out);
  auto opened = h.drain();
  REQUIRE(opened.size() == 1);
  CHECK(opened[0]["type"] == "session.created");
  CHECK(opened[0]["session"]["audio"]["output"]["format"]["type"] == "audio/pcm");
  CHECK(opened[0]["session"]["model"] == "gpt-realtime");

  auto updated = h.send({{"type", "session.update"},
                         {"session", {{"type", "realtime"},
                                      {"instructions", "Be brief."},
                                      {"audio", {{"input", {{"format", {{"type", "audio/pcmu"}}}}},
                                                 {"output", {{"format", {{"type", "audio/pcmu"}}}, {"voice", "cedar"}}}}}}}});
  REQUIRE(types(updated) == std::vector<std::string>{"session.updated"});
  const json& session = updated[0]["session"];
  CHECK(session["audio"]["input"]["format"]["type"] == "audio/pcmu");
  CHECK(session["audio"]["output"]["format"] == json{{"type", "audio/pcmu"}});
  CHECK(session["audio"]["output"]["voice"] == "cedar");
  CHECK(session["audio"]["input"]["turn_detection"]["type"] == "server_vad");  // untouched defaults stay
  CHECK(session["instructions"] == "Be brief.");
}

TEST_CASE("a session.update without session.type is refused like GA refuses it") {
  Harness h;
  auto reply = h.send({{"type", "session.update"}, {"event_id", "evt_1"}, {"session", {{"voice", "alloy"}}}});
  REQUIRE(reply.size() == 1);
  CHECK(reply[0]["type"] == "error");
  CHECK(reply[0]["error"]["code"] == "missing_required_parameter");
  CHECK(reply[0]["error"]["event_id"] == "evt_1");
  CHECK(h.stats.errors == 1);
}

TEST_CASE("a response speaks reply_ms of probe-stamped μ-law in real time on an absolute schedule") {
  Harness h({.delta_ms = 100, .reply_ms = 300, .function_every = 0});
  h.configure();
  const std::uint64_t t0 = 1'000 * k_ms;
  auto start = h.send({{"type", "response.create"}}, t0);
  CHECK(types(start) == std::vector<std::string>{"response.created", "response.output_item.added", "conversation.item.added",
                                                 "response.content_part.added", "response.output_audio_transcript.delta",
                                                 "response.output_audio.delta"});
  CHECK(h.conversation.next_due_ns() == t0 + 100 * k_ms);

  h.conversation.on_due(t0 + 99 * k_ms, h.out);  // early: nothing
  CHECK(h.out.empty());
  h.conversation.on_due(t0 + 250 * k_ms, h.out);  // late: both due deltas at once, then the end
  auto rest = h.drain();
  CHECK(count_of(rest, "response.output_audio.delta") == 2);
  CHECK(h.stats.late_deltas == 2);  // 150 ms and 50 ms behind their schedule
  CHECK(h.stats.max_delta_lag_ns == 150 * k_ms);
  CHECK_FALSE(h.conversation.next_due_ns());
  const json& done = last_of(rest, "response.done");
  CHECK(done["response"]["status"] == "completed");
  CHECK(done["response"]["usage"]["output_token_details"]["audio_tokens"] == 6);
  CHECK(last_of(rest, "response.output_audio_transcript.done")["transcript"] ==
        start[4]["delta"]);  // one transcript piece per five deltas: this reply had one

  // Frames: 5 per 100 ms delta, consecutive sequence numbers on stream 3, all speech.
  std::vector<json> deltas = {start.back()};
  for (const auto& e : rest)
    if (e["type"] == "response.output_audio.delta") deltas.push_back(e);
  std::uint32_t expected = 0;
  for (const auto& d : deltas) {
    auto audio = sonoria::twilio::base64_decode(d["delta"].get<std::string>());
    REQUIRE(audio);
    REQUIRE(audio->size() == 800);
    for (std::size_t f = 0; f < 5; ++f) {
      auto probe = simulate::read_probe(std::string_view(*audio).substr(f * 160, 160));
      REQUIRE(probe);
      CHECK(probe->stream == 3);
      CHECK(probe->sequence == expected++);
      CHECK(probe->speech);
    }
    CHECK(d["item_id"] == start[1]["item"]["id"]);
  }
  CHECK(h.stats.audio_deltas == 3);
  CHECK(h.stats.responses == 1);
}

TEST_CASE("a second response.create while one is speaking is refused") {
  Harness h({.delta_ms = 100, .reply_ms = 1000, .function_every = 0});
  h.send({{"type", "response.create"}});
  auto again = h.send({{"type", "response.create"}});
  REQUIRE(again.size() == 1);
  CHECK(again[0]["error"]["code"] == "conversation_already_has_active_response");
}

TEST_CASE("caller speech marked by probes makes a turn: committed item, transcript, then a response") {
  Harness h({.delta_ms = 100, .reply_ms = 200, .function_every = 0});
  h.configure(200);
  const std::uint64_t t = 5'000 * k_ms;
  auto quiet = h.append(5, false, t - 2 * k_ms, t);
  CHECK(quiet.empty());
  auto speaking = h.append(3, true, t - 1 * k_ms, t);
  REQUIRE(types(speaking) == std::vector<std::string>{"input_audio_buffer.speech_started"});
  CHECK(speaking[0]["audio_start_ms"] == 0);  // began at 100 ms, minus 300 ms of padding, clamped
  auto stopped = h.append(10, false, t, t + 1 * k_ms);
  auto t_types = types(stopped);
  REQUIRE(t_types.size() >= 7);
  CHECK(std::vector<std::string>(t_types.begin(), t_types.begin() + 6) ==
        std::vector<std::string>{"input_audio_buffer.speech_stopped", "input_audio_buffer.committed",
                                 "conversation.item.added", "conversation.item.done",
                                 "conversation.item.input_audio_transcription.completed", "response.created"});
  CHECK(stopped[1]["item_id"] == speaking[0]["item_id"]);
  CHECK(stopped[2]["item"]["role"] == "user");
  CHECK(h.stats.frames.received == 18);
  CHECK(h.stats.frames.probes == 18);
  CHECK(h.stats.frames.lost == 0);
  CHECK(h.stats.caller_to_engine.count() == 18);
  CHECK(h.stats.caller_to_engine.max_ns() == 2 * k_ms);
  CHECK(h.stats.speech_turns == 1);
}

TEST_CASE("speech during a reply cancels it with turn_detected, and a truncate within the audio sent is accepted") {
  Harness h({.delta_ms = 100, .reply_ms = 2000, .function_every = 0});
  h.configure();
  auto start = h.send({{"type", "response.create"}}, 0);
  const std::string item = start[1]["item"]["id"];
  h.conversation.on_due(200 * k_ms, h.out);  // three deltas sent: 300 ms
  h.drain();
  auto barge = h.append(3, true, 0, 210 * k_ms);
  CHECK(barge.front()["type"] == "input_audio_buffer.speech_started");
  const json& done = last_of(barge, "response.done");
  CHECK(done["response"]["status"] == "cancelled");
  CHECK(done["response"]["status_details"]["reason"] == "turn_detected");
  CHECK(last_of(barge, "response.output_item.done")["item"]["status"] == "incomplete");
  CHECK_FALSE(h.conversation.next_due_ns());
  CHECK(h.stats.cancelled == 1);

  auto cut = h.send({{"type", "conversation.item.truncate"}, {"item_id", item}, {"content_index", 0}, {"audio_end_ms", 250}});
  REQUIRE(types(cut) == std::vector<std::string>{"conversation.item.truncated"});
  auto too_far = h.send({{"type", "conversation.item.truncate"}, {"item_id", item}, {"content_index", 0}, {"audio_end_ms", 301}});
  REQUIRE(too_far.size() == 1);
  CHECK(too_far[0]["error"]["message"] == "Audio content of 300ms is already shorter than 301ms");
  CHECK(h.stats.truncates == 1);
}

TEST_CASE("response.cancel stops the deltas and answers response.done cancelled") {
  Harness h({.delta_ms = 100, .reply_ms = 2000, .function_every = 0});
  h.send({{"type", "response.create"}});
  auto cancelled = h.send({{"type", "response.cancel"}});
  CHECK(last_of(cancelled, "response.done")["response"]["status_details"]["reason"] == "client_cancelled");
  CHECK_FALSE(h.conversation.next_due_ns());
  auto nothing = h.send({{"type", "response.cancel"}});
  CHECK(nothing[0]["error"]["code"] == "response_cancel_not_active");
}

TEST_CASE("every function_every-th response calls send_booking_link, and its output is accepted once") {
  Harness h({.delta_ms = 100, .reply_ms = 100, .function_every = 2});
  auto first = h.send({{"type", "response.create"}});
  CHECK(count_of(first, "response.output_audio.delta") == 1);
  auto second = h.send({{"type", "response.create"}});
  CHECK(count_of(second, "response.output_audio.delta") == 0);
  const json& args = last_of(second, "response.function_call_arguments.done");
  CHECK(args["name"] == "send_booking_link");
  CHECK(args["arguments"] == "{}");
  CHECK(last_of(second, "response.done")["response"]["status"] == "completed");
  CHECK(h.stats.function_calls == 1);

  const json output = {{"type", "conversation.item.create"},
                       {"item", {{"type", "function_call_output"}, {"call_id", args["call_id"]}, {"output", "{\"ok\":false}"}}}};
  auto accepted = h.send(output);
  CHECK(types(accepted) == std::vector<std::string>{"conversation.item.added", "conversation.item.done"});
  auto again = h.send(output);
  CHECK(again[0]["error"]["param"] == "item.call_id");
}

TEST_CASE("garbage, unknown events and bad audio get error events, never exceptions") {
  Harness h;
  CHECK(h.send(json("just a string"))[0]["error"]["code"] == "invalid_json");
  h.conversation.on_text("{oops", 0, h.out);
  CHECK(h.drain()[0]["error"]["code"] == "invalid_json");
  CHECK(h.send({{"type", "session.quota_preview"}})[0]["error"]["code"] == "invalid_value");
  CHECK(h.send({{"type", "input_audio_buffer.append"}, {"audio", "@@@@"}})[0]["error"]["param"] == "audio");
  CHECK(h.stats.errors == 4);
  CHECK(h.stats.error_codes.at("invalid_json") == 2);
  CHECK(h.stats.error_codes.at("invalid_value") == 2);
}

TEST_CASE("an escaped append that the scanner leaves alone is still decoded by the parser") {
  Harness h;
  h.configure();
  std::string frame(simulate::k_frame_bytes, '\xFF');
  std::string b64 = sonoria::twilio::base64_encode(frame);
  std::string escaped;
  for (char c : b64) {
    if (c == '/') escaped += "\\/";
    else escaped += c;
  }
  h.conversation.on_text(R"({"type":"input_audio_buffer.append","audio":")" + escaped + "\"}", 0, h.out);
  CHECK(h.drain().empty());
  CHECK(h.stats.frames.received == 1);
}
