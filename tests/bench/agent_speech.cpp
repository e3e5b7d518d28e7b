#include "tests/bench/agent_speech.hpp"

#include <algorithm>

#include "core/simulate/probe.hpp"
#include "tests/bench/agent_audio.hpp"
#include "tests/bench/frame_vad.hpp"
#include "tests/bench/realtime_events.hpp"

namespace sonoria::bench {

SpeechPlayer::SpeechPlayer(const EngineOptions& options, EngineStats& stats, std::uint32_t number, bool pcm_safe_probes,
                           Clock clock)
    : options_(options),
      stats_(stats),
      number_(number),
      pcm_safe_(pcm_safe_probes),
      clock_(clock != nullptr ? clock : &simulate::monotonic_ns),
      stream_(pcm_safe_probes ? pcm_safe_stream(number, 0) : number) {}

std::uint32_t SpeechPlayer::pcm_safe_stream(std::uint32_t number, std::uint32_t generation) {
  auto base127 = [](std::uint32_t x) { return (x % 127) | ((x / 127 % 127) << 8); };
  return base127(number) | (base127(generation) << 16);
}

void SpeechPlayer::start(std::uint64_t now_ns, std::string_view text) {
  total_ = std::max(1, (options_.reply_ms + options_.delta_ms - 1) / options_.delta_ms);
  sent_ = 0;
  start_ns_ = now_ns;
  text_.assign(text);
  pieces_ = split_words(text, (total_ + k_deltas_per_piece - 1) / k_deltas_per_piece);
  spoken_.clear();
}

std::optional<std::uint64_t> SpeechPlayer::next_due_ns() const {
  if (!speaking()) return std::nullopt;
  return start_ns_ + static_cast<std::uint64_t>(sent_) * static_cast<std::uint64_t>(options_.delta_ms) * 1'000'000u;
}

std::optional<SpeechPlayer::Chunk> SpeechPlayer::next(std::uint64_t now_ns) {
  const auto due = next_due_ns();
  if (!due || *due > now_ns) return std::nullopt;
  const std::uint64_t lag = now_ns - *due;
  if (lag > EngineStats::k_late_ns) ++stats_.late_deltas;
  stats_.max_delta_lag_ns = std::max(stats_.max_delta_lag_ns, lag);

  Chunk chunk;
  if (sent_ % k_deltas_per_piece == 0) {
    const auto piece = static_cast<std::size_t>(sent_ / k_deltas_per_piece);
    if (piece < pieces_.size() && !pieces_[piece].empty()) {
      spoken_ += pieces_[piece];
      chunk.words = pieces_[piece];
    }
  }
  audio_.clear();
  // sent_ns is taken once per chunk: the frames of one chunk leave together.
  const std::uint64_t sent_ns = clock_();
  const auto frames = static_cast<std::size_t>(options_.delta_ms / FrameVad::k_frame_ms);
  if (!pcm_safe_) {
    append_probe_tone(audio_, stream_, sequence_, frames, sent_ns);
  } else if (!fits_pcm(sent_ns)) {
    for (std::size_t f = 0; f < frames; ++f) audio_ += tone_frame();
    stats_.unprobed_frames += frames;
  } else {
    for (std::size_t f = 0; f < frames; ++f) {
      if (!fits_pcm(sequence_)) {  // 127: this stream is done
        stream_ = pcm_safe_stream(number_, ++generation_);
        sequence_ = 0;
      }
      append_probe_tone(audio_, stream_, sequence_, 1, sent_ns);
    }
  }
  chunk.audio = audio_;
  ++sent_;
  ++stats_.audio_deltas;
  chunk.last = sent_ == total_;
  if (chunk.last) total_ = 0;
  return chunk;
}

}  // namespace sonoria::bench
