#include "tests/bench/conversation.hpp"

#include <algorithm>
#include <ctime>

#include "core/simulate/probe.hpp"
#include "tests/bench/agent_audio.hpp"
#include "tests/bench/agent_speech.hpp"
#include "tests/bench/realtime_events.hpp"

namespace sonoria::bench {

using nlohmann::json;

namespace {

constexpr int k_deltas_per_transcript_piece = k_deltas_per_piece;
constexpr std::int64_t k_min_commit_ms = 100;  // OpenAI refuses to commit less audio than this

const json* member(const json& j, const char* key) {
  if (!j.is_object()) return nullptr;
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

int integer_or(const json* j, int fallback) {
  return j && j->is_number_integer() ? static_cast<int>(j->get<std::int64_t>()) : fallback;
}

bool bool_or(const json* j, bool fallback) { return j && j->is_boolean() ? j->get<bool>() : fallback; }

json message_item(const std::string& id, const char* status, const char* role, json content) {
  return {{"id", id}, {"object", "realtime.item"}, {"type", "message"}, {"status", status}, {"role", role},
          {"content", std::move(content)}};
}

}  // namespace

Conversation::Conversation(const EngineOptions& options, EngineStats& stats, std::uint32_t number, std::string model)
    : options_(options), stats_(stats), number_(number), model_(std::move(model)) {
  const std::string n = std::to_string(number);
  session_id_ = "sess_bench" + n;
  conversation_id_ = "conv_bench" + n;
}

std::string Conversation::beta_refusal() {
  return error_event("event_beta", "beta_api_shape_disabled",
                     "The Realtime Beta API is no longer supported. Please use /v1/realtime for the GA API.");
}

std::string Conversation::next_id(std::string_view prefix) {
  std::string id(prefix);
  id += std::to_string(number_);
  id += '_';
  id += std::to_string(++ids_);
  return id;
}

json Conversation::previous_item() const { return last_item_id_.empty() ? json(nullptr) : json(last_item_id_); }

void Conversation::send(json event, Outbox& out) {
  event["event_id"] = next_id("event_");
  out.push_back(event.dump());
}

void Conversation::send_error(std::string_view code, std::string_view message, std::string_view param,
                              const json& client_id, Outbox& out) {
  stats_.count_error(code.empty() ? "null" : code);
  out.push_back(error_event(next_id("event_"), code, message, param, client_id));
}

void Conversation::open(Outbox& out) {
  const auto expires_at = static_cast<std::int64_t>(std::time(nullptr)) + 3600;
  send({{"type", "session.created"}, {"session", default_session(session_id_, model_, expires_at)}}, out);
}

// ---- client events ------------------------------------------------------------------------------

void Conversation::on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) {
  if (binary) {
    stats_.count_error("binary_frame");  // not part of the protocol
    return;
  }
  on_text(data, now_ns, out);
}

void Conversation::on_text(std::string_view text, std::uint64_t now_ns, Outbox& out) {
  if (auto audio = scan_append_audio(text)) {
    append(*audio, nullptr, now_ns, out);
    return;
  }
  const json event = json::parse(text, nullptr, false);
  if (event.is_discarded() || !event.is_object()) {
    send_error("invalid_json", "We could not parse the JSON body of your request.", "", nullptr, out);
    return;
  }
  const json client_id = event.contains("event_id") ? event["event_id"] : json(nullptr);
  const json* type_field = member(event, "type");
  if (!type_field || !type_field->is_string()) {
    send_error("invalid_event", "The 'type' field is missing.", "", client_id, out);
    return;
  }
  const std::string& type = type_field->get_ref<const std::string&>();
  if (type == "input_audio_buffer.append") {
    const json* audio = member(event, "audio");
    if (!audio || !audio->is_string()) {
      send_error("missing_required_parameter", "Missing required parameter: 'audio'.", "audio", client_id, out);
      return;
    }
    append(audio->get_ref<const std::string&>(), client_id, now_ns, out);
  } else if (type == "session.update") {
    session_update(event, client_id, out);
  } else if (type == "input_audio_buffer.commit") {
    commit(client_id, out);
  } else if (type == "input_audio_buffer.clear") {
    uncommitted_ms_ = 0;
    send({{"type", "input_audio_buffer.cleared"}}, out);
  } else if (type == "conversation.item.create") {
    item_create(event, client_id, out);
  } else if (type == "conversation.item.truncate") {
    truncate(event, client_id, out);
  } else if (type == "response.create") {
    if (response_) {
      send_error("conversation_already_has_active_response",
                 "Conversation already has an active response in progress: " + response_->id +
                     ". Wait until the response is finished before creating a new one.",
                 "", client_id, out);
      return;
    }
    start_response(now_ns, out);
  } else if (type == "response.cancel") {
    if (!response_) {
      send_error("response_cancel_not_active", "Cancellation failed: no active response found", "", client_id, out);
      return;
    }
    finish_response("cancelled", {{"type", "cancelled"}, {"reason", "client_cancelled"}}, out);
  } else {
    send_error("invalid_value", "Invalid value: '" + type + "'. The bench engine does not support this event.", "type",
               client_id, out);
  }
}

void Conversation::session_update(const json& event, const json& client_id, Outbox& out) {
  const json* session = member(event, "session");
  if (!session || !session->is_object()) {
    send_error("missing_required_parameter", "Missing required parameter: 'session'.", "session", client_id, out);
    return;
  }
  const json* type = member(*session, "type");
  if (!type || *type != "realtime") {
    send_error("missing_required_parameter", "Missing required parameter: 'session.type'.", "session.type", client_id,
               out);
    return;
  }
  if (const json* audio = member(*session, "audio")) {
    if (const json* input = member(*audio, "input")) {
      if (const json* td = member(*input, "turn_detection")) {
        vad_enabled_ = td->is_object();
        vad_.configure(integer_or(member(*td, "silence_duration_ms"), 500),
                       integer_or(member(*td, "prefix_padding_ms"), 300));
        create_response_ = bool_or(member(*td, "create_response"), true);
        interrupt_response_ = bool_or(member(*td, "interrupt_response"), true);
      }
    }
  }
  // The effective session is sent, not kept: a connection holds no copy of the prompt.
  json effective = default_session(session_id_, model_, static_cast<std::int64_t>(std::time(nullptr)) + 3600);
  merge_session(effective, *session);
  send({{"type", "session.updated"}, {"session", std::move(effective)}}, out);
}

void Conversation::append(std::string_view b64, const json& client_id, std::uint64_t now_ns, Outbox& out) {
  const bool ok = frames_.feed(b64, [&](std::string_view frame) { on_frame(frame, now_ns, out); });
  if (!ok) send_error("invalid_value", "Invalid 'audio'. Expected base64-encoded audio bytes.", "audio", client_id, out);
}

void Conversation::on_frame(std::string_view frame, std::uint64_t now_ns, Outbox& out) {
  ++stats_.frames.received;
  uncommitted_ms_ += FrameVad::k_frame_ms;
  bool speech;
  if (auto probe = simulate::read_probe(frame)) {
    ++stats_.frames.probes;
    stats_.caller_to_engine.record(now_ns > probe->sent_ns ? now_ns - probe->sent_ns : 0);
    sequence_.observe(probe->stream, probe->sequence, stats_.frames);
    speech = probe->speech;
  } else {
    speech = frame_is_speech(frame);
  }
  if (!vad_enabled_) return;
  switch (vad_.frame(speech)) {
    case FrameVad::Change::speech_started: speech_started(out); break;
    case FrameVad::Change::speech_stopped: speech_stopped(now_ns, out); break;
    case FrameVad::Change::none: break;
  }
}

void Conversation::speech_started(Outbox& out) {
  ++stats_.speech_turns;
  user_item_id_ = next_id("item_");
  send({{"type", "input_audio_buffer.speech_started"}, {"audio_start_ms", vad_.turn_start_ms()}, {"item_id", user_item_id_}},
       out);
  if (response_ && interrupt_response_) finish_response("cancelled", {{"type", "cancelled"}, {"reason", "turn_detected"}}, out);
}

void Conversation::speech_stopped(std::uint64_t now_ns, Outbox& out) {
  send({{"type", "input_audio_buffer.speech_stopped"}, {"audio_end_ms", vad_.audio_ms()}, {"item_id", user_item_id_}},
       out);
  commit_user_item(user_item_id_, out);
  if (create_response_ && !response_) start_response(now_ns, out);
}

void Conversation::commit(const json& client_id, Outbox& out) {
  if (uncommitted_ms_ < k_min_commit_ms) {
    send_error("input_audio_buffer_commit_empty",
               "Error committing input audio buffer: buffer too small. Expected at least 100ms of audio.", "", client_id,
               out);
    return;
  }
  commit_user_item(vad_.in_speech() ? user_item_id_ : next_id("item_"), out);
}

void Conversation::commit_user_item(const std::string& item_id, Outbox& out) {
  uncommitted_ms_ = 0;
  send({{"type", "input_audio_buffer.committed"}, {"previous_item_id", previous_item()}, {"item_id", item_id}}, out);
  add_item(message_item(item_id, "completed", "user", json::array({{{"type", "input_audio"}, {"transcript", nullptr}}})),
           out);
  send({{"type", "conversation.item.input_audio_transcription.completed"},
        {"item_id", item_id},
        {"content_index", 0},
        {"transcript", k_caller_transcript}},
       out);
}

void Conversation::add_item(json item, Outbox& out) {
  const json previous = previous_item();
  last_item_id_ = item["id"].get<std::string>();
  send({{"type", "conversation.item.added"}, {"previous_item_id", previous}, {"item", item}}, out);
  send({{"type", "conversation.item.done"}, {"previous_item_id", previous}, {"item", std::move(item)}}, out);
}

void Conversation::item_create(const json& event, const json& client_id, Outbox& out) {
  const json* item_field = member(event, "item");
  if (!item_field || !item_field->is_object()) {
    send_error("missing_required_parameter", "Missing required parameter: 'item'.", "item", client_id, out);
    return;
  }
  json item = *item_field;
  const json* type = member(item, "type");
  if (!type || !type->is_string()) {
    send_error("missing_required_parameter", "Missing required parameter: 'item.type'.", "item.type", client_id, out);
    return;
  }
  if (*type == "function_call_output") {
    const json* call_id = member(item, "call_id");
    if (!call_id || !call_id->is_string()) {
      send_error("missing_required_parameter", "Missing required parameter: 'item.call_id'.", "item.call_id", client_id,
                 out);
      return;
    }
    auto open = std::find(open_calls_.begin(), open_calls_.end(), call_id->get_ref<const std::string&>());
    if (open == open_calls_.end()) {
      send_error("invalid_value", "Tool call ID '" + call_id->get<std::string>() + "' not found in conversation.",
                 "item.call_id", client_id, out);
      return;
    }
    open_calls_.erase(open);
  } else if (*type != "message" && *type != "function_call") {
    send_error("invalid_value", "Invalid value: '" + type->get<std::string>() +
                                    "'. Supported values are: 'message', 'function_call', and 'function_call_output'.",
               "item.type", client_id, out);
    return;
  }
  if (!item.contains("id")) item["id"] = next_id("item_");
  item["object"] = "realtime.item";
  item["status"] = "completed";
  add_item(std::move(item), out);
}

Conversation::AssistantItem* Conversation::find_assistant_item(std::string_view id) {
  for (auto& item : recent_items_)
    if (!item.id.empty() && item.id == id) return &item;
  return nullptr;
}

void Conversation::truncate(const json& event, const json& client_id, Outbox& out) {
  const json* item_id = member(event, "item_id");
  const json* end = member(event, "audio_end_ms");
  if (!item_id || !item_id->is_string() || !end || !end->is_number_integer()) {
    send_error("missing_required_parameter", "Missing required parameter: 'item_id' or 'audio_end_ms'.",
               !item_id ? "item_id" : "audio_end_ms", client_id, out);
    return;
  }
  const std::int64_t end_ms = end->get<std::int64_t>();
  const AssistantItem* item = find_assistant_item(item_id->get_ref<const std::string&>());
  if (!item) {
    send_error("invalid_value", "Item with item_id '" + item_id->get<std::string>() + "' not found.", "item_id", client_id,
               out);
    return;
  }
  if (end_ms < 0) {
    send_error("integer_below_min_value", "Invalid 'audio_end_ms': integer below minimum value.", "audio_end_ms",
               client_id, out);
    return;
  }
  if (end_ms > item->audio_ms) {
    send_error("", "Audio content of " + std::to_string(item->audio_ms) + "ms is already shorter than " +
                       std::to_string(end_ms) + "ms",
               "", client_id, out);
    return;
  }
  ++stats_.truncates;
  send({{"type", "conversation.item.truncated"}, {"item_id", item->id}, {"content_index", 0}, {"audio_end_ms", end_ms}},
       out);
}

// ---- responses ----------------------------------------------------------------------------------

void Conversation::start_response(std::uint64_t now_ns, Outbox& out) {
  ++stats_.responses;
  ++responses_;
  const std::string id = next_id("resp_");
  send({{"type", "response.created"},
        {"response", response_object(id, conversation_id_, "in_progress", nullptr, json::array(), nullptr)}},
       out);
  if (options_.function_every > 0 && responses_ % static_cast<std::uint64_t>(options_.function_every) == 0) {
    Response call;
    call.id = id;
    response_ = std::move(call);
    function_call(out);
    return;
  }
  Response r;
  r.id = id;
  r.item_id = next_id("item_");
  r.start_ns = now_ns;
  r.deltas_total = std::max(1, (options_.reply_ms + options_.delta_ms - 1) / options_.delta_ms);
  r.transcript = split_words(k_reply_text, (r.deltas_total + k_deltas_per_transcript_piece - 1) / k_deltas_per_transcript_piece);
  recent_items_[recent_next_] = {r.item_id, 0};
  recent_next_ = (recent_next_ + 1) % recent_items_.size();
  const json item = message_item(r.item_id, "in_progress", "assistant", json::array());
  response_ = std::move(r);
  send({{"type", "response.output_item.added"}, {"response_id", id}, {"output_index", 0}, {"item", item}}, out);
  const json previous = previous_item();
  last_item_id_ = item["id"].get<std::string>();
  send({{"type", "conversation.item.added"}, {"previous_item_id", previous}, {"item", item}}, out);
  send({{"type", "response.content_part.added"},
        {"response_id", id},
        {"item_id", item["id"]},
        {"output_index", 0},
        {"content_index", 0},
        {"part", {{"type", "audio"}, {"transcript", ""}}}},
       out);
  on_due(now_ns, out);
}

void Conversation::function_call(Outbox& out) {
  ++stats_.function_calls;
  const std::string& response_id = response_->id;
  const std::string item_id = next_id("item_");
  const std::string call_id = next_id("call_");
  open_calls_.push_back(call_id);
  json item = {{"id", item_id},   {"object", "realtime.item"}, {"type", "function_call"}, {"status", "in_progress"},
               {"call_id", call_id}, {"name", k_function_name}, {"arguments", ""}};
  send({{"type", "response.output_item.added"}, {"response_id", response_id}, {"output_index", 0}, {"item", item}}, out);
  const json previous = previous_item();
  last_item_id_ = item_id;
  send({{"type", "conversation.item.added"}, {"previous_item_id", previous}, {"item", item}}, out);
  const json args_base = {{"response_id", response_id}, {"item_id", item_id}, {"output_index", 0}, {"call_id", call_id}};
  json delta = args_base;
  delta["type"] = "response.function_call_arguments.delta";
  delta["delta"] = "{}";
  send(std::move(delta), out);
  json done = args_base;
  done["type"] = "response.function_call_arguments.done";
  done["name"] = k_function_name;
  done["arguments"] = "{}";
  send(std::move(done), out);
  item["status"] = "completed";
  item["arguments"] = "{}";
  send({{"type", "response.output_item.done"}, {"response_id", response_id}, {"output_index", 0}, {"item", item}}, out);
  send({{"type", "conversation.item.done"}, {"previous_item_id", previous}, {"item", item}}, out);
  const json output = json::array({item});
  send({{"type", "response.done"},
        {"response", response_object(response_id, conversation_id_, "completed", nullptr, output,
                                     response_usage(0, 2, vad_.audio_ms()))}},
       out);
  response_.reset();
}

std::optional<std::uint64_t> Conversation::next_due_ns() const {
  if (!response_ || response_->deltas_total == 0) return std::nullopt;
  return response_->start_ns +
         static_cast<std::uint64_t>(response_->deltas_sent) * static_cast<std::uint64_t>(options_.delta_ms) * 1'000'000u;
}

void Conversation::on_due(std::uint64_t now_ns, Outbox& out) {
  while (response_ && response_->deltas_total > 0) {
    const std::uint64_t due = *next_due_ns();
    if (due > now_ns) return;
    const std::uint64_t lag = now_ns - due;
    if (lag > EngineStats::k_late_ns) ++stats_.late_deltas;
    stats_.max_delta_lag_ns = std::max(stats_.max_delta_lag_ns, lag);
    send_delta(out);
    if (response_->deltas_sent == response_->deltas_total) finish_response("completed", nullptr, out);
  }
}

void Conversation::send_delta(Outbox& out) {
  Response& r = *response_;
  if (r.deltas_sent % k_deltas_per_transcript_piece == 0) {
    const auto piece = static_cast<std::size_t>(r.deltas_sent / k_deltas_per_transcript_piece);
    if (piece < r.transcript.size() && !r.transcript[piece].empty()) {
      r.spoken += r.transcript[piece];
      send({{"type", "response.output_audio_transcript.delta"},
            {"response_id", r.id},
            {"item_id", r.item_id},
            {"output_index", 0},
            {"content_index", 0},
            {"delta", r.transcript[piece]}},
           out);
    }
  }
  const std::size_t frames = static_cast<std::size_t>(options_.delta_ms / FrameVad::k_frame_ms);
  delta_audio_.clear();
  // sent_ns is taken once per delta: the frames of one delta leave together.
  const std::uint64_t sent_ns = simulate::monotonic_ns();
  append_probe_tone(delta_audio_, number_, out_sequence_, frames, sent_ns);
  std::string message;
  message.reserve(delta_audio_.size() * 4 / 3 + 192);
  write_audio_delta(message, next_id("event_"), r.id, r.item_id, delta_audio_);
  out.push_back(std::move(message));
  ++r.deltas_sent;
  r.audio_ms += options_.delta_ms;
  if (AssistantItem* item = find_assistant_item(r.item_id)) item->audio_ms = r.audio_ms;
  ++stats_.audio_deltas;
}

void Conversation::finish_response(std::string_view status, const json& details, Outbox& out) {
  Response r = std::move(*response_);
  response_.reset();
  if (status == "cancelled") ++stats_.cancelled;
  const json base = {{"response_id", r.id}, {"item_id", r.item_id}, {"output_index", 0}, {"content_index", 0}};
  const bool complete = status == "completed";
  json audio_done = base;
  audio_done["type"] = "response.output_audio.done";
  send(std::move(audio_done), out);
  json transcript_done = base;
  transcript_done["type"] = "response.output_audio_transcript.done";
  transcript_done["transcript"] = r.spoken;
  send(std::move(transcript_done), out);
  json part_done = base;
  part_done["type"] = "response.content_part.done";
  part_done["part"] = {{"type", "audio"}, {"transcript", r.spoken}};
  send(std::move(part_done), out);
  const json item = message_item(r.item_id, complete ? "completed" : "incomplete", "assistant",
                                 json::array({{{"type", "output_audio"}, {"transcript", r.spoken}}}));
  send({{"type", "response.output_item.done"}, {"response_id", r.id}, {"output_index", 0}, {"item", item}}, out);
  send({{"type", "conversation.item.done"}, {"item", item}}, out);
  send({{"type", "response.done"},
        {"response", response_object(r.id, conversation_id_, status, details, json::array({item}),
                                     response_usage(r.audio_ms, r.spoken.size(), vad_.audio_ms()))}},
       out);
}

}  // namespace sonoria::bench
