#include "daemon/hold_clip.hpp"

#include <doctest/doctest.h>

#include "core/twilio/base64.hpp"

using namespace sonoria;

TEST_CASE("audio becomes Twilio media payloads of at most the chunk size, in order") {
  const std::string ulaw(1900, '\x55');
  const auto payloads = daemon::media_payloads(ulaw, 800);
  REQUIRE(payloads.size() == 3);
  std::string back;
  for (const auto& p : payloads) back += *twilio::base64_decode(p);
  CHECK(back == ulaw);
  CHECK(twilio::base64_decode(payloads[2])->size() == 300);
  CHECK(daemon::media_payloads("", 800).empty());
}

TEST_CASE("the hold clip is rendered as about a second of speech") {
  const auto clip = daemon::render_hold_clip();
  REQUIRE(clip);
  std::size_t bytes = 0;
  for (const auto& p : *clip) bytes += twilio::base64_decode(p)->size();
  CHECK(bytes > 4000);    // more than half a second
  CHECK(bytes < 40000);   // less than five seconds
}
