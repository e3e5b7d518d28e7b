#include "core/engine/local/local_engine.hpp"

#include <nlohmann/json.hpp>

#include "core/engine/local/receptionist.hpp"
#include "core/error.hpp"
#include "core/engine/local/message_fields.hpp"
#include "core/twilio/base64.hpp"

namespace sonoria::engine::local {

namespace {

using json = nlohmann::json;

// The assistant's audio goes to the call in pieces of 200 ms: big enough to cost little, small
// enough that a barge-in cuts near where the caller stopped listening.
constexpr std::size_t k_audio_chunk = 1600;

// The sentences of a reply, each spoken as soon as it is synthesised: the first is heard while
// the rest are still being made.
std::vector<std::string> sentences_of(const std::string& words) {
  std::vector<std::string> out;
  std::string current;
  for (std::size_t i = 0; i < words.size(); ++i) {
    current += words[i];
    const bool end = words[i] == '.' || words[i] == '?' || words[i] == '!';
    if (end && (i + 1 == words.size() || words[i + 1] == ' ')) {
      out.push_back(std::move(current));
      current.clear();
      while (i + 1 < words.size() && words[i + 1] == ' ') ++i;
    }
  }
  if (current.find_first_not_of(' ') != std::string::npos) out.push_back(std::move(current));
  return out;
}

}  // namespace

LocalEngineOptions local_engine_options(const SessionConfig& session, const config::LocalEngineSettings& settings) {
  LocalEngineOptions options;
  options.profile = session.profile;
  options.tools = tool_names(session);
  options.speech = {session.voice.empty() ? settings.voice : session.voice, session.words_per_minute};
  options.recognizer.acoustic_model = settings.acoustic_model;
  options.recognizer.silence_ms = session.silence_duration_ms;
  return options;
}

std::chrono::sys_seconds LocalEngine::default_now() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

LocalEngine::LocalEngine(std::shared_ptr<const ListeningModel> model, LocalEngineOptions options, Send send, Now now)
    : model_(std::move(model)), options_(std::move(options)), send_(std::move(send)), now_(std::move(now)) {
  recognizer_ = std::make_unique<SpeechRecognizer>(*model_, options_.recognizer);
  receptionist_ = std::make_unique<Receptionist>(*options_.profile, options_.tools);
}

LocalEngine::~LocalEngine() = default;

void LocalEngine::send(const json& message) { send_(message.dump()); }

void LocalEngine::receive(std::string_view data, bool binary) {
  if (binary) return on_caller_audio(data);
  on_text(data);
}

void LocalEngine::on_caller_audio(std::string_view ulaw) {
  auto heard = recognizer_->feed(ulaw);
  if (heard.speech_started) send({{"type", "speech_started"}, {"audio_start_ms", heard.start_ms}});
  if (heard.turn) {
    send({{"type", "speech_stopped"}});
    // Speech the recogniser made nothing of is answered too (the receptionist asks again).
    caller_turn(*heard.turn);
  }
}

void LocalEngine::on_text(std::string_view text) {
  auto message = json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object()) {
    send({{"type", "error"}, {"message", "a message to the local engine is not a JSON object"}, {"fatal", false}});
    return;
  }
  const std::string type = string_field(message, "type");
  if (type == "start") {
    send({{"type", "ready"}});
  } else if (type == "say") {
    const std::string words = string_field(message, "words");
    const std::string reply_id = "lr" + std::to_string(++ids_);
    send({{"type", "reply_started"}, {"reply_id", reply_id}});
    speak(reply_id, words.empty() ? receptionist_->greeting() : words);
    send({{"type", "reply_done"}, {"reply_id", reply_id}});
  } else if (type == "caller_text") {
    const std::string words = string_field(message, "text");
    const std::string turn_id = "lu" + std::to_string(++ids_);
    send({{"type", "caller_text"}, {"turn_id", turn_id}, {"text", words}});
    perform(receptionist_->hear(words, now_()));
  } else if (type == "tool_result") {
    const std::string call_id = string_field(message, "call_id");
    auto it = calls_.find(call_id);
    if (it == calls_.end()) return;  // not ours, or answered already
    const std::string name = it->second;
    calls_.erase(it);
    auto reply = receptionist_->tool_result(name, string_field(message, "output"));
    const auto go_on = message.find("reply");
    if (go_on == message.end() || !go_on->is_boolean() || go_on->get<bool>()) perform(reply);
  } else if (type == "tools") {
    std::vector<std::string> names;
    if (auto it = message.find("names"); it != message.end() && it->is_array())
      for (const auto& n : *it)
        if (n.is_string()) names.push_back(n.get<std::string>());
    receptionist_->set_tools(std::move(names));
  } else if (type == "cut") {
    // The audio of the cut reply is all sent already; the call stops playing it and keeps in the
    // transcript what was heard. The receptionist's turn is over either way.
  } else {
    send({{"type", "error"}, {"message", "the local engine does not know the message type '" + type + "'"}, {"fatal", false}});
  }
}

void LocalEngine::caller_turn(const std::string& words) {
  if (!words.empty()) send({{"type", "caller_text"}, {"turn_id", "lu" + std::to_string(++ids_)}, {"text", words}});
  perform(receptionist_->hear(words, now_()));
}

// Every reply is announced, also one with nothing in it: the adapter counts what it is owed.
void LocalEngine::perform(const Reply& reply) {
  const std::string reply_id = "lr" + std::to_string(++ids_);
  send({{"type", "reply_started"}, {"reply_id", reply_id}});
  if (!reply.say.empty()) speak(reply_id, reply.say);
  if (reply.tool) {
    const std::string call_id = "lc" + std::to_string(++ids_);
    calls_[call_id] = reply.tool->name;
    send({{"type", "tool_call"},
          {"reply_id", reply_id},
          {"call_id", call_id},
          {"name", reply.tool->name},
          {"arguments", reply.tool->arguments.dump()}});
  }
  send({{"type", "reply_done"}, {"reply_id", reply_id}});
}

void LocalEngine::speak(const std::string& reply_id, const std::string& words) {
  const std::string item_id = "la" + std::to_string(++ids_);
  send({{"type", "agent_text"}, {"item_id", item_id}, {"text", words}});
  for (const auto& sentence : sentences_of(words)) {
    std::string audio;
    try {
      audio = audio::synthesize_ulaw8k(sentence, options_.speech);
    } catch (const std::exception& e) {
      send({{"type", "error"}, {"message", std::string("speech synthesis failed: ") + e.what()}, {"fatal", false}});
      break;
    }
    for (std::size_t at = 0; at < audio.size(); at += k_audio_chunk)
      send({{"type", "audio"},
            {"reply_id", reply_id},
            {"item_id", item_id},
            {"audio", twilio::base64_encode(std::string_view(audio).substr(at, k_audio_chunk))}});
  }
  send({{"type", "audio_done"}, {"reply_id", reply_id}, {"item_id", item_id}});
}

}  // namespace sonoria::engine::local
