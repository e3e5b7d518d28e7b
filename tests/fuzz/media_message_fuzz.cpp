// Twilio Media Streams messages (core/twilio/media_message.hpp): what arrives on the media
// WebSocket, 50 times a second per call, through a hand-written fast path.
#include <string>
#include <variant>

#include "core/twilio/base64.hpp"
#include "core/twilio/media_message.hpp"
#include "tests/fuzz/fuzz_target.hpp"

namespace sonoria::fuzz::media_message {

SONORIA_FUZZ_TARGET(media_message) {
  const auto message = twilio::parse_media_message(input);  // never throws
  if (!message) return;
  if (const auto* media = std::get_if<twilio::Media>(&*message)) {
    // The views point into the frame, and the payload is base64 that decodes.
    for (std::string_view view : {media->stream_sid, media->track, media->payload}) {
      if (view.empty()) continue;
      FUZZ_CHECK(view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size());
    }
    const auto audio = twilio::base64_decode(media->payload);
    FUZZ_CHECK(audio && audio->size() == twilio::base64_decoded_size(media->payload));
  }
}

}  // namespace sonoria::fuzz::media_message
