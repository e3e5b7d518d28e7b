#include "tests/fakes/fake_openai_realtime.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <ctime>
#include <deque>
#include <mutex>
#include <set>
#include <stdexcept>

#include "core/twilio/base64.hpp"
#include "tests/fakes/audio_samples.hpp"
#include "tests/fakes/notifier.hpp"
#include "tests/fakes/peer_transport.hpp"
#include "tests/fakes/realtime_response.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

namespace asio = boost::asio;
using boost::system::error_code;
using nlohmann::json;

namespace {

constexpr int k_speech_start_ms = 60;       // non-silence needed before speech_started
constexpr int k_min_commit_ms = 100;        // OpenAI refuses to commit less audio than this

json error_event(const RealtimeError& error, const json& client_event_id) {
  return {{"type", "error"},
          {"error",
           {{"type", error.type},
            {"code", error.code ? json(*error.code) : json(nullptr)},
            {"message", error.message},
            {"param", error.param ? json(*error.param) : json(nullptr)},
            {"event_id", client_event_id.is_string() ? client_event_id : json(nullptr)}}}};
}

RealtimeError request_error(std::optional<std::string> code, std::string message,
                            std::optional<std::string> param = std::nullopt) {
  return {"invalid_request_error", std::move(code), std::move(message), std::move(param)};
}

unsigned char silence_byte(const std::string& format) {
  if (format == "audio/pcmu") return k_ulaw_silence;
  if (format == "audio/pcma") return 0xD5;
  return 0x00;
}

// What gets recorded: the event without its (large) audio payload.
json redacted_server_event(const json& event) {
  if (event.contains("delta") && event["type"].get_ref<const std::string&>().find("audio.delta") != std::string::npos &&
      event["type"] != "response.output_audio_transcript.delta") {
    json copy = event;
    auto decoded = twilio::base64_decode(copy["delta"].get<std::string>());
    copy.erase("delta");
    copy["bytes"] = decoded ? static_cast<std::int64_t>(decoded->size()) : -1;
    return copy;
  }
  return event;
}

struct ItemInfo {
  json item;
  std::string role;
  std::int64_t audio_bytes = 0;
  int bytes_per_ms = 8;
  json previous;  // previous_item_id when the item was added
};

}  // namespace

std::vector<json> RealtimeSessionRecord::server_events_of(const std::string& type) const {
  std::vector<json> found;
  for (const auto& event : server_events) {
    if (event.value("type", "") == type) found.push_back(event);
  }
  return found;
}

std::size_t RealtimeSessionRecord::client_event_count(const std::string& type) const {
  return static_cast<std::size_t>(std::count_if(client_events.begin(), client_events.end(),
                                                [&](const json& e) { return e.value("type", "") == type; }));
}

struct FakeOpenAiRealtime::Impl {
  class Connection;
  void serve(const PeerRequest& request, PeerExchange exchange);
  void refuse(PeerExchange& exchange, int status, const std::string& message, const std::string& code);

  // First: destroyed last, with the connections and timers that refer to the rest. An upgrade
  // request must come within 10 s.
  PeerServer server{std::chrono::seconds(10)};
  std::string api_key;

  mutable std::mutex mutex;
  Notifier notifier;
  RealtimeDialect dialect = RealtimeDialect::ga;
  std::deque<ScriptedReply> replies;
  ScriptedReply default_reply;
  std::deque<std::string> transcripts;
  int transcripts_used = 0;
  bool transcripts_after_response = false;
  RealtimeFaults faults;
  int refused = 0;
  std::vector<RealtimeSessionRecord> records;
  std::vector<std::weak_ptr<Connection>> live;  // I/O thread only

  template <class Change>
  void update(int index, Change&& change) {
    {
      std::lock_guard lock(mutex);
      change(records.at(static_cast<std::size_t>(index)));
    }
    notifier.notify();
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

  RealtimeFaults current_faults() const {
    std::lock_guard lock(mutex);
    return faults;
  }

  std::optional<RealtimeError> take_update_rejection() {
    std::lock_guard lock(mutex);
    if (faults.reject_session_updates <= 0) return std::nullopt;
    --faults.reject_session_updates;
    return request_error(faults.reject_code, faults.reject_message, "session");
  }

  template <class Action>
  void with_live(int index, Action action);
};

class FakeOpenAiRealtime::Impl::Connection : public std::enable_shared_from_this<Connection> {
 public:
  explicit Connection(Impl& impl)
      : step_timer_(impl.server.executor()), expiry_timer_(impl.server.executor()), impl_(impl) {}

