#include <doctest/doctest.h>

#include "core/config/loader.hpp"
#include "core/error.hpp"
#include "tests/support/error_of.hpp"
#include "tests/support/temp_dir.hpp"

using namespace sonoria;
using namespace sonoria::config;
using namespace std::chrono_literals;

namespace {

using test::error_of;

LoadOptions options_for(const test::TempDir& dir) {
  LoadOptions o;
  o.environment = {{"HOME", dir.path().string()}};
  return o;
}

}  // namespace

TEST_CASE("a missing default config file is fine and the built-in defaults serve") {
  test::TempDir dir;
  auto loaded = load_settings(options_for(dir));
  CHECK_FALSE(loaded.config_file_found);
  CHECK(loaded.settings.server.listen == "127.0.0.1:8080");
  CHECK(loaded.settings.engine.protocol == "ga");
  CHECK(loaded.settings.database.path == (dir.path() / ".local/share/sonoria/sonoria.db").string());
  CHECK(loaded.origins["server.listen"].source == Source::built_in);
}

TEST_CASE("XDG_DATA_HOME decides where the database lives") {
  test::TempDir dir;
  auto o = options_for(dir);
  o.environment["XDG_DATA_HOME"] = "/srv/data";
  CHECK(load_settings(o).settings.database.path == "/srv/data/sonoria/sonoria.db");
}

TEST_CASE("flags beat the environment, which beats the file, which beats the defaults") {
  test::TempDir dir;
  auto path = dir.write("sonoria.toml",
                        "[calls]\nmax_concurrent = 5\nmax_duration = \"10m\"\n[log]\nlevel = \"debug\"\n"
                        "[database]\npath = \"/from/file.db\"\n");
  auto o = options_for(dir);
  o.config_path = path;
  o.environment["SONORIA_CALLS_MAX_CONCURRENT"] = "7";
  o.environment["SONORIA_DB"] = "/from/env.db";
  o.flags = {{"database.path", "/from/flag.db"}};
  o.flag_names = {{"database.path", "--db"}};
  auto loaded = load_settings(o);
  CHECK(loaded.settings.calls.max_concurrent == 7);
  CHECK(loaded.origins["calls.max_concurrent"].detail == "SONORIA_CALLS_MAX_CONCURRENT");
  CHECK(loaded.settings.calls.max_duration == 10min);
  CHECK(loaded.origins["calls.max_duration"].detail == path.string() + ":3");
  CHECK(loaded.settings.log.level == "debug");
  CHECK(loaded.settings.database.path == "/from/flag.db");
  CHECK(loaded.origins["database.path"].source == Source::flag);
  CHECK(loaded.origins["database.path"].detail == "--db");
}

TEST_CASE("conventional environment names fill the secrets") {
  test::TempDir dir;
  auto o = options_for(dir);
  o.environment["OPENAI_API_KEY"] = "sk-test-0123456789abcdef";
  o.environment["TWILIO_ACCOUNT_SID"] = "AC0123456789abcdef0123456789abcdef";
  o.environment["TWILIO_AUTH_TOKEN"] = "f1e2d3c4b5a697887766554433221100";
  auto loaded = load_settings(o);
  CHECK(loaded.settings.engine.api_key == "sk-test-0123456789abcdef");
  CHECK(loaded.settings.twilio.auth_token == "f1e2d3c4b5a697887766554433221100");
  CHECK(loaded.origins["engines.openai.api_key"].detail == "OPENAI_API_KEY");
}

TEST_CASE("config show redacts secrets and says where each value came from") {
  test::TempDir dir;
  auto o = options_for(dir);
  o.environment["OPENAI_API_KEY"] = "sk-test-0123456789abcdef";
  o.environment["TWILIO_AUTH_TOKEN"] = "f1e2d3c4b5a697887766554433221100";
  auto text = render_settings(load_settings(o));
  CHECK(text.find("0123456789abcdef") == std::string::npos);
  CHECK(text.find("f1e2d3c4b5a6") == std::string::npos);
  CHECK(text.find("api_key = \"sk-…(redacted)\"") != std::string::npos);
  CHECK(text.find("# environment OPENAI_API_KEY") != std::string::npos);
  CHECK(text.find("listen = \"127.0.0.1:8080\"") != std::string::npos);
}

