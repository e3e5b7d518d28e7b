#pragma once
// A fake Deepgram Voice Agent API V1 server (protocols.md §6, checklist §6.10) on
// ws://127.0.0.1:<port>/v1/agent/converse.
//
// Handshake: `Authorization: Token <api key>` or HTTP 401 with Deepgram's JSON error body (a Bearer
// header is refused too: the fake issues no temporary tokens). Each connection then receives
// Welcome{request_id}; the first client message must be a Settings text frame, and anything else
// first — a binary audio frame included — is Error NON_SETTINGS_MESSAGE_BEFORE_SETTINGS and close.
// Settings is checked against the AsyncAPI schema (required fields, enums, types: a violation is
// UNPARSABLE_CLIENT_MESSAGE) and against the telephony profile sonoria must use (μ-law 8 kHz in, μ-law
// 8 kHz raw out, a think prompt, listen and speak providers: a violation is INVALID_SETTINGS); a
// second Settings is SETTINGS_ALREADY_APPLIED. Every Error is fatal, as Deepgram treats it: the fake
// sends it and closes (code 1000 unless a fault says otherwise). Unknown fields are accepted.
//
// Audio: every binary frame after Settings is raw μ-law and is recorded per session, byte for byte.
// The VAD is scripted by content, as in the OpenAI fake: 60 ms of bytes that are not 0xFF start the
// user's turn (UserStartedSpeaking; agent audio still being sent stops there, an outstanding
// FunctionCallRequest is cancelled with FunctionCallCancelled), and silence_ms of 0xFF ends it:
// ConversationText{user}, AgentThinking, then the next scripted reply. A reply with function calls
// sends one FunctionCallRequest (client_side unless the Settings function has an `endpoint`) and
// waits for a FunctionCallResponse per id, then continues by itself (no client trigger, unlike
// OpenAI); its spoken part is ConversationText{assistant}, AgentStartedSpeaking, binary μ-law
// frames of chunk_ms each paced by chunk_interval (0 = faster than real time), AgentAudioDone.
// History mirrors each ConversationText (and each completed function call) unless flags.history is
// false. A scripted call to a function Settings did not declare is Error NON_EXISTENT_FUNCTION_CALLED.
// A reply's fail_code is sent as that Error (fatal) when it is one of Deepgram's Error codes, else
// as a Warning, and the turn says nothing.
//
// Client messages: FunctionCallResponse (unknown id → Warning FUNCTION_CALL_FAILED; an id cancelled
// earlier is dropped silently), KeepAlive (no reply), UpdatePrompt/UpdateSpeak/UpdateThink/
// UpdateListen (acks), InjectAgentMessage (`message`; behavior default → InjectionRefused while
// either side is mid-turn, queue → after the current speech, interrupt → cuts it), InjectUserMessage
// (a completed user turn; like caller speech it cuts the agent and cancels calls), ForceEndTurn
// (Warning FORCE_END_TURN_UNSUPPORTED with a V1 listen provider). No client message for
// client_timeout → Error CLIENT_MESSAGE_TIMEOUT.
//
// Not modelled (Deepgram does not document them): LatencyReport is never sent; an interrupted
// agent turn gets no AgentAudioDone; Settings.agent given as a stored-agent UUID is
// AGENT_ID_NOT_SUPPORTED.
//
// Threads: the server runs on one internal thread (one io_context; every connection is async on it).
// All public members are thread-safe and may be called from the test thread at any time.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/realtime_script.hpp"

namespace sonoria::fakes {

struct DeepgramFunctionResponse {
  std::string id;       // empty when the client sent none
  std::string name;
  std::string content;
  bool matched = false;  // answered an outstanding FunctionCallRequest entry
};

// One stretch of agent speech: the greeting, a scripted reply's spoken part, or an injected message.
struct DeepgramAgentTurn {
  std::string source;    // "greeting", "reply" or "inject"
  std::string text;      // what ConversationText{assistant} said
  std::string audio;     // the μ-law bytes sent, concatenated
  int frames = 0;        // binary frames sent
  bool interrupted = false;  // cut short (barge-in, InjectUserMessage, an interrupting injection)
  bool done = false;         // AgentAudioDone sent
};

// Everything the fake saw and did on one connection, in order.
struct DeepgramSessionRecord {
  int index = 0;                      // order of the upgrade among accepted connections
  std::string request_id;             // Welcome's request_id
  std::string target;                 // request target, e.g. "/v1/agent/converse"
  std::string authorization;          // the raw Authorization header
  nlohmann::json settings;            // the first Settings message as received (null until then)
  bool settings_applied = false;
  std::vector<nlohmann::json> context_messages;  // Settings.agent.context.messages, as received
  std::string received_audio;         // every binary frame from the client, concatenated
  int audio_frames_received = 0;
  std::vector<nlohmann::json> client_messages;  // every text frame; not JSON → {"type":null,"unparsable":…}
  std::vector<nlohmann::json> server_messages;  // every JSON message sent (binary audio is in agent_turns)
  std::vector<DeepgramAgentTurn> agent_turns;
  std::vector<DeepgramFunctionResponse> function_responses;  // every client FunctionCallResponse
  std::vector<std::string> injected_agent_messages;  // InjectAgentMessage.message, accepted or refused
  std::vector<std::string> injected_user_messages;   // InjectUserMessage.content
  int keepalives = 0;
  std::vector<std::string> error_codes;    // code of every Error sent
  std::vector<std::string> warning_codes;  // code of every Warning sent
  bool closed = false;
  int close_code = 0;                 // WebSocket close code sent or received; 0 = TCP drop