  // Records the session of an upgrade that passed Impl::serve's checks, and accepts it.
  void start(const PeerRequest& upgrade, PeerExchange& exchange) {
    const std::string& target = upgrade.target;
    std::string model = "gpt-realtime";
    if (auto url = boost::urls::parse_origin_form(target); url) {
      for (auto param : url->params()) {
        if (param.key == "model" && param.has_value) model = param.value;
      }
    }
    const std::optional<std::string> beta = upgrade.header("OpenAI-Beta");
    {
      std::lock_guard lock(impl_.mutex);
      dialect_ = impl_.dialect;
      index_ = static_cast<int>(impl_.records.size());
      RealtimeSessionRecord record;
      record.index = index_;
      record.target = target;
      record.authorization = upgrade.header("Authorization").value_or("");
      record.dialect = dialect_;
      record.openai_beta_header = beta;
      impl_.records.push_back(std::move(record));
    }
    impl_.live.push_back(weak_from_this());
    impl_.notifier.notify();
    model_ = model;
    beta_header_ = beta.has_value();

    auto self = shared_from_this();
    socket_ = exchange.accept({}, {[self] { self->on_open(); },
                                   [self](std::string text, PeerFrame frame) {
                                     if (!self->closing_) self->handle_frame(text, frame == PeerFrame::binary);
                                   },
                                   [self](int code, std::string) { self->on_closed(code); }});
  }

  void inject(std::string text) { enqueue(std::move(text)); }

  void expire() {
    if (closing_ || finished_) return;
    send_error(request_error("session_expired", "Your session hit the maximum duration of 60 minutes."), nullptr);
    close_after_flush(k_close_going_away);
  }

  void close(bool abrupt, int code) {
    if (abrupt) drop();
    else close_after_flush(static_cast<std::uint16_t>(code));
  }

 private:
  // ---- lifecycle ----------------------------------------------------------------------------

  void on_open() {
    if (dialect_ == RealtimeDialect::ga && beta_header_) {
      send_error({"invalid_request_error", "beta_api_shape_disabled",
                  "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.",
                  std::nullopt},
                 nullptr);
      close_after_flush(4000);
      return;
    }
    session_id_ = make_openai_id("sess_");
    conversation_id_ = make_openai_id("conv_");
    session_ = default_session(dialect_, model_, session_id_, static_cast<std::int64_t>(std::time(nullptr)) + 3600);
    setup_ = audio_setup(dialect_, session_);
    impl_.update(index_, [&](RealtimeSessionRecord& r) {
      r.session_id = session_id_;
      r.session = session_;
    });
    send({{"type", "session.created"}, {"session", session_}});

    const RealtimeFaults faults = impl_.current_faults();
    if (faults.garbage_after_created) enqueue("{\"type\": \"session.updated\", \"session\": {oops");
    if (faults.unknown_event_after_created) {
      send({{"type", "session.quota_preview"}, {"preview", {{"minutes_left", 59}}}});
    }
    if (faults.expire_after) {
      expiry_timer_.expires_after(*faults.expire_after);
      expiry_timer_.async_wait([self = shared_from_this()](error_code timer_ec) {
        if (!timer_ec) self->expire();
      });
    }
  }

  // `peer_code`: of the client's close frame, 0 if none came.
  void on_closed(int peer_code) {
    if (finished_) return;
    finished_ = true;
    step_timer_.cancel();
    expiry_timer_.cancel();
    response_.reset();
    // Our own close code, else the peer's.
    const int code = close_code_sent_ != 0 ? close_code_sent_ : peer_code;
    impl_.update(index_, [&](RealtimeSessionRecord& r) {
      r.closed = true;
      r.close_code = code;
    });
  }

  // ---- reading --------------------------------------------------------------------------------

  void handle_frame(const std::string& text, bool binary) {
    if (binary) {
      record_client_event({{"type", nullptr}, {"binary_bytes", text.size()}});
      send_error(request_error("invalid_event", "Binary frames are not supported; send JSON text events."), nullptr);
      return;
    }
    json event = json::parse(text, nullptr, false);
    if (event.is_discarded() || !event.is_object()) {
      record_client_event({{"type", nullptr}, {"unparsable", text.substr(0, 200)}});
      send_error(request_error("invalid_json", "We could not parse the JSON body of your request. (HINT: This likely "
                                               "means you aren't using your HTTP library correctly.)"),
                 nullptr);
      return;
    }
    const json client_id = event.contains("event_id") ? event["event_id"] : json(nullptr);
    if (!event.contains("type") || !event["type"].is_string()) {
      record_client_event(event);
      send_error(request_error("invalid_event", "The 'type' field is missing."), client_id);
      return;
    }
    const std::string type = event["type"];
    if (type == "input_audio_buffer.append") {
      handle_append(event, client_id);
      return;
    }
    record_client_event(event);
    if (type == "session.update") handle_session_update(event, client_id);
    else if (type == "input_audio_buffer.commit") handle_commit(client_id);
    else if (type == "input_audio_buffer.clear") handle_clear();
    else if (type == "conversation.item.create") handle_item_create(event, client_id);
    else if (type == "conversation.item.truncate") handle_truncate(event, client_id);
    else if (type == "conversation.item.delete") handle_item_delete(event, client_id);
    else if (type == "conversation.item.retrieve") handle_item_retrieve(event, client_id);
    else if (type == "response.create") handle_response_create(event, client_id);
    else if (type == "response.cancel") handle_response_cancel(event, client_id);
    else if (type == "output_audio_buffer.clear") {
      send_error(request_error("invalid_value", "output_audio_buffer.clear is only supported for WebRTC and SIP "
                                                "sessions.", "type"),
                 client_id);
    } else {
      send_error(request_error("invalid_value",
                               "Invalid value: '" + type + "'. Supported values are: 'session.update', "
                               "'input_audio_buffer.append', 'input_audio_buffer.commit', 'input_audio_buffer.clear', "
                               "'conversation.item.create', 'conversation.item.truncate', 'conversation.item.delete', "
                               "'conversation.item.retrieve', 'response.create', 'response.cancel', and "
                               "'output_audio_buffer.clear'.",
                               "type"),
                 client_id);
    }
  }

