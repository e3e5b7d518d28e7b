#pragma once
// A fake Ultravox (protocols.md §7, checklist §7.8) in "Mode B": the client creates a call over
// REST with a serverWebSocket medium and bridges the audio itself over the joined WebSocket. One
// HTTP server on http://127.0.0.1:<port> serves both.
//
// REST: POST /api/calls needs `X-API-Key` (401 {"detail":"Invalid API key."} otherwise) and a JSON
// body that is validated against the OpenAPI (StartCallRequest) strictly, because Ultravox parses it
// as a protobuf message: unknown fields anywhere the fake models (top level, medium, serverWebSocket,
// dataMessages, firstSpeakerSettings, selectedTools, temporaryTool, parameters, initialMessages),
// wrong types, bad enums and durations, a serverWebSocket without inputSampleRate, more than one
// medium, firstSpeakerSettings with both or neither of agent/user (or contradicting firstSpeaker),
// selectedTools entries without exactly one of toolId/toolName/temporaryTool, temporary tools without
// exactly one implementation or with a model name outside ^[a-zA-Z0-9_-]{1,64}$, duplicate model
// names, client/dataConnection tools with a non-body parameter (an absent location counts as
// non-body, so a conforming client states PARAMETER_LOCATION_BODY), priorCallId with initialMessages.
// Errors are 400 with a DRF-style field-error body naming the field ({"medium": {"serverWebSocket":
// {"inputSampleRate": ["This field is required."]}}}); the real bodies are unverified (§7.1), so
// clients should only log them. Success is 201 with a Call object whose joinUrl
// (ws://127.0.0.1:<port>/calls/<callId>/join) is opaque to clients. ?priorCallId= must name an
// earlier call of this fake and inherits its properties (body fields override). GET /api/calls/{id}
// returns the call as it is now (joined/ended/endReason). A call not joined within joinTimeout
// (default 30 s) ends as "unjoined".
//
// WebSocket at joinUrl (?apiVersion=1 and other query parameters accepted): unknown call 404, second
// join or ended call 409. On join: call_started, state listening, then the agent greets unless
// firstSpeakerSettings says {"user": …} (firstSpeaker FIRST_SPEAKER_USER when the settings are
// absent); agent.text is the greeting, otherwise "Hello, how can I help?"; agent.delay and
// user.fallback.delay are honoured. Data messages follow medium.serverWebSocket.dataMessages with the
// defaults the OpenAPI's EnabledDataMessages states: pong, state, transcript, clientToolInvocation,
// callStarted and playbackClearBuffer on unless set false; the opt-in ones (callEvent, toolUsed,
// userStarted/StoppedSpeaking, invokingTool, debug) are never sent because their wire shapes are
// unverified (§7.4). (protocols.md §7.3 lists only callStarted/playbackClearBuffer as default-on; the
// OpenAPI says the others sonoria needs are on too, and the fake follows the OpenAPI.)
//
// Audio: binary frames of s16le mono PCM at inputSampleRate in, outputSampleRate (default: input)
// out. Every binary frame is recorded; one of odd length is a violation and is dropped; audio sent as
// a JSON text frame is a violation and ignored. The VAD is scripted by amplitude on 10 ms blocks (a
// block is voice if any sample has |x| > 500; the clock is the sample count, not wall time): 60 ms of
// voice starts a user turn and, while the agent speaks an interruptible utterance, barges in
// (playback_clear_buffer, no more agent audio, a final agent transcript of what was said, state
// listening); silence_duration of silence ends the turn: user transcript (final, text from
// push_caller_transcript or "caller turn N"), state thinking, then the next scripted reply.
//
// A reply first runs its function calls one at a time: a client tool of the current stage gets
// client_tool_invocation (parameters = the parsed arguments) and the conversation freezes until a
// client_tool_result with that invocationId (a result carrying both result and errorType, an unknown
// id or a bad enum is a violation and ignored, so the freeze goes on); responseType "hang-up" ends
// the call after the reply's text (close 1000, endReason "hangup": the client ended it),
// "new-stage" parses result as a stage (systemPrompt/selectedTools/voice/…) and records it,
// agentReaction "listens" skips the text. A call of the built-in hangUp tool (selected by toolName)
// ends the call after the text with endReason "agent_hangup". A scripted call of a tool the call did
// not select as a client tool is recorded as a violation and skipped (Ultravox would never send it).
// Then: state speaking, agent transcript deltas (three words each) interleaved with binary PCM frames
// of chunk_ms (a 440 Hz tone at outputSampleRate, paced by chunk_interval), the final agent
// transcript, state listening. A user turn that ends while the agent is busy is answered after it.
// ScriptedReply::fail_code ends the call with close 1011 and endReason "system_error".
//
// Client data messages: client_tool_result; user_text_message (urgency immediate interrupts and
// replies, soon — the default — replies at the next opportunity, later only records) and the older
// input_text_message (deferResponse = later); forced_agent_message (the agent says content; toolCalls
// run like scripted ones unless knownToolResults answers them); hang_up (say message, close 1000,
// endReason "hangup"); ping → pong with the same timestamp; set_output_medium (text: transcripts with
// medium "text" and no audio). Unknown types are recorded and ignored; text that is not a JSON object
// is a violation. mediaIdleTimeout (floor 10 s, or set_media_idle_timeout) without audio ends the
// call with close 1000 and endReason "connection_error"; maxDuration ends it with "timeout" after
// timeExceededMessage.
//
// Not modelled: Mode A (Twilio joining directly), webhooks, HTTP/data-connection tool execution,
// threads (spawn_thread…), real-time pacing of agent audio against clientBufferSizeMs, inactivity
// messages, vadSettings, call state (updateCallState is only recorded).
//
// Threads: the server runs on one internal thread (one io_context; every connection is async on it).
// All public members are thread-safe and may be called from the test thread at any time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/realtime_script.hpp"

