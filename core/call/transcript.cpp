#include "core/call/transcript.hpp"

#include <algorithm>

namespace sonoria::call {

std::string heard_part(std::string_view text, int64_t heard_ms, int64_t audio_ms) {
  if (heard_ms <= 0 || audio_ms <= 0) return {};
  if (heard_ms >= audio_ms) return std::string(text);
  auto n = static_cast<size_t>(static_cast<long double>(text.size()) * heard_ms / audio_ms);
  // Keep whole words only: a word is heard when the cut falls on the space after it. Cutting at a
  // space also never splits a UTF-8 sequence.
  if (n < text.size() && text[n] != ' ') {
    auto space = text.rfind(' ', n);
    n = space == std::string_view::npos ? 0 : space;
  }
  while (n > 0 && (text[n - 1] == ' ' || text[n - 1] == '\t' || text[n - 1] == '\n')) --n;
  return std::string(text.substr(0, n));
}

TranscriptAssembler::Turn* TranscriptAssembler::find(std::string_view item_id) {
  for (auto it = turns_.rbegin(); it != turns_.rend(); ++it)
    if (it->item_id == item_id) return &*it;
  return nullptr;
}

const TranscriptAssembler::Turn* TranscriptAssembler::find(std::string_view item_id) const {
  for (auto it = turns_.rbegin(); it != turns_.rend(); ++it)
    if (it->item_id == item_id) return &*it;
  return nullptr;
}

void TranscriptAssembler::place(std::string_view item_id, std::string_view previous_item_id) {
  if (item_id.empty()) return;
  auto it = previous_.find(item_id);
  if (it == previous_.end()) previous_.emplace(std::string(item_id), std::string(previous_item_id));
  else if (!previous_item_id.empty()) it->second = std::string(previous_item_id);
}

TranscriptAssembler::Turn& TranscriptAssembler::insert(std::string_view item_id, Speaker speaker) {
  // Follow the previous-item chain back to the nearest item that is a turn; this item goes right
  // after it. Items in between (function calls, our own text items) are not turns themselves.
  size_t position = turns_.size();
  std::string_view previous;
  if (auto it = previous_.find(item_id); it != previous_.end()) previous = it->second;
  for (size_t hops = 0; !previous.empty() && hops < previous_.size() + 1; ++hops) {
    auto at = std::find_if(turns_.rbegin(), turns_.rend(), [&](const Turn& t) { return t.item_id == previous; });
    if (at != turns_.rend()) {
      position = static_cast<size_t>(turns_.rend() - at);  // index after the match
      break;
    }
    auto up = previous_.find(previous);
    previous = up == previous_.end() ? std::string_view() : std::string_view(up->second);
  }
  position = std::max(position, cursor_);  // never before what was already released
  // Only chains through items that are not turns are ever followed again: this item's own link
  // has done its job. (A call of hundreds of items would otherwise keep every link to its end.)
  if (auto it = previous_.find(item_id); it != previous_.end()) previous_.erase(it);
  Turn t;
  t.item_id = std::string(item_id);
  t.speaker = speaker;
  t.stage = stage_;
  return *turns_.insert(turns_.begin() + static_cast<std::ptrdiff_t>(position), std::move(t));
}

void TranscriptAssembler::update_heard(Turn& t) {
  if (t.speaker == Speaker::caller || t.heard_ms < 0) t.heard = t.generated;
  else t.heard = heard_part(t.generated, t.heard_ms, t.audio_ms);
}

void TranscriptAssembler::add_caller(std::string_view item_id, int64_t offset_ms, int64_t now_ms) {
  if (find(item_id)) return;
  Turn& t = insert(item_id, Speaker::caller);
  t.offset_ms = offset_ms;
  t.added_ms = now_ms;
  t.settled = true;
}

void TranscriptAssembler::caller_text(std::string_view item_id, std::string_view transcript) {
  Turn* t = find(item_id);
  if (!t || t->speaker != Speaker::caller || t->emitted) return;
  t->generated = std::string(transcript);
  t->has_text = true;
  update_heard(*t);
}

void TranscriptAssembler::caller_failed(std::string_view item_id) {
  Turn* t = find(item_id);
  if (!t || t->speaker != Speaker::caller || t->has_text) return;
  t->has_text = true;  // final, with nothing to say
}

void TranscriptAssembler::add_assistant(std::string_view item_id, int64_t offset_ms, int64_t now_ms) {
  if (find(item_id)) return;
  Turn& t = insert(item_id, Speaker::assistant);
  t.offset_ms = offset_ms;
  t.added_ms = now_ms;
  if (auto it = early_text_.find(item_id); it != early_text_.end()) {
    t.streamed = std::move(it->second);
    early_text_.erase(it);
  }
}

void TranscriptAssembler::assistant_text(std::string_view item_id, std::string_view generated) {
  if (auto it = early_text_.find(item_id); it != early_text_.end()) early_text_.erase(it);
  Turn* t = find(item_id);
  if (!t || t->speaker != Speaker::assistant || t->emitted) return;
  t->generated = std::string(generated);
  t->streamed = std::string();
  t->has_text = true;
  update_heard(*t);
}

void TranscriptAssembler::assistant_text_delta(std::string_view item_id, std::string_view delta) {
  if (item_id.empty() || delta.empty()) return;
  Turn* t = find(item_id);
  if (!t) {
    // Text that streams ahead of its audio (OpenAI's usual order). An item whose audio never
    // comes is settled by its AgentText or let go with the session (stop_waiting_for_text).
    auto it = early_text_.find(item_id);
    if (it == early_text_.end()) it = early_text_.emplace(std::string(item_id), std::string()).first;
    it->second += delta;
    return;
  }
  if (t->speaker != Speaker::assistant || t->has_text || t->emitted) return;
  t->streamed += delta;
}

// The final text will not come: what streamed of it is what the assistant generated.
void TranscriptAssembler::settle_text_as_streamed(Turn& t) {
  if (t.speaker == Speaker::assistant && !t.has_text) {
    t.generated = std::move(t.streamed);
    t.streamed = std::string();
  }
  t.has_text = true;
  update_heard(t);
}

void TranscriptAssembler::assistant_played(std::string_view item_id) {
  Turn* t = find(item_id);
  if (!t || t->speaker != Speaker::assistant || t->settled || t->emitted) return;
  t->settled = true;
  update_heard(*t);
}

void TranscriptAssembler::assistant_cut(std::string_view item_id, int64_t heard_ms, int64_t audio_ms) {
  Turn* t = find(item_id);
  if (!t || t->speaker != Speaker::assistant || t->emitted) return;  // recorded as it was
  t->settled = true;
  t->interrupted = true;
  t->heard_ms = std::max<int64_t>(0, heard_ms);
  t->audio_ms = audio_ms;
  update_heard(*t);
}

void TranscriptAssembler::add_note(std::string_view item_id, int64_t offset_ms, int64_t now_ms, std::string_view text) {
  if (find(item_id)) return;
  Turn& t = insert(item_id, Speaker::system);
  t.offset_ms = offset_ms;
  t.added_ms = now_ms;
  t.generated = std::string(text);
  t.heard = t.generated;
  t.has_text = true;
  t.settled = true;
}

bool TranscriptAssembler::has(std::string_view item_id) const { return find(item_id) != nullptr; }

bool TranscriptAssembler::has_text(std::string_view item_id) const {
  const Turn* t = find(item_id);
  return t && t->has_text;
}

void TranscriptAssembler::stop_waiting_for_text() {
  for (size_t i = cursor_; i < turns_.size(); ++i) settle_text_as_streamed(turns_[i]);
  early_text_.clear();
}

std::optional<TranscriptTurn> TranscriptAssembler::emit(Turn& t) {
  t.emitted = true;
  if (t.heard.empty() && t.generated.empty()) return std::nullopt;
  TranscriptTurn turn{++seq_, t.item_id, t.speaker, t.offset_ms, t.heard, std::move(t.generated), t.interrupted,
                      std::move(t.stage)};
  // Once recorded, a turn only serves history(), which needs what was heard: the generated text
  // is not kept for the rest of the call.
  t.generated = std::string();
  return turn;
}

std::vector<TranscriptTurn> TranscriptAssembler::take_ready(int64_t now_ms, int64_t caller_wait_ms) {
  std::vector<TranscriptTurn> out;
  std::erase_if(late_, [&](size_t index) {
    Turn& t = turns_[index];
    if (!t.has_text) return false;
    if (auto turn = emit(t)) out.push_back(std::move(*turn));
    return true;
  });
  while (cursor_ < turns_.size()) {
    Turn& t = turns_[cursor_];
    if (final(t)) {
      if (auto turn = emit(t)) out.push_back(std::move(*turn));
    } else if (t.speaker == Speaker::caller && now_ms - t.added_ms >= caller_wait_ms) {
      late_.push_back(cursor_);
    } else {
      break;
    }
    ++cursor_;
  }
  return out;
}

std::vector<TranscriptTurn> TranscriptAssembler::take_all() {
  std::vector<TranscriptTurn> out;
  for (size_t index : late_)
    if (turns_[index].has_text)
      if (auto turn = emit(turns_[index])) out.push_back(std::move(*turn));
  late_.clear();
  for (; cursor_ < turns_.size(); ++cursor_) {
    Turn& t = turns_[cursor_];
    if (t.speaker == Speaker::caller && !t.has_text) continue;
    settle_text_as_streamed(t);
    if (auto turn = emit(t)) out.push_back(std::move(*turn));
  }
  early_text_.clear();
  return out;
}

std::vector<TranscriptAssembler::Line> TranscriptAssembler::history() const {
  std::vector<Line> lines;
  for (const Turn& t : turns_)
    if (!t.heard.empty() && t.speaker != Speaker::system) lines.push_back({t.speaker, t.heard});
  return lines;
}

}  // namespace sonoria::call
