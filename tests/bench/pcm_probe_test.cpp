#include "tests/bench/pcm_probe.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/audio/pcm16.hpp"
#include "core/simulate/probe.hpp"
#include "tests/bench/caller_input.hpp"

using namespace sonoria::bench;
namespace audio = sonoria::audio;
namespace simulate = sonoria::simulate;

namespace {

// A caller frame as `sonoria simulate --probe` sends it, then as sonoria hands it to Ultravox.
std::string caller_pcm(std::uint32_t stream, std::uint32_t sequence, std::uint64_t sent_ns, bool speech) {
  std::string frame(simulate::k_frame_bytes, speech ? '\x10' : '\xFF');
  simulate::stamp_probe(frame, {stream, sequence, sent_ns, speech});
  return audio::ulaw_to_pcm16le(frame);
}

struct Frame {
  std::string ulaw;
  ZeroSamples zeros;
};

std::vector<Frame> assemble(PcmFrameAssembler& assembler, std::string_view pcm) {
  std::vector<Frame> frames;
  assembler.feed(pcm, [&](std::string_view ulaw, ZeroSamples zeros) { frames.push_back({std::string(ulaw), zeros}); });
  return frames;
}

}  // namespace

TEST_CASE("PCM is cut into 160-sample frames across chunks, half samples included") {
  PcmFrameAssembler assembler;
  const std::string pcm = caller_pcm(1, 2, 3, true) + caller_pcm(1, 3, 3, true);
  CHECK(assemble(assembler, pcm.substr(0, 201)).empty());
  CHECK(assembler.pending_bytes() == 201);
  auto frames = assemble(assembler, pcm.substr(201, 300));
  REQUIRE(frames.size() == 1);
  CHECK(simulate::read_probe(frames[0].ulaw)->sequence == 2);
  frames = assemble(assembler, pcm.substr(501));
  REQUIRE(frames.size() == 1);
  CHECK(simulate::read_probe(frames[0].ulaw)->sequence == 3);
  CHECK(assembler.pending_bytes() == 0);
}

TEST_CASE("header bytes that came as sample 0 are flagged; 0x7F and 0xFF both do") {
  PcmFrameAssembler assembler;
  auto frames = assemble(assembler, caller_pcm(0xFF, 0x7F, 0, false));
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].zeros == ((1u << 4) | (1u << 8)));
  // Both read back as 0xFF, so the raw header says stream 255 and sequence 255.
  auto raw = simulate::read_probe(frames[0].ulaw);
  REQUIRE(raw);
  CHECK(raw->sequence == 0xFF);
}

