#pragma once
// The store interfaces in SQL, for SQLite and PostgreSQL alike (core/db/connection.hpp): one text
// of SQL both understand, and `dialect()` where they differ. Each uses the Connection it is given,
// which must outlive it and stay on one thread.

#include "core/db/appointment_store.hpp"
#include "core/db/cluster_store.hpp"
#include "core/db/connection.hpp"
#include "core/db/stores.hpp"
#include "core/db/user_store.hpp"

namespace sonoria::db {

class SqlOrgStore : public OrgStore {
 public:
  explicit SqlOrgStore(Connection& connection) : c_(connection) {}
  using OrgStore::upsert;
  int64_t upsert(const org::Profile& profile, const ProfileChange& change) override;
  std::vector<ProfileVersion> versions(int64_t organization_id) override;
  std::optional<ProfileVersion> version(int64_t organization_id, int version) override;
  std::optional<org::Profile> find(int64_t id) override;
  std::optional<org::Profile> find_by_slug(const std::string& slug) override;
  std::optional<org::Profile> find_by_id_or_slug(const std::string& key) override;
  std::vector<OrgSummary> list() override;
  std::vector<org::Profile> all() override;
  std::string signing_secret(int64_t organization_id, bool rotate = false) override;
  std::map<int64_t, std::string> signing_secrets() override;
  OrgRemoval remove(int64_t organization_id, bool purge_calls) override;
  std::string move_number(const std::string& number, int64_t to_organization_id, const ProfileChange& change) override;

 private:
  int64_t upsert_in_transaction(const org::Profile& profile, const ProfileChange& change);
  Connection& c_;
};

class SqlKnowledgeStore : public KnowledgeStore {
 public:
  explicit SqlKnowledgeStore(Connection& connection) : c_(connection) {}
  KbImport put(int64_t organization_id, const KbDocument& document, const std::vector<KbPassageText>& passages) override;
  bool remove(int64_t organization_id, const std::string& source) override;
  std::vector<KbDocument> documents(int64_t organization_id) override;
  std::vector<int64_t> organizations_with_documents() override;
  std::vector<KbHit> search(int64_t organization_id, const std::string& question, int limit) override;

  // put() inside a transaction the caller holds (the profile's FAQs, with the profile).
  static KbImport put_in(Connection& c, int64_t organization_id, const KbDocument& document,
                         const std::vector<KbPassageText>& passages);

 private:
  std::vector<KbHit> search_postgresql(int64_t organization_id, const std::string& question, int limit);
  Connection& c_;
};

class SqlWebhookStore : public WebhookStore {
 public:
  explicit SqlWebhookStore(Connection& connection) : c_(connection) {}
  std::vector<WebhookDelivery> list(int64_t organization_id, const std::string& status, int limit) override;
  std::vector<WebhookDelivery> due(TimePoint now, int limit) override;
  int retry(int64_t id, TimePoint now) override;

  // Queues the call.ended webhook of `call_sid` when its organization has a call_end_url, in the
  // transaction the caller holds (the one that ends the call).
  static void queue_call_ended(Connection& c, const std::string& call_sid, TimePoint now);

 private:
  Connection& c_;
};

class SqlAppointmentStore : public AppointmentStore {
 public:
  explicit SqlAppointmentStore(Connection& connection) : c_(connection) {}
  void exclusively(const std::function<void()>& work) override;
  std::vector<Appointment> busy_between(int64_t organization_id, int64_t from, int64_t to) override;
  void insert(Appointment& appointment) override;
  void update(Appointment& appointment) override;
  bool erase_if_unchanged(int64_t id, const std::string& updated_at) override;
  bool update_if_unchanged(Appointment& appointment, const std::string& updated_at) override;
  void set_event(int64_t id, const std::string& calendar_id, const std::string& event_id) override;
  std::optional<Appointment> find(int64_t organization_id, const std::string& reference) override;
  std::vector<Appointment> list(const AppointmentFilter& filter) override;
  std::vector<Appointment> reminders_due(int64_t now, int limit) override;
  std::optional<Appointment> claim_reminder(int64_t id, int64_t now) override;
  std::vector<Appointment> reminders_in_flight(const std::string& claimed_before, int limit) override;
  bool move_reminder(int64_t id, const std::string& from, const std::string& to) override;

