#pragma once
// The allocation-free fast path behind parse_media_message for `media` frames, exposed so tests
// can check that real-shaped frames actually take it. Sans-I/O; callable from any thread.

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/twilio/media_message.hpp"

namespace sonoria::twilio {

// Returns the frame when `text` is a complete JSON object with "event":"media" that the scanner
// fully understands and that satisfies every rule of parse_media_message. Returns nullopt both for
// frames that are not media or are malformed and for frames it is unsure about (any backslash
// escape, control character or non-ASCII byte inside a string, a repeated key, an unknown field
// nested deeper than 16 or holding a number with an exponent or over 32 characters):
// parse_media_message then gives the frame to the full JSON parser, which decides. Never accepts
// text that the full parser would reject. Allocates nothing.
std::optional<Media> scan_media_frame(std::string_view text) noexcept;

// A Twilio string-number: one or more ASCII digits, no sign or space, fitting in int64.
std::optional<std::int64_t> parse_string_number(std::string_view digits) noexcept;

}  // namespace sonoria::twilio
