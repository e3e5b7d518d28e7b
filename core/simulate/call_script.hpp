#pragma once
// What the simulated caller does and when: a list of turns (speech or keypresses) taken in turn
// with the assistant. Sans-I/O: the simulator asks step() every 20 ms what to send, handing it the
// stream time and the media leg (what the assistant has sent and what is still playing).
//
// Turn-taking: the caller waits for the assistant to finish — some audio arrived since the caller
// last spoke, all of it has played out, and nothing new came for `quiet_gap` — then pauses for
// `pause` and takes the next turn. The first wait is for the greeting. A wait that sees no audio at
// all ends after `greeting_timeout` (first) or `reply_timeout` (later), and the caller moves on.
// After the last turn and the assistant's reply the caller hangs up, unless `repeat` (start the
// turns again: the load generator) or `stay_on_line` (keep listening until `hang_up_at`). At
// `hang_up_at`, whatever is happening, the caller hangs up.
//
// Threading: one thread or strand at a time. Turns are immutable and may be shared by many calls.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/simulate/media_leg.hpp"

namespace sonoria::simulate {

inline constexpr std::size_t k_turn_frame_bytes = 160;

struct Turn {
  enum class Kind { speech, dtmf };
  Kind kind = Kind::speech;
  std::string label;                     // for the log: the --say text, the file name, the digits
  std::string audio;                     // speech: μ-law 8 kHz, a whole number of 160-byte frames
  std::vector<std::string> frames_b64;   // speech: base64 of each frame, computed once
  std::string digits;                    // dtmf

  // Speech from μ-law audio, padded with silence (0xFF) to whole frames. Empty audio gives one
  // frame of silence, so a turn always takes at least 20 ms.
  static Turn speech(std::string label, std::string_view ulaw);
  static Turn dtmf(std::string digits);

  std::size_t frames() const { return audio.size() / k_turn_frame_bytes; }
  std::string_view frame(std::size_t index) const {
    return std::string_view(audio).substr(index * k_turn_frame_bytes, k_turn_frame_bytes);
  }
};

using Turns = std::shared_ptr<const std::vector<Turn>>;

struct ScriptOptions {
  Micros quiet_gap = 700'000;            // assistant silence that ends its turn
  Micros pause = 1'000'000;              // caller's pause before speaking
  Micros greeting_timeout = 10'000'000;  // no audio at all before the first turn
  Micros reply_timeout = 15'000'000;     // no audio at all after a caller turn
  bool repeat = false;                   // after the last turn, start again from the first
  bool stay_on_line = false;             // after the last turn, listen until hang_up_at
  std::optional<Micros> hang_up_at;      // stream time at which the caller hangs up regardless
};

// What to do in one 20 ms step, and what happened (for the log).
struct ScriptStep {
  enum class Note {
    none,
    turn_started,        // turn `turn` begins now
    assistant_finished,  // the assistant's turn ended (`assistant_bytes` of audio, `cleared_bytes` dropped)
    no_greeting,         // nothing was heard within greeting_timeout
    no_reply,            // nothing was heard within reply_timeout after turn `turn`
    script_done,         // the last turn was answered: hanging up
    time_limit,          // hang_up_at reached: hanging up
  };
  const Turn* speech = nullptr;          // send speech->frame(frame); nullptr = send silence
  std::size_t frame = 0;
  std::string_view dtmf;                 // digits to press now
  bool hang_up = false;                  // send stop and close instead of a frame
  Note note = Note::none;
  std::size_t turn = 0;
  std::int64_t assistant_bytes = 0;
  std::int64_t cleared_bytes = 0;
};

class CallScript {
 public:
  CallScript(Turns turns, ScriptOptions options);

  // Decides this step at stream time `now` (called once per 20 ms frame, `now` non-decreasing).
  ScriptStep step(Micros now, const MediaLegState& leg);

  // True once the caller has decided to hang up (every later step says hang_up).
  bool finished() const { return state_ == State::closing || state_ == State::done; }
  // True while the caller is speaking a turn (the frame returned is speech).
  bool speaking() const { return state_ == State::speaking; }

 private:
  enum class State { listening, pausing, speaking, idle, closing, done };

  void listen(Micros now, const MediaLegState& leg);
  ScriptStep next_turn(Micros now, ScriptStep step);

  Turns turns_;
  ScriptOptions options_;
  State state_ = State::listening;
  bool greeted_ = false;             // the first wait (for the greeting) is over
  std::size_t turn_ = 0;             // the turn being spoken, or next to speak
  std::size_t frame_ = 0;
  Micros listen_since_ = 0;
  std::int64_t bytes_at_listen_ = 0;
  std::int64_t cleared_at_listen_ = 0;
  Micros pause_until_ = 0;
};

}  // namespace sonoria::simulate
