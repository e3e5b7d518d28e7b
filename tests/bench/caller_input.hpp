#pragma once
// The caller audio of one Deepgram or Ultravox connection, as the OpenAI conversation handles its
// appends: cut into 160-byte μ-law frames (20 ms), each checked for a probe (caller→engine latency,
// lost and reordered frames in EngineStats) and fed to the VAD — the probe's speech flag, or without
// a probe any byte that is not μ-law silence (frame_vad.hpp). Raw μ-law (Deepgram) is cut in place;
// s16le PCM (Ultravox) is re-encoded first and its probes read with pcm_probe.hpp. Pure; not
// thread-safe (one per connection).

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/simulate/probe.hpp"
#include "tests/bench/append_audio.hpp"
#include "tests/bench/engine_stats.hpp"
#include "tests/bench/frame_vad.hpp"
#include "tests/bench/pcm_probe.hpp"
#include "tests/bench/probe_sequence.hpp"

namespace sonoria::bench {

class CallerInput {
 public:
  explicit CallerInput(EngineStats& stats) : stats_(stats) {}

  FrameVad& vad() { return vad_; }
  const FrameVad& vad() const { return vad_; }

  // Raw μ-law arrived at `now_ns`; on_change(FrameVad::Change) for every turn change it completes.
  template <class OnChange>
  void feed_ulaw(std::string_view bytes, std::uint64_t now_ns, OnChange&& on_change) {
    ulaw_.feed_raw(bytes, [&](std::string_view frame) {
      const auto change = frame_seen(frame, simulate::read_probe(frame), now_ns);
      if (change != FrameVad::Change::none) on_change(change);
    });
  }

  // s16le PCM 8 kHz arrived at `now_ns`; the same.
  template <class OnChange>
  void feed_pcm(std::string_view bytes, std::uint64_t now_ns, OnChange&& on_change) {
    pcm_.feed(bytes, [&](std::string_view frame, ZeroSamples zeros) {
      std::optional<simulate::Probe> probe;
      if (zeros == 0) {
        probe = simulate::read_probe(frame);
      } else {
        ProbeContext context;
        context.stream = sequence_.last_stream();
        if (context.stream) context.next_sequence = sequence_.expected(*context.stream);
        context.now_ns = now_ns;
        probe = read_probe_via_pcm(frame, zeros, context);
      }
      const auto change = frame_seen(frame, probe, now_ns);
      if (change != FrameVad::Change::none) on_change(change);
    });
  }

 private:
  FrameVad::Change frame_seen(std::string_view frame, const std::optional<simulate::Probe>& probe,
                              std::uint64_t now_ns) {
    ++stats_.frames.received;
    bool speech;
    if (probe) {
      ++stats_.frames.probes;
      stats_.caller_to_engine.record(now_ns > probe->sent_ns ? now_ns - probe->sent_ns : 0);
      sequence_.observe(probe->stream, probe->sequence, stats_.frames);
      speech = probe->speech;
    } else {
      speech = std::any_of(frame.begin(), frame.end(), [](char c) { return static_cast<unsigned char>(c) != 0xFF; });
    }
    return vad_.frame(speech);
  }

  EngineStats& stats_;
  FrameAssembler ulaw_;
  PcmFrameAssembler pcm_;
  FrameVad vad_;
  ProbeSequence sequence_;
};

}  // namespace sonoria::bench
