#pragma once
// The local engine: a receptionist that runs inside sonoria with no network. It hears the caller
// with PocketSphinx (speech_recognizer.hpp), answers from the business's profile
// (receptionist.hpp) and speaks with espeak-ng (core/audio/speech_synth.hpp).
//
// It sits behind the same seam as the cloud engines: its adapter (local_adapter.hpp) speaks to it
// in messages, as the others speak to theirs over a WebSocket, so the call core, barge-in,
// transcripts, tools and records are the same. The messages (JSON text; caller audio in binary):
//
//   adapter → engine                                  engine → adapter
//   {"type":"start","history":[{"role","text"}]}      {"type":"ready"}
//   binary: caller audio, μ-law 8 kHz                 {"type":"speech_started","audio_start_ms"}
//   {"type":"say","words"}                            {"type":"speech_stopped"}
//   {"type":"caller_text","text"}                     {"type":"caller_text","turn_id","text"}
//   {"type":"tool_result","call_id","output","reply"} {"type":"reply_started","reply_id"}
//   {"type":"cut","item_id","heard_ms"}               {"type":"agent_text","item_id","text"}
//   {"type":"tools","names":[…]}                      {"type":"audio","reply_id","item_id","audio"} (base64 μ-law)
//                                                     {"type":"audio_done","reply_id","item_id"}
//                                                     {"type":"tool_call","reply_id","call_id","name","arguments"}
//                                                     {"type":"reply_done","reply_id"}
//                                                     {"type":"error","message","fatal"}
//
// Blocking and CPU-bound (recognition, synthesis): the daemon runs each call's engine on a worker
// thread, one message at a time, and posts what it sends back to the call. Not thread-safe.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/audio/speech_synth.hpp"
#include "core/config/settings.hpp"
#include "core/engine/session_config.hpp"
#include "core/engine/local/speech_recognizer.hpp"

namespace sonoria::org {
struct Profile;
}

namespace sonoria::engine::local {

class Receptionist;
struct Reply;

struct LocalEngineOptions {
  std::shared_ptr<const org::Profile> profile;  // never null
  std::vector<std::string> tools;               // the tools the call offers, by name
  audio::SpeechOptions speech;                  // espeak-ng's voice and rate
  RecognizerOptions recognizer;
};

// The engine's options for one call: its session (profile, tools, voice and rate, end-of-turn
// silence) over the daemon's [engines.local] settings.
LocalEngineOptions local_engine_options(const SessionConfig& session, const config::LocalEngineSettings& settings);

class LocalEngine {
 public:
  // A message to the adapter: JSON text.
  using Send = std::function<void(std::string message)>;
  using Now = std::function<std::chrono::sys_seconds()>;

  // Throws sonoria::DataError when the recogniser cannot start (see SpeechRecognizer).
  LocalEngine(std::shared_ptr<const ListeningModel> model, LocalEngineOptions options, Send send,
              Now now = default_now);
  ~LocalEngine();

  // One message from the adapter. Malformed ones are answered with a non-fatal error.
  void receive(std::string_view data, bool binary);

  static std::chrono::sys_seconds default_now();

 private:
  void on_caller_audio(std::string_view ulaw);
  void on_text(std::string_view text);
  void caller_turn(const std::string& words);
  void perform(const Reply& reply);
  void speak(const std::string& reply_id, const std::string& words);
  void send(const nlohmann::json& message);

  std::shared_ptr<const ListeningModel> model_;
  LocalEngineOptions options_;
  Send send_;
  Now now_;
  std::unique_ptr<SpeechRecognizer> recognizer_;
  std::unique_ptr<Receptionist> receptionist_;
  int ids_ = 0;
  std::map<std::string, std::string, std::less<>> calls_;  // tool call id → tool name, awaiting a result
};

}  // namespace sonoria::engine::local
