#pragma once
// Users and the audit log (admins manage users; owners read their organization's audit log).
// Pure.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/dashboard/layout.hpp"
#include "core/db/user_store.hpp"

namespace sonoria::dashboard {

struct NewUserForm {
  std::string username;
  std::string role = "owner";
  std::string org;                            // slug
  std::map<std::string, std::string> errors;  // field name → what is wrong
};

struct UsersPage {
  std::vector<db::UserRow> users;
  std::vector<std::pair<std::string, std::string>> organizations;  // (slug, name)
  NewUserForm form;
  int64_t viewer_id = 0;                      // nobody removes themselves
};

std::string render_users(const Frame& frame, const UsersPage& page);

struct AuditPage {
  std::vector<db::AuditEntry> entries;
  std::map<int64_t, std::string> organizations;  // id → name
};

std::string render_audit(const Frame& frame, const AuditPage& page);

}  // namespace sonoria::dashboard
