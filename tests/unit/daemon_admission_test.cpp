#include <doctest/doctest.h>

#include "daemon/admission.hpp"
#include "daemon/call_registry.hpp"

using namespace sonoria::daemon;
using namespace std::chrono_literals;

TEST_CASE("capacity counts live calls and frees a slot on release") {
  Admission a({2, 0, {}});
  auto t = Admission::Clock::time_point{};
  CHECK(a.admit("+15550000001", t) == Admit::yes);
  CHECK(a.admit("+15550000002", t) == Admit::yes);
  CHECK(a.admit("+15550000003", t) == Admit::capacity);
  a.release();
  CHECK(a.admit("+15550000003", t) == Admit::yes);
  CHECK(a.active() == 2);
}

TEST_CASE("a caller over the hourly limit is refused until the hour has passed") {
  Admission a({100, 2, {}});
  auto t = Admission::Clock::time_point{} + 10h;
  CHECK(a.admit("+15551112222", t) == Admit::yes);
  CHECK(a.admit("+15551112222", t + 1min) == Admit::yes);
  CHECK(a.admit("+15551112222", t + 2min) == Admit::rate_limited);
  CHECK(a.admit("+15553334444", t + 2min) == Admit::yes);
  CHECK(a.admit("+15551112222", t + 61min) == Admit::yes);
}

TEST_CASE("blocked callers and draining are refused with their reasons") {
  Admission a({10, 0, {"+15559990000"}});
  auto t = Admission::Clock::time_point{};
  CHECK(a.admit("+15559990000", t) == Admit::blocked_caller);
  CHECK(std::string(admit_reason(Admit::blocked_caller)) == "blocked_caller");
  a.start_draining();
  CHECK(a.admit("+15551112222", t) == Admit::draining);
}

TEST_CASE("a stream token works once, only for its own call, and only while it is live") {
  CallRegistry r;
  auto token = CallRegistry::mint_token();
  CHECK(token.size() == 32);
  CHECK(token != CallRegistry::mint_token());
  r.add("CA1", token, nullptr, nullptr, "+15550001000");
  CHECK(r.is_live("CA1"));
  CHECK(r.live_token("CA1") == token);
  std::string why;
  CHECK(r.claim("wrong", "CA1", &why) == nullptr);
  CHECK(why == "unknown or already used token");
  // A stream of another call presenting CA1's token is refused, and the token stays CA1's.
  why.clear();
  CHECK(r.claim(token, "CA2", &why) == nullptr);
  CHECK(why == "the token was issued for another call");
  CHECK(r.live_token("CA1") == token);
  why.clear();
  r.claim(token, "CA1", &why);
  CHECK(why.empty());
  CHECK_FALSE(r.live_token("CA1"));
  CHECK(r.claim(token, "CA1", &why) == nullptr);
  CHECK(why == "unknown or already used token");
  r.finished("CA1", sonoria::call::Disposition{sonoria::call::Hangup{}});
  CHECK_FALSE(r.is_live("CA1"));
  CHECK(r.disposition("CA1").has_value());
  // A token whose call ended before its stream came is refused saying so.
  const auto late = CallRegistry::mint_token();
  r.add("CA3", late, nullptr, nullptr, "+15550001000");
  r.finished("CA3", std::nullopt);
  CHECK(r.claim(late, "CA3", &why) == nullptr);
  CHECK(why == "the call had already ended");
}

TEST_CASE("a call coming back after an unanswered transfer is readmitted past the limits, but not while draining") {
  Admission a(Admission::Limits{1, 1, {}});
  auto t = Admission::Clock::now();
  CHECK(a.admit("+15551112222", t) == Admit::yes);
  CHECK(a.readmit());  // the same caller, over both the rate and the capacity limit
  CHECK(a.active() == 2);
  a.release();
  a.release();
  a.start_draining();
  CHECK_FALSE(a.readmit());
  CHECK(a.active() == 0);
}

