#pragma once
// A call's recording as the caller heard it: both sides mixed on the caller's clock. The caller's
// audio is placed where its stream timestamp says; the assistant's is queued behind what was
// already queued, from the moment it is sent — as Twilio plays it — and `clear` (barge-in) drops
// what had not been played yet. What lies before the caller's clock can no longer change and is
// taken out as it grows, so a call keeps only its unplayed reply in memory. Pure; one thread.

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>

namespace sonoria::audio {

class CallMix {
 public:
  // Caller audio (µ-law 8 kHz) starting `at_ms` into the stream. Audio before what is already
  // placed (a repeat) is dropped; a gap is silence.
  void caller(std::int64_t at_ms, std::string_view ulaw);
  // Assistant audio (µ-law 8 kHz) sent to the caller: it plays after what is queued, and not
  // before the caller's clock.
  void assistant(std::string_view ulaw);
  // The caller's side dropped what had not been played.
  void clear();

  // The mixed µ-law up to the caller's clock, taken out (appended to `out`, or returned).
  void take_ready(std::string& out);
  std::string take_ready();
  // Everything left (the call ended: what was queued is taken as played).
  void take_rest(std::string& out);
  std::string take_rest();
  // Samples taken out so far.
  std::int64_t taken() const { return base_; }

 private:
  void take(std::size_t samples, std::string& out);

  std::int64_t base_ = 0;             // the sample both queues start at
  std::deque<std::int16_t> caller_;   // placed caller samples from base_
  std::deque<std::int16_t> assistant_;  // queued assistant samples from base_ (silence where none)
};

}  // namespace sonoria::audio
