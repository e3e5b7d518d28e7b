#include "daemon/org_directory.hpp"

namespace sonoria::daemon {

void OrgDirectory::replace(std::vector<org::Profile> profiles, std::vector<int64_t> with_knowledge,
                           std::map<int64_t, std::string> secrets) {
  auto next = std::make_shared<Snapshot>();
  next->secrets = std::move(secrets);
  next->with_knowledge.insert(with_knowledge.begin(), with_knowledge.end());
  for (auto& p : profiles) {
    auto ptr = std::make_shared<const org::Profile>(std::move(p));
    for (const auto& n : ptr->organization.phone_numbers) next->by_number[n] = ptr;
    next->by_key[std::to_string(ptr->id)] = ptr;
    next->by_key[ptr->organization.slug] = ptr;
  }
  std::lock_guard lock(mutex_);
  snapshot_ = std::move(next);
}

std::shared_ptr<const OrgDirectory::Snapshot> OrgDirectory::snapshot() const {
  std::lock_guard lock(mutex_);
  return snapshot_;
}

OrgDirectory::ProfilePtr OrgDirectory::by_number(const std::string& e164) const {
  auto s = snapshot();
  auto it = s->by_number.find(e164);
  return it == s->by_number.end() ? nullptr : it->second;
}

OrgDirectory::ProfilePtr OrgDirectory::by_id_or_slug(const std::string& key) const {
  auto s = snapshot();
  auto it = s->by_key.find(key);
  return it == s->by_key.end() ? nullptr : it->second;
}

bool OrgDirectory::has_knowledge(int64_t organization_id) const { return snapshot()->with_knowledge.count(organization_id) > 0; }

std::string OrgDirectory::signing_secret(int64_t organization_id) const {
  auto s = snapshot();
  auto it = s->secrets.find(organization_id);
  return it == s->secrets.end() ? std::string() : it->second;
}

size_t OrgDirectory::size() const {
  auto s = snapshot();
  return s->by_number.size();
}

std::vector<OrgDirectory::ProfilePtr> OrgDirectory::all() const {
  std::vector<ProfilePtr> out;
  std::set<const org::Profile*> seen;  // each is filed under its id and its slug
  for (const auto& [key, profile] : snapshot()->by_key)
    if (seen.insert(profile.get()).second) out.push_back(profile);
  return out;
}

std::set<std::string> OrgDirectory::engines_in_use() const {
  std::set<std::string> out;
  for (const auto& [key, profile] : snapshot()->by_key)
    for (const auto& engine : profile->assistant.engine_order()) out.insert(engine);
  return out;
}

}  // namespace sonoria::daemon
