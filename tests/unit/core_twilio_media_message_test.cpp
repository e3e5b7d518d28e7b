#include "core/twilio/media_message.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>

#include "core/twilio/base64.hpp"

using namespace sonoria::twilio;

namespace {

const std::string k_stream_sid = "MZ0123456789abcdef0123456789abcdef";

std::string payload() {
  std::string audio;
  for (int i = 0; i < 160; ++i) audio.push_back(static_cast<char>(i * 7 + 3));
  return base64_encode(audio);
}

// A media frame as Twilio sends it (protocols.md §3.2), on one line.
std::string real_media_frame() {
  return R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":")" +
         payload() + R"("},"streamSid":")" + k_stream_sid + R"("})";
}

template <class T>
T expect(const std::optional<InboundMessage>& message) {
  REQUIRE(message.has_value());
  REQUIRE(std::holds_alternative<T>(*message));
  return std::get<T>(*message);
}

bool points_into(std::string_view view, const std::string& text) {
  return view.data() >= text.data() && view.data() + view.size() <= text.data() + text.size();
}

}  // namespace

TEST_CASE("connected carries the protocol and version") {
  const auto connected = expect<Connected>(parse_media_message(R"({"event": "connected", "protocol": "Call", "version": "1.0.0"})"));
  CHECK(connected.protocol == "Call");
  CHECK(connected.version == "1.0.0");
}

TEST_CASE("start carries the sids, tracks, custom parameters and media format") {
  const std::string text = R"({
  "event": "start",
  "sequenceNumber": "1",
  "start": {
    "accountSid": "AC00000000000000000000000000000001",
    "streamSid": "MZ0123456789abcdef0123456789abcdef",
    "callSid": "CA00000000000000000000000000000002",
    "tracks": ["inbound"],
    "customParameters": {"token": "9f2c1a", "org": "42"},
    "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}
  },
  "streamSid": "MZ0123456789abcdef0123456789abcdef"
})";
  const auto start = expect<Start>(parse_media_message(text));
  CHECK(start.sequence_number == 1);
  CHECK(start.stream_sid == k_stream_sid);
  CHECK(start.call_sid == "CA00000000000000000000000000000002");
  CHECK(start.account_sid == "AC00000000000000000000000000000001");
  CHECK(start.tracks == std::vector<std::string>{"inbound"});
  CHECK(start.custom_parameters == std::map<std::string, std::string>{{"org", "42"}, {"token", "9f2c1a"}});
  CHECK(start.media_format.encoding == "audio/x-mulaw");
  CHECK(start.media_format.sample_rate == 8000);
  CHECK(start.media_format.channels == 1);
}

TEST_CASE("start without parameters, tracks or format still parses") {
  const auto start = expect<Start>(parse_media_message(
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","callSid":"CA1","customParameters":{}},"streamSid":"MZ1"})"));
  CHECK(start.stream_sid == "MZ1");
  CHECK(start.custom_parameters.empty());
  CHECK(start.tracks.empty());
  CHECK(start.media_format.sample_rate == 0);
}

TEST_CASE("start accepts string-number sample rates but not fractional ones") {
  const std::string prefix = R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","callSid":"CA1","streamSid":"MZ1","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":)";
  CHECK(expect<Start>(parse_media_message(prefix + R"("8000","channels":"1"}}})")).media_format.sample_rate == 8000);
  CHECK_FALSE(parse_media_message(prefix + R"(8000.5,"channels":1}}})"));
  CHECK_FALSE(parse_media_message(prefix + R"(-8000,"channels":1}}})"));
  CHECK_FALSE(parse_media_message(prefix + R"(99999999999,"channels":1}}})"));
}

TEST_CASE("start custom parameters must be strings") {
  CHECK_FALSE(parse_media_message(
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","callSid":"CA1","streamSid":"MZ1","customParameters":{"org":42}}})"));
  CHECK_FALSE(parse_media_message(
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","callSid":"CA1","streamSid":"MZ1","customParameters":"token=1"}})"));
  CHECK_FALSE(parse_media_message(
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","callSid":"CA1","streamSid":"MZ1","tracks":"inbound"}})"));
}

