// sonoria doctor against the fakes: a running daemon on loopback, the fake Twilio REST API (the
// account, its numbers), the fake OpenAI engine. "the installation is like X → doctor says Y and
// exits Z".
#include <doctest/doctest.h>

#include <fstream>

#include <nlohmann/json.hpp>

#include "daemon/daemon.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certificates.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace doctor_test {

const std::string k_number = "+15550001000";  // the example studio's number

// A daemon on loopback with the example studio; the fake Twilio account and engine.
struct Installation {
  test::TempDir dir;
  fakes::FakeOpenAiRealtime engine;
  fakes::FakeTwilioRest rest{test::k_account, test::k_token};
  config::Settings settings;
  std::unique_ptr<daemon::Daemon> server;
  std::string origin;  // http(s)://127.0.0.1:<port>: the public URL doctor is given

  explicit Installation(std::function<void(config::Settings&)> tweak = {}, bool tls = false) {
    settings = test::loopback_settings(dir, engine, test::k_public, test::k_token);
    if (tweak) tweak(settings);
    test::import_example_profile(settings);
    server = std::make_unique<daemon::Daemon>(settings);
    server->start();
    origin = std::string(tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(server->port());
  }
  ~Installation() {
    server->request_stop();
    server->wait();
  }

  void numbers_point_to(const std::string& voice_url, const std::string& status_url) {
    fakes::IncomingNumber n;
    n.phone_number = k_number;
    n.voice_url = voice_url;
    n.status_callback = status_url;
    rest.set_incoming_numbers({n});
  }

  // The config `sonoria doctor` reads: this installation, `extra` appended (whole sections).
  std::filesystem::path config(const std::string& token = test::k_token, const std::string& api_key = "",
                               const std::string& extra = "") const {
    const auto path = dir / "doctor.toml";
    std::ofstream(path) << "[server]\npublic_url = \"" << origin << "\"\n[database]\npath = \"" << settings.database.path
                        << "\"\n[twilio]\naccount_sid = \"" << test::k_account << "\"\nauth_token = \"" << token
                        << "\"\napi_base_url = \"" << rest.base_url() << "\"\n[engines.openai]\nurl = \"" << engine.url()
                        << "\"\napi_key = \"" << (api_key.empty() ? engine.api_key() : api_key) << "\"\n"
                        << extra;
    return path;
  }

  test::CommandResult doctor(const std::filesystem::path& config, std::vector<std::string> args = {}) const {
    std::vector<std::string> argv = {"--config", config.string(), "doctor", "--timeout", "5s"};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_sonoria(argv, {{"HOME", dir.path().string()}});
  }
};

bool has_line(const std::string& out, const std::string& status, const std::string& name) {
  std::string padded = status;
  padded.resize(8, ' ');
  return out.find(padded + name + " ") != std::string::npos;
}

TEST_CASE("doctor: everything set up → every check passes (a loopback public URL only warns), exit 0") {
  Installation i;
  i.numbers_point_to(i.origin + "/twilio/voice", i.origin + "/twilio/status");
  auto r = i.doctor(i.config());
  CAPTURE(r.out);
  CAPTURE(r.err);
  CHECK(r.exit_code == 0);
  CHECK(has_line(r.out, "ok", "database"));
  CHECK(has_line(r.out, "ok", "engine.openai"));
  CHECK(r.out.find("key accepted") != std::string::npos);
  CHECK(has_line(r.out, "ok", "engine.local"));
  CHECK(has_line(r.out, "ok", "twilio.credentials"));
  CHECK(has_line(r.out, "ok", "clock"));
  CHECK(has_line(r.out, "ok", "number " + k_number));
  CHECK(has_line(r.out, "warning", "public_url"));
  CHECK(r.out.find(test::k_token) == std::string::npos);     // secrets never shown
  CHECK(r.out.find(i.engine.api_key()) == std::string::npos);
}

TEST_CASE("doctor: a wrong Twilio auth token → twilio.credentials FAILED with Twilio's answer, exit 1") {
  Installation i;
  auto r = i.doctor(i.config("0000000000000000000000000000dead"));
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has_line(r.out, "FAILED", "twilio.credentials"));
  CHECK(r.out.find("HTTP 401") != std::string::npos);
  CHECK(has_line(r.out, "skipped", "twilio.numbers"));
  CHECK(r.err.find("1 check failed") != std::string::npos);
}

TEST_CASE("doctor: the number points elsewhere → FAILED; --fix points it at this daemon") {
  Installation i;
  i.numbers_point_to("https://old.example.com/voice", "");
  auto before = i.doctor(i.config());
  CAPTURE(before.out);
  CHECK(before.exit_code == 1);
  CHECK(has_line(before.out, "FAILED", "number " + k_number));
  CHECK(before.out.find("https://old.example.com/voice") != std::string::npos);
  CHECK(before.out.find("doctor --fix") != std::string::npos);

  auto fixed = i.doctor(i.config(), {"--fix"});
  CAPTURE(fixed.out);
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.out.find("(fixed)") != std::string::npos);
  const auto numbers = i.rest.incoming_numbers();
  REQUIRE(numbers.size() == 1);
  CHECK(numbers[0].voice_url == i.origin + "/twilio/voice");
  CHECK(numbers[0].voice_method == "POST");
  CHECK(numbers[0].status_callback == i.origin + "/twilio/status");

  CHECK(i.doctor(i.config()).exit_code == 0);  // and it stays fixed
}