TEST_CASE("database.url selects PostgreSQL; config show keeps the server and hides the password") {
  test::TempDir dir;
  auto path = dir.write("sonoria.toml", "[database]\nurl = \"postgresql://sonoria:pa55word@db.internal:5432/sonoria\"\n");
  auto o = options_for(dir);
  o.config_path = path;
  auto loaded = load_settings(o);
  CHECK(loaded.settings.database.url == "postgresql://sonoria:pa55word@db.internal:5432/sonoria");
  // The local files (journal, recordings, control socket) stay beside database.path.
  CHECK(loaded.settings.database.path == (dir.path() / ".local/share/sonoria/sonoria.db").string());
  auto text = render_settings(loaded);
  CHECK(text.find("pa55word") == std::string::npos);
  CHECK(text.find("url = \"postgresql://sonoria:…(redacted)@db.internal:5432/sonoria\"") != std::string::npos);

  auto env = options_for(dir);
  env.environment["SONORIA_DATABASE_URL"] = "postgres:///sonoria?host=/run/postgresql&password=hunter2";
  auto from_env = load_settings(env);
  CHECK(from_env.origins["database.url"].detail == "SONORIA_DATABASE_URL");
  CHECK(render_settings(from_env).find("hunter2") == std::string::npos);

  auto bad = dir.write("bad.toml", "[database]\nurl = \"mysql://root:pw@db/sonoria\"\n");
  o.config_path = bad;
  auto message = error_of([&] { load_settings(o); });
  CHECK(message.find(bad.string() + ":2") == 0);
  CHECK(message.find("is not a PostgreSQL URL (expected postgresql://") != std::string::npos);
  CHECK(message.find("root:pw") == std::string::npos);
}

TEST_CASE("a daemon of a cluster has a name, a lease and its own URL, checked as URLs are") {
  test::TempDir dir;
  auto path = dir.write("sonoria.toml", "[cluster]\ninstance = \"one\"\npublic_url = \"HTTPS://voice.example.com/d/one\"\nlease = \"10s\"\n");
  auto o = options_for(dir);
  o.config_path = path;
  auto loaded = load_settings(o);
  CHECK(loaded.settings.cluster.instance == "one");
  CHECK(loaded.settings.cluster.public_url == "https://voice.example.com/d/one");
  CHECK(loaded.settings.own_url() == "https://voice.example.com/d/one");
  CHECK(loaded.settings.cluster.lease == 10s);
  auto plain = load_settings(options_for(dir));
  CHECK(plain.settings.own_url() == plain.settings.server.public_url);
  auto slash = dir.write("slash.toml", "[cluster]\npublic_url = \"https://voice.example.com/d/one/\"\n");
  o.config_path = slash;
  CHECK(error_of([&] { load_settings(o); }).find("ends with '/'") != std::string::npos);
  auto short_lease = dir.write("lease.toml", "[cluster]\nlease = \"1s\"\n");
  o.config_path = short_lease;
  CHECK(error_of([&] { load_settings(o); }).find("too short (expected at least 3s)") != std::string::npos);
}

TEST_CASE("a URL's password is redacted wherever it is written") {
  CHECK(redact_url_password("postgresql://ana:s3cret@db:5432/x") == "postgresql://ana:…(redacted)@db:5432/x");
  CHECK(redact_url_password("postgresql://ana@db/x") == "postgresql://ana@db/x");
  CHECK(redact_url_password("postgresql://db/x?sslmode=require&password=s3cret&application_name=a") ==
        "postgresql://db/x?sslmode=require&password=…(redacted)&application_name=a");
  CHECK(redact_url_password("postgresql://a:b@c@db/x") == "postgresql://a:…(redacted)@db/x");
  CHECK(redact_url_password("") == "");
  CHECK(redact_url_password("postgresql://app:ab/cd+ef@db/sonoria") == "postgresql://app:…(redacted)@db/sonoria");
}

