#pragma once
// The adapter of the local engine (local_engine.hpp, which lists its messages): the call's side
// of the seam, as for the cloud engines. What is particular to it:
//  - The engine is configured when it is made (with the profile, the tools and the voice), so
//    `start` only asks it to begin; a conversation seeded by a failover is not needed, since the
//    receptionist answers each turn from the profile.
//  - Caller audio is raw μ-law in binary messages, as with Deepgram; the engine detects turns.
//  - It speaks the words it is given (no instructions); its own replies are made of the profile's
//    facts. Tools are called between its words, and it goes on after their results by itself.
//  - The assistant's text of an item is reported once its audio is done, so the call cuts it to
//    what the caller heard.

#include <map>
#include <string>

#include "core/engine/adapter.hpp"
#include "core/engine/local/message_fields.hpp"
#include "core/engine/session_config.hpp"

namespace sonoria::engine::local {

class LocalAdapter final : public Adapter {
 public:
  // `sink` must outlive the adapter.
  LocalAdapter(SessionConfig config, FrameSink& sink);

  std::string_view name() const override { return "local"; }
  const Capabilities& capabilities() const override;
  AudioMerger audio_merger() const override;

  void open(const std::vector<HistoryLine>& history) override;
  bool receive(std::string_view data, bool binary, EventSink& events) override;
  void closed() override;

  bool caller_audio(std::string_view payload_b64) override;
  void greet(const Speech& speech) override;
  void say(const Speech& speech, bool now) override;
  void caller_text(std::string_view text) override;
  void tool_result(std::string_view call_id, std::string_view output, bool reply) override;
  void cut(std::string_view item_id, int64_t heard_ms) override;
  StageChange change_stage(std::string_view call_id, std::string_view output, const SessionConfig& next) override;
  bool busy() const override;

 private:
  void send(std::string text);

  SessionConfig config_;
  FrameSink& sink_;
  bool live_ = false;
  int replies_ = 0;                    // replies started and not done
  int owed_ = 0;                       // messages sent that the engine answers with a reply
  std::map<std::string, std::string, std::less<>> item_text_;  // assistant item → its words, until its audio is done
  std::map<std::string, bool, std::less<>> calls_;              // tool call → a reply follows its result
};


}  // namespace sonoria::engine::local
