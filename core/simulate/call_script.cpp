#include "core/simulate/call_script.hpp"

#include <algorithm>

#include "core/twilio/base64.hpp"

namespace sonoria::simulate {

Turn Turn::speech(std::string label, std::string_view ulaw) {
  Turn turn;
  turn.kind = Kind::speech;
  turn.label = std::move(label);
  turn.audio = std::string(ulaw);
  const std::size_t frames = std::max<std::size_t>(1, (ulaw.size() + k_turn_frame_bytes - 1) / k_turn_frame_bytes);
  turn.audio.resize(frames * k_turn_frame_bytes, static_cast<char>(0xFF));
  turn.frames_b64.reserve(frames);
  for (std::size_t i = 0; i < frames; ++i) turn.frames_b64.push_back(twilio::base64_encode(turn.frame(i)));
  return turn;
}

Turn Turn::dtmf(std::string digits) {
  Turn turn;
  turn.kind = Kind::dtmf;
  turn.label = digits;
  turn.digits = std::move(digits);
  return turn;
}

CallScript::CallScript(Turns turns, ScriptOptions options)
    : turns_(turns ? std::move(turns) : std::make_shared<const std::vector<Turn>>()), options_(options) {}

void CallScript::listen(Micros now, const MediaLegState& leg) {
  state_ = State::listening;
  listen_since_ = now;
  bytes_at_listen_ = leg.counters().audio_bytes_received;
  cleared_at_listen_ = leg.counters().cleared_bytes;
}

ScriptStep CallScript::next_turn(Micros now, ScriptStep step) {
  if (turn_ >= turns_->size() && options_.repeat && !turns_->empty()) turn_ = 0;
  if (turn_ < turns_->size()) {
    state_ = State::pausing;
    pause_until_ = now + options_.pause;
  } else if (options_.stay_on_line) {
    state_ = State::idle;
  } else {
    // Hang up on the next step, so this step can still report how the assistant's turn ended.
    state_ = State::closing;
  }
  return step;
}

ScriptStep CallScript::step(Micros now, const MediaLegState& leg) {
  ScriptStep step;
  if (options_.hang_up_at && now >= *options_.hang_up_at && !finished()) {
    state_ = State::done;
    step.hang_up = true;
    step.note = ScriptStep::Note::time_limit;
    return step;
  }
  switch (state_) {
    case State::listening: {
      const LegCounters& counters = leg.counters();
      const std::int64_t received = counters.audio_bytes_received - bytes_at_listen_;
      step.turn = turn_ == 0 ? 0 : turn_ - 1;
      if (received > 0) {
        const Micros quiet_since = std::max(leg.playback_end(), leg.last_audio_at().value_or(0));
        if (leg.playing(now) || now - quiet_since < options_.quiet_gap) return step;
        step.note = ScriptStep::Note::assistant_finished;
        step.assistant_bytes = received;
        step.cleared_bytes = counters.cleared_bytes - cleared_at_listen_;
      } else {
        const Micros timeout = greeted_ ? options_.reply_timeout : options_.greeting_timeout;
        if (now - listen_since_ < timeout) return step;
        step.note = greeted_ ? ScriptStep::Note::no_reply : ScriptStep::Note::no_greeting;
      }
      greeted_ = true;
      return next_turn(now, step);
    }
    case State::pausing: {
      if (now < pause_until_) return step;
      const Turn& turn = (*turns_)[turn_];
      step.note = ScriptStep::Note::turn_started;
      step.turn = turn_;
      if (turn.kind == Turn::Kind::dtmf) {
        step.dtmf = turn.digits;
        ++turn_;
        listen(now, leg);
        return step;
      }
      state_ = State::speaking;
      frame_ = 0;
      [[fallthrough]];
    }
    case State::speaking: {
      const Turn& turn = (*turns_)[turn_];
      step.speech = &turn;
      step.frame = frame_++;
      if (frame_ >= turn.frames()) {
        ++turn_;
        listen(now, leg);
      }
      return step;
    }
    case State::idle:
      return step;
    case State::closing:
      state_ = State::done;
      step.hang_up = true;
      step.note = ScriptStep::Note::script_done;
      return step;
    case State::done:
      step.hang_up = true;
      return step;
  }
  return step;
}

}  // namespace sonoria::simulate
