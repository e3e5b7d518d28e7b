// kill -9 in the middle of 20 calls that text their callers: after the restart every call that was
// active is closed (daemon_restart), every text Twilio accepted has its row with its final status,
// and each call's counters match the events stored for it.
#include <doctest/doctest.h>

#include <map>
#include <thread>

#include "core/db/sqlite.hpp"
#include "tests/fakes/fake_openai_realtime.hpp"
#include "tests/fakes/fake_twilio_caller.hpp"
#include "tests/fakes/fake_twilio_rest.hpp"
#include "tests/integration/loopback_daemon.hpp"
#include "tests/integration/serve_process.hpp"

using namespace sonoria;
using namespace std::chrono_literals;

namespace crash_recovery {

struct MessageRow {
  std::string sid;
  std::string status;
};

std::vector<MessageRow> message_rows(const config::Settings& settings) {
  db::SqliteConnection c(settings.database.path, {true, false, 5000});
  db::Statement s(c, "SELECT COALESCE(message_sid, ''), status FROM messages ORDER BY id");
  std::vector<MessageRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1)});
  return out;
}

}  // namespace crash_recovery

TEST_CASE("kill -9 during 20 calls that text their callers: the restart closes every call and reconciles every text with Twilio") {
  using namespace serve_process;
  using namespace crash_recovery;
  fakes::FakeTwilioRest rest(test::k_account, test::k_token);
  ServedDaemon d("", rest.base_url());  // its listening socket, held by "systemd", outlives each daemon
  auto& engine = d.engine;
  const auto& settings = d.settings;
  const auto& base = d.base;
  d.start();
  std::vector<std::unique_ptr<fakes::FakeTwilioCaller>> callers;
  for (int i = 0; i < 20; ++i) {
    fakes::CallerOptions options;
    options.from = "+1415600" + std::to_string(1000 + i);
    auto caller = std::make_unique<fakes::FakeTwilioCaller>(options);
    auto r = caller->post_voice_webhook(base + "/twilio/voice", test::k_public + "/twilio/voice");
    REQUIRE(r.twiml);
    REQUIRE(r.twiml->connect);
    REQUIRE(engine.wait_for_server_event(i, "session.updated", 1, 10s));
    REQUIRE(caller->open_stream().ok);
    REQUIRE(caller->wait_for([&] { return caller->stream().buffered_bytes() + caller->stream().heard().size() >= 400 * 8; }, 10s));
    caller->send_silence(500);
    callers.push_back(std::move(caller));
  }
  // Every caller asks for the booking link at once; the daemon dies while the texts go out.
  for (int i = 0; i < 20; ++i) {
    fakes::ScriptedReply asks;
    asks.text = "Sure, I will text you our booking link.";
    asks.audio_ms = 400;
    asks.function_calls.push_back(fakes::ScriptedFunctionCall{"send_booking_link", "{}", "call_link_" + std::to_string(i)});
    engine.push_reply(asks);
  }
  for (auto& caller : callers) {
    caller->send_audio(test::speech_bytes(500));
    caller->send_audio(test::silence_bytes(700));
  }
  REQUIRE(rest.wait_for([&] { return rest.messages_created().size() >= 8; }, 20s));
  d.serve->stop(SIGKILL);
  d.serve.reset();
  const auto accepted = rest.messages_created();
  // Twilio goes on without the daemon: some texts are delivered meanwhile.
  for (size_t i = 0; i < accepted.size(); i += 2) rest.set_message_status(accepted[i]["sid"], "delivered");

  auto& second = d.start();
  // The reconciler asks Twilio about every text the first daemon left unsettled.
  std::map<std::string, std::string> twilio_status;
  for (const auto& m : rest.messages_created()) twilio_status[m["sid"]] = m["status"];
  auto settled = [&] {
    std::map<std::string, std::string> stored;
    for (const auto& row : message_rows(settings)) {
      if (row.status == "sending") return false;
      if (!row.sid.empty()) stored[row.sid] = row.status;
    }
    for (const auto& [sid, status] : twilio_status)
      if (!stored.count(sid) || stored[sid] != status) return false;
    return true;
  };
  bool all_settled = false;
  for (int i = 0; i < 200 && !(all_settled = settled()); ++i) std::this_thread::sleep_for(50ms);
  const auto log = second.log();
  CAPTURE(log);
  CHECK(all_settled);
  CHECK(second.stop(SIGTERM) == 0);

  // Every text Twilio accepted has exactly one row, with Twilio's status; a text recorded but never
  // accepted says so.
  std::map<std::string, int> rows_per_sid;
  for (const auto& row : message_rows(settings)) {
    CHECK(row.status != "sending");
    if (row.sid.empty()) CHECK(row.status == "not_sent");
    else ++rows_per_sid[row.sid];
  }
  for (const auto& [sid, status] : twilio_status) CHECK(rows_per_sid[sid] == 1);

  // Every call is closed, and its counters are what its stored events say.
  db::SqliteConnection c(settings.database.path, {true, false, 5000});
  for (const auto& caller : callers) {
    CAPTURE(caller->call_sid());
    db::Statement s(c,
                    "SELECT status, COALESCE(end_reason, ''), ended_at IS NOT NULL, tool_calls, "
                    "(SELECT COUNT(*) FROM call_events e WHERE e.call_id = calls.id AND e.kind = 'tool_call') "
                    "FROM calls WHERE call_sid = ?");
    s.bind(1, caller->call_sid());
    REQUIRE(s.step());
    CHECK(s.int64(2) == 1);
    if (s.text(0) == "interrupted") CHECK(s.text(1) == "daemon_restart");
    CHECK(s.int64(3) == s.int64(4));
  }
}
