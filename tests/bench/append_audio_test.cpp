#include "tests/bench/append_audio.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/twilio/base64.hpp"

using namespace sonoria::bench;

TEST_CASE("the audio of an append is found without parsing, in sonoria's shape and others") {
  CHECK(scan_append_audio(R"({"type":"input_audio_buffer.append","audio":"AAEC"})") == "AAEC");
  CHECK(scan_append_audio(R"( { "event_id" : "e1", "audio" : "/w==", "type" : "input_audio_buffer.append" } )") == "/w==");
  // A value that reads "audio" is not the key.
  CHECK(scan_append_audio(R"({"event_id":"audio","type":"input_audio_buffer.append","audio":"AAEC"})") == "AAEC");
}

TEST_CASE("other events and appends the scanner is unsure of go to the full parser") {
  CHECK_FALSE(scan_append_audio(R"({"type":"response.create"})"));
  CHECK_FALSE(scan_append_audio(R"({"type":"session.update","session":{"audio":"x"}})"));
  CHECK_FALSE(scan_append_audio(R"({"type":"input_audio_buffer.append","audio":"AA\/C"})"));  // escape
  CHECK_FALSE(scan_append_audio(R"({"type":"input_audio_buffer.append"})"));
  CHECK_FALSE(scan_append_audio(R"({"type":"input_audio_buffer.append","audio":12})"));
  CHECK_FALSE(scan_append_audio("not json"));
}

TEST_CASE("appends are decoded into whole 160-byte frames, carrying the remainder to the next append") {
  std::string audio;
  for (int i = 0; i < 400; ++i) audio += static_cast<char>(i % 251);
  FrameAssembler assembler;
  std::vector<std::string> frames;
  auto collect = [&](std::string_view frame) { frames.emplace_back(frame); };
  REQUIRE(assembler.feed(sonoria::twilio::base64_encode(audio.substr(0, 100)), collect));
  CHECK(frames.empty());
  REQUIRE(assembler.feed(sonoria::twilio::base64_encode(audio.substr(100, 199)), collect));
  CHECK(frames.size() == 1);
  REQUIRE(assembler.feed(sonoria::twilio::base64_encode(audio.substr(299)), collect));
  REQUIRE(frames.size() == 2);
  CHECK(frames[0] == audio.substr(0, 160));
  CHECK(frames[1] == audio.substr(160, 160));
  CHECK(assembler.pending() == 80);
}

TEST_CASE("a payload that is not base64 is refused whole") {
  FrameAssembler assembler;
  int frames = 0;
  CHECK_FALSE(assembler.feed("AAE", [&](std::string_view) { ++frames; }));
  CHECK_FALSE(assembler.feed("AA E", [&](std::string_view) { ++frames; }));
  CHECK(assembler.pending() == 0);
  CHECK(assembler.feed("", [&](std::string_view) { ++frames; }));
  CHECK(frames == 0);
}
