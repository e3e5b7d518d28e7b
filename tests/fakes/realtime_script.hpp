#pragma once
// What the fake OpenAI Realtime server says: scripted replies and function calls, set by tests.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sonoria::fakes {

struct ScriptedFunctionCall {
  std::string name;
  std::string arguments = "{}";   // sent verbatim, so a test may send invalid JSON on purpose
  std::string call_id;            // empty = generated ("call_…")
};

struct ScriptedReply {
  std::string text = "Thanks for calling, how can I help you today?";  // the spoken part's transcript
  int audio_ms = 600;             // length of the spoken part; 0 with empty text = no message item
  int chunk_ms = 200;             // audio per response.output_audio.delta
  // Wait between audio deltas: 0 = as fast as possible (OpenAI generates faster than real time);
  // 20–200 ms lets a test barge in while the response is still being generated.
  std::chrono::milliseconds chunk_interval{0};
  std::vector<ScriptedFunctionCall> function_calls;  // output items after the message, if any
  std::optional<std::string> fail_code;  // response.done status failed with this error code instead
};

}  // namespace sonoria::fakes
