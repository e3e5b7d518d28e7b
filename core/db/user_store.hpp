#pragma once
// The dashboard's users, their sessions and the audit log (core/auth decides who may do what;
// this only keeps it). Session times are Unix seconds; other times are db timestamps.
// A store belongs to one thread, like the others.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sonoria::db {

struct UserRow {
  int64_t id = 0;
  std::string username;                      // lower-case (auth::normalize_username)
  std::string role;                          // admin | owner | staff
  std::optional<int64_t> organization_id;    // none for admins
  std::string organization_slug;             // read back with the row; "" for admins
  std::string password_hash;                 // auth::hash_password's form; never shown
  std::string created_at;
  std::string password_set_at;
  std::optional<std::string> last_login_at;
};

struct DashboardSession {
  std::string token_sha256;                  // auth::token_digest of the cookie's token
  int64_t user_id = 0;
  std::string csrf_token;
  int64_t created_at = 0;
  int64_t last_seen_at = 0;
  int64_t expires_at = 0;
  std::string remote_address;
  std::string user_agent;
};

struct AuditEntry {
  int64_t id = 0;
  std::string at;                            // set by the store
  std::optional<int64_t> user_id;            // none for the command line
  std::string actor;                         // the username, or "cli"
  std::optional<int64_t> organization_id;
  std::string action;                        // "user.add", "profile.save", "appointment.cancel", …
  std::string target;                        // what it acted on: a username, a slug, a reference
  std::string detail;                        // a short human sentence; never a secret
  std::string remote_address;
};

// A user of that name exists already.
class UserExists : public UserError {
 public:
  using UserError::UserError;
};

class UserStore {
 public:
  virtual ~UserStore() = default;
  // Sets id and the times. Throws UserExists for a taken username.
  virtual void add(UserRow& user) = 0;
  virtual std::optional<UserRow> find(int64_t id) = 0;
  virtual std::optional<UserRow> find_by_username(const std::string& username) = 0;
  // Ordered by organization, then username; `organization_id` 0 = everyone.
  virtual std::vector<UserRow> list(int64_t organization_id = 0) = 0;
  virtual int64_t count() = 0;
  // False when there was no such user. Their sessions go with them.
  virtual bool remove(int64_t id) = 0;
  // Replaces the hash and ends every session of the user.
  virtual void set_password(int64_t id, const std::string& password_hash) = 0;
  virtual void record_login(int64_t id) = 0;

  virtual void create_session(const DashboardSession& session) = 0;
  // The session and its user, when the session exists and has not expired at `now`.
  virtual std::optional<std::pair<DashboardSession, UserRow>> find_session(const std::string& token_sha256, int64_t now) = 0;
  // Moves the idle deadline: last seen `now`, expiring at `expires_at`.
  virtual void touch_session(const std::string& token_sha256, int64_t now, int64_t expires_at) = 0;
  virtual void end_session(const std::string& token_sha256) = 0;
  // Removes sessions expired before `now`; returns how many.
  virtual int end_expired_sessions(int64_t now) = 0;

  // Sets id and at.
  virtual void audit(AuditEntry& entry) = 0;
  // Newest first; `organization_id` 0 = everything (admins).
  virtual std::vector<AuditEntry> audit_log(int64_t organization_id, int limit) = 0;
};

}  // namespace sonoria::db
