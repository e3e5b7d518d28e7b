#pragma once
// Merging waiting caller-audio frames for engines that take raw audio in binary frames (Deepgram's
// μ-law, Ultravox's PCM): the frames are simply concatenated, up to `MaxBytes` per message (one
// second of audio is plenty; a bigger message only delays the engine's hearing). An
// engine::AudioMerger, so a socket may use it after the call is gone.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::engine {

template <std::size_t MaxBytes>
std::size_t merge_binary_audio(std::string& into, const std::vector<std::string_view>& next) {
  std::size_t taken = 0;
  std::size_t total = into.size();
  for (std::string_view frame : next) {
    if (total + frame.size() > MaxBytes) break;
    total += frame.size();
    ++taken;
  }
  if (taken == 0) return 0;
  into.reserve(total);
  for (std::size_t i = 0; i < taken; ++i) into.append(next[i]);
  return taken;
}

}  // namespace sonoria::engine
