#pragma once
// Prices: profiles write decimal amounts (25, 18.50); everything else works in whole cents so
// sums and comparisons are exact. Pure functions, callable from any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::org {

// The largest amount a profile may state (in currency units); keeps cents exact in a double.
inline constexpr double k_max_amount = 1e9;

// 1850 → "18.50", 2500 → "25.00", -525 → "-5.25".
std::string format_amount(int64_t cents);
// What a caller hears or reads: "$25.00" for USD, "25.00 EUR" for any other currency.
std::string format_price(int64_t cents, std::string_view currency);

// 18.5 → 1850. std::nullopt when the amount is not finite, is larger than k_max_amount in
// magnitude, or has more than two decimals (18.505). Negative amounts convert; whether they are
// allowed is a validation rule.
std::optional<int64_t> cents_from_amount(double amount);

}  // namespace sonoria::org
