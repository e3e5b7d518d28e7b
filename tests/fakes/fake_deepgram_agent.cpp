#include "tests/fakes/fake_deepgram_agent.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <deque>
#include <initializer_list>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>

#include "tests/fakes/audio_samples.hpp"
#include "tests/fakes/notifier.hpp"
#include "tests/fakes/peer_transport.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
using boost::system::error_code;
using nlohmann::json;

namespace {

constexpr const char* k_path = "/v1/agent/converse";
constexpr int k_speech_start_ms = 60;        // non-silence needed before UserStartedSpeaking
constexpr int k_ms_per_injected_word = 60;   // injected messages have no script, so their length follows the words

// Deepgram's documented Error codes (protocols.md §6.4); any other scripted fail_code is a Warning.
bool is_error_code(const std::string& code) {
  static const std::set<std::string> k_codes = {
      "INTERNAL_SERVER_ERROR", "CLIENT_MESSAGE_TIMEOUT", "UNPARSABLE_CLIENT_MESSAGE",
      "NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", "SETTINGS_ALREADY_APPLIED", "INVALID_SETTINGS",
      "FAILED_TO_START_LISTENING", "ASR_CONNECTION_CLOSED", "ASR_DRIVER_TIMEOUT", "USER_AUDIO_FORMAT",
      "FAILED_TO_SPEAK", "FAILED_TO_THINK", "SERVER_GOING_AWAY", "NON_EXISTENT_FUNCTION_CALLED",
      "AGENT_ID_NOT_SUPPORTED", "INVALID_AGENT_ID", "MAXIMUM_SESSION_LENGTH_REACHED"};
  return k_codes.count(code) != 0;
}

// A version-4-shaped UUID, as Deepgram's request ids are.
std::string make_uuid() {
  std::string hex = make_sid("");
  hex[12] = '4';
  hex[16] = "89ab"[static_cast<unsigned char>(hex[16]) % 4];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12);
}

// ---- schema checks (the AsyncAPI's required fields, types and enums) ---------------------------
// Each returns "" when the value conforms, else a description of the first violation.

enum class Kind { string, boolean, integer, number, object, array };

bool is_kind(const json& value, Kind kind) {
  switch (kind) {
    case Kind::string: return value.is_string();
    case Kind::boolean: return value.is_boolean();
    case Kind::integer: return value.is_number_integer();
    case Kind::number: return value.is_number();
    case Kind::object: return value.is_object();
    case Kind::array: return value.is_array();
  }
  return false;
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::string: return "a string";
    case Kind::boolean: return "a boolean";
    case Kind::integer: return "an integer";
    case Kind::number: return "a number";
    case Kind::object: return "an object";
    case Kind::array: return "an array";
  }
  return "?";
}

std::string field(const json& object, const std::string& path, const char* key, Kind kind, bool required) {
  if (!object.contains(key)) return required ? "missing required field '" + path + key + "'" : "";
  if (!is_kind(object[key], kind)) return "'" + path + key + "' must be " + kind_name(kind);
  return "";
}

std::string enum_field(const json& object, const std::string& path, const char* key,
                       std::initializer_list<const char*> values, bool required) {
  if (auto problem = field(object, path, key, Kind::string, required); !problem.empty()) return problem;
  if (!object.contains(key)) return "";
  const std::string& value = object[key].get_ref<const std::string&>();
  for (const char* allowed : values) {
    if (value == allowed) return "";
  }
  return "'" + path + key + "' has an unsupported value '" + value + "'";
}

std::string string_array(const json& object, const std::string& path, const char* key) {
  if (auto problem = field(object, path, key, Kind::array, false); !problem.empty()) return problem;
  if (!object.contains(key)) return "";
  for (const auto& item : object[key]) {
    if (!item.is_string()) return "'" + path + key + "' must hold strings";
  }
  return "";
}

// Runs checks in order and keeps the first failure.
class Checks {
 public:
  Checks& operator<<(std::string problem) {
    if (first_.empty()) first_ = std::move(problem);
    return *this;
  }
  bool ok() const { return first_.empty(); }
  const std::string& problem() const { return first_; }

 private:
  std::string first_;
};

std::string endpoint_problem(const json& holder, const std::string& path) {
  Checks c;
  c << field(holder, path, "endpoint", Kind::object, false);
  if (!c.ok() || !holder.contains("endpoint")) return c.problem();
  const json& endpoint = holder["endpoint"];
  const std::string p = path + "endpoint.";
  c << field(endpoint, p, "url", Kind::string, false) << field(endpoint, p, "method", Kind::string, false)
    << field(endpoint, p, "headers", Kind::object, false);
  return c.problem();
}

std::string history_item_problem(const json& item, const std::string& path) {
  if (!item.is_object()) return "'" + path + "' must be an object";
  Checks c;
  // The AsyncAPI requires type "History"; items seeded without it are accepted, as the brief's clients send both.
  c << enum_field(item, path, "type", {"History"}, false);
  if (item.contains("function_calls")) {
    c << field(item, path, "function_calls", Kind::array, true);
    if (!c.ok()) return c.problem();
    for (std::size_t i = 0; i < item["function_calls"].size(); ++i) {
      const json& call = item["function_calls"][i];
      const std::string p = path + "function_calls[" + std::to_string(i) + "].";
      if (!call.is_object()) return "'" + p + "' must be an object";
      c << field(call, p, "id", Kind::string, true) << field(call, p, "name", Kind::string, true)
        << field(call, p, "client_side", Kind::boolean, true) << field(call, p, "arguments", Kind::string, true)
        << field(call, p, "response", Kind::string, true);
    }
    return c.problem();
  }
  c << enum_field(item, path, "role", {"user", "assistant"}, true) << field(item, path, "content", Kind::string, true);
  return c.problem();
}

