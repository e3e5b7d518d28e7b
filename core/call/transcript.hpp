#pragma once
// Assembles the call's transcript in conversation order. The engine reports where every item sits
// (previous_item_id), but the text arrives later and out of order: the caller's transcription is
// asynchronous and often lands after the assistant has answered. Turns are therefore held back
// and released front to back, each once it is final:
//   caller turn    — its transcript arrived (or failed), or it waited longer than the caller
//                    wait given to take_ready (then it is released without text, i.e. skipped;
//                    a transcript that still comes later is released on its own, late);
//   assistant turn — its generated text is known and its playback settled (played out, or cut).
//                    Text streamed so far (assistant_text_delta) stands in for it when the
//                    call or the session ends before the engine's final word on the item.
// What the caller heard of a cut assistant turn: the generated text cut proportionally to the
// audio heard (heard_ms / audio_ms), rounded down to whole words. A turn with no text at all is
// not emitted. Plain state, no I/O, not thread-safe.

#include "core/call/actions.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::call {

// `text` cut to the share heard_ms / audio_ms of it, whole words only ("" when nothing was heard,
// all of it when heard_ms >= audio_ms).
std::string heard_part(std::string_view text, int64_t heard_ms, int64_t audio_ms);

class TranscriptAssembler {
 public:
  // Records that `item_id` follows `previous_item_id` ("" = unknown / first). Call for every item
  // the engine reports, transcript-bearing or not (function calls, our own text items), so order
  // can be followed through items that never become turns.
  void place(std::string_view item_id, std::string_view previous_item_id);

  // Turns added from now on are in this stage of the call flow.
  void set_stage(std::string stage) { stage_ = std::move(stage); }

  // A caller audio turn that started at offset_ms (since call start). Placed per place() if known.
  void add_caller(std::string_view item_id, int64_t offset_ms, int64_t now_ms);
  void caller_text(std::string_view item_id, std::string_view transcript);
  void caller_failed(std::string_view item_id);

  // An assistant turn whose first audio went out at offset_ms. No-op if it exists.
  void add_assistant(std::string_view item_id, int64_t offset_ms, int64_t now_ms);
  void assistant_text(std::string_view item_id, std::string_view generated);
  // More of the item's text as it streams; may come before the item's first audio (add_assistant).
  void assistant_text_delta(std::string_view item_id, std::string_view delta);
  // Playback finished: everything generated was heard.
  void assistant_played(std::string_view item_id);
  // Playback was cut after heard_ms of audio_ms; `interrupted` is recorded on the turn.
  void assistant_cut(std::string_view item_id, int64_t heard_ms, int64_t audio_ms);
  bool has_text(std::string_view item_id) const;
  // A system note at `item_id`'s place (a tool call's item), final at once. No-op if it exists.
  void add_note(std::string_view item_id, int64_t offset_ms, int64_t now_ms, std::string_view text);
  // Nothing more will arrive for turns still waiting for text (the engine connection is gone):
  // they become final with what they have (an assistant turn: the text streamed so far).
  void stop_waiting_for_text();
  bool has(std::string_view item_id) const;

  // Final turns from the front, in conversation order. `caller_wait_ms` bounds how long a caller
  // turn may hold back the ones after it (measured from add_caller's now_ms).
  std::vector<TranscriptTurn> take_ready(int64_t now_ms, int64_t caller_wait_ms);
  // Everything not yet emitted, in order, as it stands (end of call). Unsettled assistant turns
  // count as heard up to what they have, an assistant turn without its final text the text
  // streamed so far; caller turns without text are skipped.
  std::vector<TranscriptTurn> take_all();

  struct Line {
    Speaker speaker;
    std::string text;                // as heard
  };
  // The conversation so far as the caller experienced it, for re-seeding a fresh engine session:
  // every caller and assistant turn with heard text, in order, emitted or not (notes are left out).
  std::vector<Line> history() const;

 private:
  struct Turn {
    std::string item_id;
    Speaker speaker = Speaker::caller;
    int64_t offset_ms = 0;
    int64_t added_ms = 0;
    std::string generated;
    std::string streamed;            // assistant: text so far, until `generated` is known
    std::string heard;
    bool has_text = false;
    bool settled = false;            // assistant: playback over; caller: always
    bool interrupted = false;
    int64_t heard_ms = -1;           // assistant cut point, -1 = not cut
    int64_t audio_ms = 0;
    bool emitted = false;
    std::string stage;
  };

  Turn* find(std::string_view item_id);
  const Turn* find(std::string_view item_id) const;
  Turn& insert(std::string_view item_id, Speaker speaker);
  void update_heard(Turn& t);
  void settle_text_as_streamed(Turn& t);
  bool final(const Turn& t) const { return t.has_text && t.settled; }
  std::optional<TranscriptTurn> emit(Turn& t);

  std::vector<Turn> turns_;                 // conversation order
  size_t cursor_ = 0;                       // turns_[0, cursor_) are emitted or passed
  std::map<std::string, std::string, std::less<>> previous_;  // item → previous item
  std::vector<size_t> late_;                // passed turns whose text arrived after all
  std::map<std::string, std::string, std::less<>> early_text_;  // streamed before the item's audio
  int seq_ = 0;
  std::string stage_;
};

}  // namespace sonoria::call
