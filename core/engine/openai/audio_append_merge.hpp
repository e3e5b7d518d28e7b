#pragma once
// Caller audio that queued up for the engine while a write was in flight goes out as one
// input_audio_buffer.append (net::WsChannel::coalesce_droppable): under load, one message per
// write instead of one per 20 ms frame, and the engine hears the same audio in the same order.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::engine::openai {

// The most audio one merged append carries (decoded bytes): 1 s of 8 kHz μ-law.
inline constexpr std::size_t k_max_merged_audio_bytes = 8000;

// When `into` and the first messages of `next` are appends as write_input_audio_append
// writes them, replaces `into` with one append of `into`'s audio followed by theirs, taking as
// many as fit in `max_audio_bytes` and stopping at the first that is not an append. Returns how
// many of `next` it took; 0 leaves `into` as it was. Each payload is decoded once and the result
// encoded once, however many frames are merged.
std::size_t merge_audio_appends(std::string& into, const std::vector<std::string_view>& next,
                                std::size_t max_audio_bytes = k_max_merged_audio_bytes);

}  // namespace sonoria::engine::openai
