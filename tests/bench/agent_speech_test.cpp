#include "tests/bench/agent_speech.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/simulate/probe.hpp"
#include "tests/bench/agent_audio.hpp"

using namespace sonoria::bench;
namespace simulate = sonoria::simulate;

namespace {
constexpr std::uint64_t k_ms = 1'000'000;
}

TEST_CASE("an utterance is reply_ms of probe-stamped audio in delta_ms chunks on an absolute schedule") {
  EngineOptions options;
  options.delta_ms = 100;
  options.reply_ms = 1000;
  EngineStats stats;
  SpeechPlayer player(options, stats, 7);
  CHECK_FALSE(player.speaking());
  CHECK_FALSE(player.next_due_ns());
  const std::uint64_t t0 = 5'000 * k_ms;
  player.start(t0, k_reply_text);
  CHECK(player.speaking());
  CHECK(player.next_due_ns() == t0);

  auto first = player.next(t0);
  REQUIRE(first);
  CHECK(first->audio.size() == 5 * simulate::k_frame_bytes);
  CHECK_FALSE(first->words.empty());
  CHECK_FALSE(first->last);
  auto probe = simulate::read_probe(first->audio.substr(4 * simulate::k_frame_bytes));
  REQUIRE(probe);
  CHECK(probe->stream == 7);
  CHECK(probe->sequence == 4);
  CHECK(player.next_due_ns() == t0 + 100 * k_ms);
  CHECK_FALSE(player.next(t0 + 99 * k_ms));  // early: nothing

  // 3 ms late: sent, not counted late (5 ms is the limit)...
  CHECK(player.next(t0 + 103 * k_ms));
  CHECK(stats.late_deltas == 0);
  // ... and a timer 250 ms late sends the three chunks due by then at once, counting them late.
  int sent = 0;
  while (player.next(t0 + 450 * k_ms)) ++sent;
  CHECK(sent == 3);
  CHECK(stats.late_deltas == 3);
  CHECK(player.next_due_ns() == t0 + 500 * k_ms);

  bool last = false;
  int more = 0;
  while (auto c = player.next(t0 + 10'000 * k_ms)) {
    ++more;
    last = c->last;
  }
  CHECK(more == 5);
  CHECK(last);
  CHECK_FALSE(player.speaking());
  CHECK(player.spoken() == k_reply_text);
  CHECK(player.audio_ms() == 1000);
  CHECK(stats.audio_deltas == 10);
}

TEST_CASE("stopping an utterance keeps what it said; the probe sequence runs on across utterances") {
  EngineOptions options;
  options.delta_ms = 20;
  options.reply_ms = 200;
  EngineStats stats;
  SpeechPlayer player(options, stats, 1);
  player.start(0, "one two three four five six");
  REQUIRE(player.next(0));
  player.stop();
  CHECK_FALSE(player.speaking());
  CHECK_FALSE(player.next(1'000 * k_ms));
  CHECK(player.spoken() == "one two three");  // the first of two pieces (one per five chunks)
  player.start(2'000 * k_ms, "again");
  auto c = player.next(2'000 * k_ms);
  REQUIRE(c);
  CHECK(simulate::read_probe(c->audio)->sequence == 1);
  CHECK(player.spoken() == "again");
}

namespace agent_speech_clock {
// A clock for the player that steps 20 ms a reading from `start`, whatever this machine's uptime.
std::uint64_t now_ns = 0;
std::uint64_t step() {
  const auto t = now_ns;
  now_ns += 20 * k_ms;
  return t;
}
}  // namespace agent_speech_clock

TEST_CASE("PCM-safe probes (Ultravox) hold no 0x7F byte: a stream runs 0–126, then the next one starts") {
  for (std::uint32_t n : {0u, 126u, 127u, 255u, 16128u, 16129u, 0x7F7Fu})
    for (std::uint32_t g : {0u, 127u, 0x7Fu * 127u})
      CHECK(fits_pcm(SpeechPlayer::pcm_safe_stream(n, g)));
  CHECK(SpeechPlayer::pcm_safe_stream(127, 0) != SpeechPlayer::pcm_safe_stream(127, 1));
  CHECK(SpeechPlayer::pcm_safe_stream(127, 0) != SpeechPlayer::pcm_safe_stream(128, 0));

  EngineOptions options;
  options.delta_ms = 20;
  options.reply_ms = 300 * 20;
  EngineStats stats;
  // An uptime of about an hour, whose bytes above the lowest two hold no 0x7F in the next 6 s.
  agent_speech_clock::now_ns = std::uint64_t{0x0000'0340'1000'0000};
  SpeechPlayer player(options, stats, 127, /*pcm_safe_probes=*/true, &agent_speech_clock::step);
  player.start(0, k_reply_text);
  std::vector<simulate::Probe> probes;
  while (auto c = player.next(std::uint64_t{1} << 62)) {
    REQUIRE(c->audio.size() == simulate::k_frame_bytes);
    if (auto p = simulate::read_probe(c->audio)) {
      CHECK(fits_pcm(p->stream));
      CHECK(fits_pcm(p->sequence));
      CHECK(fits_pcm(p->sent_ns));
      probes.push_back(*p);
    }
  }
  CHECK(probes.size() + stats.unprobed_frames == 300);
  CHECK(stats.unprobed_frames > 0);  // byte 2 (65 µs) runs through 0x7F every 16.8 ms: about 1 in 256 steps
  REQUIRE(probes.size() > 250);
  // As the simulator checks them: every stream from 0, consecutive.
  std::uint32_t stream = probes.front().stream, next = 0, streams = 1;
  for (const auto& p : probes) {
    if (p.stream != stream) {
      CHECK(next == 127);
      stream = p.stream;
      next = 0;
      ++streams;
    }
    CHECK(p.sequence == next);
    ++next;
  }
  CHECK(streams == (probes.size() + 126) / 127);
}

TEST_CASE("PCM-safe probes: while the clock's high bytes hold 0x7F, every chunk goes out as plain tone, counted") {
  EngineOptions options;
  options.delta_ms = 20;
  options.reply_ms = 50 * 20;
  EngineStats stats;
  // Byte 4 is 0x7F for 4.3 s in every 18 minutes of uptime.
  agent_speech_clock::now_ns = std::uint64_t{0x0000'007F'0000'0000};
  SpeechPlayer player(options, stats, 3, /*pcm_safe_probes=*/true, &agent_speech_clock::step);
  player.start(0, k_reply_text);
  std::size_t chunks = 0;
  while (auto c = player.next(std::uint64_t{1} << 62)) {
    ++chunks;
    CHECK_FALSE(simulate::read_probe(c->audio));
  }
  CHECK(chunks == 50);
  CHECK(stats.unprobed_frames == 50);
}
