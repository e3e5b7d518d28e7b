#pragma once
// What the caller has actually heard of the assistant's audio, from Twilio mark echoes
// (protocols.md §3.6–3.7). Each chunk of assistant audio sent to Twilio is followed by a mark
// named "<item_id>:<n>"; the tracker remembers, per mark, the item's cumulative byte count at that
// point. An echo means the caller heard everything before it; a barge-in (interrupt) turns "what
// was heard of the playing item" into the truncation point and forgets the outstanding marks, so
// the echoes Twilio sends for flushed audio after a clear are unknown and ignored.
// Audio is μ-law 8 kHz: 8 bytes per millisecond. Plain state, no I/O, not thread-safe.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::call {

inline constexpr int64_t k_bytes_per_ms = 8;

class PlaybackTracker {
 public:
  // `bytes` of `item_id`'s audio were just sent to Twilio. Returns the name of the mark to send
  // right after them (valid until the next call on the tracker).
  const std::string& audio_sent(std::string_view item_id, size_t bytes);

  struct Echo {
    std::string item_id;
    int64_t played_bytes = 0;        // of that item, up to this mark
    bool first_for_item = false;     // the first echo of this item: the caller starts hearing it
    bool item_drained = false;       // no marks of this item are outstanding any more
  };
  // A mark came back. nullopt for a name that is not outstanding (unknown, or flushed by a clear).
  // Marks before it are taken as played too (echoes come in order).
  std::optional<Echo> mark_echoed(std::string_view name);

  // Audio sent to Twilio whose mark has not come back: the caller is (or will be) hearing it.
  bool outstanding() const { return !marks_.empty(); }
  bool outstanding_for(std::string_view item_id) const;

  struct Cut {
    std::string item_id;             // the item playing when the caller barged in
    int64_t audio_end_ms = 0;        // what the caller heard of it: the last echoed mark's offset
                                     // of that item / 8, clamped to [0, received_ms]
    int64_t received_ms = 0;         // all audio of that item sent so far
    std::vector<std::string> flushed_items;  // later items queued behind it, never heard at all
  };
  // Barge-in: nullopt when nothing is outstanding (the assistant already finished). Otherwise
  // forgets every outstanding mark and marks the items involved as cut.
  std::optional<Cut> interrupt();

  // Marks an item as cut without truncation math (its audio is unwanted from now on).
  void cut(std::string_view item_id);
  bool is_cut(std::string_view item_id) const;

  int64_t received_bytes(std::string_view item_id) const;
  int64_t played_bytes(std::string_view item_id) const;

 private:
  struct ItemAudio {
    int64_t received_bytes = 0;
    int64_t played_bytes = 0;
    int marks_sent = 0;
    int marks_outstanding = 0;
    bool echoed = false;
    bool cut = false;
  };
  using Items = std::map<std::string, ItemAudio, std::less<>>;
  struct Mark {
    std::string name;
    Items::iterator item;
    int64_t end_bytes = 0;           // the item's cumulative bytes when this mark was placed
  };

  ItemAudio& item(std::string_view item_id);

  Items items_;
  std::deque<Mark> marks_;
};

}  // namespace sonoria::call