TEST_CASE("a finished stage is kept for the next one and survives the comeback's registration") {
  CallRegistry r;
  r.add("CA1", CallRegistry::mint_token(), nullptr, nullptr, "+15550001000");
  CHECK_FALSE(r.stage("CA1"));
  StageRecord stage;
  stage.next_sequence = 7;
  stage.turns = {{"caller", "hi"}};
  r.record_stage("CA1", stage);
  r.finished("CA1", sonoria::call::Disposition{sonoria::call::Transfer{"+15550001001"}});
  r.add("CA1", CallRegistry::mint_token(), nullptr, nullptr, "+15550001000");
  REQUIRE(r.stage("CA1"));
  CHECK(r.stage("CA1")->next_sequence == 7);
  CHECK(r.is_live("CA1"));
  r.record_stage("CA2", stage);  // unknown calls are ignored
  CHECK_FALSE(r.stage("CA2"));
}

TEST_CASE("a reload's limits apply to the next call; calls in progress keep their slots") {
  Admission a({3, 0, {}});
  auto t = Admission::Clock::time_point{};
  CHECK(a.admit("+15550000001", t) == Admit::yes);
  CHECK(a.admit("+15550000002", t) == Admit::yes);
  a.set_limits({1, 0, {"+15559990000"}});
  CHECK(a.active() == 2);
  CHECK(a.admit("+15550000003", t) == Admit::capacity);
  CHECK(a.admit("+15559990000", t) == Admit::blocked_caller);
  a.release();
  a.release();
  CHECK(a.admit("+15550000003", t) == Admit::yes);
}

TEST_CASE("the drain waits for a <Connect action> Twilio will still ask for, not for a caller who hung up") {
  CallRegistry r;
  const auto now = CallRegistry::Clock::now();
  r.add("CA1", "t1", nullptr, nullptr, "+15550001000");
  r.add("CA2", "t2", nullptr, nullptr, "+15550001000");
  r.finished("CA1", sonoria::call::Disposition{sonoria::call::Transfer{"+15550001001"}}, true);
  r.finished("CA2", sonoria::call::Disposition{sonoria::call::Hangup{}}, false);
  CHECK(r.actions_awaited(now, 5s) == 1);
  CHECK(r.actions_awaited(now + 6s, 5s) == 0);  // Twilio is not coming: stop waiting
  r.action_asked("CA1");
  CHECK(r.actions_awaited(now, 5s) == 0);
}

TEST_CASE("overload and a shortage of file descriptors turn new calls away before the daemon runs out") {
  auto t = Admission::Clock::time_point{};
  Admission a({100, 0, {}});
  a.set_overload("overloaded: the event loop runs 400 ms late");
  CHECK(a.admit("+15550000001", t) == Admit::overloaded);
  CHECK(std::string(admit_reason(Admit::overloaded)) == "overloaded");
  a.set_overload("");
  CHECK(a.admit("+15550000001", t) == Admit::yes);

  // 16 kept in reserve, 3 per call: 28 free descriptors take four more calls until they are counted again.
  a.set_free_descriptors(Admission::k_fd_reserve + 4 * Admission::k_fds_per_call);
  for (int i = 0; i < 4; ++i) CHECK(a.admit("+1555000010" + std::to_string(i), t) == Admit::yes);
  CHECK(a.admit("+15550000200", t) == Admit::overloaded);
  a.set_free_descriptors(100);  // counted again: there is room
  CHECK(a.admit("+15550000200", t) == Admit::yes);
}

TEST_CASE("the call capacity turns new calls away while it is reached, and says why") {
  Admission a({100, 0, {}});
  auto t = Admission::Clock::time_point{} + 1h;
  a.set_call_capacity(2, "overloaded: 2 calls are as many as the I/O threads carry");
  CHECK(a.admit("+15550000001", t) == Admit::yes);
  CHECK(a.overload().empty());
  CHECK(a.admit("+15550000002", t) == Admit::yes);
  CHECK(a.overload() == "overloaded: 2 calls are as many as the I/O threads carry");
  CHECK(a.admit("+15550000003", t) == Admit::overloaded);
  a.release();
  CHECK(a.overload().empty());
  CHECK(a.admit("+15550000003", t) == Admit::yes);
  a.set_call_capacity(std::nullopt, "");
  CHECK(a.admit("+15550000004", t) == Admit::yes);
  // The overload reason, when set, is what /readyz says first.
  a.set_call_capacity(1, "capacity");
  a.set_overload("overloaded: lag");
  CHECK(a.overload() == "overloaded: lag");
}
