#pragma once
// Base64 for the media path of the simulator, without allocating per frame: encode by appending
// to a caller's buffer, decode into a reused string. It wraps OpenSSL's block codec and the strict
// validity check of core/twilio/base64.hpp, whose allocating functions serve everything else.
// Pure functions; any thread.

#include <string>
#include <string_view>

namespace sonoria::simulate {

// Appends the padded base64 of `bytes` to `out`. Allocates only while `out` grows.
void append_base64(std::string& out, std::string_view bytes);

// Replaces `out` with the bytes `text` decodes to. Returns false (leaving `out` unspecified) for
// anything twilio::base64_decode would refuse: a length that is not a multiple of 4, a character
// outside the alphabet, misplaced padding. Allocates only while `out` grows.
bool decode_base64_into(std::string& out, std::string_view text);

}  // namespace sonoria::simulate
