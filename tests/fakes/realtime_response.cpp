#include "tests/fakes/realtime_response.hpp"

#include <algorithm>

#include "core/twilio/base64.hpp"
#include "tests/fakes/audio_samples.hpp"
#include "tests/fakes/sid.hpp"

namespace sonoria::fakes {

using nlohmann::json;

namespace {

// Splits `text` at spaces into `parts` pieces of similar length whose concatenation is `text`.
std::vector<std::string> split_text(const std::string& text, int parts) {
  std::vector<std::string> pieces;
  if (parts <= 1) return {text};
  std::size_t start = 0;
  for (int i = 1; i < parts; ++i) {
    std::size_t cut = text.size() * static_cast<std::size_t>(i) / static_cast<std::size_t>(parts);
    cut = std::max(cut, start);
    while (cut < text.size() && text[cut] != ' ') ++cut;
    pieces.push_back(text.substr(start, cut - start));
    start = cut;
  }
  pieces.push_back(text.substr(start));
  return pieces;
}

std::string audio_in_format(const std::string& format, int ms) {
  if (format == "audio/pcmu") return ulaw_tone(ms);
  if (format == "audio/pcma") return alaw_tone(ms);
  return pcm16_tone_24k(ms);
}

void add_message_steps(const ResponseContext& ctx, ResponseRun& run, const ScriptedReply& reply, int output_index) {
  const RealtimeEventNames& names = realtime_event_names(ctx.dialect);
  const std::string item_id = make_openai_id("item_");
  const auto base = [&](const char* type) {
    return json{{"type", type}, {"response_id", run.id}, {"item_id", item_id}, {"output_index", output_index},
                {"content_index", 0}};
  };
  json item = {{"id", item_id},     {"object", "realtime.item"}, {"type", "message"},
               {"status", "in_progress"}, {"role", "assistant"}, {"content", json::array()}};
  run.steps.push_back({ResponseStepKind::item_added,
                       {{"type", "response.output_item.added"}, {"response_id", run.id},
                        {"output_index", output_index}, {"item", item}},
                       item_id});
  run.steps.push_back({ResponseStepKind::plain, {{"type", names.item_added}, {"item", item}}, item_id});
  json part_added = base("response.content_part.added");
  part_added["part"] = run.text_only ? json{{"type", "text"}, {"text", ""}} : json{{"type", "audio"}, {"transcript", ""}};
  run.steps.push_back({ResponseStepKind::plain, part_added, item_id});

  const std::string audio = run.text_only ? std::string() : audio_in_format(ctx.setup.output_format, reply.audio_ms);
  const std::size_t chunk_bytes = static_cast<std::size_t>(std::max(1, reply.chunk_ms)) *
                                  static_cast<std::size_t>(RealtimeAudioSetup::bytes_per_ms(ctx.setup.output_format));
  const int chunks = audio.empty() ? 1 : static_cast<int>((audio.size() + chunk_bytes - 1) / chunk_bytes);
  const auto pieces = split_text(reply.text, chunks);
  for (int i = 0; i < chunks; ++i) {
    const std::string& piece = pieces[static_cast<std::size_t>(i)];
    if (!piece.empty()) {
      json delta = base(run.text_only ? names.text_delta : names.transcript_delta);
      delta["delta"] = piece;
      ResponseStep step{ResponseStepKind::transcript_delta, delta, item_id};
      step.text = piece;
      run.steps.push_back(std::move(step));
    }
    if (!audio.empty()) {
      const std::string slice = audio.substr(static_cast<std::size_t>(i) * chunk_bytes, chunk_bytes);
      json delta = base(names.audio_delta);
      delta["delta"] = twilio::base64_encode(slice);
      ResponseStep step{ResponseStepKind::audio_delta, delta, item_id};
      step.audio = slice;
      if (i > 0) step.delay = reply.chunk_interval;
      run.steps.push_back(std::move(step));
    }
  }
  json final_content;
  if (run.text_only) {
    json done = base(names.text_done);
    done["text"] = reply.text;
    run.steps.push_back({ResponseStepKind::closing, done, item_id});
    json part_done = base("response.content_part.done");
    part_done["part"] = {{"type", "text"}, {"text", reply.text}};
    run.steps.push_back({ResponseStepKind::closing, part_done, item_id});
    final_content = {{"type", names.text_content}, {"text", reply.text}};
  } else {
    run.steps.push_back({ResponseStepKind::closing, base(names.audio_done), item_id});
    json transcript_done = base(names.transcript_done);
    transcript_done["transcript"] = reply.text;
    run.steps.push_back({ResponseStepKind::closing, transcript_done, item_id});
    json part_done = base("response.content_part.done");
    part_done["part"] = {{"type", "audio"}, {"transcript", reply.text}};
    run.steps.push_back({ResponseStepKind::closing, part_done, item_id});
    final_content = {{"type", names.audio_content}, {"transcript", reply.text}};
  }
  json final_item = item;
  final_item["status"] = "completed";
  final_item["content"] = json::array({final_content});
  run.steps.push_back({ResponseStepKind::closing,
                       {{"type", "response.output_item.done"}, {"response_id", run.id},
                        {"output_index", output_index}, {"item", final_item}},
                       item_id});
  if (names.item_done) {
    run.steps.push_back({ResponseStepKind::closing, {{"type", "conversation.item.done"}, {"item", final_item}}, item_id});
  }
}

void add_function_call_steps(const ResponseContext& ctx, ResponseRun& run, const ScriptedFunctionCall& call,
                             int output_index) {
  const RealtimeEventNames& names = realtime_event_names(ctx.dialect);
  const std::string item_id = make_openai_id("item_");
  const std::string call_id = call.call_id.empty() ? make_openai_id("call_") : call.call_id;
  json item = {{"id", item_id},   {"object", "realtime.item"}, {"type", "function_call"}, {"status", "in_progress"},
               {"call_id", call_id}, {"name", call.name},       {"arguments", ""}};
  ResponseStep added{ResponseStepKind::item_added,
             {{"type", "response.output_item.added"}, {"response_id", run.id}, {"output_index", output_index},
              {"item", item}},
             item_id};
  added.call_id = call_id;
  run.steps.push_back(std::move(added));
  run.steps.push_back({ResponseStepKind::plain, {{"type", names.item_added}, {"item", item}}, item_id});
  for (const auto& piece : split_text(call.arguments, call.arguments.size() > 1 ? 2 : 1)) {
    if (piece.empty()) continue;
    run.steps.push_back({ResponseStepKind::plain,
                         {{"type", "response.function_call_arguments.delta"}, {"response_id", run.id},
                          {"item_id", item_id}, {"output_index", output_index}, {"call_id", call_id},
                          {"delta", piece}},
                         item_id});
  }
  run.steps.push_back({ResponseStepKind::closing,
                       {{"type", "response.function_call_arguments.done"}, {"response_id", run.id},
                        {"item_id", item_id}, {"output_index", output_index}, {"call_id", call_id},
                        {"name", call.name}, {"arguments", call.arguments}},
                       item_id});
  json final_item = item;
  final_item["status"] = "completed";
  final_item["arguments"] = call.arguments;
  run.steps.push_back({ResponseStepKind::closing,
                       {{"type", "response.output_item.done"}, {"response_id", run.id},
                        {"output_index", output_index}, {"item", final_item}},
                       item_id});
  if (names.item_done) {
    run.steps.push_back({ResponseStepKind::closing, {{"type", "conversation.item.done"}, {"item", final_item}}, item_id});
  }
}

}  // namespace

const RealtimeEventNames& realtime_event_names(RealtimeDialect dialect) {
  static const RealtimeEventNames k_ga{"response.output_audio.delta", "response.output_audio.done",
                                       "response.output_audio_transcript.delta", "response.output_audio_transcript.done",
                                       "response.output_text.delta", "response.output_text.done",
                                       "conversation.item.added", true, "output_audio", "output_text"};
  static const RealtimeEventNames k_beta{"response.audio.delta", "response.audio.done",
                                         "response.audio_transcript.delta", "response.audio_transcript.done",
                                         "response.text.delta", "response.text.done",
                                         "conversation.item.created", false, "audio", "text"};
  return dialect == RealtimeDialect::ga ? k_ga : k_beta;
}

ResponseRun plan_response(const ResponseContext& ctx, const ScriptedReply& reply, const json& params, std::string id) {
  ResponseRun run;
  run.id = std::move(id);
  run.metadata = params.contains("metadata") ? params["metadata"] : json(nullptr);
  run.fail_code = reply.fail_code;
  run.text_only = ctx.setup.text_only;
  const char* modality_key = ctx.dialect == RealtimeDialect::ga ? "output_modalities" : "modalities";
  if (params.contains(modality_key) && params[modality_key].is_array()) {
    const json& m = params[modality_key];
    run.text_only = std::find(m.begin(), m.end(), "audio") == m.end();
  }
  run.steps.push_back({ResponseStepKind::plain, {{"type", "response.created"}}});
  run.steps.push_back(
      {ResponseStepKind::plain,
       {{"type", "rate_limits.updated"},
        {"rate_limits", json::array({{{"name", "requests"}, {"limit", 1000}, {"remaining", 999}, {"reset_seconds", 60}},
                                     {{"name", "tokens"}, {"limit", 50000}, {"remaining", 49950}, {"reset_seconds", 60}}})}}});
  if (!reply.fail_code) {
    int output_index = 0;
    if (!reply.text.empty() || reply.audio_ms > 0) add_message_steps(ctx, run, reply, output_index++);
    for (const auto& call : reply.function_calls) add_function_call_steps(ctx, run, call, output_index++);
  }
  run.steps.push_back({ResponseStepKind::done, json::object()});
  // response.created carries the response object as it is at the start.
  run.steps.front().event["response"] = response_object(ctx, run, "in_progress", nullptr, nullptr);
  return run;
}

json response_object(const ResponseContext& ctx, const ResponseRun& run, const std::string& status, const json& details,
                     const json& usage) {
  if (ctx.dialect == RealtimeDialect::beta) {
    return {{"object", "realtime.response"},
            {"id", run.id},
            {"status", status},
            {"status_details", details},
            {"output", run.output},
            {"conversation_id", ctx.conversation_id},
            {"modalities", run.text_only ? json::array({"text"}) : json::array({"text", "audio"})},
            {"voice", ctx.setup.voice},
            {"output_audio_format", ctx.session.value("output_audio_format", "pcm16")},
            {"temperature", ctx.session.value("temperature", 0.8)},
            {"max_output_tokens", ctx.session.value("max_response_output_tokens", json("inf"))},
            {"usage", usage},
            {"metadata", run.metadata}};
  }
  return {{"object", "realtime.response"},
          {"id", run.id},
          {"status", status},
          {"status_details", details},
          {"output", run.output},
          {"conversation_id", ctx.conversation_id},
          {"output_modalities", json::array({run.text_only ? "text" : "audio"})},
          {"max_output_tokens", ctx.session.value("max_output_tokens", json("inf"))},
          {"audio",
           {{"output",
             {{"format", ctx.session.at("audio").at("output").at("format")},
              {"voice", ctx.session.at("audio").at("output").at("voice")}}}}},
          {"usage", usage},
          {"metadata", run.metadata}};
}

json response_usage(const ResponseContext& ctx, const ResponseRun& run, std::int64_t input_bytes, bool failed) {
  if (failed) {
    return {{"total_tokens", 0},
            {"input_tokens", 0},
            {"output_tokens", 0},
            {"input_token_details",
             {{"text_tokens", 0}, {"audio_tokens", 0}, {"image_tokens", 0}, {"cached_tokens", 0},
              {"cached_tokens_details", {{"text_tokens", 0}, {"audio_tokens", 0}, {"image_tokens", 0}}}}},
            {"output_token_details", {{"text_tokens", 0}, {"audio_tokens", 0}}}};
  }
  // Deterministic stand-ins for token counts: ~1 token per 4 characters of text, 20 audio
  // tokens per second of output and 10 per second of caller audio.
  const std::int64_t out_audio = run.audio_bytes / RealtimeAudioSetup::bytes_per_ms(ctx.setup.output_format) / 50;
  const std::int64_t out_text = static_cast<std::int64_t>(run.text_chars / 4) + 1;
  const std::int64_t in_text = static_cast<std::int64_t>(ctx.session.value("instructions", "").size() / 4) + 20;
  const std::int64_t in_audio = input_bytes / RealtimeAudioSetup::bytes_per_ms(ctx.setup.input_format) / 100;
  return {{"total_tokens", in_text + in_audio + out_text + out_audio},
          {"input_tokens", in_text + in_audio},
          {"output_tokens", out_text + out_audio},
          {"input_token_details",
           {{"text_tokens", in_text}, {"audio_tokens", in_audio}, {"image_tokens", 0}, {"cached_tokens", 0},
            {"cached_tokens_details", {{"text_tokens", 0}, {"audio_tokens", 0}, {"image_tokens", 0}}}}},
          {"output_token_details", {{"text_tokens", out_text}, {"audio_tokens", out_audio}}}};
}

void cut_short(json& event, const std::string& spoken) {
  if (event.contains("transcript")) event["transcript"] = spoken;
  if (event.contains("text")) event["text"] = spoken;
  if (event.contains("part")) {
    json& part = event["part"];
    if (part.contains("transcript")) part["transcript"] = spoken;
    if (part.contains("text")) part["text"] = spoken;
  }
  if (event.contains("item")) {
    json& item = event["item"];
    item["status"] = "incomplete";
    if (item.contains("content")) {
      for (auto& content : item["content"]) {
        if (content.contains("transcript")) content["transcript"] = spoken;
        if (content.contains("text")) content["text"] = spoken;
      }
    }
  }
}

}  // namespace sonoria::fakes
