#include "tests/bench/frame_vad.hpp"

#include <algorithm>

#include "core/simulate/probe.hpp"

namespace sonoria::bench {

bool frame_is_speech(std::string_view frame) noexcept {
  if (auto probe = simulate::read_probe(frame)) return probe->speech;
  return std::any_of(frame.begin(), frame.end(), [](char c) { return static_cast<unsigned char>(c) != 0xFF; });
}

void FrameVad::configure(int silence_duration_ms, int prefix_padding_ms) noexcept {
  silence_ms_ = std::max(k_frame_ms, silence_duration_ms);
  prefix_padding_ms_ = std::max(0, prefix_padding_ms);
}

FrameVad::Change FrameVad::frame(bool speech) noexcept {
  const std::int64_t frame_start = audio_ms_;
  audio_ms_ += k_frame_ms;
  if (!in_speech_) {
    if (!speech) {
      run_ms_ = 0;
      return Change::none;
    }
    if (run_ms_ == 0) run_start_ms_ = frame_start;
    run_ms_ += k_frame_ms;
    if (run_ms_ < k_speech_start_ms) return Change::none;
    in_speech_ = true;
    run_ms_ = 0;
    turn_start_ms_ = std::max<std::int64_t>(0, run_start_ms_ - prefix_padding_ms_);
    return Change::speech_started;
  }
  if (speech) {
    run_ms_ = 0;
    return Change::none;
  }
  run_ms_ += k_frame_ms;
  if (run_ms_ < silence_ms_) return Change::none;
  in_speech_ = false;
  run_ms_ = 0;
  return Change::speech_stopped;
}

}  // namespace sonoria::bench
