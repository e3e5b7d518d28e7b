#include "core/call/playback.hpp"

#include <algorithm>

namespace sonoria::call {

PlaybackTracker::ItemAudio& PlaybackTracker::item(std::string_view item_id) {
  auto it = items_.find(item_id);
  if (it == items_.end()) it = items_.emplace(std::string(item_id), ItemAudio{}).first;
  return it->second;
}

const std::string& PlaybackTracker::audio_sent(std::string_view item_id, size_t bytes) {
  auto it = items_.find(item_id);
  if (it == items_.end()) it = items_.emplace(std::string(item_id), ItemAudio{}).first;
  ItemAudio& a = it->second;
  a.received_bytes += static_cast<int64_t>(bytes);
  ++a.marks_sent;
  ++a.marks_outstanding;
  std::string name;
  name.reserve(item_id.size() + 8);
  name.append(item_id).append(":").append(std::to_string(a.marks_sent));
  marks_.push_back({std::move(name), it, a.received_bytes});
  return marks_.back().name;
}

std::optional<PlaybackTracker::Echo> PlaybackTracker::mark_echoed(std::string_view name) {
  auto found = std::find_if(marks_.begin(), marks_.end(), [&](const Mark& m) { return m.name == name; });
  if (found == marks_.end()) return std::nullopt;
  Echo echo;
  echo.item_id = found->item->first;
  ItemAudio& a = found->item->second;
  echo.first_for_item = !a.echoed;
  for (auto m = marks_.begin(); m != std::next(found); ++m) {
    ItemAudio& played = m->item->second;
    played.played_bytes = std::max(played.played_bytes, m->end_bytes);
    played.echoed = true;
    --played.marks_outstanding;
  }
  marks_.erase(marks_.begin(), std::next(found));
  echo.played_bytes = a.played_bytes;
  echo.item_drained = a.marks_outstanding == 0;
  return echo;
}

bool PlaybackTracker::outstanding_for(std::string_view item_id) const {
  auto it = items_.find(item_id);
  return it != items_.end() && it->second.marks_outstanding > 0;
}

std::optional<PlaybackTracker::Cut> PlaybackTracker::interrupt() {
  if (marks_.empty()) return std::nullopt;
  Cut cut;
  ItemAudio& playing = marks_.front().item->second;
  cut.item_id = marks_.front().item->first;
  cut.received_ms = playing.received_bytes / k_bytes_per_ms;
  cut.audio_end_ms = std::clamp<int64_t>(playing.played_bytes / k_bytes_per_ms, 0, cut.received_ms);
  for (const Mark& m : marks_) {
    ItemAudio& a = m.item->second;
    a.marks_outstanding = 0;
    a.cut = true;
    if (m.item->first != cut.item_id &&
        std::find(cut.flushed_items.begin(), cut.flushed_items.end(), m.item->first) == cut.flushed_items.end())
      cut.flushed_items.push_back(m.item->first);
  }
  marks_.clear();
  return cut;
}

void PlaybackTracker::cut(std::string_view item_id) { item(item_id).cut = true; }

bool PlaybackTracker::is_cut(std::string_view item_id) const {
  auto it = items_.find(item_id);
  return it != items_.end() && it->second.cut;
}

int64_t PlaybackTracker::received_bytes(std::string_view item_id) const {
  auto it = items_.find(item_id);
  return it == items_.end() ? 0 : it->second.received_bytes;
}

int64_t PlaybackTracker::played_bytes(std::string_view item_id) const {
  auto it = items_.find(item_id);
  return it == items_.end() ? 0 : it->second.played_bytes;
}

}  // namespace sonoria::call
