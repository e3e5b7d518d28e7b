#include <algorithm>
#include <nlohmann/json.hpp>
#include <openssl/rand.h>

#include <stdexcept>

#include "core/db/sql_stores.hpp"
#include "core/db/timestamp.hpp"
#include "core/error.hpp"
#include "core/kb/content_digest.hpp"
#include "core/kb/passages.hpp"
#include "core/text_bytes.hpp"
#include "core/org/profile_json.hpp"
#include "core/org/profile_toml.hpp"

namespace sonoria::db {
namespace {

org::Profile profile_from_row(Statement& s) {
  org::Profile p = org::profile_from_json_text(s.text(1), "organizations row " + std::to_string(s.int64(0)));
  p.id = s.int64(0);
  return p;
}

// 32 random bytes as hex, from OpenSSL's CSPRNG.
std::string new_secret() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("cannot make a secret: OpenSSL RAND_bytes failed");
  return lower_hex(bytes, sizeof bytes);
}

}  // namespace

std::string SqlOrgStore::signing_secret(int64_t organization_id, bool rotate) {
  Transaction tx(c_);
  if (rotate) {
    Statement gone(c_, "DELETE FROM organization_secrets WHERE organization_id = ?");
    gone.bind(1, organization_id);
    gone.run();
  }
  Statement add(c_,
                "INSERT INTO organization_secrets (organization_id, signing_secret, created_at) "
                "SELECT id, ?, ? FROM organizations WHERE id = ? ON CONFLICT (organization_id) DO NOTHING");
  add.bind(1, new_secret()).bind(2, format_timestamp(now_ms())).bind(3, organization_id);
  add.run();
  Statement s(c_, "SELECT signing_secret FROM organization_secrets WHERE organization_id = ?");
  s.bind(1, organization_id);
  std::string secret = s.step() ? s.text(0) : std::string();
  tx.commit();
  return secret;
}

std::map<int64_t, std::string> SqlOrgStore::signing_secrets() {
  std::map<int64_t, std::string> out;
  Statement s(c_, "SELECT organization_id, signing_secret FROM organization_secrets");
  while (s.step()) out[s.int64(0)] = s.text(1);
  return out;
}

