#pragma once
// What the engines have taught this daemon about themselves, kept for the calls that follow: the
// audio format an engine took after refusing a narrower one (engine::wider_audio), so that only
// the first call pays for the refusal. In memory only: a restart asks again. Any thread.

#include <map>
#include <mutex>

#include "core/engine/providers.hpp"

namespace sonoria::daemon {

class EngineFacts {
 public:
  // The audio to ask `provider` for ({0, 0}: its default).
  engine::PcmRates pcm(engine::Provider provider) const {
    std::lock_guard lock(mutex_);
    auto it = pcm_.find(provider);
    return it == pcm_.end() ? engine::PcmRates{} : it->second;
  }
  // Returns false when it was known already.
  bool learn_pcm(engine::Provider provider, engine::PcmRates rates) {
    std::lock_guard lock(mutex_);
    auto& known = pcm_[provider];
    if (known == rates) return false;
    known = rates;
    return true;
  }

 private:
  mutable std::mutex mutex_;
  std::map<engine::Provider, engine::PcmRates> pcm_;
};

}  // namespace sonoria::daemon
