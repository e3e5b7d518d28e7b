#include "core/call/caller_audio_merge.hpp"

#include "core/engine/openai_protocol.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::call {

bool merge_audio_appends(std::string& into, std::string_view next, std::size_t max_audio_bytes) {
  const auto first = engine::input_audio_append_payload(into);
  const auto second = engine::input_audio_append_payload(next);
  if (!first || !second) return false;
  if (twilio::base64_decoded_size(*first) + twilio::base64_decoded_size(*second) > max_audio_bytes) return false;
  // A frame's base64 ends in padding (160 bytes is not a multiple of 3): the texts cannot simply
  // be joined, the audio is.
  auto audio = twilio::base64_decode(*first);
  const auto more = twilio::base64_decode(*second);
  if (!audio || !more) return false;
  audio->append(*more);
  std::string merged;
  if (!engine::write_input_audio_append(merged, twilio::base64_encode(*audio))) return false;
  into = std::move(merged);
  return true;
}

}  // namespace sonoria::call
