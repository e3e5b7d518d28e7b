#pragma once
// The organizations the daemon answers for, in memory, so the voice webhook routes a call by its
// To number without touching the disk on the event loop. Reloaded from the database off the
// event loop (at start and periodically); readers get an immutable snapshot. Thread-safe.

#include <map>
#include <set>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/org/profile.hpp"

namespace sonoria::daemon {

class OrgDirectory {
 public:
  using ProfilePtr = std::shared_ptr<const org::Profile>;

  // `with_knowledge`: the organizations whose knowledge base has something to search.
  // `secrets`: each organization's signing secret (by id).
  void replace(std::vector<org::Profile> profiles, std::vector<int64_t> with_knowledge = {},
               std::map<int64_t, std::string> secrets = {});
  ProfilePtr by_number(const std::string& e164) const;
  ProfilePtr by_id_or_slug(const std::string& key) const;
  size_t size() const;
  // Every organization, once each.
  std::vector<ProfilePtr> all() const;
  // Every engine some organization's assistant may use ("openai", "deepgram", …).
  std::set<std::string> engines_in_use() const;
  // Whether the organization's calls get the query_knowledge tool (as of the last reload).
  bool has_knowledge(int64_t organization_id) const;
  // The secret requests to the organization's systems are signed with ("" = none yet).
  std::string signing_secret(int64_t organization_id) const;

 private:
  struct Snapshot {
    std::map<std::string, ProfilePtr> by_number;
    std::map<std::string, ProfilePtr> by_key;  // id and slug
    std::set<int64_t> with_knowledge;
    std::map<int64_t, std::string> secrets;
  };
  std::shared_ptr<const Snapshot> snapshot() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> snapshot_ = std::make_shared<Snapshot>();
};

}  // namespace sonoria::daemon
