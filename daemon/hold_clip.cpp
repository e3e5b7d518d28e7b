#include "daemon/hold_clip.hpp"

#include <exception>

#include "core/audio/speech_synth.hpp"
#include "core/twilio/base64.hpp"
#include "daemon/log.hpp"

namespace sonoria::daemon {

std::vector<std::string> media_payloads(std::string_view ulaw, std::size_t chunk_bytes) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < ulaw.size() && chunk_bytes > 0; at += chunk_bytes)
    out.push_back(twilio::base64_encode(ulaw.substr(at, chunk_bytes)));
  return out;
}

HoldClip render_hold_clip(std::string_view words) {
  try {
    const std::string ulaw = audio::synthesize_ulaw8k(words);
    return std::make_shared<const std::vector<std::string>>(media_payloads(ulaw, 800));
  } catch (const std::exception& e) {
    log_warn("startup.no_hold_clip", "", std::string("callers will hear silence while an engine reconnects: ") + e.what());
    return nullptr;
  }
}

}  // namespace sonoria::daemon
