#pragma once
// What every end-to-end test starts from: settings for a daemon on a free loopback port whose
// database lives in the test's temp dir and whose engine leg goes to the fake Realtime server, and
// the example yoga studio (answering +15550001000) imported into that database.

#include <chrono>
#include <cstdlib>
#include <string>

#include "core/config/settings.hpp"
#include "core/db/database.hpp"
#include "core/db/migrations.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/support/temp_dir.hpp"

namespace sonoria::test {

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
  db::migrate(database.connection());
  return database.orgs().upsert(org::load_profile_file(source_dir() / "examples" / "yoga-studio.toml"));
}

}  // namespace sonoria::test