std::string listen_provider_problem(const json& provider, const std::string& path) {
  if (!provider.is_object()) return "'" + path + "' must be an object";
  Checks c;
  c << enum_field(provider, path, "type", {"deepgram"}, true) << enum_field(provider, path, "version", {"v1", "v2"}, false)
    << field(provider, path, "model", Kind::string, provider.value("version", "") == "v2")
    << field(provider, path, "language", Kind::string, false) << string_array(provider, path, "keyterms")
    << field(provider, path, "smart_format", Kind::boolean, false) << string_array(provider, path, "language_hints")
    << field(provider, path, "eot_threshold", Kind::number, false)
    << field(provider, path, "eager_eot_threshold", Kind::number, false)
    << field(provider, path, "eot_timeout_ms", Kind::integer, false);
  return c.problem();
}

std::string think_entry_problem(const json& think, const std::string& path) {
  if (!think.is_object()) return "'" + path + "' must be an object";
  Checks c;
  c << field(think, path, "provider", Kind::object, true);
  if (!c.ok()) return c.problem();
  const std::string pp = path + "provider.";
  c << enum_field(think["provider"], pp, "type", {"open_ai", "anthropic", "google", "groq", "aws_bedrock"}, true)
    << field(think["provider"], pp, "model", Kind::string, true)
    << field(think["provider"], pp, "temperature", Kind::number, false) << endpoint_problem(think, path)
    << field(think, path, "prompt", Kind::string, false) << field(think, path, "functions", Kind::array, false);
  if (think.contains("context_length") && !think["context_length"].is_number() && think["context_length"] != "max") {
    c << "'" + path + "context_length' must be a number or \"max\"";
  }
  if (!c.ok() || !think.contains("functions")) return c.problem();
  for (std::size_t i = 0; i < think["functions"].size(); ++i) {
    const json& function = think["functions"][i];
    const std::string p = path + "functions[" + std::to_string(i) + "].";
    if (!function.is_object()) return "'" + p + "' must be an object";
    c << field(function, p, "name", Kind::string, false) << field(function, p, "description", Kind::string, false)
      << field(function, p, "parameters", Kind::object, false) << endpoint_problem(function, p)
      << field(function, p, "defer_until_eot", Kind::boolean, false);
  }
  return c.problem();
}

std::string speak_entry_problem(const json& speak, const std::string& path) {
  if (!speak.is_object()) return "'" + path + "' must be an object";
  Checks c;
  c << field(speak, path, "provider", Kind::object, true);
  if (!c.ok()) return c.problem();
  const json& provider = speak["provider"];
  const std::string pp = path + "provider.";
  c << enum_field(provider, pp, "type", {"deepgram", "eleven_labs", "cartesia", "open_ai", "aws_polly"}, true);
  if (c.ok() && provider["type"] == "deepgram") c << field(provider, pp, "model", Kind::string, true);
  c << endpoint_problem(speak, path);
  return c.problem();
}

// `value` is one entry or an array of entries (fallback order).
template <class Check>
std::string one_or_many(const json& value, const std::string& path, Check check) {
  if (!value.is_array()) return check(value, path + ".");
  if (value.empty()) return "'" + path + "' must not be empty";
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (auto problem = check(value[i], path + "[" + std::to_string(i) + "]."); !problem.empty()) return problem;
  }
  return "";
}

std::string settings_schema_problem(const json& settings) {
  Checks c;
  c << string_array(settings, "", "tags") << field(settings, "", "experimental", Kind::boolean, false)
    << field(settings, "", "mip_opt_out", Kind::boolean, false) << field(settings, "", "flags", Kind::object, false)
    << field(settings, "", "audio", Kind::object, true);
  if (!settings.contains("agent")) c << "missing required field 'agent'";
  if (!c.ok()) return c.problem();
  if (settings.contains("flags")) c << field(settings["flags"], "flags.", "history", Kind::boolean, false);

  const json& audio = settings["audio"];
  c << field(audio, "audio.", "input", Kind::object, false) << field(audio, "audio.", "output", Kind::object, false);
  if (!c.ok()) return c.problem();
  if (audio.contains("input")) {
    c << enum_field(audio["input"], "audio.input.", "encoding",
                    {"linear16", "linear32", "flac", "alaw", "mulaw", "amr-nb", "amr-wb", "opus", "ogg-opus", "speex",
                     "g729"},
                    true)
      << field(audio["input"], "audio.input.", "sample_rate", Kind::integer, true);
  }
  if (audio.contains("output")) {
    c << enum_field(audio["output"], "audio.output.", "encoding",
                    {"linear16", "mulaw", "alaw", "mp3", "opus", "flac", "aac"}, false)
      << field(audio["output"], "audio.output.", "sample_rate", Kind::integer, false)
      << field(audio["output"], "audio.output.", "bitrate", Kind::integer, false)
      << enum_field(audio["output"], "audio.output.", "container", {"none", "wav", "ogg"}, false);
  }

  const json& agent = settings["agent"];
  if (agent.is_string()) return c.problem();
  if (!agent.is_object()) return "'agent' must be an object or an agent id";
  c << field(agent, "agent.", "language", Kind::string, false) << field(agent, "agent.", "greeting", Kind::string, false)
    << field(agent, "agent.", "context", Kind::object, false) << field(agent, "agent.", "listen", Kind::object, false);
  if (!c.ok()) return c.problem();
  if (agent.contains("context")) {
    c << field(agent["context"], "agent.context.", "messages", Kind::array, false);
    if (!c.ok()) return c.problem();
    const json messages = agent["context"].value("messages", json::array());
    for (std::size_t i = 0; i < messages.size(); ++i) {
      c << history_item_problem(messages[i], "agent.context.messages[" + std::to_string(i) + "].");
    }
  }
  if (agent.contains("listen")) {
    c << field(agent["listen"], "agent.listen.", "provider", Kind::object, false);
    if (c.ok() && agent["listen"].contains("provider")) {
      c << listen_provider_problem(agent["listen"]["provider"], "agent.listen.provider.");
    }
  }
  if (agent.contains("think")) c << one_or_many(agent["think"], "agent.think", think_entry_problem);
  if (agent.contains("speak")) c << one_or_many(agent["speak"], "agent.speak", speak_entry_problem);
  return c.problem();
}