TEST_CASE("ambiguous probe fields are resolved by the connection's stream, its next sequence and the clock") {
  std::string ulaw(simulate::k_frame_bytes, '\xFF');
  simulate::stamp_probe(ulaw, {0x1FF, 0x2FF, 0x0000'1234'56FF'FFFFULL, true});
  const ZeroSamples stream_byte0 = 1u << 4;
  const ZeroSamples sequence_byte0 = 1u << 8;
  const ZeroSamples time_bytes0_2 = (1u << 12) | (1u << 13) | (1u << 14);

  SUBCASE("the stream the connection receives wins; without one, the smallest candidate") {
    CHECK(read_probe_via_pcm(ulaw, stream_byte0, {0x1FF, std::nullopt, 0})->stream == 0x1FF);
    CHECK(read_probe_via_pcm(ulaw, stream_byte0, {0x17F, std::nullopt, 0})->stream == 0x17F);
    CHECK(read_probe_via_pcm(ulaw, stream_byte0, {})->stream == 0x17F);
  }
  SUBCASE("the sequence nearest the one expected") {
    CHECK(read_probe_via_pcm(ulaw, sequence_byte0, {0x1FF, 0x27E, 0})->sequence == 0x27F);
    CHECK(read_probe_via_pcm(ulaw, sequence_byte0, {0x1FF, 0x2F0, 0})->sequence == 0x2FF);
    CHECK(read_probe_via_pcm(ulaw, sequence_byte0, {0x123, 0x2F0, 0})->sequence == 0x27F);  // other stream
  }
  SUBCASE("the latest sent time not after the arrival") {
    const std::uint64_t all_ff = 0x0000'1234'56FF'FFFFULL;
    CHECK(read_probe_via_pcm(ulaw, time_bytes0_2, {std::nullopt, std::nullopt, all_ff + 1000})->sent_ns == all_ff);
    // Arrived before the 0xFF reading: the byte 2 was 0x7F (8.4 ms earlier), and so on.
    const std::uint64_t byte2_7f = 0x0000'1234'567F'FFFFULL;
    CHECK(read_probe_via_pcm(ulaw, time_bytes0_2, {std::nullopt, std::nullopt, byte2_7f + 500})->sent_ns == byte2_7f);
    // Nothing fits (a clock from elsewhere): the earliest.
    CHECK(read_probe_via_pcm(ulaw, time_bytes0_2, {std::nullopt, std::nullopt, 0})->sent_ns == 0x0000'1234'567F'7F7FULL);
  }
  SUBCASE("no probe, no value") {
    std::string silence(simulate::k_frame_bytes, '\xFF');
    CHECK_FALSE(read_probe_via_pcm(silence, 0xFFFFFF, {}));
  }
}

TEST_CASE("caller PCM through sonoria's decoding keeps every probe in sequence, 0x7F bytes included") {
  EngineStats stats;
  CallerInput input(stats);
  std::vector<FrameVad::Change> changes;
  const std::uint64_t start = 0x7F7F'7F7F'7F00ULL;  // timestamps full of 0x7F and 0xFF bytes
  constexpr std::uint64_t k_latency = 1'000'000;
  for (std::uint32_t seq = 0x70; seq < 0x70 + 600; ++seq) {
    const std::uint64_t sent = start + seq * 20'000'000ULL + seq * 0x7FULL;
    const std::string pcm = caller_pcm(0x7F, seq, sent, seq < 0x70 + 10);
    // Split unevenly, as merged frames may be.
    input.feed_pcm(std::string_view(pcm).substr(0, 7), sent + k_latency, [&](FrameVad::Change c) { changes.push_back(c); });
    input.feed_pcm(std::string_view(pcm).substr(7), sent + k_latency, [&](FrameVad::Change c) { changes.push_back(c); });
  }
  CHECK(stats.frames.received == 600);
  CHECK(stats.frames.probes == 600);
  CHECK(stats.frames.lost == 0);
  CHECK(stats.frames.reordered == 0);
  CHECK(stats.frames.missed_at_start == 0x70);
  REQUIRE(changes.size() == 2);
  CHECK(changes[0] == FrameVad::Change::speech_started);
  CHECK(changes[1] == FrameVad::Change::speech_stopped);
  // Every latency is 1 ms give or take what an ambiguous low timestamp byte may hide (< 33 µs).
  CHECK(stats.caller_to_engine.max_ns() <= k_latency + 33'000);
  CHECK(stats.caller_to_engine.percentile_ns(0.0) >= k_latency - 33'000);
}

TEST_CASE("caller μ-law in binary frames is cut into frames and drives the VAD") {
  EngineStats stats;
  CallerInput input(stats);
  std::vector<FrameVad::Change> changes;
  std::string ulaw;
  for (std::uint32_t seq = 0; seq < 10; ++seq) {
    std::string frame(simulate::k_frame_bytes, '\x10');
    simulate::stamp_probe(frame, {4, seq, 100, seq < 3});
    ulaw += frame;
  }
  for (std::size_t at = 0; at < ulaw.size(); at += 700)
    input.feed_ulaw(std::string_view(ulaw).substr(at, 700), 300, [&](FrameVad::Change c) { changes.push_back(c); });
  CHECK(stats.frames.received == 10);
  CHECK(stats.frames.probes == 10);
  CHECK(stats.caller_to_engine.count() == 10);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0] == FrameVad::Change::speech_started);
  CHECK(input.vad().in_speech());
}
