#include "tests/bench/ultravox_conversation.hpp"

#include <utility>

#include "tests/bench/agent_audio.hpp"

namespace sonoria::bench {

using nlohmann::json;

namespace {

std::string text_of(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

UltravoxConversation::UltravoxConversation(const EngineOptions& options, EngineStats& stats, std::uint32_t number,
                                           std::string call_id, SpeechPlayer::Clock clock)
    : options_(options),
      stats_(stats),
      number_(number),
      call_id_(std::move(call_id)),
      caller_(stats),
      speech_(options, stats, number, /*pcm_safe_probes=*/true, clock) {
  caller_.vad().configure(500, 300);  // as the OpenAI conversation's default and the fake's
}

void UltravoxConversation::send(const json& message, Outbox& out) { out.emplace_back(message.dump()); }

void UltravoxConversation::state(std::string_view state, Outbox& out) {
  if (state == state_) return;
  state_ = state;
  send({{"type", "state"}, {"state", state}}, out);
}

void UltravoxConversation::open(Outbox& out) {
  send({{"type", "call_started"}, {"callId", call_id_}}, out);
  state("listening", out);
}

void UltravoxConversation::on_message(std::string_view data, bool binary, std::uint64_t now_ns, Outbox& out) {
  if (!binary) {
    on_text(data, now_ns, out);
    return;
  }
  if (data.size() % 2 != 0) stats_.count_error("odd_pcm_frame");  // half a sample: Ultravox drops such a frame
  caller_.feed_pcm(data, now_ns, [&](FrameVad::Change change) {
    if (change == FrameVad::Change::speech_started) user_started(out);
    else user_turn(k_caller_transcript, "voice", now_ns, out);
  });
}

void UltravoxConversation::on_text(std::string_view text, std::uint64_t now_ns, Outbox& out) {
  const json message = json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    stats_.count_error("invalid_json");
    return;
  }
  const std::string type = text_of(message, "type");
  if (type == "forced_agent_message") {
    wait_or_run({false, text_of(message, "content")}, now_ns, out);
  } else if (type == "user_text_message" || type == "input_text_message") {
    const bool later = text_of(message, "urgency") == "later" ||
                       (message.contains("deferResponse") && message["deferResponse"] == true);
    if (later) {
      send({{"type", "transcript"}, {"role", "user"}, {"medium", "text"}, {"text", text_of(message, "text")},
            {"final", true}, {"ordinal", ordinal_++}},
           out);
      return;
    }
    user_turn(text_of(message, "text"), "text", now_ns, out);
  } else if (type == "client_tool_result") {
    tool_result(message, now_ns, out);
  } else if (type == "ping") {
    send({{"type", "pong"}, {"timestamp", message.contains("timestamp") ? message["timestamp"] : json(0)}}, out);
  } else {
    stats_.count_error("unsupported_message");
  }
}

void UltravoxConversation::on_due(std::uint64_t now_ns, Outbox& out) {
  while (auto chunk = speech_.next(now_ns)) {
    if (!chunk->words.empty()) {
      send({{"type", "transcript"}, {"role", "agent"}, {"medium", "voice"}, {"delta", chunk->words},
            {"final", false}, {"ordinal", speaking_ordinal_}},
           out);
    }
    pcm_.clear();
    append_exact_pcm16le(pcm_, chunk->audio);
    out.emplace_back(pcm_, true);
    if (chunk->last) {
      finish_utterance(out);
      run_waiting(now_ns, out);
      return;
    }
  }
}

// ---- turns --------------------------------------------------------------------------------------

void UltravoxConversation::user_started(Outbox& out) {
  ++stats_.speech_turns;
  if (!speech_.speaking()) return;
  // Barge-in: the client drops what it buffered, and no more of the utterance is sent.
  send({{"type", "playback_clear_buffer"}}, out);
  speech_.stop();
  ++stats_.cancelled;
  finish_utterance(out);
}

void UltravoxConversation::finish_utterance(Outbox& out) {
  send({{"type", "transcript"}, {"role", "agent"}, {"medium", "voice"}, {"text", speech_.spoken()}, {"final", true},
        {"ordinal", speaking_ordinal_}},
       out);
  speaking_ordinal_ = -1;
  state("listening", out);
}

void UltravoxConversation::user_turn(std::string_view text, std::string_view medium, std::uint64_t now_ns, Outbox& out) {
  send({{"type", "transcript"}, {"role", "user"}, {"medium", medium}, {"text", text}, {"final", true},
        {"ordinal", ordinal_++}},
       out);
  state("thinking", out);
  wait_or_run({true, {}}, now_ns, out);
}

void UltravoxConversation::wait_or_run(Waiting turn, std::uint64_t now_ns, Outbox& out) {
  if (busy()) {
    if (waiting_.size() < k_max_waiting) waiting_.push_back(std::move(turn));
    else stats_.count_error("turn_dropped");
    return;
  }
  if (turn.reply) {
    agent_turn(now_ns, out);
  } else {
    ++stats_.responses;  // counted as the OpenAI conversation counts the greeting's response.create
    ++turns_;
    speak(turn.words, now_ns, out);
  }
}

void UltravoxConversation::run_waiting(std::uint64_t now_ns, Outbox& out) {
  while (!busy() && !waiting_.empty()) {
    Waiting next = std::move(waiting_.front());
    waiting_.pop_front();
    wait_or_run(std::move(next), now_ns, out);
  }
}

void UltravoxConversation::agent_turn(std::uint64_t now_ns, Outbox& out) {
  ++stats_.responses;
  ++turns_;
  if (options_.function_every > 0 && turns_ % static_cast<std::uint64_t>(options_.function_every) == 0) {
    ++stats_.function_calls;
    pending_invocation_ = "inv_bench" + std::to_string(number_) + "_" + std::to_string(++ids_);
    send({{"type", "client_tool_invocation"},
          {"toolName", k_function_name},
          {"invocationId", pending_invocation_},
          {"parameters", json::object()}},
         out);
    return;
  }
  speak(k_reply_text, now_ns, out);
}

void UltravoxConversation::speak(std::string_view words, std::uint64_t now_ns, Outbox& out) {
  state("speaking", out);
  speaking_ordinal_ = ordinal_++;
  speech_.start(now_ns, words);
  on_due(now_ns, out);
}

void UltravoxConversation::tool_result(const json& message, std::uint64_t now_ns, Outbox& out) {
  const std::string id = text_of(message, "invocationId");
  if (id.empty() || id != pending_invocation_) {
    stats_.count_error("unknown_invocation");
    return;
  }
  pending_invocation_.clear();
  if (text_of(message, "agentReaction") != "listens") {
    // The agent goes on by itself once it has the result.
    Waiting reply{true, {}};
    waiting_.push_front(std::move(reply));
  }
  run_waiting(now_ns, out);
}

}  // namespace sonoria::bench
