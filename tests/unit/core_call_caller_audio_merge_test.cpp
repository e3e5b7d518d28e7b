#include <doctest/doctest.h>

#include <string>

#include "core/call/caller_audio_merge.hpp"
#include "core/engine/openai_protocol.hpp"
#include "core/twilio/base64.hpp"

using namespace sonoria;

namespace {

std::string append_of(const std::string& audio) {
  std::string event;
  REQUIRE(engine::write_input_audio_append(event, twilio::base64_encode(audio)));
  return event;
}

std::string audio_of(const std::string& event) {
  auto payload = engine::input_audio_append_payload(event);
  REQUIRE(payload);
  auto audio = twilio::base64_decode(*payload);
  REQUIRE(audio);
  return *audio;
}

}  // namespace

TEST_CASE("two 20 ms frames become one append carrying both, in order") {
  const std::string first(160, '\x11'), second(160, '\x7f');
  std::string into = append_of(first);
  CHECK(call::merge_audio_appends(into, append_of(second)));
  CHECK(audio_of(into) == first + second);
  // A third joins the same way: the padding of the first two is not carried into the middle.
  CHECK(call::merge_audio_appends(into, append_of(std::string(160, '\x01'))));
  CHECK(audio_of(into) == first + second + std::string(160, '\x01'));
}

TEST_CASE("anything but two appends, or more audio than the bound, is left as it was") {
  std::string into = append_of(std::string(160, 'a'));
  const std::string original = into;
  CHECK_FALSE(call::merge_audio_appends(into, R"({"type":"input_audio_buffer.commit"})"));
  CHECK_FALSE(call::merge_audio_appends(into, R"({"type":"input_audio_buffer.append","audio":"not base64!"})"));
  CHECK_FALSE(call::merge_audio_appends(into, append_of(std::string(200, 'b')), 300));
  CHECK(into == original);
  std::string control = R"({"type":"response.cancel"})";
  CHECK_FALSE(call::merge_audio_appends(control, append_of("x")));
  CHECK(control == R"({"type":"response.cancel"})");
}
