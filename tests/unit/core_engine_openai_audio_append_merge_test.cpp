#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/engine/openai/audio_append_merge.hpp"
#include "core/engine/openai/realtime_protocol.hpp"
#include "core/twilio/base64.hpp"

using namespace sonoria;
using namespace sonoria::engine::openai;

namespace {

std::string append_of(const std::string& audio) {
  std::string event;
  REQUIRE(write_input_audio_append(event, twilio::base64_encode(audio)));
  return event;
}

std::string audio_of(const std::string& event) {
  auto payload = input_audio_append_payload(event);
  REQUIRE(payload);
  auto audio = twilio::base64_decode(*payload);
  REQUIRE(audio);
  return *audio;
}

}  // namespace

TEST_CASE("20 ms frames queued behind a write become one append carrying all of them, in order") {
  const std::string a(160, '\x11'), b(160, '\x7f'), c(160, '\x01');
  std::string into = append_of(a);
  const std::string second = append_of(b), third = append_of(c);
  CHECK(merge_audio_appends(into, {second, third}) == 2);
  // The padding at the end of each frame's base64 is not carried into the middle.
  CHECK(audio_of(into) == a + b + c);
}

TEST_CASE("merging stops at the audio bound and at the first message that is not an append") {
  std::string into = append_of(std::string(160, 'a'));
  const std::string frame = append_of(std::string(160, 'b'));
  const std::string commit = R"({"type":"input_audio_buffer.commit"})";
  CHECK(merge_audio_appends(into, {frame, frame, frame}, 400) == 1);  // 160 + 160 fit, a third does not
  CHECK(audio_of(into).size() == 320);
  CHECK(merge_audio_appends(into, {frame, commit, frame}, 8000) == 1);
  CHECK(audio_of(into).size() == 480);
}

TEST_CASE("anything but appends leaves `into` as it was") {
  std::string into = append_of(std::string(160, 'a'));
  const std::string original = into;
  CHECK(merge_audio_appends(into, {R"({"type":"input_audio_buffer.commit"})"}) == 0);
  CHECK(merge_audio_appends(into, {R"({"type":"input_audio_buffer.append","audio":"not base64!"})"}) == 0);
  CHECK(merge_audio_appends(into, {append_of(std::string(200, 'b'))}, 300) == 0);
  CHECK(merge_audio_appends(into, {}) == 0);
  CHECK(into == original);
  std::string control = R"({"type":"response.cancel"})";
  CHECK(merge_audio_appends(control, {append_of("x")}) == 0);
  CHECK(control == R"({"type":"response.cancel"})");
}