TEST_CASE("doctor: a Standard API key cannot read the account: its credentials are checked on the numbers instead") {
  Installation i;
  i.numbers_point_to(i.origin + "/twilio/voice", i.origin + "/twilio/status");
  const std::string key = "SK" + std::string(32, 'b');
  i.rest.add_api_key(key, "key-secret");
  auto config = i.config(test::k_token, "", "");
  // The same installation with the key instead of the auth token.
  std::ifstream in(config);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("auth_token = ");
  text.replace(at, text.find('\n', at) - at, "api_key_sid = \"" + key + "\"\napi_key_secret = \"key-secret\"");
  std::ofstream(config) << text;
  auto r = i.doctor(config);
  CAPTURE(r.out);
  CHECK(r.exit_code == 0);
  CHECK(has_line(r.out, "ok", "twilio.credentials"));
  CHECK(r.out.find("a Standard key") != std::string::npos);
  CHECK(has_line(r.out, "ok", "number " + k_number));
  CHECK(r.out.find("key-secret") == std::string::npos);
}

TEST_CASE("doctor: a number the account does not have → FAILED, naming the organization") {
  Installation i;
  i.rest.set_incoming_numbers({});
  auto r = i.doctor(i.config());
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has_line(r.out, "FAILED", "number " + k_number));
  CHECK(r.out.find("lotus-yoga") != std::string::npos);
}

TEST_CASE("doctor: the engine refuses the key → engine.openai FAILED, the key not shown") {
  Installation i;
  i.numbers_point_to(i.origin + "/twilio/voice", i.origin + "/twilio/status");
  auto r = i.doctor(i.config(test::k_token, "sk-refused-by-the-engine"));
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has_line(r.out, "FAILED", "engine.openai"));
  CHECK(r.out.find("401") != std::string::npos);
  CHECK(r.out.find("sk-refused-by-the-engine") == std::string::npos);
}

TEST_CASE("doctor: Twilio's clock 10 minutes away from ours → clock FAILED") {
  Installation i;
  i.numbers_point_to(i.origin + "/twilio/voice", i.origin + "/twilio/status");
  i.rest.set_clock_offset(std::chrono::minutes(10));
  auto r = i.doctor(i.config());
  CAPTURE(r.out);
  CHECK(r.exit_code == 1);
  CHECK(has_line(r.out, "FAILED", "clock"));
  CHECK(r.out.find("behind") != std::string::npos);
}

TEST_CASE("doctor: the public URL's certificate has expired → public_url FAILED saying so; a valid one verifies") {
  test::TempDir certs;
  SUBCASE("expired") {
    const auto c = test::make_test_certificates(certs.path(), -std::chrono::hours(48), -std::chrono::hours(24));
    Installation i([&](config::Settings& s) {
      s.server.tls_cert = c.cert.string();
      s.server.tls_key = c.key.string();
    }, true);
    i.numbers_point_to(i.origin + "/twilio/voice", i.origin + "/twilio/status");
    auto r = i.doctor(i.config(), {"--ca-file", c.ca.string()});
    CAPTURE(r.out);
    CHECK(r.exit_code == 1);
    CHECK(has_line(r.out, "FAILED", "public_url"));
    CHECK(r.out.find("expired") != std::string::npos);
    CHECK(r.out.find("renew") != std::string::npos);
  }
  SUBCASE("valid") {
    const auto c = test::make_test_certificates(certs.path(), -std::chrono::hours(1), std::chrono::hours(24));
    Installation i([&](config::Settings& s) {
      s.server.tls_cert = c.cert.string();
      s.server.tls_key = c.key.string();
    }, true);
    i.numbers_point_to(i.origin + "/twilio/voice", i.origin + "/twilio/status");
    auto r = i.doctor(i.config(), {"--ca-file", c.ca.string(), "--json"});
    CAPTURE(r.out);
    auto j = nlohmann::json::parse(r.out);
    bool found = false;
    for (const auto& check : j["checks"])
      if (check["name"] == "public_url") {
        found = true;
        CHECK(check["status"] == "warning");  // loopback: Twilio cannot reach it
        CHECK(check["detail"].get<std::string>().find("reaches a running daemon") != std::string::npos);
      }
    CHECK(found);
  }
}

TEST_CASE("doctor: a configuration that does not load is the one finding, with its line") {
  test::TempDir dir;
  const auto path = dir / "broken.toml";
  std::ofstream(path) << "[server]\nthreads = \"many\"\n";
  auto r = test::run_sonoria({"--config", path.string(), "doctor"}, {{"HOME", dir.path().string()}});
  CHECK(r.exit_code == 1);
  CHECK(has_line(r.out, "FAILED", "config"));
  CHECK(r.out.find("threads") != std::string::npos);
}

}  // namespace doctor_test
