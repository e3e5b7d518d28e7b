#include "tests/bench/realtime_events.hpp"

#include <algorithm>
#include <vector>

namespace sonoria::bench {

using nlohmann::json;

json default_session(std::string_view id, std::string_view model, std::int64_t expires_at) {
  const json pcm24k = {{"type", "audio/pcm"}, {"rate", 24000}};
  return {{"object", "realtime.session"},
          {"type", "realtime"},
          {"id", id},
          {"model", model},
          {"output_modalities", json::array({"audio"})},
          {"instructions", ""},
          {"tools", json::array()},
          {"tool_choice", "auto"},
          {"max_output_tokens", "inf"},
          {"tracing", nullptr},
          {"prompt", nullptr},
          {"include", nullptr},
          {"expires_at", expires_at},
          {"audio",
           {{"input",
             {{"format", pcm24k},
              {"transcription", nullptr},
              {"noise_reduction", nullptr},
              {"turn_detection",
               {{"type", "server_vad"},
                {"threshold", 0.5},
                {"prefix_padding_ms", 300},
                {"silence_duration_ms", 200},
                {"idle_timeout_ms", nullptr},
                {"create_response", true},
                {"interrupt_response", true}}}}},
            {"output", {{"format", pcm24k}, {"voice", "marin"}, {"speed", 1.0}}}}}};
}

void merge_session(json& base, const json& update) {
  if (!update.is_object()) return;
  for (auto it = update.begin(); it != update.end(); ++it) {
    json& target = base[it.key()];
    const bool container = it.key() == "audio" || it.key() == "input" || it.key() == "output";
    if (container && target.is_object() && it->is_object()) merge_session(target, *it);
    else target = *it;
  }
}

std::string error_event(std::string_view event_id, std::string_view code, std::string_view message,
                        std::string_view param, const json& client_event_id) {
  return json{{"type", "error"},
              {"event_id", event_id},
              {"error",
               {{"type", "invalid_request_error"},
                {"code", code.empty() ? json(nullptr) : json(code)},
                {"message", message},
                {"param", param.empty() ? json(nullptr) : json(param)},
                {"event_id", client_event_id.is_string() ? client_event_id : json(nullptr)}}}}
      .dump();
}

void append_base64(std::string& out, std::string_view bytes) {
  static constexpr char k_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::size_t start = out.size();
  out.resize(start + (bytes.size() + 2) / 3 * 4);
  char* p = out.data() + start;
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                            (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                            static_cast<unsigned char>(bytes[i + 2]);
    *p++ = k_alphabet[(v >> 18) & 63];
    *p++ = k_alphabet[(v >> 12) & 63];
    *p++ = k_alphabet[(v >> 6) & 63];
    *p++ = k_alphabet[v & 63];
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (rest == 2) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    *p++ = k_alphabet[(v >> 18) & 63];
    *p++ = k_alphabet[(v >> 12) & 63];
    *p++ = rest == 2 ? k_alphabet[(v >> 6) & 63] : '=';
    *p++ = '=';
  }
}

void write_audio_delta(std::string& out, std::string_view event_id, std::string_view response_id,
                       std::string_view item_id, std::string_view audio) {
  // Ids are ours ([a-z0-9_]), so no escaping is needed.
  out.clear();
  out.append(R"({"type":"response.output_audio.delta","event_id":")").append(event_id);
  out.append(R"(","response_id":")").append(response_id);
  out.append(R"(","item_id":")").append(item_id);
  out.append(R"(","output_index":0,"content_index":0,"delta":")");
  append_base64(out, audio);
  out.append(R"("})");
}

json response_usage(std::int64_t audio_ms, std::size_t text_chars, std::int64_t input_audio_ms) {
  const std::int64_t out_audio = audio_ms / 50;
  const std::int64_t out_text = static_cast<std::int64_t>(text_chars / 4) + 1;
  const std::int64_t in_text = 120;
  const std::int64_t in_audio = input_audio_ms / 100;
  return {{"total_tokens", in_text + in_audio + out_text + out_audio},
          {"input_tokens", in_text + in_audio},
          {"output_tokens", out_text + out_audio},
          {"input_token_details",
           {{"text_tokens", in_text},
            {"audio_tokens", in_audio},
            {"image_tokens", 0},
            {"cached_tokens", 0},
            {"cached_tokens_details", {{"text_tokens", 0}, {"audio_tokens", 0}, {"image_tokens", 0}}}}},
          {"output_token_details", {{"text_tokens", out_text}, {"audio_tokens", out_audio}}}};
}

json response_object(std::string_view id, std::string_view conversation_id, std::string_view status,
                     const json& status_details, const json& output, const json& usage) {
  return {{"object", "realtime.response"},
          {"id", id},
          {"status", status},
          {"status_details", status_details},
          {"output", output},
          {"conversation_id", conversation_id},
          {"output_modalities", json::array({"audio"})},
          {"max_output_tokens", "inf"},
          {"audio", {{"output", {{"format", {{"type", "audio/pcmu"}}}, {"voice", "marin"}}}}},
          {"usage", usage},
          {"metadata", nullptr}};
}

std::vector<std::string> split_words(std::string_view text, int parts) {
  if (parts <= 1) return {std::string(text)};
  std::vector<std::string> pieces;
  std::size_t start = 0;
  for (int i = 1; i < parts; ++i) {
    std::size_t cut = std::max(start, text.size() * static_cast<std::size_t>(i) / static_cast<std::size_t>(parts));
    while (cut < text.size() && text[cut] != ' ') ++cut;
    pieces.emplace_back(text.substr(start, cut - start));
    start = cut;
  }
  pieces.emplace_back(text.substr(start));
  return pieces;
}

}  // namespace sonoria::bench
