#include "core/simulate/media_leg.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "core/twilio/base64.hpp"
#include "core/twilio/media_frame_scanner.hpp"
#include "core/twilio/media_message.hpp"

using namespace sonoria;
using namespace sonoria::simulate;
using nlohmann::json;

namespace {

StreamIdentity identity() {
  return StreamIdentity{"AC00000000000000000000000000000001", "CA00000000000000000000000000000002",
                        "MZ00000000000000000000000000000003", {{"token", "t0k\"en"}, {"call_sid", "CA2"}}};
}

// What sonoria would send: media, mark, clear (core/twilio/media_message.hpp writes them).
std::string media(std::string_view audio, const std::string& sid = identity().stream_sid) {
  std::string out;
  twilio::write_media(out, sid, twilio::base64_encode(audio));
  return out;
}
std::string mark(std::string_view name) {
  std::string out;
  twilio::write_mark(out, identity().stream_sid, name);
  return out;
}
std::string clear() {
  std::string out;
  twilio::write_clear(out, identity().stream_sid);
  return out;
}

constexpr Micros leg_ms(std::int64_t n) { return n * 1000; }

// A started leg, the way a stream begins.
MediaLegState started(bool record = false) {
  MediaLegState leg(identity(), record);
  std::string out;
  leg.write_start(out);
  return leg;
}

}  // namespace

TEST_CASE("connected and start read back with the daemon's own parser, with the TwiML parameters") {
  MediaLegState leg(identity(), false);
  std::string out;
  leg.write_connected(out);
  auto connected = twilio::parse_media_message(out);
  REQUIRE(connected);
  CHECK(std::get<twilio::Connected>(*connected).protocol == "Call");
  leg.write_start(out);
  auto parsed = twilio::parse_media_message(out);
  REQUIRE(parsed);
  const auto& start = std::get<twilio::Start>(*parsed);
  CHECK(start.sequence_number == 1);
  CHECK(start.stream_sid == identity().stream_sid);
  CHECK(start.call_sid == identity().call_sid);
  CHECK(start.account_sid == identity().account_sid);
  CHECK(start.tracks == std::vector<std::string>{"inbound"});
  CHECK(start.custom_parameters.at("token") == "t0k\"en");
  CHECK(start.media_format.encoding == "audio/x-mulaw");
  CHECK(start.media_format.sample_rate == 8000);
  CHECK(start.media_format.channels == 1);
}

TEST_CASE("media frames count chunk from 1, timestamp in 20 ms steps, and share one sequence with every message") {
  auto leg = started();
  std::string out;
  const std::string payload = twilio::base64_encode(std::string(160, '\x55'));
  for (int i = 1; i <= 3; ++i) {
    leg.write_media(out, payload);
    // The daemon's allocation-free fast path accepts the frame as it is.
    auto frame = twilio::scan_media_frame(out);
    REQUIRE(frame);
    CHECK(frame->chunk == i);
    CHECK(frame->timestamp_ms == (i - 1) * 20);
    CHECK(frame->sequence_number == i + 1);
    CHECK(frame->track == "inbound");
    CHECK(frame->payload == payload);
    CHECK(frame->stream_sid == identity().stream_sid);
  }
  leg.write_dtmf(out, '#');
  auto dtmf = twilio::parse_media_message(out);
  REQUIRE(dtmf);
  CHECK(std::get<twilio::Dtmf>(*dtmf).digit == "#");
  CHECK(std::get<twilio::Dtmf>(*dtmf).track == "inbound_track");
  CHECK(std::get<twilio::Dtmf>(*dtmf).sequence_number == 5);
  leg.write_mark(out, "resp_1:2");
  auto echoed = twilio::parse_media_message(out);
  REQUIRE(echoed);
  CHECK(std::get<twilio::Mark>(*echoed).name == "resp_1:2");
  CHECK(std::get<twilio::Mark>(*echoed).sequence_number == 6);
  leg.write_stop(out);
  auto stop = twilio::parse_media_message(out);
  REQUIRE(stop);
  CHECK(std::get<twilio::Stop>(*stop).call_sid == identity().call_sid);
  CHECK(std::get<twilio::Stop>(*stop).sequence_number == 7);
  leg.write_media(out, payload);
  CHECK(twilio::scan_media_frame(out)->chunk == 4);
  CHECK(leg.counters().frames_sent == 4);
  CHECK(leg.counters().messages_sent == 8);
}

TEST_CASE("a mark is echoed only once the audio queued before it has played at 8 bytes per ms") {
  auto leg = started();
  std::vector<std::string> echo;
  CHECK(leg.receive(media(std::string(1600, 'a')), leg_ms(0), echo).kind == Received::Kind::media);  // 200 ms
  CHECK(leg.receive(mark("m1"), leg_ms(5), echo).kind == Received::Kind::mark);
  CHECK(echo.empty());
  CHECK(leg.playing(leg_ms(199)));
  leg.play_until(leg_ms(199), echo);
  CHECK(echo.empty());
  leg.play_until(leg_ms(200), echo);
  CHECK(echo == std::vector<std::string>{"m1"});
  CHECK_FALSE(leg.playing(leg_ms(200)));
  CHECK(leg.counters().played_bytes == 1600);
}