// The telephony profile sonoria must use (protocols.md §6.3): "" when it holds.
std::string settings_profile_problem(const json& settings) {
  const json& audio = settings["audio"];
  const json input = audio.value("input", json::object());
  if (input.value("encoding", "linear16") != "mulaw" || input.value("sample_rate", 24000) != 8000) {
    return "audio.input must be mulaw at 8000 Hz for telephony (got " + input.value("encoding", std::string("linear16")) +
           " at " + std::to_string(input.value("sample_rate", 24000)) + " Hz)";
  }
  const json output = audio.value("output", json::object());
  if (output.value("encoding", "linear16") != "mulaw" || output.value("sample_rate", 0) != 8000 ||
      output.value("container", "none") != "none") {
    return "audio.output must be mulaw at 8000 Hz with container none for telephony";
  }
  const json& agent = settings["agent"];
  if (!agent.contains("listen") || !agent["listen"].contains("provider")) return "agent.listen.provider is required";
  if (!agent.contains("think")) return "agent.think is required";
  const json& think = agent["think"].is_array() ? agent["think"][0] : agent["think"];
  if (!think.contains("prompt")) return "agent.think.prompt is required";
  if (!agent.contains("speak")) return "agent.speak.provider is required";
  return "";
}

// Function name → client_side, over every think entry.
std::map<std::string, bool> declared_functions(const json& think) {
  std::map<std::string, bool> functions;
  const auto add = [&](const json& entry) {
    if (!entry.is_object() || !entry.contains("functions")) return;
    for (const auto& function : entry["functions"]) {
      if (function.contains("name")) functions[function["name"].get<std::string>()] = !function.contains("endpoint");
    }
  };
  if (think.is_array()) {
    for (const auto& entry : think) add(entry);
  } else {
    add(think);
  }
  return functions;
}

// Something the agent says: a stretch of audio with its transcript.
struct Utterance {
  std::string source;
  std::string text;
  int audio_ms = 0;
  int chunk_ms = 200;
  std::chrono::milliseconds chunk_interval{0};
};

struct PendingCall {
  std::string id;
  std::string name;
  std::string arguments;
  bool client_side = true;
  std::optional<std::string> response;
};

}  // namespace

std::vector<json> DeepgramSessionRecord::server_messages_of(const std::string& type) const {
  std::vector<json> found;
  for (const auto& message : server_messages) {
    if (message.value("type", "") == type) found.push_back(message);
  }
  return found;
}

std::size_t DeepgramSessionRecord::client_message_count(const std::string& type) const {
  return static_cast<std::size_t>(std::count_if(client_messages.begin(), client_messages.end(), [&](const json& m) {
    return m.contains("type") && m["type"].is_string() && m["type"] == type;
  }));
}

std::size_t DeepgramSessionRecord::agent_audio_bytes() const {
  std::size_t total = 0;
  for (const auto& turn : agent_turns) total += turn.audio.size();
  return total;
}

struct FakeDeepgramAgent::Impl {
  class Connection;
  void serve(const PeerRequest& request, PeerExchange exchange);
  void refuse(PeerExchange& exchange, int status, const std::string& code, const std::string& message);

  // First: destroyed last, with the connections and timers that refer to the rest. An upgrade
  // request must come within 10 s.
  PeerServer server{std::chrono::seconds(10)};
  std::string api_key;

  mutable std::mutex mutex;
  Notifier notifier;
  std::deque<ScriptedReply> replies;
  ScriptedReply default_reply;
  std::deque<std::string> transcripts;
  int transcripts_used = 0;
  DeepgramSpeechPacing greeting_pacing;
  DeepgramSpeechPacing injection_pacing{0, 200, std::chrono::milliseconds(0)};
  int silence_ms = 500;
  std::chrono::milliseconds client_timeout{10000};
  DeepgramAgentFaults faults;
  int refused = 0;
  std::vector<DeepgramSessionRecord> records;
  std::vector<std::weak_ptr<Connection>> live;  // I/O thread only

  template <class Change>
  void update(int index, Change&& change) {
    {
      std::lock_guard lock(mutex);
      change(records.at(static_cast<std::size_t>(index)));
    }
    notifier.notify();
  }

  // Reads a setting under the lock.
  template <class T>
  T get(const T& value) const {
    std::lock_guard lock(mutex);
    return value;
  }

  ScriptedReply next_reply() {
    std::lock_guard lock(mutex);
    if (replies.empty()) return default_reply;
    ScriptedReply reply = std::move(replies.front());
    replies.pop_front();
    return reply;
  }

  std::string next_transcript() {
    std::lock_guard lock(mutex);
    ++transcripts_used;
    if (transcripts.empty()) return "caller turn " + std::to_string(transcripts_used);
    std::string text = std::move(transcripts.front());
    transcripts.pop_front();
    return text;
  }

  template <class Action>
  void with_live(int index, Action action);
};

