#include "core/simulate/call_script.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <functional>

#include "core/twilio/base64.hpp"
#include "core/twilio/media_message.hpp"

using namespace sonoria;
using namespace sonoria::simulate;
using Note = ScriptStep::Note;

namespace {

constexpr Micros ms(std::int64_t n) { return n * 1000; }

// A caller script driven on virtual time, 20 ms per step, against a leg the test feeds audio.
struct Call {
  MediaLegState leg{StreamIdentity{"AC1", "CA1", "MZ1", {}}, false};
  std::optional<CallScript> script;
  Micros now = 0;
  std::vector<std::string> echo;
  std::vector<std::pair<Micros, ScriptStep>> notes;
  std::string spoken;  // caller speech frames sent, concatenated
  std::string pressed;

  Call(std::vector<Turn> turns, ScriptOptions options) {
    std::string out;
    leg.write_start(out);
    script.emplace(std::make_shared<const std::vector<Turn>>(std::move(turns)), options);
  }

  // The assistant sends `audio_ms` of audio now.
  void assistant(int audio_ms) {
    std::string out;
    twilio::write_media(out, "MZ1", twilio::base64_encode(std::string(static_cast<std::size_t>(audio_ms) * 8, 'x')));
    leg.receive(out, now, echo);
  }

  // Steps until the script hangs up or `limit` of virtual time passes; returns the last step.
  ScriptStep run_until(Micros limit, const std::function<bool(const ScriptStep&)>& stop = {}) {
    ScriptStep step;
    while (now <= limit) {
      leg.play_until(now, echo);
      step = script->step(now, leg);
      if (step.note != Note::none) notes.emplace_back(now, step);
      if (step.speech) spoken += step.speech->frame(step.frame);
      pressed += step.dtmf;
      now += k_frame_us;
      if (step.hang_up || (stop && stop(step))) break;
    }
    return step;
  }

  bool noted(Note note) const {
    return std::any_of(notes.begin(), notes.end(), [&](const auto& n) { return n.second.note == note; });
  }
};

ScriptOptions quick() {
  ScriptOptions o;
  o.quiet_gap = ms(700);
  o.pause = ms(500);
  o.greeting_timeout = ms(3000);
  o.reply_timeout = ms(4000);
  return o;
}

}  // namespace

TEST_CASE("a speech turn is padded to whole frames and pre-encoded") {
  Turn turn = Turn::speech("hello", std::string(170, '\x10'));
  CHECK(turn.frames() == 2);
  CHECK(turn.audio.size() == 320);
  CHECK(turn.audio.substr(170) == std::string(150, '\xFF'));
  CHECK(turn.frames_b64[1] == twilio::base64_encode(turn.frame(1)));
  CHECK(Turn::speech("nothing", "").frames() == 1);
}

TEST_CASE("the caller speaks only after the greeting has played out, gone quiet, and the pause has passed") {
  Call call({Turn::speech("hi", std::string(1600, '\x10'))}, quick());
  call.run_until(ms(100));
  call.assistant(400);  // greeting arrives at 120 ms and plays until 520 ms
  call.run_until(ms(5000), [](const ScriptStep& s) { return s.note == Note::turn_started; });
  REQUIRE(call.notes.size() == 2);
  CHECK(call.notes[0].second.note == Note::assistant_finished);
  CHECK(call.notes[0].second.assistant_bytes == 400 * 8);
  // Played out at 520 ms, quiet for 700 ms: finished at 1220 ms; then 500 ms of pause.
  CHECK(call.notes[0].first == ms(1220));
  CHECK(call.notes[1].second.note == Note::turn_started);
  CHECK(call.notes[1].first == ms(1720));
}

TEST_CASE("after the last turn and the assistant's reply, the caller hangs up") {
  Call call({Turn::speech("question", std::string(800, '\x10'))}, quick());
  call.assistant(200);
  call.run_until(ms(10'000), [](const ScriptStep& s) { return s.note == Note::turn_started; });
  call.run_until(ms(10'000), [&](const ScriptStep&) { return !call.script->speaking(); });
  CHECK(call.spoken == std::string(800, '\x10'));
  const Micros turn_end = call.now;
  call.run_until(turn_end + ms(300));
  CHECK_FALSE(call.script->finished());  // waiting for the reply
  call.assistant(1000);
  const auto last = call.run_until(ms(20'000));
  CHECK(last.hang_up);
  CHECK(last.note == Note::script_done);
  CHECK(call.noted(Note::assistant_finished));
  CHECK(call.notes.back().first >= turn_end + ms(300) + ms(1000) + ms(700));
  CHECK_FALSE(call.noted(Note::no_reply));
}

TEST_CASE("a reply arriving while the assistant is still speaking keeps the caller waiting") {
  Call call({}, quick());
  call.assistant(400);
  call.run_until(ms(900));  // 400 ms played, 500 ms quiet: not yet
  CHECK_FALSE(call.noted(Note::assistant_finished));
  call.assistant(200);      // more audio: the quiet gap starts again after it plays
  call.run_until(ms(5000));
  REQUIRE(call.noted(Note::assistant_finished));
  CHECK(call.notes[0].first >= ms(920 + 200 + 700));
  CHECK(call.notes[0].second.assistant_bytes == 600 * 8);
}

TEST_CASE("no greeting within the timeout is noted, and the caller goes on with its turns") {
  Call call({Turn::dtmf("1")}, quick());
  call.run_until(ms(5000), [](const ScriptStep& s) { return s.note == Note::turn_started; });
  REQUIRE(call.notes.size() == 2);
  CHECK(call.notes[0].second.note == Note::no_greeting);
  CHECK(call.notes[0].first == ms(3000));
  CHECK(call.pressed == "1");
  const auto last = call.run_until(ms(20'000));
  CHECK(call.noted(Note::no_reply));
  CHECK(last.hang_up);
}

TEST_CASE("repeat starts the turns again; hang_up_at ends the call in the middle of anything") {
  ScriptOptions options = quick();
  options.repeat = true;
  options.hang_up_at = ms(12'000);
  Call call({Turn::speech("loop", std::string(1600, '\x10'))}, options);
  call.assistant(100);
  int turns = 0;
  ScriptStep last;
  for (;;) {
    last = call.run_until(ms(13'000), [](const ScriptStep& s) { return s.note == Note::turn_started; });
    if (last.hang_up) break;
    ++turns;
    last = call.run_until(ms(13'000), [&](const ScriptStep&) { return !call.script->speaking(); });
    if (last.hang_up) break;
    call.assistant(300);
  }
  CHECK(turns >= 3);
  CHECK(last.note == Note::time_limit);
  CHECK(call.now == ms(12'000) + k_frame_us);
}

TEST_CASE("with stay_on_line and no turns the caller listens until hang_up_at") {
  ScriptOptions options = quick();
  options.stay_on_line = true;
  options.hang_up_at = ms(6000);
  Call call({}, options);
  call.assistant(200);
  const auto last = call.run_until(ms(10'000));
  CHECK(last.note == Note::time_limit);
  CHECK(call.noted(Note::assistant_finished));
  CHECK(call.spoken.empty());
}
