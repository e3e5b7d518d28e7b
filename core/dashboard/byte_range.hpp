#pragma once
// HTTP range requests (RFC 9110 §14) for what the dashboard streams (call recordings): one range
// of bytes, as <audio> asks ("bytes=0-", "bytes=1000-1999", "bytes=-500"). Several ranges, other
// units or a malformed header are answered with the whole body, as the RFC allows. Pure.

#include <cstdint>
#include <optional>
#include <string_view>

namespace sonoria::dashboard {

struct ByteRange {
  enum class Kind { whole, partial, unsatisfiable };
  Kind kind = Kind::whole;
  std::uint64_t first = 0;  // inclusive
  std::uint64_t last = 0;   // inclusive; for whole, size - 1 (or 0 when empty)
};

// The range of a body of `size` bytes that `header` (the Range header, if any) asks for, at most
// `max_bytes` long: a longer range, or a whole body, is cut short (answered as a partial range:
// the client asks for the rest next).
ByteRange read_byte_range(std::optional<std::string_view> header, std::uint64_t size, std::uint64_t max_bytes);

}  // namespace sonoria::dashboard
