#include "tests/fakes/sid.hpp"

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <mutex>
#include <random>

namespace sonoria::fakes {
namespace {

std::mt19937_64& generator() {
  static std::mt19937_64 engine{std::random_device{}()};
  return engine;
}

std::string random_chars(std::string_view alphabet, int count) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string out;
  out.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) out.push_back(alphabet[pick(generator())]);
  return out;
}

}  // namespace

std::string make_sid(std::string_view prefix) {
  return std::string(prefix) + random_chars("0123456789abcdef", 32);
}

std::string make_openai_id(std::string_view prefix) {
  // Six base-62 digits of a process-wide counter first ('0' < 'A' < 'a' in ASCII), so ids sort in
  // creation order; then random characters, as OpenAI's ids look random.
  static constexpr std::string_view k_digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t n = counter.fetch_add(1);
  std::string ordered(6, '0');
  for (int i = 5; i >= 0 && n > 0; --i) {
    ordered[static_cast<std::size_t>(i)] = k_digits[n % 62];
    n /= 62;
  }
  return std::string(prefix) + ordered + random_chars(k_digits, 15);
}

std::string rfc2822_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  static constexpr const char* k_days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d +0000", k_days[utc.tm_wday], utc.tm_mday,
                k_months[utc.tm_mon], utc.tm_year + 1900, utc.tm_hour, utc.tm_min, utc.tm_sec);
  return buffer;
}

}  // namespace sonoria::fakes
