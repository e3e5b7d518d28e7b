#pragma once
// Caller audio that queued up for the engine while a write was in flight goes out as one
// input_audio_buffer.append (net::WsChannel::coalesce_droppable): under load, one message per
// write instead of one per 20 ms frame, and the engine hears the same audio in the same order.

#include <cstddef>
#include <string>
#include <string_view>

namespace sonoria::call {

// The most audio one merged append carries (decoded bytes): 2 s of 8 kHz μ-law.
inline constexpr std::size_t k_max_merged_audio_bytes = 16000;

// When `into` and `next` are both appends as engine::write_input_audio_append writes them and
// their audio together fits in `max_audio_bytes`, replaces `into` with one append of `into`'s
// audio followed by `next`'s and returns true. Otherwise returns false and leaves `into` as it was.
bool merge_audio_appends(std::string& into, std::string_view next,
                         std::size_t max_audio_bytes = k_max_merged_audio_bytes);

}  // namespace sonoria::call