  void record_client_event(const json& event) {
    impl_.update(index_, [&](RealtimeSessionRecord& r) { r.client_events.push_back(event); });
  }

  // ---- session --------------------------------------------------------------------------------

  void handle_session_update(const json& event, const json& client_id) {
    const json payload = event.contains("session") ? event["session"] : json(nullptr);
    impl_.update(index_, [&](RealtimeSessionRecord& r) { r.session_updates.push_back(payload); });
    if (auto rejection = impl_.take_update_rejection()) {
      send_error(*rejection, client_id);
      return;
    }
    if (!event.contains("session")) {
      send_error(request_error("missing_required_parameter", "Missing required parameter: 'session'.", "session"),
                 client_id);
      return;
    }
    if (auto error = validate_session_update(dialect_, payload)) {
      send_error(*error, client_id);
      return;
    }
    json merged = merge_session(dialect_, session_, payload);
    RealtimeAudioSetup next = audio_setup(dialect_, merged);
    if (next.voice != setup_.voice && assistant_audio_sent_) {
      send_error(request_error("cannot_update_voice", "Cannot update a conversation's voice if assistant audio is present.",
                               dialect_ == RealtimeDialect::ga ? "session.audio.output.voice" : "session.voice"),
                 client_id);
      return;
    }
    session_ = std::move(merged);
    setup_ = next;
    impl_.update(index_, [&](RealtimeSessionRecord& r) { r.session = session_; });
    send({{"type", "session.updated"}, {"session", session_}});
  }

  // ---- input audio and VAD --------------------------------------------------------------------

  void handle_append(const json& event, const json& client_id) {
    if (!event.contains("audio") || !event["audio"].is_string()) {
      record_client_event({{"type", "input_audio_buffer.append"}, {"bytes", -1}});
      send_error(request_error("missing_required_parameter", "Missing required parameter: 'audio'.", "audio"), client_id);
      return;
    }
    auto bytes = twilio::base64_decode(event["audio"].get<std::string>());
    if (!bytes) {
      record_client_event({{"type", "input_audio_buffer.append"}, {"bytes", -1}});
      send_error(request_error("invalid_value", "Invalid 'audio'. Expected base64-encoded audio bytes.", "audio"),
                 client_id);
      return;
    }
    json logged = {{"type", "input_audio_buffer.append"}, {"bytes", bytes->size()}};
    if (client_id.is_string()) logged["event_id"] = client_id;
    impl_.update(index_, [&](RealtimeSessionRecord& r) {
      r.client_events.push_back(logged);
      r.appended_audio += *bytes;
    });
    const std::int64_t offset = appended_bytes_;
    appended_bytes_ += static_cast<std::int64_t>(bytes->size());
    buffer_bytes_ += static_cast<std::int64_t>(bytes->size());
    if (setup_.vad) run_vad(*bytes, offset);
  }

  void run_vad(const std::string& bytes, std::int64_t offset) {
    const int per_ms = RealtimeAudioSetup::bytes_per_ms(setup_.input_format);
    const unsigned char silent_byte = silence_byte(setup_.input_format);
    const std::int64_t speech_needed = static_cast<std::int64_t>(k_speech_start_ms) * per_ms;
    const std::int64_t silence_needed = std::max<std::int64_t>(1, static_cast<std::int64_t>(setup_.silence_duration_ms) * per_ms);
    for (std::size_t i = 0; i < bytes.size() && !closing_ && !finished_; ++i) {
      const std::int64_t position = offset + static_cast<std::int64_t>(i);
      const bool silent = static_cast<unsigned char>(bytes[i]) == silent_byte;
      if (!in_speech_) {
        if (silent) {
          voiced_run_ = 0;
          continue;
        }
        if (voiced_run_ == 0) voiced_run_start_ = position;
        if (++voiced_run_ >= speech_needed) start_speech(voiced_run_start_ / per_ms);
      } else if (silent) {
        if (++silent_run_ >= silence_needed) stop_speech((position + 1) / per_ms);
      } else {
        silent_run_ = 0;
      }
    }
  }

  void start_speech(std::int64_t start_ms) {
    in_speech_ = true;
    silent_run_ = 0;
    speech_item_id_ = make_openai_id("item_");
    send({{"type", "input_audio_buffer.speech_started"},
          {"audio_start_ms", std::max<std::int64_t>(0, start_ms - setup_.prefix_padding_ms)},
          {"item_id", speech_item_id_}});
    if (response_ && setup_.interrupt_response) cancel_response("turn_detected");
  }

