#pragma once
// The event sequence of one scripted response of the fake OpenAI Realtime server (protocols.md
// §5.6–§5.8): planned up front as steps (response.created, rate_limits.updated, the message item's
// part/transcript/audio events, function-call items, response.done), which the connection emits one
// at a time so client events can interleave, and which can be cut short consistently when the
// response is cancelled. Pure; used on the fake's I/O thread.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/fakes/realtime_script.hpp"
#include "tests/fakes/realtime_session_schema.hpp"

namespace sonoria::fakes {

// Event and content names that differ between GA and beta (protocols.md §5.4).
struct RealtimeEventNames {
  const char* audio_delta;
  const char* audio_done;
  const char* transcript_delta;
  const char* transcript_done;
  const char* text_delta;
  const char* text_done;
  const char* item_added;        // conversation.item.added (GA) / conversation.item.created (beta)
  bool item_done;                // GA also sends conversation.item.done
  const char* audio_content;     // assistant content part type in items
  const char* text_content;
};

const RealtimeEventNames& realtime_event_names(RealtimeDialect dialect);

enum class ResponseStepKind {
  plain,             // sent as is
  item_added,        // response.output_item.added: the item has started
  audio_delta,       // carries `audio`
  transcript_delta,  // carries `text`
  closing,           // a …done event of an item; still sent (cut short) when the response is cancelled
  done,              // response.done, built when it is reached
};

struct ResponseStep {
  ResponseStep(ResponseStepKind step_kind, nlohmann::json step_event, std::string step_item_id = {})
      : kind(step_kind), event(std::move(step_event)), item_id(std::move(step_item_id)) {}

  ResponseStepKind kind = ResponseStepKind::plain;
  nlohmann::json event;
  std::string item_id;
  std::string call_id;        // function call items: registered when the item is added
  std::string audio;          // raw bytes of an audio delta
  std::string text;           // transcript piece of a transcript delta
  std::chrono::milliseconds delay{0};  // wait before this step (paced replies)
  bool waited = false;
};

struct ResponseRun {
  std::string id;
  std::uint64_t generation = 0;
  std::vector<ResponseStep> steps;
  std::size_t next = 0;
  std::set<std::string> started;              // items whose output_item.added was sent
  std::map<std::string, std::string> spoken;  // item → transcript sent so far
  nlohmann::json output = nlohmann::json::array();  // final items, from output_item.done
  std::vector<nlohmann::json> after_done;     // transcription events deferred past response.done
  nlohmann::json metadata;
  bool text_only = false;
  std::optional<std::string> fail_code;
  std::int64_t audio_bytes = 0;
  std::size_t text_chars = 0;
};

// What a response depends on in its session.
struct ResponseContext {
  RealtimeDialect dialect = RealtimeDialect::ga;
  RealtimeAudioSetup setup;
  nlohmann::json session;       // the effective session
  std::string conversation_id;
};

// The steps of `reply` as response `id`; `params` is response.create's `response` object
// (output modalities and metadata are honoured).
ResponseRun plan_response(const ResponseContext& ctx, const ScriptedReply& reply, const nlohmann::json& params,
                          std::string id);

// The `response` object of response.created / response.done.
nlohmann::json response_object(const ResponseContext& ctx, const ResponseRun& run, const std::string& status,
                               const nlohmann::json& details, const nlohmann::json& usage);

// Deterministic usage for response.done; `input_bytes` is the caller audio appended so far.
nlohmann::json response_usage(const ResponseContext& ctx, const ResponseRun& run, std::int64_t input_bytes,
                              bool failed);

// Rewrites a closing event of an interrupted item: the transcript said so far, status incomplete.
void cut_short(nlohmann::json& event, const std::string& spoken);

}  // namespace sonoria::fakes
