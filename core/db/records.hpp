#pragma once
// What the daemon writes about calls: plain structs, posted to the database writer thread and
// applied in batches (CallStore::write_batch). Easy to batch, log and replay in tests.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/db/timestamp.hpp"

namespace sonoria::db {

// The voice webhook admitted (status "ringing") or refused (status "rejected") a call.
struct CallOpened {
  std::string call_sid;
  std::optional<int64_t> organization_id;
  std::string direction = "inbound";   // inbound | outbound
  std::string from_number;
  std::string to_number;
  std::string status = "ringing";
  TimePoint started_at;
  std::optional<std::string> end_reason;  // set for refused calls
  std::optional<std::string> test_by;     // a test call from the dashboard: the user who placed it
};

// The media stream started: the call is in progress.
struct CallAnswered {
  std::string call_sid;
  std::string stream_sid;
  TimePoint answered_at;
};

// A Twilio status callback. Applied only when newer (by sequence) and never over a terminal state.
struct CallStatusReport {
  std::string call_sid;
  std::string twilio_status;            // queued, ringing, in-progress, completed, busy, …
  int64_t sequence = 0;
  std::optional<int64_t> duration_s;
  std::optional<std::string> answered_by;
  TimePoint at;
};

struct Usage {
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t input_audio_tokens = 0;
  int64_t output_audio_tokens = 0;
  int64_t cached_tokens = 0;
};

// How long one engine served a call (its connections' time, which per-minute engines bill).
struct EngineTime {
  std::string engine;                   // openai | deepgram | ultravox
  int64_t ms = 0;

  bool operator==(const EngineTime&) const = default;
};

// The session ended: final status and counters.
struct CallFinished {
  std::string call_sid;
  std::string status;                   // completed | failed | transferred | interrupted
  std::string end_reason;
  TimePoint ended_at;
  int64_t duration_ms = 0;
  int64_t turns = 0;
  int64_t interruptions = 0;
  int64_t tool_calls = 0;
  int64_t frames_in = 0;
  int64_t frames_out = 0;
  Usage usage;
  std::optional<int64_t> greeting_latency_ms;
  std::vector<int64_t> turn_latencies_ms;
  std::vector<EngineTime> engines;      // every engine that served the call, in order
  // The call had ended once and came back (a transfer nobody answered returns the caller to the
  // assistant): it is numbered as finished again, so incremental exports pick up the longer call.
  bool reopened = false;
  std::vector<std::string> stages;      // the call flow's stages reached, in order first reached
  std::map<std::string, int64_t> drops; // audio frames not relayed, by reason (CallSummary::drops)
};

struct TranscriptEntry {
  std::string call_sid;
  int64_t sequence = 0;                 // position in the conversation, not arrival order
  int64_t offset_ms = 0;                // from call start
  std::string speaker;                  // caller | assistant | system
  std::string text;                     // as heard
  std::optional<std::string> generated_text;
  bool interrupted = false;
  std::optional<std::string> item_id;
  std::optional<std::string> stage;     // the call flow's stage of the turn; null without stages
};

struct CallEvent {
  std::string call_sid;
  TimePoint at;
  std::optional<int64_t> offset_ms;
  std::string kind;                     // tool_call, interruption, error, dtmf, transfer, …
  std::optional<std::string> name;
  std::optional<std::string> detail_json;
};

struct MessageRecord {
  std::optional<int64_t> organization_id;
  std::optional<std::string> call_sid;
  std::optional<std::string> message_sid;
  std::string purpose;
  std::string from_number;
  std::string to_number;
  std::string body;
  std::string status;
  std::optional<int64_t> error_code;
  std::optional<std::string> error_message;
  TimePoint at;
  // Set when the text was recorded before it was sent (status "sending"): the later records of the
  // same text carry it too, and update that row.
  std::optional<std::string> intent;
};

// A call's post-call summary, made after it ended (daemon/call_summarizer.hpp).
struct CallSummarized {
  std::string call_sid;
  std::string summary_json;
};

// The outcome of one webhook delivery attempt (daemon/webhook_sender): delivered, or when to try
// again, or given up. `payload` is kept from the first attempt, so every retry sends the same.
struct WebhookAttempt {
  int64_t id = 0;
  std::string status;                   // delivered | pending | failed
  int64_t attempts = 0;
  std::optional<int> last_status;
  std::string last_error;
  std::string payload;
  TimePoint next_attempt_at;
  TimePoint at;
};

// A call's recording was written (daemon/recording_files.hpp): where, relative to the recordings
// directory (core/audio/recording_file.hpp), and how long.
struct CallRecorded {
  std::string call_sid;
  std::string path;
  int64_t duration_ms = 0;
};

using Record = std::variant<CallOpened, CallAnswered, CallStatusReport, CallFinished, TranscriptEntry, CallEvent, WebhookAttempt, CallSummarized,
                            MessageRecord, CallRecorded>;

// Terminal call states never regress (protocols.md §1.5).
bool is_terminal_status(std::string_view status);

}  // namespace sonoria::db
