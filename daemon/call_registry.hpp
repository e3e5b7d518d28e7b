#pragma once
// The calls this daemon is handling: per-call stream tokens (minted in the voice webhook,
// presented in the stream's start message), live sessions, and how each stream ended (read by
// the <Connect action> webhook). Thread-safe.

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/call/actions.hpp"
#include "core/db/records.hpp"
#include "core/org/profile.hpp"

namespace sonoria::daemon {

class MediaSession;

// What a finished stage of a call leaves for the next one: a transfer nobody answered brings the
// caller back to the assistant, which continues the same call record and knows what was said.
struct StageRecord {
  db::CallFinished record;                 // as stored when the stage ended
  int64_t next_sequence = 0;               // the next free transcript sequence number
  db::TimePoint call_started_at;           // offsets of later stages count from here
  std::vector<std::pair<std::string, std::string>> turns;  // (speaker, text heard), in order
  bool resumed = false;                    // the call already came back once: not again
  std::string from, to, direction;         // the call's parties, as the voice webhook gave them
};

class CallRegistry {
 public:
  using Clock = std::chrono::steady_clock;

  // A random 128-bit token, hex.
  static std::string mint_token();

  void add(const std::string& call_sid, const std::string& token, std::shared_ptr<MediaSession> session,
           std::shared_ptr<const org::Profile> profile, std::string to_number);
  // The token of a call still live (Twilio retrying the voice webhook gets the same answer).
  std::optional<std::string> live_token(const std::string& call_sid) const;
  // The organization and dialled number of a known call (for connect-done), or nullptr.
  std::shared_ptr<const org::Profile> profile(const std::string& call_sid) const;
  std::string to_number(const std::string& call_sid) const;
  // The session the token was minted for; each token works once. nullptr for unknown tokens.
  std::shared_ptr<MediaSession> claim(const std::string& token);
  // The session ended (kept disposition answers connect-done for a while).
  void finished(const std::string& call_sid, std::optional<call::Disposition> disposition);
  std::optional<call::Disposition> disposition(const std::string& call_sid) const;
  // The last finished stage of a known call (kept as long as its disposition), or nullopt.
  void record_stage(const std::string& call_sid, StageRecord stage);
  std::optional<StageRecord> stage(const std::string& call_sid) const;
  bool is_live(const std::string& call_sid) const;
  std::vector<std::shared_ptr<MediaSession>> live_sessions() const;
  size_t live_count() const;

 private:
  void expire_locked(Clock::time_point now);

  struct Entry {
    std::string token;
    std::shared_ptr<MediaSession> session;
    std::optional<call::Disposition> disposition;
    std::optional<Clock::time_point> finished_at;
    std::shared_ptr<const org::Profile> profile;
    std::string to_number;
    std::optional<StageRecord> stage;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> calls_;             // by call SID
  std::map<std::string, std::string> tokens_;      // token → call SID, until claimed
};

}  // namespace sonoria::daemon
