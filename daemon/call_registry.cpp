#include "daemon/call_registry.hpp"

#include <openssl/rand.h>
#include <stdexcept>

namespace sonoria::daemon {

std::string CallRegistry::mint_token() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("the system random generator failed");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

void CallRegistry::add(const std::string& call_sid, const std::string& token, std::shared_ptr<MediaSession> session,
                       std::shared_ptr<const org::Profile> profile, std::string to_number) {
  std::lock_guard lock(mutex_);
  expire_locked(Clock::now());
  auto& entry = calls_[call_sid];
  auto stage = std::move(entry.stage);  // a comeback keeps what the earlier stage left
  if (!entry.token.empty()) tokens_.erase(entry.token);  // the earlier stage's token opens nothing new
  entry = Entry{token, std::move(session), std::nullopt, std::nullopt, std::move(profile), std::move(to_number),
                std::move(stage), {}, false};
  tokens_[token] = call_sid;
}

std::optional<std::string> CallRegistry::live_token(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  if (it == calls_.end() || it->second.finished_at || !tokens_.count(it->second.token)) return std::nullopt;
  return it->second.token;
}

std::shared_ptr<const org::Profile> CallRegistry::profile(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  return it == calls_.end() ? nullptr : it->second.profile;
}

std::string CallRegistry::to_number(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  return it == calls_.end() ? std::string() : it->second.to_number;
}

std::shared_ptr<MediaSession> CallRegistry::claim(const std::string& token, const std::string& call_sid,
                                                  std::string* why) {
  std::lock_guard lock(mutex_);
  auto it = tokens_.find(token);
  if (it == tokens_.end()) {
    if (why) *why = "unknown or already used token";
    return nullptr;
  }
  // Not spent on a stream of another call: whoever holds the token without its call cannot use
  // it up before the real stream arrives.
  if (it->second != call_sid) {
    if (why) *why = "the token was issued for another call";
    return nullptr;
  }
  auto call = calls_.find(it->second);
  tokens_.erase(it);
  if (call == calls_.end() || call->second.finished_at) {
    if (why) *why = "the call had already ended";
    return nullptr;
  }
  return call->second.session;
}

void CallRegistry::finished(const std::string& call_sid, std::optional<call::Disposition> disposition,
                            bool action_expected) {
  std::vector<std::function<void()>> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(call_sid);
    if (it == calls_.end()) return;
    it->second.action_awaited = action_expected;
    // The token stays known until the entry expires, so a stream that arrives late is told why.
    it->second.session.reset();
    if (disposition) it->second.disposition = std::move(disposition);
    it->second.finished_at = Clock::now();
    waiters.swap(it->second.waiters);
  }
  for (auto& waiter : waiters) waiter();
}

void CallRegistry::action_asked(const std::string& call_sid) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  if (it != calls_.end()) it->second.action_awaited = false;
}

size_t CallRegistry::actions_awaited(Clock::time_point now, std::chrono::milliseconds grace) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [sid, e] : calls_)
    if (e.action_awaited && e.finished_at && now - *e.finished_at < grace) ++n;
  return n;
}

void CallRegistry::decided(const std::string& call_sid, call::Disposition disposition) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  if (it != calls_.end()) it->second.disposition = std::move(disposition);
}

void CallRegistry::when_finished(const std::string& call_sid, std::function<void()> handler) {
  {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(call_sid);
    if (it != calls_.end() && !it->second.finished_at) {
      it->second.waiters.push_back(std::move(handler));
      return;
    }
  }
  handler();
}

std::optional<call::Disposition> CallRegistry::disposition(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  if (it == calls_.end()) return std::nullopt;
  return it->second.disposition;
}

void CallRegistry::record_stage(const std::string& call_sid, StageRecord stage) {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  if (it != calls_.end()) it->second.stage = std::move(stage);
}

std::optional<StageRecord> CallRegistry::stage(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  if (it == calls_.end()) return std::nullopt;
  return it->second.stage;
}

bool CallRegistry::is_live(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  return it != calls_.end() && !it->second.finished_at;
}

std::shared_ptr<MediaSession> CallRegistry::live_session(const std::string& call_sid) const {
  std::lock_guard lock(mutex_);
  auto it = calls_.find(call_sid);
  return it == calls_.end() || it->second.finished_at ? nullptr : it->second.session;
}

std::vector<std::shared_ptr<MediaSession>> CallRegistry::live_sessions() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<MediaSession>> out;
  for (const auto& [sid, e] : calls_)
    if (e.session) out.push_back(e.session);
  return out;
}

size_t CallRegistry::live_count() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [sid, e] : calls_)
    if (!e.finished_at) ++n;
  return n;
}

void CallRegistry::expire_locked(Clock::time_point now) {
  // Dispositions are needed only until Twilio requests the <Connect action>; keep them 15 min.
  for (auto it = calls_.begin(); it != calls_.end();) {
    if (it->second.finished_at && now - *it->second.finished_at > std::chrono::minutes(15)) {
      tokens_.erase(it->second.token);
      it = calls_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace sonoria::daemon