TEST_CASE("an unknown key names the file, the line and the nearest valid key") {
  test::TempDir dir;
  auto path = dir.write("sonoria.toml", "[server]\nlisten = \"0.0.0.0:80\"\npublic_ulr = \"https://x.example\"\n");
  auto o = options_for(dir);
  o.config_path = path;
  CHECK(error_of([&] { load_settings(o); }) ==
        path.string() + ":3: unknown key \"server.public_ulr\" (did you mean \"server.public_url\"?)");
}

TEST_CASE("a value of the wrong type names the expected type") {
  test::TempDir dir;
  auto path = dir.write("c.toml", "[calls]\nmax_concurrent = \"many\"\n");
  auto o = options_for(dir);
  o.config_path = path;
  CHECK(error_of([&] { load_settings(o); }) == path.string() + ":2: calls.max_concurrent: wrong type (expected an integer)");
}

TEST_CASE("bad values say what was expected") {
  test::TempDir dir;
  auto o = options_for(dir);
  SUBCASE("duration") {
    o.config_path = dir.write("c.toml", "[calls]\nsilence_timeout = \"soon\"\n");
    CHECK(error_of([&] { load_settings(o); }).find(
              ":2: calls.silence_timeout: \"soon\" is not a duration (expected like \"30s\"") != std::string::npos);
  }
  SUBCASE("enumeration") {
    o.config_path = dir.write("c.toml", "[engine]\nprotocol = \"v2\"\n");
    CHECK(error_of([&] { load_settings(o); }).find("engine.protocol: \"v2\" is not allowed (expected one of \"ga\", \"beta\")") !=
          std::string::npos);
  }
  SUBCASE("range") {
    o.config_path = dir.write("c.toml", "[calls]\nmax_concurrent = 0\n");
    CHECK(error_of([&] { load_settings(o); }).find("calls.max_concurrent: 0 is out of range (expected 1 to 100000)") !=
          std::string::npos);
  }
  SUBCASE("phone numbers") {
    o.config_path = dir.write("c.toml", "[calls]\nblocked_callers = [\"555-1234\"]\n");
    CHECK(error_of([&] { load_settings(o); })
              .find("calls.blocked_callers: \"555-1234\" has no country code (expected \"+\" and the country code, "
                    "such as \"+1 201-555-0123\")") != std::string::npos);
  }
  SUBCASE("phone numbers are stored in E.164 however they are written") {
    o.config_path = dir.write("c.toml", "[twilio]\nfrom = \"+1 (555) 000-1000\"\n[calls]\nblocked_callers = "
                                        "[\"+44 20 7946 0958\"]\n[calls.outbound]\nallowed_numbers = [\"+1 415.555.0123\"]\n");
    const auto s = load_settings(o).settings;
    CHECK(s.twilio.from == "+15550001000");
    CHECK(s.calls.blocked_callers == std::vector<std::string>{"+442079460958"});
    CHECK(s.calls.outbound.allowed_numbers == std::vector<std::string>{"+14155550123"});
  }
  SUBCASE("outbound regions and line types") {
    o.config_path = dir.write("c.toml", "[calls.outbound]\nallowed_regions = [\"US\", \"UK\"]\n");
    CHECK(error_of([&] { load_settings(o); })
              .find("calls.outbound.allowed_regions: \"UK\" is not a country code (expected two capital letters") !=
          std::string::npos);
    o.config_path = dir.write("c.toml", "[calls.outbound]\nallowed_types = [\"landline\"]\n");
    CHECK(error_of([&] { load_settings(o); })
              .find("calls.outbound.allowed_types: \"landline\" is not a line type (expected some of fixed_line, mobile, "
                    "fixed_line_or_mobile, toll_free, premium_rate") != std::string::npos);
  }
  SUBCASE("trusted proxies") {
    o.config_path = dir.write("c.toml", "[server]\ntrusted_proxies = [\"127.0.0.1\", \"10.0.0.0/8\"]\n");
    const std::string error = error_of([&] { load_settings(o); });
    CHECK(error.find("server.trusted_proxies") != std::string::npos);
    CHECK(error.find("\"10.0.0.0/8\" is not an IP address") != std::string::npos);
    o.config_path = dir.write("c.toml", "[server]\ntrusted_proxies = [\"127.0.0.1\", \"::1\"]\n");
    CHECK(load_settings(o).settings.server.trusted_proxies == std::vector<std::string>{"127.0.0.1", "::1"});
  }
  SUBCASE("URL") {
    o.config_path = dir.write("c.toml", "[engine]\nurl = \"https://api.openai.com/v1/realtime\"\n");
    CHECK(error_of([&] { load_settings(o); }).find("(expected wss://… or ws://…)") != std::string::npos);
  }
  SUBCASE("environment values are checked too") {
    o.environment["SONORIA_LOG_FORMAT"] = "xml";
    CHECK(error_of([&] { load_settings(o); }).find("environment SONORIA_LOG_FORMAT: log.format: \"xml\" is not allowed") !=
          std::string::npos);
  }
  SUBCASE("TLS needs both halves") {
    o.config_path = dir.write("c.toml", "[server]\ntls_cert = \"/etc/cert.pem\"\n");
    CHECK(error_of([&] { load_settings(o); }).find("server.tls_cert is set but server.tls_key is not") != std::string::npos);
  }
}

