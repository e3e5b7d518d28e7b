#include <string_view>

#include "core/db/sql_stores.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {
namespace {

const char* const k_user_columns =
    "u.id, u.username, u.role, u.organization_id, COALESCE(o.slug, ''), u.password_hash, u.created_at, "
    "u.password_set_at, u.last_login_at";
const char* const k_user_from = " FROM users u LEFT JOIN organizations o ON o.id = u.organization_id";

UserRow read_user(const Statement& s, int first = 0) {
  UserRow u;
  u.id = s.int64(first);
  u.username = s.text(first + 1);
  u.role = s.text(first + 2);
  u.organization_id = s.optional_int64(first + 3);
  u.organization_slug = s.text(first + 4);
  u.password_hash = s.text(first + 5);
  u.created_at = s.text(first + 6);
  u.password_set_at = s.text(first + 7);
  u.last_login_at = s.optional_text(first + 8);
  return u;
}

std::optional<UserRow> one_user(Connection& c, const std::string& where, const auto& bind) {
  Statement s(c, std::string("SELECT ") + k_user_columns + k_user_from + " WHERE " + where);
  bind(s);
  if (!s.step()) return std::nullopt;
  return read_user(s);
}

// SQLite: "UNIQUE constraint failed: users.username"; PostgreSQL: the constraint's own name
// (core/db/postgresql_schema.cpp), "duplicate key value violates unique constraint "users.username"".
bool is_unique_violation(const std::exception& e) {
  const std::string_view what = e.what();
  return what.find("users.username") != std::string_view::npos &&
         (what.find("UNIQUE constraint failed") != std::string_view::npos ||
          what.find("duplicate key value violates unique constraint") != std::string_view::npos);
}

}  // namespace

void SqlUserStore::add(UserRow& user) {
  const std::string now = format_timestamp(now_ms());
  try {
    Statement s(c_,
                "INSERT INTO users (username, role, organization_id, password_hash, created_at, password_set_at) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id");
    s.bind(1, user.username).bind(2, user.role).bind(3, user.organization_id).bind(4, user.password_hash).bind(5, now).bind(6, now);
    user.id = insert_returning_id(s);
  } catch (const std::exception& e) {
    if (is_unique_violation(e)) throw UserExists("a user named \"" + user.username + "\" exists already");
    throw;
  }
  user.created_at = now;
  user.password_set_at = now;
}

std::optional<UserRow> SqlUserStore::find(int64_t id) {
  return one_user(c_, "u.id = ?", [&](Statement& s) { s.bind(1, id); });
}

std::optional<UserRow> SqlUserStore::find_by_username(const std::string& username) {
  return one_user(c_, "u.username = ?", [&](Statement& s) { s.bind(1, username); });
}

std::vector<UserRow> SqlUserStore::list(int64_t organization_id) {
  Statement s(c_, std::string("SELECT ") + k_user_columns + k_user_from +
                      " WHERE ? = 0 OR u.organization_id = ? ORDER BY COALESCE(o.slug, ''), u.username");
  s.bind(1, organization_id).bind(2, organization_id);
  std::vector<UserRow> out;
  while (s.step()) out.push_back(read_user(s));
  return out;
}

int64_t SqlUserStore::count() {
  Statement s(c_, "SELECT COUNT(*) FROM users");
  s.step();
  return s.int64(0);
}

bool SqlUserStore::remove(int64_t id) {
  Transaction tx(c_);
  Statement(c_, "DELETE FROM dashboard_sessions WHERE user_id = ?").bind(1, id).run();
  Statement s(c_, "DELETE FROM users WHERE id = ?");
  s.bind(1, id).run();
  const bool removed = c_.changes() > 0;
  tx.commit();
  return removed;
}

void SqlUserStore::set_password(int64_t id, const std::string& password_hash) {
  Transaction tx(c_);
  Statement(c_, "UPDATE users SET password_hash = ?, password_set_at = ? WHERE id = ?")
      .bind(1, password_hash)
      .bind(2, format_timestamp(now_ms()))
      .bind(3, id)
      .run();
  Statement(c_, "DELETE FROM dashboard_sessions WHERE user_id = ?").bind(1, id).run();
  tx.commit();
}