class FakeDeepgramAgent::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(Impl& impl)
      : speech_timer_(impl.server.executor()),
        idle_timer_(impl.server.executor()),
        limit_timer_(impl.server.executor()),
        impl_(impl) {}

  // Records the session of an upgrade that passed Impl::serve's checks, and accepts it.
  void start(const PeerRequest& upgrade, PeerExchange& exchange) {
    request_id_ = make_uuid();
    {
      std::lock_guard lock(impl_.mutex);
      index_ = static_cast<int>(impl_.records.size());
      DeepgramSessionRecord record;
      record.index = index_;
      record.request_id = request_id_;
      record.target = upgrade.target;
      record.authorization = upgrade.header("Authorization").value_or("");
      impl_.records.push_back(std::move(record));
    }
    impl_.live.push_back(weak_from_this());
    impl_.notifier.notify();

    auto self = shared_from_this();
    socket_ = exchange.accept({{"dg-request-id", request_id_}},
                              {[self] { self->on_open(); },
                               [self](std::string data, PeerFrame frame) {
                                 if (self->closing_) return;
                                 self->arm_idle_timer();
                                 self->handle_frame(data, frame == PeerFrame::binary);
                               },
                               [self](int code, std::string) { self->on_closed(code); }});
  }

  void inject(std::string text) { enqueue(std::move(text), PeerFrame::text); }

  void close(bool abrupt, int code) {
    if (abrupt) drop();
    else close_after_flush(static_cast<std::uint16_t>(code));
  }

 private:
  // ---- lifecycle ----------------------------------------------------------------------------

  void on_open() {
    send({{"type", "Welcome"}, {"request_id", request_id_}});
    arm_idle_timer();
    const DeepgramAgentFaults faults = impl_.get(impl_.faults);
    if (faults.session_limit_after) {
      // Deepgram counts the session from the connection, regardless of traffic.
      const auto grace = faults.session_limit_grace;
      limit_timer_.expires_after(*faults.session_limit_after);
      limit_timer_.async_wait([self = shared_from_this(), grace](error_code timer_ec) {
        if (!timer_ec) self->on_session_limit_approaching(grace);
      });
    }
  }

  void arm_idle_timer() {
    idle_timer_.expires_after(impl_.get(impl_.client_timeout));
    idle_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) {
        self->fatal("CLIENT_MESSAGE_TIMEOUT",
                    "We did not receive audio or any other client message within the timeout. Send KeepAlive "
                    "messages while no audio is streamed.");
      }
    });
  }

  void on_session_limit_approaching(std::chrono::milliseconds grace) {
    if (closing_ || finished_) return;
    warn("MAXIMUM_SESSION_LENGTH_APPROACHING", "The session is approaching the maximum session length.");
    limit_timer_.expires_after(grace);
    limit_timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->fatal("MAXIMUM_SESSION_LENGTH_REACHED", "The session has reached the maximum session length.");
    });
  }

  // `peer_code`: of the client's close frame, 0 if none came.
  void on_closed(int peer_code) {
    if (finished_) return;
    finished_ = true;
    cancel_timers();
    speech_.reset();
    // Our own close code, else the peer's.
    const int code = close_code_sent_ != 0 ? close_code_sent_ : peer_code;
    impl_.update(index_, [&](DeepgramSessionRecord& r) {
      r.closed = true;
      r.close_code = code;
    });
  }

  // ---- reading --------------------------------------------------------------------------------

  void handle_frame(const std::string& data, bool binary) {
    if (binary) {
      impl_.update(index_, [&](DeepgramSessionRecord& r) {
        r.received_audio += data;
        ++r.audio_frames_received;
      });
      if (!settings_applied_) {
        fatal("NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", "Received audio before the Settings message.");
        return;
      }
      run_vad(data);
      return;
    }
    json message = json::parse(data, nullptr, false);
    if (message.is_discarded() || !message.is_object()) {
      record_client_message({{"type", nullptr}, {"unparsable", data.substr(0, 200)}});
      fatal("UNPARSABLE_CLIENT_MESSAGE", "We could not parse the client message as JSON.");
      return;
    }
    record_client_message(message);
    if (!message.contains("type") || !message["type"].is_string()) {
      fatal("UNPARSABLE_CLIENT_MESSAGE", "The client message has no 'type'.");
      return;
    }
    const std::string type = message["type"];
    if (!settings_applied_) {
      if (type != "Settings") {
        fatal("NON_SETTINGS_MESSAGE_BEFORE_SETTINGS", "Received a " + type + " message before the Settings message.");
        return;
      }
      handle_settings(message);
      return;
    }
    if (type == "Settings") fatal("SETTINGS_ALREADY_APPLIED", "Settings have already been applied to this session.");
    else if (type == "KeepAlive") impl_.update(index_, [](DeepgramSessionRecord& r) { ++r.keepalives; });
    else if (type == "FunctionCallResponse") handle_function_response(message);
    else if (type == "UpdatePrompt") handle_update(message, field(message, "", "prompt", Kind::string, true), "PromptUpdated");
    else if (type == "UpdateSpeak") handle_update(message, update_speak_problem(message), "SpeakUpdated");
    else if (type == "UpdateThink") handle_update_think(message);
    else if (type == "UpdateListen") handle_update(message, update_listen_problem(message), "ListenUpdated");
    else if (type == "InjectAgentMessage") handle_inject_agent(message);
    else if (type == "InjectUserMessage") handle_inject_user(message);
    else if (type == "ForceEndTurn") handle_force_end_turn();
    else fatal("UNPARSABLE_CLIENT_MESSAGE", "Unknown client message type '" + type + "'.");
  }

  void record_client_message(const json& message) {
    impl_.update(index_, [&](DeepgramSessionRecord& r) { r.client_messages.push_back(message); });
  }

  // ---- Settings and updates -------------------------------------------------------------------

  void handle_settings(const json& settings) {
    impl_.update(index_, [&](DeepgramSessionRecord& r) {
      r.settings = settings;
      const json* agent = settings.contains("agent") ? &settings["agent"] : nullptr;
      if (agent && agent->is_object() && agent->contains("context") && (*agent)["context"].is_object()) {
        const json messages = (*agent)["context"].value("messages", json::array());
        if (messages.is_array()) r.context_messages.assign(messages.begin(), messages.end());
      }
    });
    if (auto problem = settings_schema_problem(settings); !problem.empty()) {
      fatal("UNPARSABLE_CLIENT_MESSAGE", "Settings do not match the schema: " + problem + ".");
      return;
    }
    if (settings["agent"].is_string()) {
      fatal("AGENT_ID_NOT_SUPPORTED", "Stored agent configurations are not supported by this server.");
      return;
    }
    if (auto problem = settings_profile_problem(settings); !problem.empty()) {
      fatal("INVALID_SETTINGS", "Invalid settings: " + problem + ".");
      return;
    }
    const json& agent = settings["agent"];
    settings_applied_ = true;
    history_ = !settings.contains("flags") || settings["flags"].value("history", true);
    listen_v2_ = agent["listen"]["provider"].value("version", "v1") == "v2";
    functions_ = declared_functions(agent["think"]);
    impl_.update(index_, [](DeepgramSessionRecord& r) { r.settings_applied = true; });
    send({{"type", "SettingsApplied"}});

    const DeepgramAgentFaults faults = impl_.get(impl_.faults);
    if (faults.error_after_settings) {
      fatal(*faults.error_after_settings, "Injected failure after SettingsApplied.");
      return;
    }
    if (agent.contains("greeting")) {
      const DeepgramSpeechPacing pacing = impl_.get(impl_.greeting_pacing);
      speak({"greeting", agent["greeting"].get<std::string>(), pacing.audio_ms, pacing.chunk_ms, pacing.chunk_interval});
    }
  }

  static std::string update_speak_problem(const json& message) {
    if (!message.contains("speak")) return "missing required field 'speak'";
    return one_or_many(message["speak"], "speak", speak_entry_problem);
  }

  static std::string update_listen_problem(const json& message) {
    Checks c;
    c << field(message, "", "listen", Kind::object, true);
    if (!c.ok()) return c.problem();
    c << field(message["listen"], "listen.", "provider", Kind::object, true);
    if (!c.ok()) return c.problem();
    // UpdateListen carries a V2 (Flux) provider; `version` may be left out, `model` may not.
    const json& provider = message["listen"]["provider"];
    c << enum_field(provider, "listen.provider.", "type", {"deepgram"}, true)
      << enum_field(provider, "listen.provider.", "version", {"v2"}, false)
      << field(provider, "listen.provider.", "model", Kind::string, true);
    return c.problem();
  }

  void handle_update(const json& message, const std::string& problem, const char* ack) {
    if (!problem.empty()) {
      fatal("UNPARSABLE_CLIENT_MESSAGE", message["type"].get<std::string>() + " does not match the schema: " + problem + ".");
      return;
    }
    send({{"type", ack}});
  }

  void handle_update_think(const json& message) {
    std::string problem =
        message.contains("think") ? one_or_many(message["think"], "think", think_entry_problem) : "missing required field 'think'";
    if (problem.empty()) functions_ = declared_functions(message["think"]);  // the whole think config is replaced
    handle_update(message, problem, "ThinkUpdated");
  }

  // ---- caller audio and VAD -------------------------------------------------------------------

  void run_vad(const std::string& bytes) {
    const std::int64_t speech_needed = static_cast<std::int64_t>(k_speech_start_ms) * k_ulaw_bytes_per_ms;
    const std::int64_t silence_needed =
        std::max<std::int64_t>(1, static_cast<std::int64_t>(impl_.get(impl_.silence_ms)) * k_ulaw_bytes_per_ms);
    for (std::size_t i = 0; i < bytes.size() && !closing_ && !finished_; ++i) {
      const bool silent = static_cast<unsigned char>(bytes[i]) == k_ulaw_silence;
      if (!in_speech_) {
        if (silent) voiced_run_ = 0;
        else if (++voiced_run_ >= speech_needed) start_user_speech();
      } else if (silent) {
        if (++silent_run_ >= silence_needed) end_user_speech();
      } else {
        silent_run_ = 0;
      }
    }
  }

  void start_user_speech() {
    in_speech_ = true;
    silent_run_ = 0;
    send({{"type", "UserStartedSpeaking"}});
    interrupt_agent();
  }

  void end_user_speech() {
    in_speech_ = false;
    voiced_run_ = 0;
    silent_run_ = 0;
    user_turn(impl_.next_transcript());
  }

  void handle_force_end_turn() {
    if (!listen_v2_) {
      warn("FORCE_END_TURN_UNSUPPORTED", "ForceEndTurn requires a V2 (Flux) listen provider.");
      return;
    }
    if (in_speech_) end_user_speech();
  }

  // The user took the floor: agent audio still being sent stops there, and function calls the
  // client has not answered are withdrawn (protocols.md §6.4, §6.8).
  void interrupt_agent() {
    stop_speech();
    queued_.clear();
    std::vector<json> cancelled;
    for (const auto& call : pending_calls_) {
      if (call.response || !call.client_side) continue;
      cancelled.push_back({{"id", call.id}, {"name", call.name}});
      cancelled_ids_.insert(call.id);
    }
    pending_calls_.clear();
    pending_reply_.reset();
    if (!cancelled.empty()) send({{"type", "FunctionCallCancelled"}, {"functions", cancelled}});
  }

  // ---- turns ----------------------------------------------------------------------------------

  void conversation_text(const std::string& role, const std::string& content) {
    send({{"type", "ConversationText"}, {"role", role}, {"content", content}});
    if (history_) send({{"type", "History"}, {"role", role}, {"content", content}});
  }

  void user_turn(const std::string& content) {
    conversation_text("user", content);
    send({{"type", "AgentThinking"}, {"content", ""}});
    run_reply(impl_.next_reply());
  }

  void run_reply(const ScriptedReply& reply) {
    if (reply.fail_code) {
      if (is_error_code(*reply.fail_code)) fatal(*reply.fail_code, "Injected failure of the agent's turn.");
      else warn(*reply.fail_code, "Injected failure of the agent's turn.");
      return;
    }
    if (reply.function_calls.empty()) {
      speak_reply(reply);
      return;
    }
    json functions = json::array();
    for (const auto& call : reply.function_calls) {
      auto declared = functions_.find(call.name);
      if (declared == functions_.end()) {
        fatal("NON_EXISTENT_FUNCTION_CALLED", "The agent called function '" + call.name +
                                                  "', which is not declared in agent.think.functions.");
        return;
      }
      PendingCall pending{call.call_id.empty() ? "fc_" + make_uuid() : call.call_id, call.name, call.arguments,
                          declared->second, std::nullopt};
      functions.push_back({{"id", pending.id},
                           {"name", pending.name},
                           {"arguments", pending.arguments},
                           {"client_side", pending.client_side}});
      pending_calls_.push_back(std::move(pending));
    }
    pending_reply_ = reply;
    send({{"type", "FunctionCallRequest"}, {"functions", functions}});
    // Server-side functions are Deepgram's to call; the fake cannot reach their endpoints and
    // reports an empty result.
    for (auto& call : pending_calls_) {
      if (call.client_side) continue;
      call.response = "{}";
      send({{"type", "FunctionCallResponse"}, {"id", call.id}, {"name", call.name}, {"content", *call.response}});
    }
    continue_after_calls();
  }

  void handle_function_response(const json& message) {
    Checks c;
    c << field(message, "", "id", Kind::string, false) << field(message, "", "name", Kind::string, true)
      << field(message, "", "content", Kind::string, true);
    if (!c.ok()) {
      fatal("UNPARSABLE_CLIENT_MESSAGE", "FunctionCallResponse does not match the schema: " + c.problem() + ".");
      return;
    }
    const std::string id = message.value("id", "");
    auto call = std::find_if(pending_calls_.begin(), pending_calls_.end(),
                             [&](const PendingCall& p) { return p.client_side && !p.response && p.id == id; });
    const bool matched = !id.empty() && call != pending_calls_.end();
    impl_.update(index_, [&](DeepgramSessionRecord& r) {
      r.function_responses.push_back({id, message["name"].get<std::string>(), message["content"].get<std::string>(), matched});
    });
    if (!matched) {
      // A response to a cancelled call is dropped silently (protocols.md §6.4).
      if (!cancelled_ids_.count(id)) {
        warn("FUNCTION_CALL_FAILED", id.empty() ? "FunctionCallResponse without an id for a client-side function."
                                                : "No outstanding function call has the id '" + id + "'.");
      }
      return;
    }
    call->response = message["content"].get<std::string>();
    continue_after_calls();
  }

  // Once every call of the request is answered, the agent goes on by itself (protocols.md §6.7).
  void continue_after_calls() {
    if (!pending_reply_) return;
    if (std::any_of(pending_calls_.begin(), pending_calls_.end(), [](const PendingCall& p) { return !p.response; })) {
      return;
    }
    if (history_) {
      json calls = json::array();
      for (const auto& call : pending_calls_) {
        calls.push_back({{"id", call.id},
                         {"name", call.name},
                         {"client_side", call.client_side},
                         {"arguments", call.arguments},
                         {"response", *call.response}});
      }
      send({{"type", "History"}, {"function_calls", calls}});
    }
    const ScriptedReply reply = std::move(*pending_reply_);
    pending_reply_.reset();
    pending_calls_.clear();
    speak_reply(reply);
  }

  void speak_reply(const ScriptedReply& reply) {
    speak({"reply", reply.text, reply.audio_ms, reply.chunk_ms, reply.chunk_interval});
  }

  void handle_inject_agent(const json& message) {
    Checks c;
    c << field(message, "", "message", Kind::string, true)
      << enum_field(message, "", "behavior", {"default", "queue", "interrupt"}, false);
    if (!c.ok()) {
      fatal("UNPARSABLE_CLIENT_MESSAGE", "InjectAgentMessage does not match the schema: " + c.problem() + ".");
      return;
    }
    const std::string text = message["message"];
    const std::string behavior = message.value("behavior", "default");
    impl_.update(index_, [&](DeepgramSessionRecord& r) { r.injected_agent_messages.push_back(text); });
    const bool agent_busy = speech_ || pending_reply_;
    if (behavior == "default" && (in_speech_ || agent_busy)) {
      send({{"type", "InjectionRefused"},
            {"message", in_speech_ ? "The user is currently speaking; the injected message was not spoken."
                                   : "The agent is currently responding; the injected message was not spoken."}});
      return;
    }
    if (behavior == "interrupt") {
      stop_speech();
      queued_.clear();
    }
    DeepgramSpeechPacing pacing = impl_.get(impl_.injection_pacing);
    if (pacing.audio_ms <= 0) {
      const auto words = std::count(text.begin(), text.end(), ' ') + 1;
      pacing.audio_ms = static_cast<int>(words) * k_ms_per_injected_word;
    }
    speak({"inject", text, pacing.audio_ms, pacing.chunk_ms, pacing.chunk_interval});  // queued while the agent speaks
  }

  void handle_inject_user(const json& message) {
    Checks c;
    c << field(message, "", "content", Kind::string, true);
    if (!c.ok()) {
      fatal("UNPARSABLE_CLIENT_MESSAGE", "InjectUserMessage does not match the schema: " + c.problem() + ".");
      return;
    }
    const std::string content = message["content"];
    impl_.update(index_, [&](DeepgramSessionRecord& r) { r.injected_user_messages.push_back(content); });
    interrupt_agent();  // a new user turn supersedes whatever the agent was doing
    user_turn(content);
  }

  // ---- agent speech ---------------------------------------------------------------------------

  struct Speech {
    std::string audio;
    std::size_t chunk_bytes = 0;
    std::size_t sent = 0;
    std::chrono::milliseconds chunk_interval{0};
    std::size_t turn = 0;  // index in the record's agent_turns
  };

  // Starts `utterance` now, or after the speech in progress.
  void speak(Utterance utterance) {
    if (closing_ || finished_) return;
    if (speech_) {
      queued_.push_back(std::move(utterance));
      return;
    }
    if (utterance.text.empty() && utterance.audio_ms <= 0) return;
    if (!utterance.text.empty()) conversation_text("assistant", utterance.text);
    send({{"type", "AgentStartedSpeaking"}, {"total_latency", 0.82}, {"tts_latency", 0.21}, {"ttt_latency", 0.61}});
    Speech speech;
    speech.audio = ulaw_tone(utterance.audio_ms);
    speech.chunk_bytes = static_cast<std::size_t>(std::max(1, utterance.chunk_ms)) * k_ulaw_bytes_per_ms;
    speech.chunk_interval = utterance.chunk_interval;
    impl_.update(index_, [&](DeepgramSessionRecord& r) {
      speech.turn = r.agent_turns.size();
      r.agent_turns.push_back({utterance.source, utterance.text, {}, 0, false, false});
    });
    speech_ = std::move(speech);
    send_frame(++speech_generation_);
  }

  void send_frame(std::uint64_t generation) {
    if (!speech_ || generation != speech_generation_ || closing_ || finished_) return;
    Speech& speech = *speech_;
    if (speech.sent >= speech.audio.size()) {
      finish_speech();
      return;
    }
    std::string frame = speech.audio.substr(speech.sent, speech.chunk_bytes);
    speech.sent += frame.size();
    impl_.update(index_, [&](DeepgramSessionRecord& r) {
      DeepgramAgentTurn& turn = r.agent_turns.at(speech.turn);
      turn.audio += frame;
      ++turn.frames;
    });
    enqueue(std::move(frame), PeerFrame::binary);
    ++audio_frames_sent_;
    const DeepgramAgentFaults faults = impl_.get(impl_.faults);
    if (faults.close_after_audio_frames >= 0 && audio_frames_sent_ >= faults.close_after_audio_frames) {
      if (faults.close_abruptly) drop();
      else close_after_flush(k_close_internal_error);
      return;
    }
    if (speech.sent < speech.audio.size() && speech.chunk_interval.count() > 0) {
      speech_timer_.expires_after(speech.chunk_interval);
      speech_timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
        if (!ec) self->send_frame(generation);
      });
      return;
    }
    // Yield between frames so client messages (barge-in audio, injections) interleave with the speech.
    asio::post(impl_.server.executor(), [self = shared_from_this(), generation] { self->send_frame(generation); });
  }

  void finish_speech() {
    const std::size_t turn = speech_->turn;
    speech_.reset();
    send({{"type", "AgentAudioDone"}});
    impl_.update(index_, [&](DeepgramSessionRecord& r) { r.agent_turns.at(turn).done = true; });
    if (!queued_.empty()) {
      Utterance next = std::move(queued_.front());
      queued_.pop_front();
      speak(std::move(next));
    }
  }

  void stop_speech() {
    if (!speech_) return;
    const std::size_t turn = speech_->turn;
    speech_.reset();
    ++speech_generation_;
    speech_timer_.cancel();
    impl_.update(index_, [&](DeepgramSessionRecord& r) { r.agent_turns.at(turn).interrupted = true; });
  }

  // ---- writing --------------------------------------------------------------------------------

  void send(const json& message) {
    if (closing_ || finished_) return;
    const std::string type = message["type"];
    impl_.update(index_, [&](DeepgramSessionRecord& r) {
      r.server_messages.push_back(message);
      if (type == "Error") r.error_codes.push_back(message["code"].get<std::string>());
      if (type == "Warning") r.warning_codes.push_back(message["code"].get<std::string>());
    });
    enqueue(message.dump(), PeerFrame::text);
  }

  void warn(const std::string& code, const std::string& description) {
    send({{"type", "Warning"}, {"description", description}, {"code", code}});
  }

  // Deepgram treats every Error as session-ending: send it, then close.
  void fatal(const std::string& code, const std::string& description) {
    if (closing_ || finished_) return;
    send({{"type", "Error"}, {"description", description}, {"code", code}});
    close_after_flush(static_cast<std::uint16_t>(impl_.get(impl_.faults).error_close_code));
  }

  void enqueue(std::string data, PeerFrame frame) {
    if (closing_ || finished_) return;
    socket_.send(std::move(data), frame);
  }

  void cancel_timers() {
    speech_timer_.cancel();
    idle_timer_.cancel();
    limit_timer_.cancel();
  }

  void close_after_flush(std::uint16_t code) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_code_sent_ = code;
    speech_.reset();
    cancel_timers();
    socket_.close(code);
  }

  void drop() {
    if (finished_) return;
    closing_ = true;
    speech_.reset();
    cancel_timers();
    socket_.drop();  // calls on_closed()
  }

  asio::steady_timer speech_timer_;
  asio::steady_timer idle_timer_;
  asio::steady_timer limit_timer_;
  Impl& impl_;
  PeerSocket socket_;

  int index_ = -1;
  std::string request_id_;

  bool closing_ = false;
  bool finished_ = false;
  std::uint16_t close_code_sent_ = 0;

  bool settings_applied_ = false;
  bool history_ = true;
  bool listen_v2_ = false;
  std::map<std::string, bool> functions_;  // declared function → client_side

  bool in_speech_ = false;
  std::int64_t voiced_run_ = 0;
  std::int64_t silent_run_ = 0;

  std::optional<Speech> speech_;
  std::uint64_t speech_generation_ = 0;
  std::deque<Utterance> queued_;
  int audio_frames_sent_ = 0;

  std::vector<PendingCall> pending_calls_;  // of the outstanding FunctionCallRequest
  std::optional<ScriptedReply> pending_reply_;  // spoken once every pending call is answered
  std::set<std::string> cancelled_ids_;
};