  // Server messages of `type`, in order.
  std::vector<nlohmann::json> server_messages_of(const std::string& type) const;
  std::size_t client_message_count(const std::string& type) const;
  std::size_t agent_audio_bytes() const;  // over every agent turn
};

// Faults applied from the moment they are set (session timers: to connections accepted afterwards).
struct DeepgramAgentFaults {
  int upgrade_status = 0;             // non-zero: refuse every upgrade with this HTTP status (429, 503, …)
  int close_after_audio_frames = -1;  // ≥ 0: end the connection after that many agent audio frames of a session
  bool close_abruptly = true;         // for the close above: TCP close without a close frame (else 1011)
  std::optional<std::string> error_after_settings{};  // Error with this code right after SettingsApplied, then close
  std::optional<std::chrono::milliseconds> session_limit_after{};  // Warning MAXIMUM_SESSION_LENGTH_APPROACHING …
  std::chrono::milliseconds session_limit_grace{200};  // … then this later Error MAXIMUM_SESSION_LENGTH_REACHED
  int error_close_code = 1000;        // close code after a fatal Error (Deepgram's is undocumented)
};

// How a greeting or an injected agent message is spoken.
struct DeepgramSpeechPacing {
  int audio_ms = 600;                 // 0 for injections: ~60 ms per word of the message
  int chunk_ms = 200;                 // audio per binary frame
  std::chrono::milliseconds chunk_interval{0};  // wait between frames; 0 = as fast as possible
};

class FakeDeepgramAgent {
 public:
  // Starts listening on 127.0.0.1 (ephemeral port). Throws std::runtime_error if it cannot bind.
  explicit FakeDeepgramAgent(std::string api_key = "dg-test-key");
  ~FakeDeepgramAgent();
  FakeDeepgramAgent(const FakeDeepgramAgent&) = delete;
  FakeDeepgramAgent& operator=(const FakeDeepgramAgent&) = delete;

  std::string url() const;            // "ws://127.0.0.1:<port>/v1/agent/converse"
  unsigned short port() const;
  const std::string& api_key() const;

  // Replies to user turns, consumed in order by every session; the default serves when the queue
  // is empty. Only text, audio_ms, chunk_ms, chunk_interval, function_calls and fail_code are used.
  void push_reply(ScriptedReply reply);
  void set_default_reply(ScriptedReply reply);
  std::size_t pending_replies() const;
  // What ConversationText{user} says for VAD-detected turns, consumed in order; "caller turn N"
  // when the queue is empty.
  void push_caller_transcript(std::string transcript);

  void set_greeting_pacing(DeepgramSpeechPacing pacing);   // default 600 ms in 200 ms frames
  void set_injection_pacing(DeepgramSpeechPacing pacing);  // default audio_ms 0 (60 ms per word)
  void set_silence_duration(int ms);  // μ-law silence that ends a user turn (default 500)
  // Idle limit for connections accepted from now on, re-read on every client message (default 10 s).
  void set_client_timeout(std::chrono::milliseconds timeout);

  void set_faults(DeepgramAgentFaults faults);
  // Sends `text` as a text frame on live session `index` (garbage JSON, unknown types, …).
  void inject_raw(int index, std::string text);
  // Closes live session `index`: abruptly (TCP) or with a WebSocket close `code`.
  void close_session(int index, bool abrupt, int code = 1011);

  // Records. Connections refused before the upgrade are counted, not recorded as sessions.
  int session_count() const;
  int open_session_count() const;
  int refused_upgrades() const;
  DeepgramSessionRecord session(int index) const;  // throws std::out_of_range for an unknown index
  std::vector<DeepgramSessionRecord> sessions() const;

  // Waits until `predicate` holds (re-checked after every change the fake records); false on timeout.
  bool wait_for(const std::function<bool()>& predicate,
                std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;
  // Waits until session `index` has sent `count` JSON messages of `type`.
  bool wait_for_server_message(int index, const std::string& type, std::size_t count = 1,
                               std::chrono::milliseconds timeout = std::chrono::seconds(5)) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sonoria::fakes
