#include "core/simulate/probe.hpp"

#include <doctest/doctest.h>

using namespace sonoria::simulate;

TEST_CASE("a probe written over a frame reads back exactly, and the rest of the frame is untouched") {
  std::string frame(k_frame_bytes, '\x7F');
  Probe sent{42, 4'000'000'001u, 0x0123456789ABCDEFull, true};
  stamp_probe(frame, sent);
  CHECK(frame.size() == k_frame_bytes);
  CHECK(frame.substr(k_probe_size) == std::string(k_frame_bytes - k_probe_size, '\x7F'));
  auto back = read_probe(frame);
  REQUIRE(back);
  CHECK(back->stream == 42);
  CHECK(back->sequence == 4'000'000'001u);
  CHECK(back->sent_ns == 0x0123456789ABCDEFull);
  CHECK(back->speech);
}

TEST_CASE("ordinary audio, short frames and damaged headers are not probes") {
  CHECK_FALSE(read_probe(std::string(k_frame_bytes, '\xFF')));
  std::string frame(k_frame_bytes, '\xFF');
  stamp_probe(frame, Probe{1, 2, 3, false});
  CHECK_FALSE(read_probe(std::string_view(frame).substr(0, k_probe_size - 1)));
  std::string bad_flag = frame;
  bad_flag[20] = 7;
  CHECK_FALSE(read_probe(bad_flag));
  std::string bad_pad = frame;
  bad_pad[23] = 0;
  CHECK_FALSE(read_probe(bad_pad));
  std::string tiny(10, '\xFF');
  stamp_probe(tiny, Probe{1, 2, 3, false});  // too short to hold one: left alone
  CHECK(tiny == std::string(10, '\xFF'));
}

TEST_CASE("the monotonic clock moves forward") {
  auto a = monotonic_ns();
  auto b = monotonic_ns();
  CHECK(b >= a);
  CHECK(a > 0);
}