template <class Action>
void FakeDeepgramAgent::Impl::with_live(int index, Action action) {
  asio::post(server.executor(), [this, index, action = std::move(action)]() mutable {
    if (index < 0 || static_cast<std::size_t>(index) >= live.size()) return;
    if (auto connection = live[static_cast<std::size_t>(index)].lock()) action(*connection);
  });
}

// Checks a request as Deepgram checks an upgrade; one that is no upgrade passes the same checks,
// and gets 426 last.
void FakeDeepgramAgent::Impl::serve(const PeerRequest& request, PeerExchange exchange) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const DeepgramAgentFaults current = get(faults);
  if (current.upgrade_status != 0) {
    const bool busy = current.upgrade_status == 429;
    refuse(exchange, current.upgrade_status, busy ? "TOO_MANY_REQUESTS" : "FAULT_INJECTED",
           busy ? "Too many requests. Please try again later." : "Refused by the test (fault injection).");
    return;
  }
  if (path != k_path) {
    refuse(exchange, 404, "NOT_FOUND", "Not found: " + path);
    return;
  }
  if (request.header("Authorization").value_or("") != "Token " + api_key) {
    refuse(exchange, 401, "INVALID_AUTH", "Invalid credentials.");
    return;
  }
  if (!request.websocket_upgrade) {
    refuse(exchange, 426, "UPGRADE_REQUIRED", "This endpoint only accepts WebSocket upgrades.");
    return;
  }
  std::make_shared<Connection>(*this)->start(request, exchange);
}

