#include "core/simulate/daemon_message.hpp"

#include <doctest/doctest.h>

using namespace sonoria::simulate;

TEST_CASE("sonoria's compact media, mark and clear frames are read without copying") {
  DaemonMessage m;
  const std::string media = R"({"event":"media","streamSid":"MZ1","media":{"payload":"AAAA"}})";
  CHECK(parse_daemon_message(media, m).empty());
  CHECK(m.kind == DaemonMessage::Kind::media);
  CHECK(m.stream_sid == "MZ1");
  CHECK(m.payload == "AAAA");
  CHECK(m.payload.data() >= media.data());
  CHECK(m.payload.data() < media.data() + media.size());
  CHECK(m.owned_payload.empty());
  CHECK(parse_daemon_message(R"({"event":"mark","streamSid":"MZ1","mark":{"name":"resp_1:3"}})", m).empty());
  CHECK(m.kind == DaemonMessage::Kind::mark);
  CHECK(m.mark_name == "resp_1:3");
  CHECK(parse_daemon_message(R"({"event":"clear","streamSid":"MZ1"})", m).empty());
  CHECK(m.kind == DaemonMessage::Kind::clear);
  CHECK(m.has_stream_sid);
}

TEST_CASE("any other valid JSON spelling is understood, escapes included") {
  DaemonMessage m;
  CHECK(parse_daemon_message(R"( { "media": {"payload": "AA\/A"}, "streamSid": "MZ1", "event": "media" } )", m).empty());
  CHECK(m.kind == DaemonMessage::Kind::media);
  CHECK(m.payload == "AA/A");
  CHECK(m.stream_sid == "MZ1");
  CHECK(parse_daemon_message(R"({"event":"mark","streamSid":"MZ1","mark":{"name":"caf\u00e9"}})", m).empty());
  CHECK(m.mark_name == "caf\xC3\xA9");
  CHECK(parse_daemon_message(R"({"event":"clear"})", m).empty());
  CHECK_FALSE(m.has_stream_sid);
  CHECK(parse_daemon_message(R"({"event":"frobnicate","streamSid":"MZ1"})", m).empty());
  CHECK(m.kind == DaemonMessage::Kind::unknown);
  CHECK(m.event == "frobnicate");
}

TEST_CASE("frames Twilio would reject say why") {
  DaemonMessage m;
  CHECK(parse_daemon_message("[1,2]", m) == "not a JSON object");
  CHECK(parse_daemon_message("{\"event\":", m) == "not a JSON object");
  CHECK(parse_daemon_message(R"({"streamSid":"MZ1"})", m) == "no \"event\" string");
  CHECK(parse_daemon_message(R"({"event":"media","streamSid":"MZ1","media":{}})", m) == "`media` without media.payload string");
  CHECK(parse_daemon_message(R"({"event":"mark","streamSid":"MZ1","mark":{"name":7}})", m) == "`mark` without mark.name string");
  CHECK(parse_daemon_message(R"({"event":"clear","streamSid":42})", m).find("not a string") != std::string::npos);
}
