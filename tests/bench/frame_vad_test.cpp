#include "tests/bench/frame_vad.hpp"

#include <doctest/doctest.h>

#include <string>

#include "core/simulate/probe.hpp"

using namespace sonoria::bench;
using Change = FrameVad::Change;

TEST_CASE("60 ms of speech starts a turn and silence_duration_ms of silence ends it") {
  FrameVad vad;
  vad.configure(100, 300);
  for (int i = 0; i < 20; ++i) CHECK(vad.frame(false) == Change::none);  // 400 ms of silence
  CHECK(vad.frame(true) == Change::none);
  CHECK(vad.frame(true) == Change::none);
  CHECK(vad.frame(true) == Change::speech_started);
  CHECK(vad.turn_start_ms() == 100);  // speech began at 400 ms, minus 300 ms of prefix padding
  CHECK(vad.frame(false) == Change::none);
  CHECK(vad.frame(true) == Change::none);  // a short pause does not end the turn
  for (int i = 0; i < 4; ++i) CHECK(vad.frame(false) == Change::none);
  CHECK(vad.frame(false) == Change::speech_stopped);
  CHECK(vad.audio_ms() == 30 * 20);
  CHECK_FALSE(vad.in_speech());
}

TEST_CASE("a short blip of speech does not start a turn") {
  FrameVad vad;
  CHECK(vad.frame(true) == Change::none);
  CHECK(vad.frame(true) == Change::none);
  CHECK(vad.frame(false) == Change::none);
  CHECK(vad.frame(true) == Change::none);
  CHECK_FALSE(vad.in_speech());
}

TEST_CASE("a probe's flag decides whether its frame is speech; otherwise any byte that is not silence does") {
  std::string frame(sonoria::simulate::k_frame_bytes, '\xFF');
  CHECK_FALSE(frame_is_speech(frame));
  frame[100] = '\x7E';
  CHECK(frame_is_speech(frame));
  std::string probed(sonoria::simulate::k_frame_bytes, '\x10');
  sonoria::simulate::stamp_probe(probed, {1, 0, 0, false});
  CHECK_FALSE(frame_is_speech(probed));
  sonoria::simulate::stamp_probe(probed, {1, 0, 0, true});
  CHECK(frame_is_speech(probed));
}
