#pragma once
// A fake OpenAI Realtime server (protocols.md §5, checklist §5.16) on ws://127.0.0.1:<port>/v1/realtime.
//
// Handshake: `Authorization: Bearer <api key>` or HTTP 401; in GA mode an `OpenAI-Beta` header gets
// the `beta_api_shape_disabled` error and close code 4000. Each connection then receives
// session.created (PCM 24 kHz until the client changes it) and is validated strictly: a GA
// session.update needs session.type, rejects any unknown field with `unknown_parameter` (naming
// the path) and a format given as a string with `invalid_type`, and applies nothing when it
// rejects; otherwise session.updated carries the merged session. Beta mode speaks the flat session
// fields and the beta event names (§5.3, §5.4).
//
// Audio: every input_audio_buffer.append is decoded and recorded per session, byte for byte. The
// VAD is scripted by content: 60 ms of bytes that are not silence (0xFF for μ-law) start speech
// (input_audio_buffer.speech_started; audio_start_ms includes prefix_padding_ms, as OpenAI's does);
// silence_duration_ms of silence then stops it (speech_stopped, committed, conversation.item.added
// for the user item) and, with create_response, runs the next scripted reply. All *_ms values come
// from appended byte counts (8 bytes/ms for G.711). Speech that starts while a response is active
// cancels it (response.done status cancelled, reason turn_detected) when interrupt_response is on.
//
// Replies come from a queue the test fills (push_reply), falling back to a default reply. Each runs
// the full GA event sequence: response.created, rate_limits.updated, output item / conversation
// item / content part events, interleaved transcript and audio deltas (a real tone in the session's
// output format), the …done events and response.done with usage; function calls emit the
// function_call item, argument delta/done, and wait for the client's function_call_output and
// response.create. Enforced: one active response, response.cancel, truncate bounds ("Audio content
// of Xms is already shorter than Yms"), call_id existence for outputs, a non-empty buffer on commit.
//
// Threads: the server runs on one internal thread (one io_context; every connection is async on it).
// All public members are thread-safe and may be called from the test thread at any time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/realtime_script.hpp"
#include "tests/fakes/realtime_session_schema.hpp"

namespace sonoria::fakes {

struct RealtimeTruncate {
  std::string item_id;
  int content_index = 0;
  int audio_end_ms = 0;
};

struct RealtimeFunctionOutput {
  std::string call_id;
  std::string output;
};

// Everything the fake saw and did on one connection, in order.
struct RealtimeSessionRecord {
  int index = 0;                        // order of the upgrade among accepted connections
  std::string session_id;               // "sess_…" (empty when refused before session.created)
  std::string target;                   // request target, e.g. "/v1/realtime?model=gpt-realtime"
  std::string authorization;            // the raw Authorization header
  std::optional<std::string> openai_beta_header;
  RealtimeDialect dialect = RealtimeDialect::ga;
  std::vector<nlohmann::json> session_updates;  // the `session` object of every session.update, accepted or not
  nlohmann::json session;               // the effective session (as last sent in session.created/updated)
  std::string appended_audio;           // every input_audio_buffer.append, decoded, concatenated
  std::vector<nlohmann::json> client_events;  // every client event; append payloads replaced by {"bytes": n}
  std::vector<nlohmann::json> server_events;  // every event sent; audio deltas replaced by {"bytes": n}
  std::vector<RealtimeTruncate> truncates;             // accepted conversation.item.truncate
  std::vector<RealtimeFunctionOutput> function_outputs;  // accepted function_call_output items
  std::map<std::string, std::string> assistant_audio;  // item id → audio bytes sent; ids sort oldest first
  std::vector<std::string> response_ids;  // every response started, in order
  int response_creates = 0;             // response.create events received (accepted or not)
  int responses_completed = 0;
  int responses_cancelled = 0;
  std::vector<std::string> error_codes;  // code of every error event sent ("null" when code is null)
  bool closed = false;
  int close_code = 0;                   // WebSocket close code sent or received; 0 = TCP drop

  // Server events of `type`, in order.
  std::vector<nlohmann::json> server_events_of(const std::string& type) const;
  std::size_t client_event_count(const std::string& type) const;
};

// Faults applied to connections from the moment they are set.
struct RealtimeFaults {
  int upgrade_status = 0;               // non-zero: refuse every upgrade with this HTTP status (403, 429, …)
  int reject_session_updates = 0;       // answer the next N session.update with an error event
  std::string reject_code = "invalid_value";
  std::string reject_message = "Invalid value for session configuration.";
  int close_after_audio_deltas = -1;    // ≥ 0: drop the connection after that many audio deltas of a session
  bool close_abruptly = true;           // for the close above: TCP close without a close frame (else 1011)
  std::optional<std::chrono::milliseconds> expire_after;  // session_expired error, then close 1001
  bool garbage_after_created = false;   // send a frame that is not JSON right after session.created
  bool unknown_event_after_created = false;  // send an unknown event type right after session.created
  bool silent = false;                  // accept the session and every request, but never respond
};

class FakeOpenAiRealtime {
 public:
  // Starts listening on 127.0.0.1 (ephemeral port). Throws std::runtime_error if it cannot bind.
  explicit FakeOpenAiRealtime(std::string api_key = "sk-test-key");
  ~FakeOpenAiRealtime();
  FakeOpenAiRealtime(const FakeOpenAiRealtime&) = delete;
  FakeOpenAiRealtime& operator=(const FakeOpenAiRealtime&) = delete;

  std::string url() const;              // "ws://127.0.0.1:<port>/v1/realtime"
  unsigned short port() const;
  const std::string& api_key() const;

  // GA (default) or beta, for connections accepted from now on.
  void set_dialect(RealtimeDialect dialect);

  // Replies, consumed in order by every response of every session; the default serves when the
  // queue is empty.
  void push_reply(ScriptedReply reply);
  void set_default_reply(ScriptedReply reply);
  std::size_t pending_replies() const;
  // Caller transcripts for input_audio_transcription.completed (only sent when the session enables
  // input transcription), consumed in order; "caller turn N" when the queue is empty.
  void push_caller_transcript(std::string transcript);
  // When true, a turn's transcription.completed arrives after the response.done it triggered.
  void set_transcripts_after_response(bool after);

  void set_faults(RealtimeFaults faults);
  // Sends `text` as a text frame on live session `index` (garbage JSON, unknown events, …).
  void inject_raw(int index, std::string text);
  // session_expired error followed by close 1001 on live session `index`.
  void expire_session(int index);
  // Closes live session `index`: abruptly (TCP) or with a WebSocket close `code`.
  void close_session(int index, bool abrupt, int code = 1011);

  // Records. Connections refused before the upgrade are counted, not recorded as sessions.
  int session_count() const;
  int open_session_count() const;
  int refused_upgrades() const;
  RealtimeSessionRecord session(int index) const;  // throws std::out_of_range for an unknown index
  std::vector<RealtimeSessionRecord> sessions() const;

  // Waits until `predicate` holds (re-checked after every change the fake records); false on timeout.
  bool wait_for(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Waits until session `index` has sent `count` events of `type`.
  bool wait_for_server_event(int index, const std::string& type, std::size_t count = 1,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
