#pragma once
// What the daemon does with a call once it has ended: its record goes to the writer, what a
// transfer's comeback will need goes to the registry, the metrics and the log line are written,
// and the admission slot is given back. The decisions (status, reason, what is stored) are core's
// (call::decide_outcome, call::CallRecord); this publishes them.

#include <optional>
#include <string>

#include "core/call/actions.hpp"
#include "core/call/call_record.hpp"
#include "core/db/records.hpp"
#include "daemon/services.hpp"

namespace sonoria::daemon {

// The call's parties and start, as the voice webhook gave them.
struct CallParties {
  std::string from, to, direction;
  db::TimePoint started_at;
};

struct FinishedCall {
  const std::string& call_sid;
  const CallParties& parties;
  const call::CallRecord& record;
  const call::CallSummary& summary;
  const db::CallFinished& row;
  // Store the row: false for a comeback whose stream never came (the caller hung up during the
  // dial), which leaves the earlier stage's row as it was.
  bool store = true;
  // Keep what a comeback needs: only a first stage that ends in a transfer can come back.
  bool may_come_back = false;
  const std::optional<call::Disposition>& disposition;
  const std::string& problem;  // for the log line; empty when the call ended as calls do
  // Twilio will ask for the <Connect action> next (the daemon closed the stream with a decision):
  // a draining daemon stays to answer it.
  bool action_expected = false;
};

void publish_finished_call(Services& s, const FinishedCall& call);

// One record to the writer; when its queue is full the record is dropped, counted and logged.
void post_call_record(Services& s, const std::string& call_sid, db::Record record);

}  // namespace sonoria::daemon