  void stop_speech(std::int64_t end_ms) {
    in_speech_ = false;
    voiced_run_ = 0;
    silent_run_ = 0;
    send({{"type", "input_audio_buffer.speech_stopped"}, {"audio_end_ms", end_ms}, {"item_id", speech_item_id_}});
    commit_user_item(speech_item_id_, true);
  }

  void reset_vad() {
    in_speech_ = false;
    voiced_run_ = 0;
    silent_run_ = 0;
  }

  void commit_user_item(const std::string& item_id, bool from_vad) {
    send({{"type", "input_audio_buffer.committed"}, {"previous_item_id", previous_item()}, {"item_id", item_id}});
    json item = {{"id", item_id},
                 {"object", "realtime.item"},
                 {"type", "message"},
                 {"status", "completed"},
                 {"role", "user"},
                 {"content", json::array({{{"type", "input_audio"}, {"transcript", nullptr}}})}};
    add_item(item, "user");
    buffer_bytes_ = 0;
    const bool respond = from_vad && setup_.create_response && !response_;
    std::vector<json> deferred;
    if (setup_.transcription) {
      json transcription = {{"type", "conversation.item.input_audio_transcription.completed"},
                            {"item_id", item_id},
                            {"content_index", 0},
                            {"transcript", impl_.next_transcript()},
                            {"usage",
                             {{"type", "tokens"},
                              {"total_tokens", 22},
                              {"input_tokens", 13},
                              {"input_token_details", {{"text_tokens", 0}, {"audio_tokens", 13}}},
                              {"output_tokens", 9}}}};
      bool after;
      {
        std::lock_guard lock(impl_.mutex);
        after = impl_.transcripts_after_response;
      }
      if (after && respond) deferred.push_back(std::move(transcription));
      else send(transcription);
    }
    if (respond) start_response(json::object(), std::move(deferred));
  }

  void handle_commit(const json& client_id) {
    const int per_ms = RealtimeAudioSetup::bytes_per_ms(setup_.input_format);
    if (buffer_bytes_ == 0) {
      send_error(request_error("input_audio_buffer_commit_empty", "Error committing input audio buffer: the buffer is empty."),
                 client_id);
      return;
    }
    if (buffer_bytes_ < static_cast<std::int64_t>(k_min_commit_ms) * per_ms) {
      char ms[32];
      std::snprintf(ms, sizeof ms, "%.2f", static_cast<double>(buffer_bytes_) / per_ms);
      send_error(request_error("input_audio_buffer_commit_empty",
                               "Error committing input audio buffer: buffer too small. Expected at least 100ms of "
                               "audio, but buffer only has " + std::string(ms) + "ms of audio."),
                 client_id);
      return;
    }
    const std::string item_id = in_speech_ ? speech_item_id_ : make_openai_id("item_");
    reset_vad();
    commit_user_item(item_id, false);
  }

  void handle_clear() {
    buffer_bytes_ = 0;
    reset_vad();
    send({{"type", "input_audio_buffer.cleared"}});
  }

  // ---- conversation items ---------------------------------------------------------------------

  json previous_item() const { return last_item_id_.empty() ? json(nullptr) : json(last_item_id_); }

  // Adds an item at the end of the conversation and announces it.
  void add_item(const json& item, const std::string& role) {
    const json previous = previous_item();
    const std::string id = item["id"];
    items_[id] = ItemInfo{item, role, 0, RealtimeAudioSetup::bytes_per_ms(setup_.output_format), previous};
    last_item_id_ = id;
    const RealtimeEventNames& names = realtime_event_names(dialect_);
    send({{"type", names.item_added}, {"previous_item_id", previous}, {"item", item}});
    if (names.item_done) send({{"type", "conversation.item.done"}, {"previous_item_id", previous}, {"item", item}});
  }

