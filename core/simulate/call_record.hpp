#pragma once
// What sonoria recorded about a simulated call, read back through its REST API
// (`GET /api/calls/{sid}` with a bearer token from `api.tokens`). Twilio never sees the
// assistant's tool calls or the transcript, but an operator trying their assistant wants both, so
// `sonoria simulate` shows them after the call when the API is enabled.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/net/http_client.hpp"
#include "core/simulate/event_log.hpp"

namespace sonoria::simulate {

struct RecordedToolCall {
  std::string name;
  nlohmann::json arguments;      // as the model sent them (a string when they were not JSON)
  std::optional<bool> ok;        // the result, when one was recorded
  std::string output;            // the result's output, as the model was given it
};

struct RecordedTurn {
  std::string speaker;           // caller | assistant | system
  std::string text;              // as heard
  bool interrupted = false;
};

// A change of engine during the call (engine_failover: another engine took over) or a lost
// connection (engine_lost: the call reconnects, to the same engine first).
struct RecordedEngineChange {
  std::string kind;              // engine_failover | engine_lost
  std::string from;              // engine_failover only
  std::string to;
  std::string reason;            // connect_failed, lost, … or the loss as a sentence
};

struct CallRecord {
  std::string status;            // completed, transferred, failed, … (in-progress while still open)
  std::vector<std::pair<std::string, int64_t>> engines;  // engine, ms served, in order
  std::vector<RecordedEngineChange> engine_changes;
  std::string end_reason;
  bool ended = false;            // the daemon has stored the call's end
  std::vector<RecordedTurn> turns;
  std::vector<RecordedToolCall> tools;
};

// The API's answer for one call (reports::call_detail_json with events). nullopt, with `why`, when
// the text is not that shape.
std::optional<CallRecord> parse_call_record(std::string_view body, std::string* why = nullptr);

// One "engine_change" event per failover or lost engine connection, one "tool_call" event per tool
// call (with its result), one "transcript" event per turn, then a "call_record" event with the
// stored status, end reason and the engines that served the call.
void log_call_record(EventLog& log, const CallRecord& record);

// GETs `url` with `Authorization: Bearer <token>` on the client's executor, asking again every
// 200 ms until the record shows the call ended (the daemon stores records in batches) or
// `patience` has passed; then `done(record, error)` runs once there — the last record read (ended
// or not), or nullopt with a sentence saying what failed (HTTP status and the API's message).
void fetch_call_record(std::shared_ptr<net::HttpClient> http, std::string url, std::string token,
                       std::chrono::milliseconds patience,
                       std::function<void(std::optional<CallRecord>, std::string)> done);

}  // namespace sonoria::simulate
