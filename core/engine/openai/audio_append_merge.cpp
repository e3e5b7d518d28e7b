#include "core/engine/openai/audio_append_merge.hpp"

#include "core/engine/openai/realtime_protocol.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::engine::openai {

std::size_t merge_audio_appends(std::string& into, const std::vector<std::string_view>& next,
                                std::size_t max_audio_bytes) {
  const auto first = input_audio_append_payload(into);
  if (!first || !twilio::is_valid_base64(*first)) return 0;
  std::size_t total = twilio::base64_decoded_size(*first);
  // Which of `next` fit: sizes only, before anything is decoded.
  std::vector<std::string_view> payloads;
  for (std::string_view event : next) {
    const auto payload = input_audio_append_payload(event);
    if (!payload || !twilio::is_valid_base64(*payload)) break;
    const std::size_t bytes = twilio::base64_decoded_size(*payload);
    if (total + bytes > max_audio_bytes) break;
    total += bytes;
    payloads.push_back(*payload);
  }
  if (payloads.empty()) return 0;
  // A frame's base64 ends in padding (160 bytes is not a multiple of 3): the texts cannot simply
  // be joined, the audio is.
  std::string audio;
  audio.reserve(total);
  audio.append(*twilio::base64_decode(*first));
  for (std::string_view payload : payloads) audio.append(*twilio::base64_decode(payload));
  std::string merged;
  if (!write_input_audio_append(merged, twilio::base64_encode(audio))) return 0;
  into = std::move(merged);
  return payloads.size();
}

}  // namespace sonoria::engine::openai
