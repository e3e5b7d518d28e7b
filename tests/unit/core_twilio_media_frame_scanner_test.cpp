#include "core/twilio/media_frame_scanner.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <new>

#include "core/twilio/base64.hpp"

using namespace sonoria::twilio;

// Counting replacements of the global allocation functions, so a test can prove the media hot
// path allocates nothing. They only count; allocation behaves as usual.
namespace {
thread_local std::size_t g_allocations = 0;
}  // namespace

void* operator new(std::size_t size) {
  ++g_allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// GCC 12 flags free() inside a replacement operator delete as mismatched; it pairs with the malloc
// in the replacement operator new above.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop

namespace {

std::string frame_with(const std::string& payload_b64) {
  return R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":")" +
         payload_b64 + R"("},"streamSid":"MZ0123456789abcdef0123456789abcdef"})";
}

std::string real_frame() { return frame_with(base64_encode(std::string(160, '\x7E'))); }

}  // namespace

TEST_CASE("a real-shaped media frame takes the fast path") {
  const std::string text = real_frame();
  const auto media = scan_media_frame(text);
  REQUIRE(media);
  CHECK(media->payload.size() == 216);
  CHECK(media->payload.data() > text.data());
  CHECK(media->timestamp_ms == 40);
  CHECK(media->chunk == 2);
  CHECK(media->sequence_number == 3);
  CHECK(media->track == "inbound");
  CHECK(media->stream_sid == "MZ0123456789abcdef0123456789abcdef");
}

TEST_CASE("reordered keys, whitespace and unknown fields stay on the fast path") {
  const std::string text =
      "\t{ \"streamSid\":\"MZ1\", \"x\": [1, 2.5, -0, true, false, null, {\"a\": {}}, []],\n"
      "  \"media\": {\"payload\": \"AAAA\", \"timestamp\": \"40\", \"y\": {\"z\": \"w\"}, \"chunk\": \"2\", \"track\": \"inbound\"},\r\n"
      "  \"sequenceNumber\": \"3\", \"event\": \"media\" } ";
  const auto media = scan_media_frame(text);
  REQUIRE(media);
  CHECK(media->payload == "AAAA");
  CHECK(media->stream_sid == "MZ1");
}

TEST_CASE("the fast path hands over what it is unsure about") {
  const char* unsure[] = {
      R"({"event":"media","note":"a\"b","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"ev\u0065nt":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","timestamp":"60","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","n":1e3,"sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      R"({"event":"media","n":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]],"sequenceNumber":"3","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"streamSid":"MZ1"})",
      "\xEF\xBB\xBF{\"event\":\"media\",\"sequenceNumber\":\"3\",\"media\":{\"track\":\"inbound\",\"chunk\":\"2\",\"timestamp\":\"40\",\"payload\":\"AAAA\"},\"streamSid\":\"MZ1\"}",
  };
  for (const char* text : unsure) {
    CAPTURE(text);
    CHECK_FALSE(scan_media_frame(text).has_value());
  }
}

TEST_CASE("other events are not media frames") {
  CHECK_FALSE(scan_media_frame(R"({"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"a"}})"));
  CHECK_FALSE(scan_media_frame(R"({"sequenceNumber":"4","streamSid":"MZ1","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"AAAA"},"event":"stop"})"));
}

TEST_CASE("no mutation of a real frame is accepted by the fast path and rejected by the full parser") {
  // Every single-byte replacement and deletion: when the scanner accepts, nlohmann must accept the
  // same text and read the same values.
  const std::string original = frame_with("fn5+fn5+/w==");
  const char replacements[] = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'x', '0', '-', '.', 'e', '\0', '\x80', '\n'};
  int accepted = 0;
  int checked = 0;
  auto check = [&](const std::string& text) {
    ++checked;
    const auto media = scan_media_frame(text);
    if (!media) return;
    ++accepted;
    INFO(text);
    REQUIRE(nlohmann::json::accept(text));
    const auto json = nlohmann::json::parse(text);
    CHECK(json["event"] == "media");
    CHECK(json["media"]["payload"] == std::string(media->payload));
    CHECK(json["media"]["track"] == std::string(media->track));
    CHECK(json["streamSid"] == std::string(media->stream_sid));
    CHECK(parse_string_number(json["media"]["timestamp"].get<std::string>()) == media->timestamp_ms);
    CHECK(parse_string_number(json["media"]["chunk"].get<std::string>()) == media->chunk);
    CHECK(parse_string_number(json["sequenceNumber"].get<std::string>()) == media->sequence_number);
  };
  for (std::size_t i = 0; i < original.size(); ++i) {
    for (char c : replacements) {
      std::string text = original;
      text[i] = c;
      check(text);
    }
    std::string deleted = original;
    deleted.erase(i, 1);
    check(deleted);
  }
  CHECK(checked > 1000);
  CHECK(accepted > 0);  // e.g. a space replacing a space, or digit changes
}

TEST_CASE("string-numbers are digits only and fit in int64") {
  CHECK(parse_string_number("0") == 0);
  CHECK(parse_string_number("40") == 40);
  CHECK(parse_string_number("9223372036854775807") == INT64_MAX);
  CHECK_FALSE(parse_string_number("9223372036854775808"));
  CHECK_FALSE(parse_string_number(""));
  CHECK_FALSE(parse_string_number("-1"));
  CHECK_FALSE(parse_string_number("1a"));
  CHECK_FALSE(parse_string_number("١"));  // Arabic-Indic digit one
}

TEST_CASE("the media hot path allocates nothing") {
  const std::string text = real_frame();
  std::string out;
  write_media(out, "MZ0123456789abcdef0123456789abcdef", std::string(216, 'A'));
  write_mark(out, "MZ0123456789abcdef0123456789abcdef", "resp_1:1");
  const std::size_t before = g_allocations;
  std::size_t payload_bytes = 0;
  for (int i = 0; i < 100; ++i) {
    const auto message = parse_media_message(text);
    if (message && std::holds_alternative<Media>(*message)) {
      const auto& media = std::get<Media>(*message);
      payload_bytes += media.payload.size();
      write_media(out, media.stream_sid, media.payload);
      write_mark(out, media.stream_sid, "resp_1:2");
    }
  }
  const std::size_t allocations = g_allocations - before;
  CHECK(payload_bytes == 100 * 216);
  CHECK(allocations == 0);
}
