#pragma once
// The bench engine's voice activity detection, one 20 ms frame at a time. It does not listen: a
// frame is speech when its probe says so (`sonoria simulate --probe` marks the frames that stand for
// caller speech), and a frame without a probe is speech when any byte is not μ-law silence (0xFF).
// 60 ms of speech starts a turn; silence_duration_ms of silence ends it — the numbers OpenAI's
// server VAD and the test fake use. Pure; not thread-safe.

#include <cstdint>
#include <string_view>

namespace sonoria::bench {

// Whether a 160-byte frame stands for speech (see above).
bool frame_is_speech(std::string_view frame) noexcept;

class FrameVad {
 public:
  enum class Change { none, speech_started, speech_stopped };

  static constexpr int k_frame_ms = 20;
  static constexpr int k_speech_start_ms = 60;

  // From session.update's turn detection; takes effect from the next frame.
  void configure(int silence_duration_ms, int prefix_padding_ms) noexcept;

  // One frame; returns the turn change it completes, if any.
  Change frame(bool speech) noexcept;

  bool in_speech() const noexcept { return in_speech_; }
  std::int64_t audio_ms() const noexcept { return audio_ms_; }        // all audio seen so far
  // audio_start_ms of the current (or last) turn: where its speech began, minus prefix padding.
  std::int64_t turn_start_ms() const noexcept { return turn_start_ms_; }

 private:
  int silence_ms_ = 500;
  int prefix_padding_ms_ = 300;
  bool in_speech_ = false;
  std::int64_t audio_ms_ = 0;
  std::int64_t run_ms_ = 0;        // length of the current run of speech (outside a turn) or silence (inside)
  std::int64_t run_start_ms_ = 0;
  std::int64_t turn_start_ms_ = 0;
};

}  // namespace sonoria::bench