TEST_CASE("a mark with nothing queued before it is echoed at once") {
  auto leg = started();
  std::vector<std::string> echo;
  leg.receive(mark("first"), leg_ms(10), echo);
  CHECK(echo == std::vector<std::string>{"first"});
}

TEST_CASE("audio queues behind what is playing, and after a silence starts when it arrives") {
  auto leg = started();
  std::vector<std::string> echo;
  leg.receive(media(std::string(800, 'a')), leg_ms(0), echo);   // plays 0-100 ms
  leg.receive(media(std::string(800, 'b')), leg_ms(50), echo);  // queued: 100-200 ms
  leg.receive(mark("ab"), leg_ms(60), echo);
  CHECK(leg.playback_end() == leg_ms(200));
  leg.play_until(leg_ms(199), echo);
  CHECK(echo.empty());
  leg.play_until(leg_ms(200), echo);
  CHECK(echo.size() == 1);
  leg.receive(media(std::string(80, 'c')), leg_ms(500), echo);  // after a gap: 500-510 ms
  CHECK(leg.playback_end() == leg_ms(510));
  CHECK(leg.first_audio_at() == leg_ms(0));
  CHECK(leg.last_audio_at() == leg_ms(500));
}

TEST_CASE("clear drops the queued audio, echoes every pending mark, and the recording keeps only what was heard") {
  auto leg = started(true);
  std::vector<std::string> echo;
  leg.receive(media(std::string(800, 'a')), leg_ms(0), echo);
  leg.receive(mark("a"), leg_ms(0), echo);
  leg.receive(media(std::string(800, 'b')), leg_ms(0), echo);
  leg.receive(mark("b"), leg_ms(0), echo);
  const auto result = leg.receive(clear(), leg_ms(150), echo);  // 100 ms of a and 50 ms of b were heard
  CHECK(result.kind == Received::Kind::clear);
  CHECK(echo == std::vector<std::string>{"a", "b"});
  CHECK(result.cleared_bytes == 400);
  CHECK(leg.counters().cleared_bytes == 400);
  CHECK(leg.counters().clears == 1);
  CHECK(leg.counters().empty_clears == 0);
  CHECK(leg.heard() == std::string(800, 'a') + std::string(400, 'b'));
  CHECK_FALSE(leg.playing(leg_ms(150)));
  leg.receive(media(std::string(8, 'c')), leg_ms(160), echo);
  leg.play_until(leg_ms(161), echo);
  CHECK(leg.heard().back() == 'c');
  CHECK(leg.counters().audio_frames_received == 5 + 5 + 1);
}

TEST_CASE("messages Twilio would flag are counted, described and ignored") {
  std::vector<std::string> echo;
  MediaLegState leg(identity(), false);
  SUBCASE("before start") {
    CHECK(leg.receive(mark("x"), 0, echo).problem.find("before Twilio's `start`") != std::string::npos);
  }
  std::string out;
  leg.write_start(out);
  SUBCASE("another stream's sid") {
    auto r = leg.receive(media("abc", "MZ99999999999999999999999999999999"), 0, echo);
    CHECK(r.kind == Received::Kind::rejected);
    CHECK(r.problem.find("MZ99999999999999999999999999999999") != std::string::npos);
  }
  SUBCASE("a payload that is not base64") {
    CHECK(leg.receive(R"({"event":"media","streamSid":"MZ00000000000000000000000000000003","media":{"payload":"%%%%"}})", 0, echo)
              .problem == "`media` payload is not valid base64");
  }
  SUBCASE("an unknown event") {
    CHECK(leg.receive(R"({"event":"play","streamSid":"MZ00000000000000000000000000000003"})", 0, echo)
              .problem.find("unknown event `play`") != std::string::npos);
  }
  SUBCASE("not JSON, and binary") {
    CHECK(leg.receive("hello", 0, echo).problem == "not a JSON object");
    CHECK(leg.receive_binary().problem.find("31950") != std::string::npos);
  }
  CHECK(leg.counters().rejected >= 1);
  CHECK(leg.counters().media_received == 0);
  CHECK(echo.empty());
}

TEST_CASE("a clear that finds everything already played is counted apart: late marks, not a barge-in") {
  auto leg = started(true);
  std::vector<std::string> echo;
  leg.receive(media(std::string(800, 'a')), leg_ms(0), echo);
  leg.receive(mark("a"), leg_ms(0), echo);
  // The reply played out at 100 ms; sonoria, not having seen the mark yet, clears at 300 ms.
  const auto result = leg.receive(clear(), leg_ms(300), echo);
  CHECK(result.cleared_bytes == 0);
  CHECK(leg.counters().clears == 1);
  CHECK(leg.counters().empty_clears == 1);
}