TEST_CASE("every problem in a file is reported, not just the first") {
  test::TempDir dir;
  auto o = options_for(dir);
  o.config_path = dir.write("c.toml", "[calls]\nmax_concurrent = -1\n[log]\nlevel = \"loud\"\n");
  auto message = error_of([&] { load_settings(o); });
  CHECK(message.find(":2: calls.max_concurrent") != std::string::npos);
  CHECK(message.find(":4: log.level") != std::string::npos);
}

TEST_CASE("TOML syntax errors give line and column") {
  test::TempDir dir;
  auto o = options_for(dir);
  o.config_path = dir.write("c.toml", "[server]\nlisten = \n");
  auto message = error_of([&] { load_settings(o); });
  CHECK(message.find("c.toml:2:") != std::string::npos);
  CHECK(message.find("invalid TOML") != std::string::npos);
}

TEST_CASE("an explicitly named config file that does not exist is an error") {
  test::TempDir dir;
  auto o = options_for(dir);
  o.config_path = dir / "missing.toml";
  CHECK(error_of([&] { load_settings(o); }).find("missing.toml: config file not found") != std::string::npos);
  LoadOptions via_env = options_for(dir);
  via_env.environment["SONORIA_CONFIG"] = (dir / "nope.toml").string();
  CHECK(error_of([&] { load_settings(via_env); }).find("nope.toml: config file not found") != std::string::npos);
}

TEST_CASE("the example config documents every key and loads cleanly") {
  auto example = test::source_dir() / "examples" / "sonoria.toml";
  auto text = test::read_file(example);
  for (const auto& key : known_keys()) {
    auto leaf = key.substr(key.rfind('.') + 1);
    CHECK_MESSAGE(text.find(leaf + " =") != std::string::npos, "examples/sonoria.toml does not document " << key);
  }
  test::TempDir dir;
  auto o = options_for(dir);
  o.config_path = example;
  CHECK_NOTHROW(load_settings(o));
}

TEST_CASE("a reload names the keys whose values changed, secrets included, without showing them") {
  Settings before;
  Settings after = before;
  CHECK(changed_keys(before, after).empty());
  after.calls.max_concurrent = before.calls.max_concurrent + 1;
  after.engine.api_key = "sk-rotated";
  after.calls.outbound.cooldown = before.calls.outbound.cooldown + std::chrono::seconds(1);
  CHECK(changed_keys(before, after) ==
        std::vector<std::string>{"engines.openai.api_key", "calls.max_concurrent", "calls.outbound.cooldown"});
}

