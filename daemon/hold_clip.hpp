#pragma once
// The short clip a caller hears while a lost engine reconnects or another one takes over ("One
// moment, please."), so an engine failure is never dead air. Rendered once at startup with
// espeak-ng (blocking: never on an event loop) and shared by every call.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sonoria::daemon {

using HoldClip = std::shared_ptr<const std::vector<std::string>>;

// `words` as 8 kHz μ-law in Twilio media payloads (base64) of 100 ms each; null when espeak-ng
// cannot speak (its data files are missing), which is logged once.
HoldClip render_hold_clip(std::string_view words = "One moment, please.");

// μ-law audio → base64 payloads of at most `chunk_bytes` each, in order.
std::vector<std::string> media_payloads(std::string_view ulaw, std::size_t chunk_bytes);

}  // namespace sonoria::daemon