  void handle_item_create(const json& event, const json& client_id) {
    if (!event.contains("item") || !event["item"].is_object()) {
      send_error(request_error("missing_required_parameter", "Missing required parameter: 'item'.", "item"), client_id);
      return;
    }
    json item = event["item"];
    if (!item.contains("type")) {
      send_error(request_error("missing_required_parameter", "Missing required parameter: 'item.type'.", "item.type"),
                 client_id);
      return;
    }
    const std::string type = item.value("type", "");
    std::string role;
    if (type == "function_call_output") {
      if (!item.contains("call_id") || !item["call_id"].is_string()) {
        send_error(request_error("missing_required_parameter", "Missing required parameter: 'item.call_id'.",
                                 "item.call_id"),
                   client_id);
        return;
      }
      if (!item.contains("output") || !item["output"].is_string()) {
        send_error(request_error("missing_required_parameter", "Missing required parameter: 'item.output'.",
                                 "item.output"),
                   client_id);
        return;
      }
      const std::string call_id = item["call_id"];
      if (!call_ids_.count(call_id)) {
        send_error(request_error("invalid_value", "Tool call ID '" + call_id + "' not found in conversation.",
                                 "item.call_id"),
                   client_id);
        return;
      }
      impl_.update(index_, [&](RealtimeSessionRecord& r) {
        r.function_outputs.push_back({call_id, item["output"].get<std::string>()});
      });
    } else if (type == "function_call") {
      for (const char* key : {"call_id", "name", "arguments"}) {
        if (!item.contains(key) || !item[key].is_string()) {
          send_error(request_error("missing_required_parameter",
                                   std::string("Missing required parameter: 'item.") + key + "'.",
                                   std::string("item.") + key),
                     client_id);
          return;
        }
      }
      call_ids_.insert(item["call_id"].get<std::string>());
    } else if (type == "message") {
      role = item.value("role", "");
      if (role != "user" && role != "system" && role != "assistant") {
        send_error(request_error("invalid_value", "Invalid value: '" + role + "'. Supported values are: 'user', "
                                                  "'assistant', and 'system'.", "item.role"),
                   client_id);
        return;
      }
      if (!item.contains("content") || !item["content"].is_array()) {
        send_error(request_error("missing_required_parameter", "Missing required parameter: 'item.content'.",
                                 "item.content"),
                   client_id);
        return;
      }
    } else {
      send_error(request_error("invalid_value", "Invalid value: '" + type + "'. Supported values are: 'message', "
                                                "'function_call', and 'function_call_output'.", "item.type"),
                 client_id);
      return;
    }
    if (!item.contains("id")) item["id"] = make_openai_id("item_");
    if (items_.count(item["id"].get<std::string>())) {
      send_error(request_error("invalid_value", "Item with id '" + item["id"].get<std::string>() + "' already exists.",
                               "item.id"),
                 client_id);
      return;
    }
    item["object"] = "realtime.item";
    item["status"] = "completed";
    add_item(item, role);
  }

  void handle_truncate(const json& event, const json& client_id) {
    for (const char* key : {"item_id", "content_index", "audio_end_ms"}) {
      if (!event.contains(key)) {
        send_error(request_error("missing_required_parameter", std::string("Missing required parameter: '") + key + "'.",
                                 key),
                   client_id);
        return;
      }
    }
    if (!event["item_id"].is_string()) {
      send_error(request_error("invalid_type", "Invalid type for 'item_id': expected a string.", "item_id"), client_id);
      return;
    }
    if (!event["audio_end_ms"].is_number_integer() || !event["content_index"].is_number_integer()) {
      const char* key = event["audio_end_ms"].is_number_integer() ? "content_index" : "audio_end_ms";
      send_error(request_error("invalid_type", std::string("Invalid type for '") + key + "': expected an integer.", key),
                 client_id);
      return;
    }
    const std::string item_id = event["item_id"];
    const auto end_ms = event["audio_end_ms"].get<std::int64_t>();
    const auto content_index = event["content_index"].get<int>();
    auto it = items_.find(item_id);
    if (it == items_.end()) {
      send_error(request_error("invalid_value", "Item with item_id '" + item_id + "' not found.", "item_id"), client_id);
      return;
    }
    if (it->second.role != "assistant" || it->second.audio_bytes == 0) {
      send_error(request_error("invalid_value", "Only assistant messages with audio can be truncated.", "item_id"),
                 client_id);
      return;
    }
    if (content_index != 0) {
      send_error(request_error("invalid_value", "Invalid 'content_index': the item has one content part.",
                               "content_index"),
                 client_id);
      return;
    }
    if (end_ms < 0) {
      send_error(request_error("integer_below_min_value",
                               "Invalid 'audio_end_ms': integer below minimum value. Expected a value >= 0, but got " +
                                   std::to_string(end_ms) + " instead.",
                               "audio_end_ms"),
                 client_id);
      return;
    }
    const std::int64_t audio_ms = it->second.audio_bytes / it->second.bytes_per_ms;
    if (end_ms > audio_ms) {
      send_error(request_error(std::nullopt, "Audio content of " + std::to_string(audio_ms) +
                                                 "ms is already shorter than " + std::to_string(end_ms) + "ms"),
                 client_id);
      return;
    }
    impl_.update(index_, [&](RealtimeSessionRecord& r) {
      r.truncates.push_back({item_id, content_index, static_cast<int>(end_ms)});
    });
    send({{"type", "conversation.item.truncated"},
          {"item_id", item_id},
          {"content_index", content_index},
          {"audio_end_ms", end_ms}});
  }

  void handle_item_delete(const json& event, const json& client_id) {
    const std::string item_id = event.value("item_id", "");
    if (!items_.erase(item_id)) {
      send_error(request_error("invalid_value", "Item with item_id '" + item_id + "' not found.", "item_id"), client_id);
      return;
    }
    if (last_item_id_ == item_id) last_item_id_.clear();
    send({{"type", "conversation.item.deleted"}, {"item_id", item_id}});
  }

  void handle_item_retrieve(const json& event, const json& client_id) {
    const std::string item_id = event.value("item_id", "");
    auto it = items_.find(item_id);
    if (it == items_.end()) {
      send_error(request_error("invalid_value", "Item with item_id '" + item_id + "' not found.", "item_id"), client_id);
      return;
    }
    send({{"type", "conversation.item.retrieved"}, {"item", it->second.item}});
  }