TEST_CASE("a real-shaped media frame parses with views into the frame") {
  const std::string text = real_media_frame();
  const auto media = expect<Media>(parse_media_message(text));
  CHECK(media.stream_sid == k_stream_sid);
  CHECK(media.track == "inbound");
  CHECK(media.chunk == 2);
  CHECK(media.timestamp_ms == 40);
  CHECK(media.sequence_number == 3);
  CHECK(media.payload == payload());
  CHECK(media.payload.size() == 216);
  CHECK(points_into(media.payload, text));
  CHECK(points_into(media.stream_sid, text));
  CHECK(points_into(media.track, text));
}

TEST_CASE("media keys may come in any order with any whitespace") {
  const std::string text = " \r\n{ \"streamSid\" :\t\"" + k_stream_sid +
                           "\" ,\n \"media\" : { \"payload\" : \"" + payload() +
                           "\" , \"timestamp\":\"40\",\"chunk\" : \"2\" ,\"track\":\"inbound\" } , "
                           "\"sequenceNumber\" : \"3\", \"event\" :\"media\" }\n ";
  const auto media = expect<Media>(parse_media_message(text));
  CHECK(media.payload == payload());
  CHECK(media.timestamp_ms == 40);
  CHECK(media.chunk == 2);
  CHECK(media.sequence_number == 3);
  CHECK(media.stream_sid == k_stream_sid);
}

TEST_CASE("unknown fields of any shape are ignored in media frames") {
  const std::string text =
      R"({"event":"media","extra":{"nested":[1,-2.5,true,false,null,{"deep":[[]]}],"s":"x"},"sequenceNumber":"3",)"
      R"("media":{"track":"inbound","chunk":"2","timestamp":"40","future":[0.125],"payload":")" +
      payload() + R"("},"streamSid":"MZ1","n":0})";
  const auto media = expect<Media>(parse_media_message(text));
  CHECK(media.stream_sid == "MZ1");
  CHECK(media.payload == payload());
}

TEST_CASE("escapes the fast path does not read are handled by the full parser") {
  SUBCASE("an escaped unknown field") {
    const std::string text = R"({"event":"media","note":"say \"hi\" \u00e9\n","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})";
    const auto media = expect<Media>(parse_media_message(text));
    CHECK(media.payload == "AAAA");
    CHECK(points_into(media.payload, text));
  }
  SUBCASE("an escaped key and event name") {
    const std::string text = R"({"\u0065vent":"medi\u0061","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})";
    const auto media = expect<Media>(parse_media_message(text));
    CHECK(media.timestamp_ms == 40);
    CHECK(points_into(media.stream_sid, text));
  }
  SUBCASE("non-ASCII text in an unknown field") {
    const std::string text = "{\"event\":\"media\",\"who\":\"Ren\xC3\xA9" "e\",\"sequenceNumber\":\"3\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\",\"timestamp\":\"40\",\"payload\":\"AAAA\"},\"streamSid\":\"MZ1\"}";
    CHECK(expect<Media>(parse_media_message(text)).payload == "AAAA");
  }
}

TEST_CASE("a media frame whose views would need unescaping is dropped") {
  // "\/" is legal JSON for "/", but the decoded payload does not occur in the frame.
  const std::string text = R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"ab\/c"},"streamSid":"MZ1"})";
  CHECK_FALSE(parse_media_message(text));
}

TEST_CASE("a repeated key takes its last value, as the full parser does") {
  const std::string text = R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","timestamp":"60","payload":"AAAA"},"streamSid":"MZ1"})";
  CHECK(expect<Media>(parse_media_message(text)).timestamp_ms == 60);
}