namespace {

struct LatestVersion {
  int version = 0;
  std::string profile_toml;
};

LatestVersion latest_version(Connection& c, int64_t organization_id) {
  Statement s(c,
              "SELECT version, profile_toml FROM profile_versions WHERE organization_id = ? "
              "ORDER BY version DESC LIMIT 1");
  s.bind(1, organization_id);
  if (!s.step()) return {};
  return {static_cast<int>(s.int64(0)), s.text(1)};
}

void add_version(Connection& c, int64_t organization_id, int version, const std::string& at, const std::string& by,
                 const std::string& note, const std::string& text) {
  Statement s(c,
              "INSERT INTO profile_versions (organization_id, version, saved_at, saved_by, note, profile_toml) "
              "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, organization_id).bind(2, version).bind(3, at).bind(4, by).bind(5, note).bind(6, text);
  s.run();
}

}  // namespace

int64_t SqlOrgStore::upsert(const org::Profile& profile, const ProfileChange& change) {
  Transaction tx(c_);
  const int64_t id = upsert_in_transaction(profile, change);
  tx.commit();
  return id;
}

int64_t SqlOrgStore::upsert_in_transaction(const org::Profile& profile, const ProfileChange& change) {
  std::string now = format_timestamp(now_ms());
  org::Profile stored = profile;
  stored.id = 0;  // the id lives in its column, not in the JSON
  std::string json = org::profile_to_json_text(stored);

  int64_t id = 0;
  std::optional<org::Profile> before;
  std::string before_updated_at;
  {
    Statement find(c_, "SELECT id, profile_json, updated_at FROM organizations WHERE slug = ?");
    find.bind(1, profile.organization.slug);
    if (find.step()) {
      id = find.int64(0);
      before = profile_from_row(find);
      before_updated_at = find.text(2);
    }
  }
  if (id) {
    Statement update(c_,
                     "UPDATE organizations SET name = ?, timezone = ?, profile_json = ?, updated_at = ? WHERE id = ?");
    update.bind(1, profile.organization.name).bind(2, profile.organization.timezone).bind(3, json).bind(4, now).bind(5, id);
    update.run();
  } else {
    Statement insert(c_,
                     "INSERT INTO organizations (slug, name, timezone, profile_json, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    insert.bind(1, profile.organization.slug).bind(2, profile.organization.name).bind(3, profile.organization.timezone);
    insert.bind(4, json).bind(5, now).bind(6, now);
    id = insert_returning_id(insert);
  }

  Statement clear(c_, "DELETE FROM organization_numbers WHERE organization_id = ?");
  clear.bind(1, id);
  clear.run();
  for (const auto& number : profile.organization.phone_numbers) {
    Statement owner(c_,
                    "SELECT o.slug FROM organization_numbers n JOIN organizations o ON o.id = n.organization_id "
                    "WHERE n.number = ?");
    owner.bind(1, number);
    if (owner.step())
      throw DataError("organization.phone_numbers: " + number + " already belongs to organization \"" + owner.text(0) +
                      "\" (a number can route to only one organization); nothing was changed");
    Statement add(c_, "INSERT INTO organization_numbers (number, organization_id) VALUES (?, ?)");
    add.bind(1, number).bind(2, id);
    add.run();
  }
  // The FAQs are searched with the knowledge base: the same question finds either.
  std::vector<KbPassageText> faqs;
  std::string digest_input;
  for (const auto& p : kb::faq_passages(profile.faqs)) {
    digest_input += p.heading + '\n' + p.text + '\n';
    faqs.push_back({p.heading, p.text});
  }
  KbDocument faq_document;
  faq_document.source = k_faq_source;
  faq_document.title = "Frequently asked questions";
  faq_document.format = "faq";
  faq_document.sha256 = kb::sha256_hex(digest_input);
  faq_document.bytes = static_cast<int64_t>(digest_input.size());
  SqlKnowledgeStore::put_in(c_, id, faq_document, faqs);
  {
    Statement secret(c_,
                     "INSERT INTO organization_secrets (organization_id, signing_secret, created_at) VALUES (?, ?, ?) "
                     "ON CONFLICT (organization_id) DO NOTHING");
    secret.bind(1, id).bind(2, new_secret()).bind(3, now);
    secret.run();
  }
  // The version history: an organization stored before versions were kept gets its old profile
  // as version 1 first, so the first change made since can be compared and rolled back.
  LatestVersion latest = latest_version(c_, id);
  if (latest.version == 0 && before) {
    before->id = 0;
    latest = {1, org::export_profile_toml(*before)};
    add_version(c_, id, 1, before_updated_at, "", "as stored before versions were kept", latest.profile_toml);
  }
  const std::string text = org::export_profile_toml(stored);
  if (text != latest.profile_toml) add_version(c_, id, latest.version + 1, now, change.saved_by, change.note, text);
  return id;
}

OrgRemoval SqlOrgStore::remove(int64_t organization_id, bool purge_calls) {
  Transaction tx(c_);
  OrgRemoval out;
  {
    Statement count(c_, "SELECT COUNT(*) FROM calls WHERE organization_id = ?");
    count.bind(1, organization_id);
    if (count.step()) out.calls = count.int64(0);
  }
  if (purge_calls) {
    Statement files(c_, "SELECT recording FROM calls WHERE organization_id = ? AND recording IS NOT NULL");
    files.bind(1, organization_id);
    while (files.step()) out.recordings.push_back(files.text(0));
    // Texts first: they would outlive their calls (ON DELETE SET NULL); transcripts and events go
    // with the calls (ON DELETE CASCADE).
    for (const char* sql : {"DELETE FROM messages WHERE organization_id = ?1 OR call_id IN "
                            "(SELECT id FROM calls WHERE organization_id = ?1)",
                            "DELETE FROM calls WHERE organization_id = ?1"}) {
      Statement purge(c_, sql);
      purge.bind(1, organization_id);
      purge.run();
    }
  }
  // The rest follows the organization (ON DELETE CASCADE); calls, texts and the audit log keep
  // their rows with no organization (ON DELETE SET NULL).
  Statement gone(c_, "DELETE FROM organizations WHERE id = ?");
  gone.bind(1, organization_id);
  gone.run();
  if (c_.changes() == 0) throw DataError("no organization " + std::to_string(organization_id));
  tx.commit();
  return out;
}

std::string SqlOrgStore::move_number(const std::string& number, int64_t to_organization_id, const ProfileChange& change) {
  Transaction tx(c_);
  int64_t from_id = 0;
  {
    Statement owner(c_, "SELECT organization_id FROM organization_numbers WHERE number = ?");
    owner.bind(1, number);
    if (!owner.step()) throw DataError(number + " is not a number of any organization (see `sonoria org list`)");
    from_id = owner.int64(0);
  }
  auto from = find(from_id);
  auto to = find(to_organization_id);
  if (!from || !to) throw DataError("no organization " + std::to_string(from ? to_organization_id : from_id));
  if (from_id == to_organization_id)
    throw DataError(number + " already belongs to organization \"" + to->organization.slug + "\"; nothing was changed");
  auto& numbers = from->organization.phone_numbers;
  if (numbers.size() == 1)
    throw DataError(number + " is the only number of organization \"" + from->organization.slug +
                    "\", which must answer at least one: give it another first, or delete it (`sonoria org delete`)");
  numbers.erase(std::remove(numbers.begin(), numbers.end(), number), numbers.end());
  to->organization.phone_numbers.push_back(number);
  // The number leaves first, so that the target may take it.
  upsert_in_transaction(*from, change);
  upsert_in_transaction(*to, change);
  tx.commit();
  return from->organization.slug;
}

std::vector<ProfileVersion> SqlOrgStore::versions(int64_t organization_id) {
  std::vector<ProfileVersion> out;
  Statement s(c_,
              "SELECT version, saved_at, saved_by, note FROM profile_versions WHERE organization_id = ? "
              "ORDER BY version DESC");
  s.bind(1, organization_id);
  while (s.step())
    out.push_back({organization_id, static_cast<int>(s.int64(0)), s.text(1), s.text(2), s.text(3), ""});
  return out;
}

std::optional<ProfileVersion> SqlOrgStore::version(int64_t organization_id, int version) {
  Statement s(c_,
              "SELECT saved_at, saved_by, note, profile_toml FROM profile_versions "
              "WHERE organization_id = ? AND version = ?");
  s.bind(1, organization_id).bind(2, version);
  if (!s.step()) return std::nullopt;
  return ProfileVersion{organization_id, version, s.text(0), s.text(1), s.text(2), s.text(3)};
}

std::optional<org::Profile> SqlOrgStore::find(int64_t id) {
  Statement s(c_, "SELECT id, profile_json FROM organizations WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return profile_from_row(s);
}

std::optional<org::Profile> SqlOrgStore::find_by_slug(const std::string& slug) {
  Statement s(c_, "SELECT id, profile_json FROM organizations WHERE slug = ?");
  s.bind(1, slug);
  if (!s.step()) return std::nullopt;
  return profile_from_row(s);
}

std::optional<org::Profile> SqlOrgStore::find_by_id_or_slug(const std::string& key) {
  bool numeric = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos && key.size() < 18;
  if (numeric) return find(std::stoll(key));
  return find_by_slug(key);
}

std::vector<OrgSummary> SqlOrgStore::list() {
  std::vector<OrgSummary> out;
  Statement s(c_, "SELECT id, slug, name, timezone, updated_at FROM organizations ORDER BY id");
  while (s.step()) out.push_back(OrgSummary{s.int64(0), s.text(1), s.text(2), s.text(3), {}, s.text(4)});
  for (auto& o : out) {
    Statement n(c_, "SELECT number FROM organization_numbers WHERE organization_id = ? ORDER BY number");
    n.bind(1, o.id);
    while (n.step()) o.phone_numbers.push_back(n.text(0));
  }
  return out;
}

std::vector<org::Profile> SqlOrgStore::all() {
  std::vector<org::Profile> out;
  Statement s(c_, "SELECT id, profile_json FROM organizations ORDER BY id");
  while (s.step()) out.push_back(profile_from_row(s));
  return out;
}

}  // namespace sonoria::db