  // ---- responses ------------------------------------------------------------------------------

  void handle_response_create(const json& event, const json& client_id) {
    impl_.update(index_, [](RealtimeSessionRecord& r) { ++r.response_creates; });
    if (response_) {
      send_error(request_error("conversation_already_has_active_response",
                               "Conversation already has an active response in progress: " + response_->id +
                                   ". Wait until the response is finished before creating a new one."),
                 client_id);
      return;
    }
    json params = event.contains("response") && event["response"].is_object() ? event["response"] : json::object();
    start_response(params, {});
  }

  void handle_response_cancel(const json& event, const json& client_id) {
    const bool matches = response_ && (!event.contains("response_id") || event["response_id"] == response_->id);
    if (!matches) {
      send_error(request_error("response_cancel_not_active", "Cancellation failed: no active response found"),
                 client_id);
      return;
    }
    cancel_response("client_cancelled");
  }

  ResponseContext context() const { return {dialect_, setup_, session_, conversation_id_}; }

  void start_response(const json& params, std::vector<json> after_done) {
    if (impl_.current_faults().silent) return;  // connected, configured, and mute
    auto run = std::make_unique<ResponseRun>(plan_response(context(), impl_.next_reply(), params, make_openai_id("resp_")));
    run->generation = ++generation_;
    run->after_done = std::move(after_done);
    const std::string id = run->id;
    const std::uint64_t generation = run->generation;
    response_ = std::move(run);
    impl_.update(index_, [&](RealtimeSessionRecord& r) { r.response_ids.push_back(id); });
    emit_next(generation);
  }

  void emit_next(std::uint64_t generation) {
    if (!response_ || response_->generation != generation || closing_ || finished_) return;
    ResponseRun& run = *response_;
    ResponseStep& upcoming = run.steps[run.next];
    if (upcoming.delay.count() > 0 && !upcoming.waited) {
      upcoming.waited = true;
      step_timer_.expires_after(upcoming.delay);
      step_timer_.async_wait([self = shared_from_this(), generation](error_code ec) {
        if (!ec) self->emit_next(generation);
      });
      return;
    }
    ResponseStep step = std::move(run.steps[run.next++]);
    emit_step(step);
    if (response_ && response_->generation == generation && !closing_ && !finished_) {
      // Yield between events so client events (cancel, barge-in audio) interleave with the response.
      asio::post(impl_.server.executor(), [self = shared_from_this(), generation] { self->emit_next(generation); });
    }
  }

  void emit_step(ResponseStep& step) {
    ResponseRun& run = *response_;
    const RealtimeEventNames& names = realtime_event_names(dialect_);
    switch (step.kind) {
      case ResponseStepKind::item_added:
        run.started.insert(step.item_id);
        if (!step.call_id.empty()) call_ids_.insert(step.call_id);
        send(step.event);
        return;
      case ResponseStepKind::plain:
        if (step.event["type"] == names.item_added) {
          step.event["previous_item_id"] = previous_item();
          const json& item = step.event["item"];
          items_[step.item_id] = ItemInfo{item, item.value("role", ""), 0,
                                          RealtimeAudioSetup::bytes_per_ms(setup_.output_format),
                                          step.event["previous_item_id"]};
          last_item_id_ = step.item_id;
        }
        if (step.event["type"] == "response.function_call_arguments.delta") {
          run.text_chars += step.event["delta"].get_ref<const std::string&>().size();
        }
        send(step.event);
        return;
      case ResponseStepKind::transcript_delta:
        run.spoken[step.item_id] += step.text;
        run.text_chars += step.text.size();
        send(step.event);
        return;
      case ResponseStepKind::audio_delta: {
        items_[step.item_id].audio_bytes += static_cast<std::int64_t>(step.audio.size());
        run.audio_bytes += static_cast<std::int64_t>(step.audio.size());
        assistant_audio_sent_ = true;
        impl_.update(index_, [&](RealtimeSessionRecord& r) { r.assistant_audio[step.item_id] += step.audio; });
        send(step.event);
        ++audio_deltas_;
        const RealtimeFaults faults = impl_.current_faults();
        if (faults.close_after_audio_deltas >= 0 && audio_deltas_ >= faults.close_after_audio_deltas) {
          if (faults.close_abruptly) drop();
          else close_after_flush(k_close_internal_error);
        }
        return;
      }
      case ResponseStepKind::closing:
        if (step.event["type"] == "response.output_item.done") run.output.push_back(step.event["item"]);
        if (step.event["type"] == "conversation.item.done") {
          step.event["previous_item_id"] = items_[step.item_id].previous;
          items_[step.item_id].item = step.event["item"];
        }
        send(step.event);
        return;
      case ResponseStepKind::done:
        if (run.fail_code) {
          finish_response("failed", {{"type", "failed"},
                                     {"error", {{"type", "server_error"}, {"code", *run.fail_code}}}});
        } else {
          finish_response("completed", nullptr);
        }
        return;
    }
  }

