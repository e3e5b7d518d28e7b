#pragma once
// Standard base64 (RFC 4648 §4: '+' and '/', '=' padding), as used by X-Twilio-Signature and by
// Media Streams audio payloads. Sans-I/O; callable from any thread.

#include <optional>
#include <string>
#include <string_view>

namespace sonoria::twilio {

// Encodes `bytes` with padding. Never fails.
std::string base64_encode(std::string_view bytes);

// Decodes padded base64. Strict: nullopt for a length that is not a multiple of 4, a character
// outside the alphabet (whitespace and line breaks included), or '=' anywhere but the last one or
// two positions. Non-zero bits under the padding are accepted, as Python and Node decoders do.
std::optional<std::string> base64_decode(std::string_view text);

// True exactly when base64_decode(text) would succeed. No allocation; cheap enough to run on
// every audio frame. The empty string is valid (it encodes zero bytes).
bool is_valid_base64(std::string_view text) noexcept;

// The number of bytes `text` decodes to: exact for valid base64, and for any other text what its
// length and padding say (unpadded tails count; never more than the text could hold). The one
// length function for base64 everywhere: it runs on every audio frame, from peers unchecked.
std::size_t base64_decoded_size(std::string_view text) noexcept;

}  // namespace sonoria::twilio
