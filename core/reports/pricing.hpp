#pragma once
// The estimated engine cost of calls, from their token usage and configured prices. Money is
// kept in whole micro-dollars (1e-6 USD) so sums are exact. Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/config/settings.hpp"
#include "core/db/records.hpp"
#include "core/db/stores.hpp"

namespace sonoria::reports {

// Micro-dollars per million tokens (OpenAI), and per minute (engines billed by the minute).
struct Prices {
  int64_t text_input = 0;
  int64_t text_output = 0;
  int64_t audio_input = 0;
  int64_t audio_output = 0;
  int64_t cached_input = 0;
  int64_t deepgram_per_minute = 0;
  int64_t ultravox_per_minute = 0;
};

// "32" → 32'000'000, "0.40" → 400'000; nullopt unless digits with at most six decimals.
std::optional<int64_t> parse_price(std::string_view text);
// Throws DataError naming the pricing.* key and its value.
Prices prices_from(const config::PricingSettings& settings);

// Token buckets as billed: audio tokens are part of input_tokens/output_tokens, the rest is text;
// cached tokens are part of the input and billed at the cached rate instead (taken from audio
// input first, then text input — Realtime caches the conversation, which is mostly audio).
struct BilledTokens {
  int64_t text_input = 0;
  int64_t audio_input = 0;
  int64_t cached_input = 0;
  int64_t text_output = 0;
  int64_t audio_output = 0;
};
BilledTokens billed_tokens(const db::Usage& usage);

// Rounded to the nearest micro-dollar.
int64_t cost_micro_usd(const BilledTokens& tokens, const Prices& prices);
// What `ms` of `engine` costs by the minute (pro rata, to the nearest micro-dollar); 0 for engines
// billed by the token (OpenAI: see cost_micro_usd) and unknown ones.
int64_t minutes_cost_micro_usd(std::string_view engine, int64_t ms, const Prices& prices);

// One call's estimate: its tokens (OpenAI) plus the minutes of each engine billed by the minute.
int64_t call_cost_micro_usd(const db::CallRow& call, const Prices& prices);

// 1234567 → "1.2346" (US dollars, four decimals, rounded half up).
std::string format_usd(int64_t micro_usd);

}  // namespace sonoria::reports