  void cancel_response(const std::string& reason) {
    if (!response_) return;
    step_timer_.cancel();
    ResponseRun& run = *response_;
    for (std::size_t i = run.next; i < run.steps.size(); ++i) {
      ResponseStep& step = run.steps[i];
      if (step.kind != ResponseStepKind::closing || !run.started.count(step.item_id)) continue;
      cut_short(step.event, run.spoken[step.item_id]);
      if (step.event["type"] == "response.output_item.done") run.output.push_back(step.event["item"]);
      if (step.event["type"] == "conversation.item.done") {
        step.event["previous_item_id"] = items_[step.item_id].previous;
        items_[step.item_id].item = step.event["item"];
      }
      send(step.event);
    }
    finish_response("cancelled", {{"type", "cancelled"}, {"reason", reason}});
  }

  void finish_response(const std::string& status, const json& details) {
    std::unique_ptr<ResponseRun> run = std::move(response_);
    const ResponseContext ctx = context();
    const json usage = response_usage(ctx, *run, appended_bytes_, status == "failed");
    send({{"type", "response.done"}, {"response", response_object(ctx, *run, status, details, usage)}});
    impl_.update(index_, [&](RealtimeSessionRecord& r) {
      if (status == "completed") ++r.responses_completed;
      if (status == "cancelled") ++r.responses_cancelled;
    });
    for (const auto& event : run->after_done) send(event);
  }

  // ---- writing --------------------------------------------------------------------------------

  void send(json event) {
    if (closing_ || finished_) return;
    event["event_id"] = make_openai_id("event_");
    const bool is_error = event["type"] == "error";
    std::string code;
    if (is_error) {
      const json& c = event["error"]["code"];
      code = c.is_string() ? c.get<std::string>() : "null";
    }
    json recorded = redacted_server_event(event);
    impl_.update(index_, [&](RealtimeSessionRecord& r) {
      r.server_events.push_back(std::move(recorded));
      if (is_error) r.error_codes.push_back(code);
    });
    enqueue(event.dump());
  }

  void send_error(const RealtimeError& error, const json& client_id) { send(error_event(error, client_id)); }

  void enqueue(std::string text) {
    if (closing_ || finished_) return;
    socket_.send(std::move(text));
  }

  void close_after_flush(std::uint16_t code) {
    if (closing_ || finished_) return;
    closing_ = true;
    close_code_sent_ = code;
    response_.reset();
    step_timer_.cancel();
    expiry_timer_.cancel();
    socket_.close(code);
  }

  void drop() {
    if (finished_) return;
    closing_ = true;
    response_.reset();
    step_timer_.cancel();
    expiry_timer_.cancel();
    socket_.drop();  // calls on_closed()
  }

  asio::steady_timer step_timer_;
  asio::steady_timer expiry_timer_;
  Impl& impl_;
  PeerSocket socket_;
  bool beta_header_ = false;  // the upgrade had an OpenAI-Beta header

  int index_ = -1;
  RealtimeDialect dialect_ = RealtimeDialect::ga;
  std::string model_;
  std::string session_id_;
  std::string conversation_id_;
  json session_;
  RealtimeAudioSetup setup_;

  bool closing_ = false;
  bool finished_ = false;
  std::uint16_t close_code_sent_ = 0;

  std::map<std::string, ItemInfo> items_;
  std::string last_item_id_;
  std::set<std::string> call_ids_;
  bool assistant_audio_sent_ = false;

  std::int64_t appended_bytes_ = 0;   // every byte appended in the session (the VAD clock)
  std::int64_t buffer_bytes_ = 0;     // bytes since the last commit or clear
  bool in_speech_ = false;
  std::int64_t voiced_run_ = 0;
  std::int64_t voiced_run_start_ = 0;
  std::int64_t silent_run_ = 0;
  std::string speech_item_id_;

