#pragma once
// The calls this daemon is handling: per-call stream tokens (minted in the voice webhook,
// presented in the stream's start message), live sessions, and how each stream ended (read by
// the <Connect action> webhook, which waits for it with when_finished()). Thread-safe.

#include <chrono>
#include <functional>
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
  // The session the token was minted for, when the stream is `call_sid`'s; each token works once.
  // nullptr for a token that is unknown, used already, issued for another call (it stays usable
  // by its own) or whose call has ended; `why` (if given) then says which.
  std::shared_ptr<MediaSession> claim(const std::string& token, const std::string& call_sid, std::string* why = nullptr);
  // The session decided how the call goes on after its stream (before the stream closes).
  void decided(const std::string& call_sid, call::Disposition disposition);
  // The session ended; `disposition`, if given, replaces a decided one (kept, it answers
  // connect-done for a while). `action_expected`: Twilio will ask for the <Connect action> next.
  // Runs the call's when_finished() handlers on the calling thread, after the registry is updated
  // (and after the session stored its stage).
  void finished(const std::string& call_sid, std::optional<call::Disposition> disposition,
                bool action_expected = false);
  // The <Connect action> of the call has been asked for (and is being answered).
  void action_asked(const std::string& call_sid);
  // Calls whose session ended with a decision Twilio has not yet asked for, within `grace` of
  // their end: a daemon that is shutting down stays to answer them.
  size_t actions_awaited(Clock::time_point now, std::chrono::milliseconds grace) const;
  // `handler` runs once the call's session has ended: at once (on this thread) when it has or the
  // call is unknown, else from finished(). It must not block; post real work elsewhere.
  void when_finished(const std::string& call_sid, std::function<void()> handler);
  std::optional<call::Disposition> disposition(const std::string& call_sid) const;
  // The last finished stage of a known call (kept as long as its disposition), or nullopt.
  void record_stage(const std::string& call_sid, StageRecord stage);
  std::optional<StageRecord> stage(const std::string& call_sid) const;
  bool is_live(const std::string& call_sid) const;
  // The session of a call still live, or nullptr.
  std::shared_ptr<MediaSession> live_session(const std::string& call_sid) const;
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
    std::vector<std::function<void()>> waiters;
    bool action_awaited = false;
  };
  mutable std::mutex mutex_;
  std::map<std::string, Entry> calls_;             // by call SID
  std::map<std::string, std::string> tokens_;      // token → call SID, until claimed
};

}  // namespace sonoria::daemon
