#pragma once
// The post-call summary: a few sentences and the fields a front desk acts on (who called, why,
// what came of it, whether someone must follow up), made by a text model behind an
// OpenAI-compatible chat completions API from the transcript as the caller heard it. The request
// and the reading of the answer are here, as pure functions; daemon/call_summarizer.hpp sends it.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/db/records.hpp"

namespace sonoria::reports {

// The body of POST <url>/chat/completions: the model, the instructions, the transcript, and a
// JSON object asked for (response_format json_object).
std::string summary_request_body(const std::string& model, const std::string& organization,
                                 const std::vector<db::TranscriptEntry>& transcript);

// The summary as stored and sent: {"summary","caller_name","reason","outcome","follow_up_needed"}
// (missing fields null), or {"error": a sentence} when the answer could not be used.
nlohmann::json read_summary_answer(int status, std::string_view body, std::string_view error);

}  // namespace sonoria::reports