  std::unique_ptr<ResponseRun> response_;
  std::uint64_t generation_ = 0;
  int audio_deltas_ = 0;
};

template <class Action>
void FakeOpenAiRealtime::Impl::with_live(int index, Action action) {
  asio::post(server.executor(), [this, index, action = std::move(action)]() mutable {
    if (index < 0 || static_cast<std::size_t>(index) >= live.size()) return;
    if (auto connection = live[static_cast<std::size_t>(index)].lock()) action(*connection);
  });
}

// Checks a request as OpenAI checks an upgrade; one that is no upgrade passes the same checks, and
// gets 426 last.
void FakeOpenAiRealtime::Impl::serve(const PeerRequest& request, PeerExchange exchange) {
  const std::string path = request.target.substr(0, request.target.find('?'));
  const RealtimeFaults current = current_faults();
  if (current.upgrade_status != 0) {
    refuse(exchange, current.upgrade_status, "Refused by the test (fault injection).", "fault_injected");
    return;
  }
  if (path != "/v1/realtime") {
    refuse(exchange, 404, "Invalid URL (GET " + path + ")", "");
    return;
  }
  const std::string authorization = request.header("Authorization").value_or("");
  if (authorization != "Bearer " + api_key) {
    refuse(exchange, 401,
           authorization.empty() ? "You didn't provide an API key. You need to provide your API key in an "
                                   "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
                                 : "Incorrect API key provided. You can find your API key at "
                                   "https://platform.openai.com/account/api-keys.",
           "invalid_api_key");
    return;
  }
  if (!request.websocket_upgrade) {
    refuse(exchange, 426, "This endpoint only accepts WebSocket upgrades.", "");
    return;
  }
  std::make_shared<Connection>(*this)->start(request, exchange);
}

void FakeOpenAiRealtime::Impl::refuse(PeerExchange& exchange, int status, const std::string& message,
                                      const std::string& code) {
  {
    std::lock_guard lock(mutex);
    ++refused;
  }
  notifier.notify();
  json body = {{"error",
                {{"message", message},
                 {"type", "invalid_request_error"},
                 {"param", nullptr},
                 {"code", code.empty() ? json(nullptr) : json(code)}}}};
  PeerResponse refusal;
  refusal.status = status;
  refusal.headers = {{"Content-Type", "application/json"}};
  refusal.body = body.dump();
  exchange.respond(std::move(refusal));
}

FakeOpenAiRealtime::FakeOpenAiRealtime(std::string api_key) : impl_(std::make_unique<Impl>()) {
  impl_->api_key = std::move(api_key);
  impl_->server.start([impl = impl_.get()](const PeerRequest& request, PeerExchange exchange) {
    impl->serve(request, std::move(exchange));
  });
}

FakeOpenAiRealtime::~FakeOpenAiRealtime() { impl_->server.stop(); }

std::string FakeOpenAiRealtime::url() const {
  return "ws://127.0.0.1:" + std::to_string(impl_->server.port()) + "/v1/realtime";
}

unsigned short FakeOpenAiRealtime::port() const { return impl_->server.port(); }

const std::string& FakeOpenAiRealtime::api_key() const { return impl_->api_key; }

void FakeOpenAiRealtime::set_dialect(RealtimeDialect dialect) {
  std::lock_guard lock(impl_->mutex);
  impl_->dialect = dialect;
}

void FakeOpenAiRealtime::push_reply(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->replies.push_back(std::move(reply));
}

void FakeOpenAiRealtime::set_default_reply(ScriptedReply reply) {
  std::lock_guard lock(impl_->mutex);
  impl_->default_reply = std::move(reply);
}

std::size_t FakeOpenAiRealtime::pending_replies() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->replies.size();
}

void FakeOpenAiRealtime::push_caller_transcript(std::string transcript) {
  std::lock_guard lock(impl_->mutex);
  impl_->transcripts.push_back(std::move(transcript));
}

void FakeOpenAiRealtime::set_transcripts_after_response(bool after) {
  std::lock_guard lock(impl_->mutex);
  impl_->transcripts_after_response = after;
}

void FakeOpenAiRealtime::set_faults(RealtimeFaults faults) {
  std::lock_guard lock(impl_->mutex);
  impl_->faults = std::move(faults);
}

void FakeOpenAiRealtime::inject_raw(int index, std::string text) {
  impl_->with_live(index, [text = std::move(text)](Impl::Connection& c) mutable { c.inject(std::move(text)); });
}

void FakeOpenAiRealtime::expire_session(int index) {
  impl_->with_live(index, [](Impl::Connection& c) { c.expire(); });
}

void FakeOpenAiRealtime::close_session(int index, bool abrupt, int code) {
  impl_->with_live(index, [abrupt, code](Impl::Connection& c) { c.close(abrupt, code); });
}

int FakeOpenAiRealtime::session_count() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(impl_->records.size());
}

int FakeOpenAiRealtime::open_session_count() const {
  std::lock_guard lock(impl_->mutex);
  return static_cast<int>(std::count_if(impl_->records.begin(), impl_->records.end(),
                                        [](const RealtimeSessionRecord& r) { return !r.closed; }));
}

int FakeOpenAiRealtime::refused_upgrades() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->refused;
}

RealtimeSessionRecord FakeOpenAiRealtime::session(int index) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->records.at(static_cast<std::size_t>(index));
}

std::vector<RealtimeSessionRecord> FakeOpenAiRealtime::sessions() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->records;
}

bool FakeOpenAiRealtime::wait_for(const std::function<bool()>& predicate, std::chrono::milliseconds timeout) const {
  return impl_->notifier.wait_for(predicate, timeout);
}

bool FakeOpenAiRealtime::wait_for_server_event(int index, const std::string& type, std::size_t count,
                                               std::chrono::milliseconds timeout) const {
  return wait_for(
      [&] {
        std::lock_guard lock(impl_->mutex);
        if (index < 0 || static_cast<std::size_t>(index) >= impl_->records.size()) return false;
        const auto& events = impl_->records[static_cast<std::size_t>(index)].server_events;
        return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const json& e) {
                 return e.value("type", "") == type;
               })) >= count;
      },
      timeout);
}

}  // namespace sonoria::fakes
