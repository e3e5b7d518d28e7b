#include "core/dashboard/byte_range.hpp"

#include <algorithm>
#include <charconv>

namespace sonoria::dashboard {
namespace {

std::optional<std::uint64_t> number(std::string_view text) {
  if (text.empty() || text.size() > 19) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

ByteRange read_byte_range(std::optional<std::string_view> header, std::uint64_t size, std::uint64_t max_bytes) {
  ByteRange whole{ByteRange::Kind::whole, 0, size == 0 ? 0 : size - 1};
  if (max_bytes > 0 && size > max_bytes) whole.last = max_bytes - 1;  // the caller answers 206 for the piece
  if (!header) return whole;
  std::string_view h = *header;
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  if (h.substr(0, 6) != "bytes=") return whole;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return whole;
  const auto dash = h.find('-');
  if (dash == std::string_view::npos) return whole;
  const auto from = h.substr(0, dash);
  const auto to = h.substr(dash + 1);
  ByteRange r{ByteRange::Kind::partial, 0, 0};
  if (from.empty()) {  // the last N bytes
    auto suffix = number(to);
    if (!suffix) return whole;
    if (*suffix == 0 || size == 0) return {ByteRange::Kind::unsatisfiable, 0, 0};
    r.first = size - std::min(*suffix, size);
    r.last = size - 1;
  } else {
    auto first = number(from);
    if (!first) return whole;
    std::optional<std::uint64_t> last = to.empty() ? std::optional<std::uint64_t>(size == 0 ? 0 : size - 1) : number(to);
    if (!last) return whole;
    if (*first >= size) return {ByteRange::Kind::unsatisfiable, 0, 0};
    if (*last < *first) return whole;
    r.first = *first;
    r.last = std::min(*last, size - 1);
  }
  if (max_bytes > 0 && r.last - r.first + 1 > max_bytes) r.last = r.first + max_bytes - 1;
  return r;
}

}  // namespace sonoria::dashboard
