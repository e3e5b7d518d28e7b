#include "core/audio/call_mix.hpp"

#include <algorithm>

#include "core/audio/g711.hpp"

namespace sonoria::audio {

void CallMix::caller(std::int64_t at_ms, std::string_view ulaw) {
  const std::int64_t at = std::max<std::int64_t>(at_ms, 0) * 8;
  const std::int64_t end = base_ + static_cast<std::int64_t>(caller_.size());
  std::size_t skip = 0;
  if (at < end) skip = static_cast<std::size_t>(std::min<std::int64_t>(end - at, static_cast<std::int64_t>(ulaw.size())));
  else caller_.insert(caller_.end(), static_cast<std::size_t>(at - end), 0);
  for (std::size_t i = skip; i < ulaw.size(); ++i) caller_.push_back(ulaw_to_linear(static_cast<std::uint8_t>(ulaw[i])));
}

void CallMix::assistant(std::string_view ulaw) {
  // Nothing plays before the caller's clock: a reply after a pause starts now, not back then.
  if (assistant_.size() < caller_.size()) assistant_.resize(caller_.size(), 0);
  for (char c : ulaw) assistant_.push_back(ulaw_to_linear(static_cast<std::uint8_t>(c)));
}

void CallMix::clear() {
  if (assistant_.size() > caller_.size()) assistant_.resize(caller_.size());
}

void CallMix::take(std::size_t samples, std::string& out) {
  out.reserve(out.size() + samples);
  for (std::size_t i = 0; i < samples; ++i) {
    int sum = 0;
    if (!caller_.empty()) {
      sum += caller_.front();
      caller_.pop_front();
    }
    if (!assistant_.empty()) {
      sum += assistant_.front();
      assistant_.pop_front();
    }
    out.push_back(static_cast<char>(linear_to_ulaw(static_cast<std::int16_t>(std::clamp(sum, -32768, 32767)))));
  }
  base_ += static_cast<std::int64_t>(samples);
}

void CallMix::take_ready(std::string& out) { take(caller_.size(), out); }

void CallMix::take_rest(std::string& out) { take(std::max(caller_.size(), assistant_.size()), out); }

std::string CallMix::take_ready() {
  std::string out;
  take_ready(out);
  return out;
}

std::string CallMix::take_rest() {
  std::string out;
  take_rest(out);
  return out;
}

}  // namespace sonoria::audio
