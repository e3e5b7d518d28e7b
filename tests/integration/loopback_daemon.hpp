#pragma once
// What every end-to-end test starts from: settings for a daemon on a free loopback port whose
// database lives in the test's temp dir and whose engine leg goes to the fake Realtime server, and
// the example yoga studio (answering +15550001000) imported into that database.

#include <chrono>
#include <cstdlib>
#include <string>

#include "core/booking/local_clock.hpp"
#include "core/config/settings.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/support/temp_dir.hpp"

namespace sonoria::test {

// What the tests' Twilio is: the public URL signatures are computed over, the auth token that
// signs, the account the REST fake serves.
inline const std::string k_public = "https://voice.example.com";
inline const std::string k_token = "f1e2d3c4b5a697887766554433221100";
inline const std::string k_account = "AC00000000000000000000000000000001";

// Caller audio (µ-law) that the fakes' voice detection hears as speech, and that a test can recognise.
inline std::string speech_bytes(int ms) {
  std::string out;
  for (int i = 0; i < ms * 8; ++i) out += static_cast<char>(0x10 + (i % 0x60));
  return out;
}
// The next `weekday` (0 = Monday) at least `at_least_days` after today in `timezone`, "YYYY-MM-DD":
// a day an appointment book takes bookings on whenever the test runs.
inline std::string next_weekday(int weekday, int at_least_days = 3, const std::string& timezone = "America/New_York") {
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto today = booking::LocalClock(timezone).local(now).date;
  for (int d = at_least_days;; ++d) {
    const std::chrono::year_month_day day{std::chrono::sys_days{today} + std::chrono::days{d}};
    if (org::weekday_index(day) == weekday) return org::format_date(day);
  }
}

// Line silence (µ-law 0xFF).
inline std::string silence_bytes(int ms) { return std::string(static_cast<size_t>(ms) * 8, '\xFF'); }

// `public_url` is what Twilio is told (signatures are computed over it); `auth_token` signs.
// SONORIA_TEST_LOG=debug shows the daemon's log.
inline config::Settings loopback_settings(const TempDir& dir, const fakes::FakeOpenAiRealtime& engine,
                                          const std::string& public_url, const std::string& auth_token) {
  config::Settings settings;
  settings.database.path = (dir / "sonoria.db").string();
  settings.server.listen = "127.0.0.1:0";
  settings.server.public_url = public_url;
  settings.server.threads = 2;
  settings.server.drain_timeout = std::chrono::seconds(3);
  settings.twilio.auth_token = auth_token;
  settings.engine.url = engine.url();
  settings.engine.api_key = engine.api_key();
  settings.log.level = std::getenv("SONORIA_TEST_LOG") ? std::getenv("SONORIA_TEST_LOG") : "warn";
  return settings;
}

// Migrates the settings' database and imports examples/yoga-studio.toml; returns its id.
inline int64_t import_example_profile(const config::Settings& settings) {
  db::Database database(settings.database, db::SchemaCheck::none);
  database.migrate();
  return database.orgs().upsert(org::load_profile_file(source_dir() / "examples" / "yoga-studio.toml"));
}

}  // namespace sonoria::test