TEST_CASE("dtmf, mark and stop parse with their sids and sequence numbers") {
  const auto dtmf = expect<Dtmf>(parse_media_message(
      R"({"event": "dtmf", "streamSid": "MZ1", "sequenceNumber": "5", "dtmf": {"track": "inbound_track", "digit": "#"}})"));
  CHECK(dtmf.digit == "#");
  CHECK(dtmf.track == "inbound_track");
  CHECK(dtmf.stream_sid == "MZ1");
  CHECK(dtmf.sequence_number == 5);

  const auto mark = expect<Mark>(parse_media_message(
      R"({"event": "mark", "sequenceNumber": "4", "streamSid": "MZ1", "mark": {"name": "resp_7:12"}})"));
  CHECK(mark.name == "resp_7:12");
  CHECK(mark.sequence_number == 4);

  const auto stop = expect<Stop>(parse_media_message(
      R"({"event": "stop", "sequenceNumber": "812", "streamSid": "MZ1", "stop": {"accountSid": "AC1", "callSid": "CA1"}})"));
  CHECK(stop.account_sid == "AC1");
  CHECK(stop.call_sid == "CA1");
  CHECK(stop.sequence_number == 812);
  CHECK(stop.stream_sid == "MZ1");
}

TEST_CASE("an unknown event is reported, not rejected") {
  const auto unknown = expect<Unknown>(parse_media_message(R"({"event":"transcription","sequenceNumber":"9","streamSid":"MZ1","x":{}})"));
  CHECK(unknown.event == "transcription");
}

TEST_CASE("a message missing a required field is rejected") {
  const char* messages[] = {
      R"({"protocol":"Call","version":"1.0.0"})",
      R"({"event":"start","start":{"accountSid":"AC1","callSid":"CA1","streamSid":"MZ1"}})",
      R"({"event":"start","sequenceNumber":"1","start":{"callSid":"CA1","streamSid":"MZ1"}})",
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1"}})",
      R"({"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","callSid":"CA1"}})",
      R"({"event":"start","sequenceNumber":"1"})",
      R"({"event":"media","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"}})",
      R"({"event":"media","sequenceNumber":"3","media":{"chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","streamSid":"MZ1"})",
      R"({"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1","dtmf":{"track":"inbound_track"}})",
      R"({"event":"dtmf","sequenceNumber":"5","streamSid":"MZ1"})",
      R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{}})",
      R"({"event":"mark","sequenceNumber":"4","mark":{"name":"a"}})",
      R"({"event":"stop","streamSid":"MZ1"})",
      R"({"event":"stop","sequenceNumber":"812"})",
  };
  for (const char* text : messages) {
    CAPTURE(text);
    CHECK_FALSE(parse_media_message(text).has_value());
  }
}

TEST_CASE("numbers sent as JSON numbers instead of strings are rejected") {
  const char* messages[] = {
      R"({"event":"media","sequenceNumber":3,"media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":2,"timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":40,"payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"mark","sequenceNumber":4,"streamSid":"MZ1","mark":{"name":"a"}})",
      R"({"event":"start","sequenceNumber":1,"start":{"accountSid":"AC1","callSid":"CA1","streamSid":"MZ1"}})",
  };
  for (const char* text : messages) {
    CAPTURE(text);
    CHECK_FALSE(parse_media_message(text).has_value());
  }
}

TEST_CASE("string-numbers must be plain decimal digits within int64") {
  const auto frame = [](const std::string& timestamp) {
    return R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":")" + timestamp +
           R"(","payload":"AAAA"},"streamSid":"MZ1"})";
  };
  CHECK(expect<Media>(parse_media_message(frame("0"))).timestamp_ms == 0);
  CHECK(expect<Media>(parse_media_message(frame("007"))).timestamp_ms == 7);
  CHECK(expect<Media>(parse_media_message(frame("9223372036854775807"))).timestamp_ms == INT64_MAX);
  for (const char* bad : {"", "-1", "+1", " 1", "1 ", "1.0", "1e3", "0x10", "9223372036854775808", "99999999999999999999"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_media_message(frame(bad)).has_value());
  }
}