namespace sonoria::fakes {

// One REST request, whatever it was answered.
struct UltravoxRestRequest {
  std::string method;
  std::string target;                   // path and query as received
  std::vector<std::pair<std::string, std::string>> headers;  // X-API-Key's value replaced by "<redacted>"
  bool api_key_present = false;
  bool api_key_matched = false;
  std::string body;
  int status = 0;
  std::string response_body;
};

// One client_tool_result, accepted or not.
struct UltravoxToolResult {
  std::string invocation_id;
  std::optional<std::string> result;
  std::string response_type = "tool-response";
  std::string agent_reaction = "speaks";
  std::optional<std::string> error_type;
  std::optional<std::string> error_message;
  bool accepted = false;                // false: ignored (no such pending invocation, result + errorType, …)
  nlohmann::json message;               // the message as received
};

// One thing the agent said (or began to say).
struct UltravoxAgentTurn {
  std::string origin;                   // "greeting", "reply", "forced", "hang_up", "time_exceeded"
  std::string text;                     // what it was going to say
  std::string spoken;                   // the final transcript sent (shorter when interrupted)
  std::int64_t audio_bytes = 0;         // PCM sent for it
  int audio_frames = 0;
  bool interrupted = false;             // cut short by barge-in, hang_up or the end of the call
};

// Everything the fake knows about one created call, in order.
struct UltravoxCallRecord {
  int index = 0;                        // order of creation
  std::string call_id;
  std::string join_url;
  nlohmann::json request;               // the POST /api/calls body as received
  std::vector<std::pair<std::string, std::string>> request_headers;  // X-API-Key redacted
  std::optional<std::string> prior_call_id;
  nlohmann::json call;                  // the Call object as GET /api/calls/{id} would return it now
  int input_sample_rate = 0;
  int output_sample_rate = 0;
  bool joined = false;
  std::string join_target;              // request target of the accepted join, e.g. "/calls/…/join?apiVersion=1"
  std::string received_pcm;             // every well-formed binary frame, concatenated
  int client_audio_frames = 0;          // binary frames received (odd-length ones included)
  std::vector<nlohmann::json> client_messages;  // text frames; {"unparsable": …} when not JSON
  std::vector<nlohmann::json> server_messages;  // data messages sent (binary frames only counted below)
  int server_audio_frames = 0;
  std::int64_t server_audio_bytes = 0;
  std::vector<UltravoxToolResult> tool_results;
  std::vector<nlohmann::json> stages;   // new-stage definitions accepted, in order
  std::vector<std::string> violations;  // protocol errors of the client (and script mistakes)
  std::vector<UltravoxAgentTurn> agent_turns;
  bool closed = false;
  int close_code = 0;                   // WebSocket close code sent or received; 0 = TCP drop
  std::string end_reason;               // "" while live; EndReasonEnum values

