// No output of sonoria carries a secret it was given: the daemon's log, /metrics, the health
// checks, the REST API, the dashboard, `config show`, the CLI's errors and every export format
// (issue 19 §3). Every configured secret is a canary ("canary-secret-…", tests/support/test_secrets)
// searched for in everything sonoria printed or served during a call and around it.
#include <doctest/doctest.h>

#include <thread>

#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/integration/serve_process.hpp"
#include "tests/support/run_command.hpp"
#include "tests/support/test_secrets.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace secrets_test {

const std::string k_api_token = "canary-secret-api-token-0123456789";
const std::string k_secrets_config =
    "[api]\ntokens = [\"" + k_api_token + "\"]\n"
    "[summary]\nurl = \"http://127.0.0.1:9/v1/chat/completions\"\napi_key = \"canary-secret-summary-key\"\n"
    "[engines.deepgram]\napi_key = \"canary-secret-deepgram-key\"\nurl = \"ws://127.0.0.1:9/agent\"\n"
    "[engines.ultravox]\napi_key = \"canary-secret-ultravox-key\"\napi_url = \"http://127.0.0.1:9/api\"\n";

// Everything `text` is, with what it was and which secret it carried, as a failure message.
void check_clean(const std::string& where, const std::string& text) {
  const std::string leaked = test::secret_in(text);
  CHECK_MESSAGE(leaked.empty(), where << " carries the secret \"" << leaked << "\"");
}

fakes::HttpReply api_get(const serve_process::ServedDaemon& d, const std::string& path, const std::string& token) {
  fakes::HttpCall call;
  call.url = d.base + path;
  call.headers = {{"Authorization", "Bearer " + token}};
  call.timeout = 10s;
  return fakes::http_exchange(call);
}

}  // namespace secrets_test

TEST_CASE("a call and everything around it: no log line, page, API answer, export or error carries a secret") {
  using namespace secrets_test;
  serve_process::ServedDaemon d(k_secrets_config);
  auto& serve = d.start();

  // A whole call: rings, hears the greeting, says something, hangs up.
  {
    fakes::CallerOptions options;
    options.from = "+15554001000";
    fakes::FakeTwilioCaller caller(options);
    auto r = caller.post_voice_webhook(d.base + "/twilio/voice", test::k_public + "/twilio/voice");
    REQUIRE(r.twiml);
    REQUIRE(r.twiml->connect);
    REQUIRE(d.engine.wait_for_server_event(0, "session.updated", 1, 10s));
    REQUIRE(caller.open_stream().ok);
    REQUIRE(caller.wait_for([&] { return caller.stream().buffered_bytes() + caller.stream().heard().size() >= 400 * 8; },
                            10s));
    caller.send_silence(500);
    caller.hang_up();
  }
  // A webhook with a forged signature and an API request with a wrong token: refusals are output too.
  {
    fakes::HttpCall forged;
    forged.url = d.base + "/twilio/voice";
    forged.method = "POST";
    forged.headers = {{"X-Twilio-Signature", "forged"}, {"Content-Type", "application/x-www-form-urlencoded"}};
    forged.body = "CallSid=CA00000000000000000000000000000001&From=%2B15554001000&To=%2B15550001000";
    forged.timeout = 10s;
    check_clean("a refused webhook's answer", fakes::http_exchange(forged).body);
    check_clean("a refused API request's answer", api_get(d, "/api/calls", "canary-secret-wrong-token").body);
  }

  std::string sid;
  {
    const auto calls = api_get(d, "/api/calls", k_api_token);
    REQUIRE(calls.status == 200);
    check_clean("GET /api/calls", calls.body);
    const auto listed = nlohmann::json::parse(calls.body);
    REQUIRE(!listed["calls"].empty());
    sid = listed["calls"][0]["call_sid"].get<std::string>();
  }
  for (const std::string& path : {"/api/calls/" + sid, std::string("/api/analytics"), std::string("/api/appointments"),
                                 std::string("/api/orgs/lotus-yoga/prompt")})
    check_clean("GET " + path, api_get(d, path, k_api_token).body);
  for (const char* path : {"/metrics", "/readyz", "/healthz", "/app/login"}) check_clean(std::string("GET ") + path, d.get(path).body);

  // The CLI on the same installation: run_sonoria checks each command's output as well.
  const std::map<std::string, std::string> env = {{"HOME", d.dir.path().string()}};
  const std::string config = d.config.string();
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--config", config, "config", "show"},
           {"--config", config, "calls", "list", "--json"},
           {"--config", config, "calls", "show", sid},
           {"--config", config, "calls", "show", sid, "--json"},
           {"--config", config, "analytics", "--json"},
           {"--config", config, "export-transcripts", "--format", "jsonl"},
           {"--config", config, "export-transcripts", "--format", "csv"},
           {"--config", config, "export-transcripts", "--format", "txt"},
           {"--config", config, "sms", "--to", "+14155551222", "--body", "hi", "--org", "lotus-yoga", "--dry-run"},
           {"--config", config, "doctor", "--json", "--timeout", "1s"},
           {"--config", config, "prompt", "--org", "lotus-yoga"}}) {
    const auto r = test::run_sonoria(args, env);
    check_clean("`sonoria " + args[2] + "` output", r.out + r.err);
  }
  const auto written = d.dir / "export.json";
  const auto exported = test::run_sonoria({"--config", config, "export-transcripts", "--format", "json", "--out", written.string()}, env);
  CHECK(exported.exit_code == 0);
  check_clean("an export file", test::read_file(written));

  CHECK(serve.stop(SIGTERM) == 0);
  check_clean("the daemon's log", serve.log());
  CHECK(serve.log().find("call.finished") != std::string::npos);  // the log did cover the call
}