// Deepgram answers a failed handshake with its REST error body and a dg-error header.
void FakeDeepgramAgent::Impl::refuse(PeerExchange& exchange, int status, const std::string& code,
                                     const std::string& message) {
  {
    std::lock_guard lock(mutex);
    ++refused;
  }
  notifier.notify();
  const std::string request_id = make_uuid();
  PeerResponse refusal;
  refusal.status = status;
  refusal.headers = {{"Content-Type", "application/json"}, {"dg-error", message}, {"dg-request-id", request_id}};
  refusal.body = json{{"err_code", code}, {"err_msg", message}, {"request_id", request_id}}.dump();
  exchange.respond(std::move(refusal));
}

FakeDeepgramAgent::FakeDeepgramAgent(std::string api_key) : impl_(std::make_unique<Impl>()) {
  impl_->api_key = std::move(api_key);
  impl_->server.start([impl = impl_.get()](const PeerRequest& request, PeerExchange exchange) {
    impl->serve(request, std::move(exchange));
  });
}

FakeDeepgramAgent::~FakeDeepgramAgent() { impl_->server.stop(); }

std::string FakeDeepgramAgent::url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->server.port()) + k_path;
}

unsigned short FakeDeepgramAgent::port() const { return impl_->server.port(); }

const std::string& FakeDeepgramAgent::api_key() const { return impl_->api_key; }

