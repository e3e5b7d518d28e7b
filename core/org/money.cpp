#include "core/org/money.hpp"

#include <cmath>

namespace sonoria::org {

std::string format_amount(int64_t cents) {
  // Work on the magnitude as unsigned so INT64_MIN does not overflow.
  const bool negative = cents < 0;
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(cents) : static_cast<uint64_t>(cents);
  std::string fraction = std::to_string(magnitude % 100);
  if (fraction.size() < 2) fraction.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(magnitude / 100) + "." + fraction;
}

std::string format_price(int64_t cents, std::string_view currency) {
  if (currency == "USD") {
    const std::string amount = format_amount(cents);
    return amount.front() == '-' ? "-$" + amount.substr(1) : "$" + amount;
  }
  return format_amount(cents) + " " + std::string(currency);
}

std::optional<int64_t> cents_from_amount(double amount) {
  if (!std::isfinite(amount) || std::fabs(amount) > k_max_amount) return std::nullopt;
  const double cents = amount * 100.0;
  const double rounded = std::round(cents);
  // 18.99 * 100 is 1898.9999999999998: binary noise is far below a thousandth of a cent, while a
  // third decimal (18.505) is at least a tenth of a cent away from a whole cent.
  if (std::fabs(cents - rounded) > 1e-3) return std::nullopt;
  return static_cast<int64_t>(rounded);
}

}  // namespace sonoria::org
