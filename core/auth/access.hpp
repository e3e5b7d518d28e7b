#pragma once
// Who may see and change what in the dashboard. An admin works across organizations; an owner
// and a staff member belong to one. Staff read (calls, appointments, analytics) and cancel
// appointments; owners also edit their organization's profile; only admins manage users.
// Every route asks these functions, never the role directly. Pure.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sonoria::auth {

enum class Role { admin, owner, staff };

std::string_view role_name(Role role);
std::optional<Role> parse_role(std::string_view text);

// The signed-in person, as the routes see them.
struct Viewer {
  int64_t user_id = 0;
  std::string username;
  Role role = Role::staff;
  std::optional<int64_t> organization_id;  // set for owner and staff; none for admin
};

// nullopt = every organization (admins); otherwise the one organization the viewer may see.
std::optional<int64_t> visible_organization(const Viewer& viewer);
bool can_view(const Viewer& viewer, std::optional<int64_t> organization_id);
bool can_edit_profile(const Viewer& viewer, int64_t organization_id);
bool can_manage_appointments(const Viewer& viewer, int64_t organization_id);
bool can_manage_users(const Viewer& viewer);
bool can_read_audit(const Viewer& viewer, std::optional<int64_t> organization_id);

// Usernames: 1–64 of letters, digits and . _ @ + -, compared without case (stored lower-case).
// The lower-cased name, or nullopt when it is not one.
std::optional<std::string> normalize_username(std::string_view text);

}  // namespace sonoria::auth