void SqlUserStore::record_login(int64_t id) {
  Statement(c_, "UPDATE users SET last_login_at = ? WHERE id = ?").bind(1, format_timestamp(now_ms())).bind(2, id).run();
}

void SqlUserStore::create_session(const DashboardSession& session) {
  Statement s(c_,
              "INSERT INTO dashboard_sessions (token_sha256, user_id, csrf_token, created_at, last_seen_at, expires_at, "
              "remote_address, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, session.token_sha256)
      .bind(2, session.user_id)
      .bind(3, session.csrf_token)
      .bind(4, session.created_at)
      .bind(5, session.last_seen_at)
      .bind(6, session.expires_at)
      .bind(7, session.remote_address)
      .bind(8, session.user_agent)
      .run();
}

std::optional<std::pair<DashboardSession, UserRow>> SqlUserStore::find_session(const std::string& token_sha256,
                                                                                   int64_t now) {
  Statement s(c_, std::string("SELECT ") + k_user_columns +
                      ", d.token_sha256, d.csrf_token, d.created_at, d.last_seen_at, d.expires_at, d.remote_address, "
                      "d.user_agent FROM dashboard_sessions d JOIN users u ON u.id = d.user_id "
                      "LEFT JOIN organizations o ON o.id = u.organization_id WHERE d.token_sha256 = ? AND d.expires_at > ?");
  s.bind(1, token_sha256).bind(2, now);
  if (!s.step()) return std::nullopt;
  DashboardSession session;
  UserRow user = read_user(s);
  session.user_id = user.id;
  session.token_sha256 = s.text(9);
  session.csrf_token = s.text(10);
  session.created_at = s.int64(11);
  session.last_seen_at = s.int64(12);
  session.expires_at = s.int64(13);
  session.remote_address = s.text(14);
  session.user_agent = s.text(15);
  return std::make_pair(std::move(session), std::move(user));
}

void SqlUserStore::touch_session(const std::string& token_sha256, int64_t now, int64_t expires_at) {
  Statement(c_, "UPDATE dashboard_sessions SET last_seen_at = ?, expires_at = ? WHERE token_sha256 = ?")
      .bind(1, now)
      .bind(2, expires_at)
      .bind(3, token_sha256)
      .run();
}

void SqlUserStore::end_session(const std::string& token_sha256) {
  Statement(c_, "DELETE FROM dashboard_sessions WHERE token_sha256 = ?").bind(1, token_sha256).run();
}

int SqlUserStore::end_expired_sessions(int64_t now) {
  Statement(c_, "DELETE FROM dashboard_sessions WHERE expires_at <= ?").bind(1, now).run();
  return c_.changes();
}

void SqlUserStore::audit(AuditEntry& entry) {
  entry.at = format_timestamp(now_ms());
  Statement s(c_,
              "INSERT INTO audit_log (at, user_id, actor, organization_id, action, target, detail, remote_address) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
  s.bind(1, entry.at)
      .bind(2, entry.user_id)
      .bind(3, entry.actor)
      .bind(4, entry.organization_id)
      .bind(5, entry.action)
      .bind(6, entry.target)
      .bind(7, entry.detail)
      .bind(8, entry.remote_address);
  entry.id = insert_returning_id(s);
}

std::vector<AuditEntry> SqlUserStore::audit_log(int64_t organization_id, int limit) {
  Statement s(c_,
              "SELECT id, at, user_id, actor, organization_id, action, target, detail, remote_address FROM audit_log "
              "WHERE ? = 0 OR organization_id = ? ORDER BY id DESC LIMIT ?");
  s.bind(1, organization_id).bind(2, organization_id).bind(3, limit);
  std::vector<AuditEntry> out;
  while (s.step()) {
    AuditEntry e;
    e.id = s.int64(0);
    e.at = s.text(1);
    e.user_id = s.optional_int64(2);
    e.actor = s.text(3);
    e.organization_id = s.optional_int64(4);
    e.action = s.text(5);
    e.target = s.text(6);
    e.detail = s.text(7);
    e.remote_address = s.text(8);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace sonoria::db