 private:
  bool write(Appointment& appointment, const std::string* if_updated_at);
  Connection& c_;
};

class SqlUserStore : public UserStore {
 public:
  explicit SqlUserStore(Connection& connection) : c_(connection) {}
  void add(UserRow& user) override;
  std::optional<UserRow> find(int64_t id) override;
  std::optional<UserRow> find_by_username(const std::string& username) override;
  std::vector<UserRow> list(int64_t organization_id) override;
  int64_t count() override;
  bool remove(int64_t id) override;
  void set_password(int64_t id, const std::string& password_hash) override;
  void record_login(int64_t id) override;
  void create_session(const DashboardSession& session) override;
  std::optional<std::pair<DashboardSession, UserRow>> find_session(const std::string& token_sha256, int64_t now) override;
  void touch_session(const std::string& token_sha256, int64_t now, int64_t expires_at) override;
  void end_session(const std::string& token_sha256) override;
  int end_expired_sessions(int64_t now) override;
  void audit(AuditEntry& entry) override;
  std::vector<AuditEntry> audit_log(int64_t organization_id, int limit) override;

 private:
  Connection& c_;
};

class SqlCallStore : public CallStore {
 public:
  explicit SqlCallStore(Connection& connection) : c_(connection) {}
  void write_batch(const std::vector<Record>& records) override;
  void set_owner(std::string owner) override { owner_ = std::move(owner); }
  // write_batch() inside a transaction the caller holds.
  void write_batch_in_transaction(const std::vector<Record>& records);
  int close_abandoned_calls(TimePoint now, const std::string& owner = "") override;
  // Closes the open calls `condition` selects (SQL over calls, its values bound from ?1 on) as
  // interrupted with `reason`, counters from what was stored, webhooks queued, in the caller's
  // transaction. Returns how many.
  static int close_open_calls(Connection& c, const std::string& condition, const std::vector<std::string>& values,
                              const std::string& reason, TimePoint now);
  std::optional<CallRow> find_call(const std::string& call_sid) override;
  std::vector<TranscriptEntry> transcript(const std::string& call_sid) override;
  std::vector<CallEvent> events(const std::string& call_sid) override;
  std::vector<MessageRecord> messages(const std::string& call_sid) override;
  std::vector<MessageRecord> unsettled_messages(TimePoint since, int limit) override;
  bool message_exists(const std::string& message_sid) override;

 private:
  void apply(const CallOpened& r);
  void apply(const CallAnswered& r);
  void apply(const CallStatusReport& r);
  void apply(const CallFinished& r);
  void apply(const TranscriptEntry& r);
  void apply(const CallEvent& r);
  void apply(const MessageRecord& r);
  void apply(const WebhookAttempt& r);
  void apply(const CallSummarized& r);
  void apply(const CallRecorded& r);
  Connection& c_;
  std::string owner_;
};

class SqlClusterStore : public ClusterStore {
 public:
  explicit SqlClusterStore(Connection& connection) : c_(connection) {}
  void renew(const std::string& id, const std::string& public_url, bool draining, TimePoint now,
             std::chrono::milliseconds lease) override;
  void leave(const std::string& id) override;
  std::vector<DaemonLease> live(TimePoint now) override;
  int finalise_lost(TimePoint now) override;
  Reservation reserve_call(const CallOpened& opened, const std::string& owner, TimePoint now,
                           const ClusterLimits& limits) override;

 private:
  Connection& c_;
};

}  // namespace sonoria::db
