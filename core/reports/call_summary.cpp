#include "core/reports/call_summary.hpp"

namespace sonoria::reports {
namespace {

using nlohmann::json;

constexpr std::string_view k_instructions =
    "You read the transcript of a phone call between a business's AI receptionist and a caller. Answer with one JSON "
    "object and nothing else: {\"summary\": two or three plain sentences on what the caller wanted and what was done, "
    "\"caller_name\": the caller's name if they gave it, else null, \"reason\": the reason for the call in a few "
    "words, \"outcome\": one of \"resolved\", \"booked\", \"message_taken\", \"transferred\", \"not_resolved\", "
    "\"follow_up_needed\": true if someone at the business must call back or act, else false}. Use only what the "
    "transcript says.";

}  // namespace

std::string summary_request_body(const std::string& model, const std::string& organization,
                                 const std::vector<db::TranscriptEntry>& transcript) {
  std::string conversation = "Business: " + organization + "\n";
  for (const auto& t : transcript) {
    const std::string who = t.speaker == "caller" ? "Caller" : t.speaker == "assistant" ? "Assistant" : "Note";
    conversation += who + ": " + t.text + (t.interrupted ? " [cut off]" : "") + "\n";
  }
  json body = {{"model", model},
               {"messages", json::array({{{"role", "system"}, {"content", k_instructions}},
                                         {{"role", "user"}, {"content", conversation}}})},
               {"response_format", {{"type", "json_object"}}},
               {"temperature", 0.2}};
  return body.dump(-1, ' ', false, json::error_handler_t::replace);
}

json read_summary_answer(int status, std::string_view body, std::string_view error) {
  if (status == 0) return {{"error", "the summary model did not answer: " + std::string(error)}};
  if (status < 200 || status > 299) return {{"error", "the summary model answered HTTP " + std::to_string(status)}};
  const json answer = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  const json* content = nullptr;
  if (answer.is_object() && answer.contains("choices") && answer["choices"].is_array() && !answer["choices"].empty()) {
    const json& first = answer["choices"][0];
    if (first.is_object() && first.contains("message") && first["message"].is_object() &&
        first["message"].contains("content") && first["message"]["content"].is_string())
      content = &first["message"]["content"];
  }
  if (!content) return {{"error", "the summary model's answer has no message content"}};
  const json fields = json::parse(content->get<std::string>(), nullptr, false);
  if (!fields.is_object() || !fields.contains("summary") || !fields["summary"].is_string())
    return {{"error", "the summary model did not answer with the JSON object asked for"}};
  auto text_or_null = [&](const char* key) {
    return fields.contains(key) && fields[key].is_string() ? fields[key] : json(nullptr);
  };
  return {{"summary", fields["summary"]},
          {"caller_name", text_or_null("caller_name")},
          {"reason", text_or_null("reason")},
          {"outcome", text_or_null("outcome")},
          {"follow_up_needed", fields.contains("follow_up_needed") && fields["follow_up_needed"].is_boolean()
                                   ? fields["follow_up_needed"]
                                   : json(nullptr)}};
}

}  // namespace sonoria::reports