TEST_CASE("a payload that is not base64 is rejected") {
  for (const char* bad : {"AAA", "AA AA", "AA=A", "AA-_", "!!!!"}) {
    CAPTURE(bad);
    const std::string text = R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":")" +
                             std::string(bad) + R"("},"streamSid":"MZ1"})";
    CHECK_FALSE(parse_media_message(text).has_value());
  }
}

TEST_CASE("garbage, non-objects and binary junk are rejected without throwing") {
  const std::string junk[] = {
      "", " ", "null", "[]", "\"media\"", "42", "{", "}", "{}", "not json", R"({"event":42})",
      R"({"event":null})", R"({"event":"media"} trailing)", R"({"event":"media",})", R"({"event":"media"}})",
      R"([{"event":"media"}])", std::string("\x00\x01\x02\xFF\xFE", 5), std::string("{\"event\":\"media") + '\0' + "\"}",
      "\xEF\xBB\xBF", "{\"event\":\"\xFF\"}",
  };
  for (const auto& text : junk) {
    CAPTURE(text);
    CHECK_FALSE(parse_media_message(text).has_value());
  }
}

TEST_CASE("every truncation of a real media frame is rejected") {
  const std::string text = real_media_frame();
  for (std::size_t n = 0; n < text.size(); ++n) {
    CAPTURE(n);
    CHECK_FALSE(parse_media_message(std::string_view(text).substr(0, n)).has_value());
  }
}

TEST_CASE("outbound media, mark and clear are the documented JSON") {
  std::string out;
  write_media(out, "MZ1", "fn5+");
  CHECK(out == R"({"event":"media","streamSid":"MZ1","media":{"payload":"fn5+"}})");
  write_mark(out, "MZ1", "resp_7:12");
  CHECK(out == R"({"event":"mark","streamSid":"MZ1","mark":{"name":"resp_7:12"}})");
  write_clear(out, "MZ1");
  CHECK(out == R"({"event":"clear","streamSid":"MZ1"})");
}

TEST_CASE("outbound strings are JSON-escaped so any name round-trips") {
  const std::string name = "quote\" back\\slash \n\t\r\b\f ctl\x01\x1F Ren\xC3\xA9" "e";
  std::string out;
  write_mark(out, "MZ\"1", name);
  const auto parsed = nlohmann::json::parse(out);
  CHECK(parsed["streamSid"] == "MZ\"1");
  CHECK(parsed["mark"]["name"] == name);
}

TEST_CASE("our own outbound media frame parses back as a media message shape") {
  std::string out;
  write_media(out, k_stream_sid, payload());
  const auto parsed = nlohmann::json::parse(out);
  CHECK(parsed["event"] == "media");
  CHECK(parsed["media"]["payload"] == payload());
  CHECK(parsed["streamSid"] == k_stream_sid);
}

TEST_CASE("a reused buffer stops reallocating once it has grown") {
  std::string out;
  write_media(out, k_stream_sid, payload());
  const char* data = out.data();
  const auto capacity = out.capacity();
  for (int i = 0; i < 100; ++i) {
    write_mark(out, k_stream_sid, "resp_1:" + std::to_string(i));
    write_media(out, k_stream_sid, payload());
  }
  CHECK(out.data() == data);
  CHECK(out.capacity() == capacity);
}

TEST_CASE("sonoria_text (sonoria chat's typed turn) carries its words; without text it is malformed") {
  CHECK(expect<TypedText>(parse_media_message(R"({"event":"sonoria_text","text":"Are you open on Sunday?"})")).text ==
        "Are you open on Sunday?");
  CHECK_FALSE(parse_media_message(R"({"event":"sonoria_text"})"));
  CHECK_FALSE(parse_media_message(R"({"event":"sonoria_text","text":5})"));
}