  std::vector<nlohmann::json> server_messages_of(const std::string& type) const;
  std::size_t client_message_count(const std::string& type) const;
};

// Faults applied from the moment they are set.
struct UltravoxFaults {
  int create_status = 0;                // non-zero: answer POST /api/calls with this status (429, 503, …)
  int refuse_sample_rate = 0;           // non-zero: 400 for a serverWebSocket declaring this rate (in or out)
  int join_status = 0;                  // non-zero: refuse every join with this HTTP status
  int close_after_audio_frames = -1;    // ≥ 0: end a session after that many agent audio frames
  bool close_abruptly = true;           // for the close above: TCP close without a close frame (else 1011)
};

class FakeUltravox {
 public:
  // Starts listening on 127.0.0.1 (ephemeral port). Throws if it cannot bind.
  explicit FakeUltravox(std::string api_key = "uv-test-key");
  ~FakeUltravox();
  FakeUltravox(const FakeUltravox&) = delete;
  FakeUltravox& operator=(const FakeUltravox&) = delete;

  std::string base_url() const;         // "http://127.0.0.1:<port>"; calls are created at base_url() + "/api/calls"
  unsigned short port() const;
  const std::string& api_key() const;

  // Replies, consumed in order by every reply of every call; the default serves when the queue is
  // empty. The greeting and forced messages do not consume replies but take their timing
  // (audio_ms, chunk_ms, chunk_interval) from the default reply.
  void push_reply(ScriptedReply reply);
  void set_default_reply(ScriptedReply reply);
  std::size_t pending_replies() const;
  // Texts of the user transcripts of voice turns, in order; "caller turn N" when the queue is empty.
  void push_caller_transcript(std::string transcript);
  // Silence that ends a user turn (default 500 ms of samples).
  void set_silence_duration(std::chrono::milliseconds silence);
  // Replaces the effective mediaIdleTimeout (normally max(10 s, declared)) of calls that declare one.
  void set_media_idle_timeout(std::optional<std::chrono::milliseconds> timeout);

  void set_faults(UltravoxFaults faults);
  // Sends `text` as a text frame on the live session of call `index`.
  void inject_raw(int index, std::string text);
  // Ends the live session of call `index`: abruptly (TCP) or with a WebSocket close `code`
  // (endReason "agent_hangup" for 1000, else "system_error").
  void close_session(int index, bool abrupt, int code = 1011);

  // Records.
  int call_count() const;
  int open_session_count() const;       // joined and not closed
  int refused_joins() const;
  std::vector<UltravoxRestRequest> rest_requests() const;
  UltravoxCallRecord call(int index) const;  // throws std::out_of_range for an unknown index
  std::vector<UltravoxCallRecord> calls() const;

  // Waits until `predicate` holds (re-checked after every change the fake records); false on timeout.
  bool wait_for(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Waits until call `index` has sent `count` data messages of `type`.
  bool wait_for_server_message(int index, const std::string& type, std::size_t count = 1,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
