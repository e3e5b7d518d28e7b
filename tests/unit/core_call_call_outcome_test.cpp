#include <doctest/doctest.h>

#include "core/call/call_outcome.hpp"

using namespace sonoria::call;

namespace {

// The facts of a call whose stream started and ran to an end the bridge saw as `reason`.
EndFacts streamed(EndReason reason, std::optional<Disposition> disposition = std::nullopt) {
  EndFacts f;
  f.stream_started = true;
  f.reason = reason;
  f.disposition = std::move(disposition);
  return f;
}

// No stream ever started after the voice webhook.
EndFacts no_stream(EndReason reason = EndReason::none, std::optional<Disposition> disposition = std::nullopt) {
  EndFacts f;
  f.reason = reason;
  f.disposition = std::move(disposition);
  return f;
}

std::string text(const Outcome& o) { return o.status + "/" + o.end_reason; }

}  // namespace

TEST_CASE("a caller who hangs up completed the call") {
  CHECK(text(decide_outcome(streamed(EndReason::caller_hung_up))) == "completed/caller_hung_up");
  // The stream closed cleanly with nothing else ending the call: the caller hung up.
  CHECK(text(decide_outcome(streamed(EndReason::none))) == "completed/caller_hung_up");
}

TEST_CASE("a stream that closed abnormally was lost, not hung up by the caller") {
  auto f = streamed(EndReason::caller_hung_up);  // the bridge takes any end of the stream for a hang-up
  f.stream_broke = true;
  CHECK(text(decide_outcome(f)) == "completed/stream_lost");
  f.reason = EndReason::none;
  CHECK(text(decide_outcome(f)) == "completed/stream_lost");
  SUBCASE("but an ending already under way keeps its reason") {
    f.reason = EndReason::assistant_hung_up;
    CHECK(text(decide_outcome(f)) == "completed/assistant_hung_up");
  }
}

TEST_CASE("what the bridge decided gives the status, and what it saw the reason") {
  CHECK(text(decide_outcome(streamed(EndReason::assistant_hung_up, Hangup{}))) == "completed/assistant_hung_up");
  CHECK(text(decide_outcome(streamed(EndReason::max_duration, Hangup{}))) == "completed/max_duration");
  CHECK(text(decide_outcome(streamed(EndReason::silence, Hangup{}))) == "completed/silence");
  CHECK(text(decide_outcome(streamed(EndReason::transferred, Transfer{"+15550002222"}))) ==
        "transferred/transferred");
  CHECK(text(decide_outcome(streamed(EndReason::keypad_transfer, Transfer{"+15550001111"}))) ==
        "transferred/keypad_transfer");
  CHECK(text(decide_outcome(streamed(EndReason::engine_failed, Fallback{"refused"}))) == "failed/engine_failed");
  CHECK(text(decide_outcome(streamed(EndReason::engine_lost, Fallback{"lost"}))) == "failed/engine_lost");
  // The caller hung up while the assistant was ending the call: no disposition was sent.
  CHECK(text(decide_outcome(streamed(EndReason::assistant_hung_up))) == "completed/assistant_hung_up");
}

TEST_CASE("no stream after the voice webhook is the stream's failure, unless the engine failed first") {
  SUBCASE("the daemon's timer gave up waiting") {
    CHECK(text(decide_outcome(no_stream())) == "failed/stream_timeout");
  }
  SUBCASE("Twilio asked for the <Connect action> first") {
    auto f = no_stream(EndReason::none, Fallback{"the media stream did not start"});
    f.connect_ended_first = true;
    CHECK(text(decide_outcome(f)) == "failed/stream_failed");
  }
  SUBCASE("the engine refused the session before anyone heard anything") {
    CHECK(text(decide_outcome(no_stream(EndReason::engine_failed, Fallback{"refused"}))) == "failed/engine_failed");
    auto f = no_stream(EndReason::engine_failed, Fallback{"refused"});
    f.connect_ended_first = true;
    CHECK(text(decide_outcome(f)) == "failed/engine_failed");
  }
  SUBCASE("an engine left waiting for a stream that never came did not fail the call") {
    CHECK(decide_outcome(no_stream(EndReason::engine_lost, Fallback{"lost"})).end_reason.starts_with("stream_"));
    CHECK(decide_outcome(no_stream(EndReason::max_duration, Hangup{})).end_reason == "stream_timeout");
  }
}

TEST_CASE("a call handed to <Dial> is never recorded as hung up by the stream timeout") {
  for (const Disposition& d : {Disposition{Fallback{"lost"}}, Disposition{Transfer{"+15550001111"}}}) {
    for (EndReason reason : {EndReason::none, EndReason::engine_lost, EndReason::transferred}) {
      CAPTURE(static_cast<int>(reason));
      auto outcome = decide_outcome(no_stream(reason, d));
      CHECK(outcome.status == "failed");
      CHECK(outcome.end_reason == "stream_failed");
    }
  }
}

TEST_CASE("a shutdown or an internal error outranks everything else") {
  auto f = streamed(EndReason::transferred, Transfer{"+15550002222"});
  f.stream_broke = true;
  f.connect_ended_first = true;
  f.internal_error = true;
  CHECK(text(decide_outcome(f)) == "failed/internal_error");
  f.shutdown = true;
  CHECK(text(decide_outcome(f)) == "interrupted/shutdown");
  CHECK(text(decide_outcome([] {
          EndFacts g;
          g.shutdown = true;
          return g;
        }())) == "interrupted/shutdown");  // also before any stream
  CHECK(text(decide_outcome([] {
          EndFacts g;
          g.internal_error = true;
          return g;
        }())) == "failed/internal_error");
}

TEST_CASE("a call handed on at the drain deadline was not cut: transferred to the fallback, or said goodbye to") {
  auto f = streamed(EndReason::none, Transfer{"+15557654321"});
  f.shutdown = true;
  f.handed_off = true;
  CHECK(text(decide_outcome(f)) == "transferred/shutdown_handoff");
  f.disposition = Hangup{};
  CHECK(text(decide_outcome(f)) == "completed/shutdown_handoff");
  f.handed_off = false;  // the hand-off failed: the call was cut
  CHECK(text(decide_outcome(f)) == "interrupted/shutdown");
}