void FakeDeepgramAgent::push_reply(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->replies.push_back(std::move(reply));
}

void FakeDeepgramAgent::set_default_reply(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->default_reply = std::move(reply);
}

std::size_t FakeDeepgramAgent::pending_replies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->replies.size();
}

void FakeDeepgramAgent::push_caller_transcript(std::string transcript) {
  std::lock_guard lock(impl_->mutex);
  impl_->transcripts.push_back(std::move(transcript));
}

void FakeDeepgramAgent::set_greeting_pacing(DeepgramSpeechPacing pacing) {
  std::lock_guard lock(impl_->mutex);
  impl_->greeting_pacing = pacing;
}

void FakeDeepgramAgent::set_injection_pacing(DeepgramSpeechPacing pacing) {
  std::lock_guard lock(impl_->mutex);
  impl_->injection_pacing = pacing;
}

void FakeDeepgramAgent::set_silence_duration(int ms) {
  std::lock_guard lock(impl_->mutex);
  impl_->silence_ms = ms;
}

void FakeDeepgramAgent::set_client_timeout(std::chrono::milliseconds timeout) {
  std::lock_guard lock(impl_->mutex);
  impl_->client_timeout = timeout;
}

void FakeDeepgramAgent::set_faults(DeepgramAgentFaults faults) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults = std::move(faults);
}

