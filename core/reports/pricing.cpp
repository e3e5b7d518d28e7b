#include "core/reports/pricing.hpp"

#include <algorithm>

#include "core/error.hpp"

namespace sonoria::reports {
namespace {
__extension__ typedef __int128 Wide;  // GCC/Clang; -Wpedantic would flag a plain __int128
}  // namespace

std::optional<int64_t> parse_price(std::string_view text) {
  auto dot = text.find('.');
  auto whole = text.substr(0, dot);
  auto fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits = [](std::string_view s) { return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }); };
  if (whole.empty() || whole.size() > 9 || !digits(whole)) return std::nullopt;
  if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 6 || !digits(fraction))) return std::nullopt;
  int64_t micro = 0;
  for (char c : whole) micro = micro * 10 + (c - '0');
  micro *= 1'000'000;
  int64_t scale = 100'000;
  for (char c : fraction) {
    micro += (c - '0') * scale;
    scale /= 10;
  }
  return micro;
}

Prices prices_from(const config::PricingSettings& s) {
  auto one = [](const char* key, const std::string& value) {
    auto p = parse_price(value);
    if (!p)
      throw DataError(std::string(key) + ": \"" + value +
                      "\" is not a price (expected US dollars per million tokens, like \"32\" or \"0.40\")");
    return *p;
  };
  auto per_minute = [](const char* key, const std::string& value) {
    auto p = parse_price(value);
    if (!p)
      throw DataError(std::string(key) + ": \"" + value +
                      "\" is not a price (expected US dollars per minute, like \"0.08\")");
    return *p;
  };
  return Prices{one("pricing.text_input", s.text_input),
                one("pricing.text_output", s.text_output),
                one("pricing.audio_input", s.audio_input),
                one("pricing.audio_output", s.audio_output),
                one("pricing.cached_input", s.cached_input),
                per_minute("pricing.deepgram_per_minute", s.deepgram_per_minute),
                per_minute("pricing.ultravox_per_minute", s.ultravox_per_minute)};
}

int64_t minutes_cost_micro_usd(std::string_view engine, int64_t ms, const Prices& prices) {
  const int64_t per_minute = engine == "deepgram"   ? prices.deepgram_per_minute
                             : engine == "ultravox" ? prices.ultravox_per_minute
                                                    : 0;
  if (per_minute == 0 || ms <= 0) return 0;
  return static_cast<int64_t>((static_cast<Wide>(ms) * per_minute + 30'000) / 60'000);
}

BilledTokens billed_tokens(const db::Usage& u) {
  BilledTokens b;
  int64_t audio_in = std::clamp<int64_t>(u.input_audio_tokens, 0, std::max<int64_t>(u.input_tokens, 0));
  int64_t text_in = std::max<int64_t>(u.input_tokens, 0) - audio_in;
  int64_t cached = std::clamp<int64_t>(u.cached_tokens, 0, audio_in + text_in);
  int64_t from_audio = std::min(cached, audio_in);
  b.audio_input = audio_in - from_audio;
  b.text_input = text_in - (cached - from_audio);
  b.cached_input = cached;
  b.audio_output = std::clamp<int64_t>(u.output_audio_tokens, 0, std::max<int64_t>(u.output_tokens, 0));
  b.text_output = std::max<int64_t>(u.output_tokens, 0) - b.audio_output;
  return b;
}

int64_t cost_micro_usd(const BilledTokens& t, const Prices& p) {
  // tokens × (µ$ per million) / 1e6; summed before dividing so rounding happens once. 128-bit
  // keeps a year of heavy traffic far from overflow.
  Wide sum = static_cast<Wide>(t.text_input) * p.text_input +
                 static_cast<Wide>(t.audio_input) * p.audio_input +
                 static_cast<Wide>(t.cached_input) * p.cached_input +
                 static_cast<Wide>(t.text_output) * p.text_output +
                 static_cast<Wide>(t.audio_output) * p.audio_output;
  return static_cast<int64_t>((sum + 500'000) / 1'000'000);
}

std::string format_usd(int64_t micro_usd) {
  bool negative = micro_usd < 0;
  int64_t v = negative ? -micro_usd : micro_usd;
  int64_t ten_thousandths = (v + 50) / 100;
  std::string frac = std::to_string(ten_thousandths % 10000);
  frac.insert(0, 4 - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(ten_thousandths / 10000) + "." + frac;
}

int64_t call_cost_micro_usd(const db::CallRow& call, const Prices& prices) {
  int64_t total = cost_micro_usd(billed_tokens(call.usage), prices);
  for (const auto& served : call.engines) total += minutes_cost_micro_usd(served.engine, served.ms, prices);
  return total;
}

}  // namespace sonoria::reports
