#pragma once
// The SQLite implementations of the store interfaces. Each uses the Connection it is given,
// which must outlive it and stay on one thread.

#include "core/db/sqlite.hpp"
#include "core/db/stores.hpp"

namespace sonoria::db {

class SqliteOrgStore : public OrgStore {
 public:
  explicit SqliteOrgStore(Connection& connection) : c_(connection) {}
  int64_t upsert(const org::Profile& profile) override;
  std::optional<org::Profile> find(int64_t id) override;
  std::optional<org::Profile> find_by_slug(const std::string& slug) override;
  std::optional<org::Profile> find_by_id_or_slug(const std::string& key) override;
  std::vector<OrgSummary> list() override;
  std::vector<org::Profile> all() override;

 private:
  Connection& c_;
};

class SqliteCallStore : public CallStore {
 public:
  explicit SqliteCallStore(Connection& connection) : c_(connection) {}
  void write_batch(const std::vector<Record>& records) override;
  int close_abandoned_calls(TimePoint now) override;
  std::optional<CallRow> find_call(const std::string& call_sid) override;
  std::vector<TranscriptEntry> transcript(const std::string& call_sid) override;
  std::vector<CallEvent> events(const std::string& call_sid) override;
  std::vector<MessageRecord> messages(const std::string& call_sid) override;

 private:
  void apply(const CallOpened& r);
  void apply(const CallAnswered& r);
  void apply(const CallStatusReport& r);
  void apply(const CallFinished& r);
  void apply(const TranscriptEntry& r);
  void apply(const CallEvent& r);
  void apply(const MessageRecord& r);
  Connection& c_;
};

}  // namespace sonoria::db