TEST_CASE("URLs are parsed, not prefix-checked: a bad one names the key, the line and what is wrong") {
  test::TempDir dir;
  const auto problem = [&](const std::string& url) {
    auto path = dir.write("u.toml", "[server]\npublic_url = \"" + url + "\"\n");
    auto o = options_for(dir);
    o.config_path = path;
    return error_of([&] { load_settings(o); });
  };
  CHECK(problem("https://x.example") == "(no error)");
  CHECK(problem("http://127.0.0.1:8080") == "(no error)");
  CHECK(problem("https://voice.example.com/base") == "(no error)");
  CHECK(problem("https://exa mple.com").find("is not a URL (expected https://… or http://…") != std::string::npos);
  CHECK(problem("https://x.example/%zz").find("is not a URL") != std::string::npos);
  CHECK(problem("https://x.example#frag").find("is not a URL") != std::string::npos);
  CHECK(problem("ftp://x.example").find("is a ftp:// URL (expected https://… or http://…)") != std::string::npos);
  CHECK(problem("https:///path").find("has no host") != std::string::npos);
  CHECK(problem("https:x.example").find("has no host") != std::string::npos);
  CHECK(problem("https://x.example/").find("ends with '/'") != std::string::npos);
  CHECK(problem("https://x.example:443x/v1").find("\"x/v1\" follows the host") != std::string::npos);
  CHECK(problem("http://[::1]evil.example").find("\"evil.example\" follows the host") != std::string::npos);
  CHECK(problem("https://exa mple.com").find(":2:") != std::string::npos);
  // A scheme in capitals is the same scheme, stored as the daemon builds its stream URL from it.
  CHECK(problem("HTTPS://x.example") == "(no error)");
  auto o = options_for(dir);
  o.config_path = dir.write("u.toml", "[server]\npublic_url = \"HTTPS://X.example/Base\"\n");
  CHECK(load_settings(o).settings.server.public_url == "https://X.example/Base");
}

TEST_CASE("the limits on every port are settings with safe defaults and ranges") {
  test::TempDir dir;
  auto o = options_for(dir);
  const auto defaults = load_settings(o).settings.server;
  CHECK(defaults.max_body_bytes == 65536);
  CHECK(defaults.max_header_fields == 100);
  CHECK(defaults.max_websocket_message_bytes == 65536);
  CHECK(defaults.request_timeout == std::chrono::seconds(15));
  auto path = dir.write("l.toml", "[server]\nmax_body_bytes = 1048576\nrequest_timeout = \"5s\"\nmax_header_fields = 5\n");
  o.config_path = path;
  CHECK(error_of([&] { load_settings(o); }).find("server.max_header_fields") != std::string::npos);
  path = dir.write("l.toml", "[server]\nmax_body_bytes = 1048576\nrequest_timeout = \"5s\"\n");
  const auto set = load_settings(o).settings.server;
  CHECK(set.max_body_bytes == 1048576);
  CHECK(set.request_timeout == std::chrono::seconds(5));
}

TEST_CASE("the API's and the dashboard's own limits are settings too") {
  test::TempDir dir;
  auto o = options_for(dir);
  const auto defaults = load_settings(o).settings;
  CHECK(defaults.api.max_body_bytes == 16384);
  CHECK(defaults.api.burst == 30);
  CHECK(defaults.api.requests_per_second == 10);
  CHECK(defaults.dashboard.max_form_bytes == 1 << 20);
  CHECK(defaults.dashboard.max_upload_bytes == 5 << 20);
  o.config_path = dir.write("l.toml", "[api]\nmax_body_bytes = 65536\nburst = 100\nrequests_per_second = 50\n"
                                      "[dashboard]\nmax_form_bytes = 2097152\nmax_upload_bytes = 10485760\n");
  const auto set = load_settings(o).settings;
  CHECK(set.api.max_body_bytes == 65536);
  CHECK(set.api.burst == 100);
  CHECK(set.api.requests_per_second == 50);
  CHECK(set.dashboard.max_form_bytes == 2 << 20);
  CHECK(set.dashboard.max_upload_bytes == 10 << 20);
  o.config_path = dir.write("l.toml", "[api]\n\nburst = 0\n");
  const auto zero = error_of([&] { load_settings(o); });
  CHECK(zero.find("l.toml:3") != std::string::npos);
  CHECK(zero.find("api.burst") != std::string::npos);
  CHECK(zero.find("expected 1 to 1000000") != std::string::npos);
  o.config_path = dir.write("l.toml", "[dashboard]\nmax_uplod_bytes = 1\n");
  CHECK(error_of([&] { load_settings(o); }).find("max_upload_bytes") != std::string::npos);  // did you mean
}
