#pragma once
// Store interfaces: callers depend on these, so a PostgreSQL backend can sit beside SQLite.
// A store object belongs to one thread (it owns a connection); open one per thread.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/db/records.hpp"
#include "core/org/profile.hpp"

namespace sonoria::db {

struct OrgSummary {
  int64_t id = 0;
  std::string slug;
  std::string name;
  std::string timezone;
  std::vector<std::string> phone_numbers;
  std::string updated_at;
};

// Who saved a profile and why (kept with its version).
struct ProfileChange {
  std::string saved_by = "cli";    // a dashboard username, or "cli"
  std::string note;                // "imported from profiles/yoga.toml", "rolled back to version 3"
};

// One saved version of an organization's profile: its TOML as `sonoria org export` writes it.
struct ProfileVersion {
  int64_t organization_id = 0;
  int version = 0;                 // 1, 2, … per organization
  std::string saved_at;            // db timestamp
  std::string saved_by;
  std::string note;
  std::string profile_toml;
};

// A document of an organization's knowledge base (`sonoria kb add`), or its profile's FAQs
// (source k_faq_source, kept in step with the profile by OrgStore::upsert).
struct KbDocument {
  int64_t id = 0;
  std::string source;                // the file's name; unique per organization
  std::string title;
  std::string format;                // markdown | text | html | faq
  std::string sha256;                // of the imported bytes
  int64_t bytes = 0;
  int64_t passages = 0;
  std::string imported_at;
};

inline constexpr const char* k_faq_source = "faq";

struct KbPassageText {
  std::string heading;
  std::string text;
};

// A passage found for a question, best first.
struct KbHit {
  std::string source;
  std::string title;                 // the document's
  std::string heading;
  std::string text;
  double score = 0;                  // BM25, larger is better
};

enum class KbImport { added, replaced, unchanged };

class KnowledgeStore {
 public:
  virtual ~KnowledgeStore() = default;
  // Stores `document` with its passages in one transaction, replacing a document of the same
  // source (its passages go with it); a document with the same source and digest is left as it is.
  virtual KbImport put(int64_t organization_id, const KbDocument& document,
                       const std::vector<KbPassageText>& passages) = 0;
  // False when the organization has no document by that source.
  virtual bool remove(int64_t organization_id, const std::string& source) = 0;
  virtual std::vector<KbDocument> documents(int64_t organization_id) = 0;
  // The organizations that have anything to search (documents or FAQs).
  virtual std::vector<int64_t> organizations_with_documents() = 0;
  // The best `limit` passages for the question (FTS5 BM25, headings weighted four times the text); none when the
  // question has no word to search for.
  virtual std::vector<KbHit> search(int64_t organization_id, const std::string& question, int limit) = 0;
};

// One webhook to deliver (or delivered, or given up).
struct WebhookDelivery {
  int64_t id = 0;
  int64_t organization_id = 0;
  std::string call_sid;
  std::string event;                 // call.ended
  std::string url;
  std::string idempotency_key;
  std::string status;                // pending | delivered | failed
  int64_t attempts = 0;
  std::optional<std::string> payload;  // set at the first attempt
  std::optional<int64_t> last_status;
  std::string last_error;
  std::string next_attempt_at;
  std::string created_at;
  std::optional<std::string> delivered_at;
};

class WebhookStore {
 public:
  virtual ~WebhookStore() = default;
  // Newest first; `status` "" = any; `organization_id` 0 = every organization.
  virtual std::vector<WebhookDelivery> list(int64_t organization_id, const std::string& status, int limit) = 0;
  // Pending deliveries whose time has come, oldest first.
  virtual std::vector<WebhookDelivery> due(TimePoint now, int limit) = 0;
  // Makes a delivery pending again, due now, with a fresh day (the count of attempts stays);
  // false when there is no such delivery. `id` 0: every failed one (the count is returned).
  virtual int retry(int64_t id, TimePoint now) = 0;
};

struct OrgRemoval {
  int64_t calls = 0;                      // the organization's calls, kept or purged
  std::vector<std::string> recordings;    // purged calls' recording files
};

class OrgStore {
 public:
  virtual ~OrgStore() = default;
  // Creates or updates by slug in one transaction, with the FAQs in the knowledge base; returns
  // the id. Throws DataError when a phone number already belongs to another organization.
  // Every change is kept as a new version (ProfileVersion); saving an unchanged profile adds none.
  virtual int64_t upsert(const org::Profile& profile, const ProfileChange& change) = 0;
  int64_t upsert(const org::Profile& profile) { return upsert(profile, ProfileChange{}); }
  // Newest first; profile_toml is left empty (versions() lists, version() reads one).
  virtual std::vector<ProfileVersion> versions(int64_t organization_id) = 0;
  virtual std::optional<ProfileVersion> version(int64_t organization_id, int version) = 0;
  virtual std::optional<org::Profile> find(int64_t id) = 0;
  virtual std::optional<org::Profile> find_by_slug(const std::string& slug) = 0;
  // "12" is an id, anything else a slug.
  virtual std::optional<org::Profile> find_by_id_or_slug(const std::string& key) = 0;
  virtual std::vector<OrgSummary> list() = 0;
  virtual std::vector<org::Profile> all() = 0;
  // The secret sonoria signs requests to the organization's systems with (hex); `rotate` makes a
  // new one. Never in a profile, an export or a log.
  virtual std::string signing_secret(int64_t organization_id, bool rotate = false) = 0;
  // Every organization's, by id (the daemon keeps them with the profiles).
  virtual std::map<int64_t, std::string> signing_secrets() = 0;
  // Deletes the organization in one transaction, with its profile versions, numbers, knowledge
  // base, appointments, users, secrets and webhook deliveries. Its calls and texts stay, without
  // an organization, unless `purge_calls`: then they go too (transcripts, events, texts). Returns
  // how many calls it had and, when purged, their recording files (relative to the recordings
  // directory) for the caller to delete.
  virtual OrgRemoval remove(int64_t organization_id, bool purge_calls) = 0;
  // Moves `number` (E.164) from the organization answering it to `to_organization_id` in one
  // transaction; both profiles are saved as new versions. Throws DataError when no organization
  // answers the number, or the target already does. Returns the slug it was moved from.
  virtual std::string move_number(const std::string& number, int64_t to_organization_id, const ProfileChange& change) = 0;
};

struct CallRow {
  int64_t id = 0;
  std::string call_sid;
  std::optional<int64_t> organization_id;
  std::string direction;
  std::string from_number;
  std::string to_number;
  std::string status;
  std::optional<std::string> twilio_status;
  std::string started_at;
  std::optional<std::string> answered_at;
  std::optional<std::string> ended_at;
  std::optional<int64_t> duration_ms;
  std::optional<int64_t> twilio_duration_s;
  std::optional<std::string> end_reason;
  std::optional<std::string> stream_sid;
  int64_t turns = 0;
  int64_t interruptions = 0;
  int64_t tool_calls = 0;
  Usage usage;
  std::optional<int64_t> greeting_latency_ms;
  std::string turn_latencies_ms = "[]";
  std::vector<EngineTime> engines;       // in the order they served; empty for calls never answered
  std::optional<int64_t> finished_seq;   // the order in which calls finished (exports); null while open
  std::vector<std::string> stages;       // the call flow's stages reached, in order; empty without stages
  std::optional<std::string> summary_json;  // the post-call summary (reports/call_summary.hpp); null until made
  std::optional<std::string> test_by;    // a test call from the dashboard: the user who placed it
  std::optional<std::string> recording;  // its recording, relative to the recordings directory; null = none
  std::optional<int64_t> recording_ms;
  std::map<std::string, int64_t> drops;  // audio frames not relayed, by reason; empty when none
};

class CallStore {
 public:
  virtual ~CallStore() = default;
  // Applies the records in one transaction, in order. A record about an unknown call is skipped.
  virtual void write_batch(const std::vector<Record>& records) = 0;
  // The daemon whose records these are: calls opened from now on are its (calls.owner;
  // core/db/cluster_store.hpp). Empty: no owner.
  virtual void set_owner(std::string owner) = 0;
  // Crash recovery at start: calls left ringing or in progress by this daemon (`owner`), by no
  // daemon, or by a daemon whose lease has run out, are closed as "interrupted" (daemon_restart);
  // the calls of other live daemons are theirs. Returns how many.
  virtual int close_abandoned_calls(TimePoint now, const std::string& owner = "") = 0;
  virtual std::optional<CallRow> find_call(const std::string& call_sid) = 0;
  virtual std::vector<TranscriptEntry> transcript(const std::string& call_sid) = 0;
  virtual std::vector<CallEvent> events(const std::string& call_sid) = 0;
  virtual std::vector<MessageRecord> messages(const std::string& call_sid) = 0;
  // Texts whose outcome may not be stored (recorded "sending" and never answered, or taken by
  // Twilio and not yet final), created since `since`, oldest first.
  virtual std::vector<MessageRecord> unsettled_messages(TimePoint since, int limit) = 0;
  virtual bool message_exists(const std::string& message_sid) = 0;
};

}  // namespace sonoria::db