void FakeDeepgramAgent::inject_raw(int index, std::string text) {
  impl_->with_live(index, [text = std::move(text)](Impl::Connection& c) mutable { c.inject(std::move(text)); });
}

void FakeDeepgramAgent::close_session(int index, bool abrupt, int code) {
  impl_->with_live(index, [abrupt, code](Impl::Connection& c) { c.close(abrupt, code); });
}

int FakeDeepgramAgent::session_count() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(impl_->records.size());
}

int FakeDeepgramAgent::open_session_count() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(std::count_if(impl_->records.begin(), impl_->records.end(),
                                        [](const DeepgramSessionRecord& r) { return !r.closed; }));
}

int FakeDeepgramAgent::refused_upgrades() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->refused;
}

DeepgramSessionRecord FakeDeepgramAgent::session(int index) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->records.at(static_cast<std::size_t>(index));
}

std::vector<DeepgramSessionRecord> FakeDeepgramAgent::sessions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->records;
}

bool FakeDeepgramAgent::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for(predicate, timeout);
}

bool FakeDeepgramAgent::wait_for_server_message(int index, const std::string& type, std::size_t count,
                                                std::chrono::milliseconds timeout) const {
  return wait_for(
      [&] {
        std::lock_guard lock(impl_->mutex);
        if (index < 0 || static_cast<std::size_t>(index) >= impl_->records.size()) return false;
        const auto& messages = impl_->records[static_cast<std::size_t>(index)].server_messages;
        return static_cast<std::size_t>(std::count_if(messages.begin(), messages.end(), [&](const json& m) {
                 return m.value("type", "") == type;
               })) >= count;
      },
      timeout);
}

}  // namespace sonoria::fakes
