#include "core/auth/access.hpp"

#include <cctype>

namespace sonoria::auth {

std::string_view role_name(Role role) {
  switch (role) {
    case Role::admin: return "admin";
    case Role::owner: return "owner";
    case Role::staff: return "staff";
  }
  return "staff";
}

std::optional<Role> parse_role(std::string_view text) {
  if (text == "admin") return Role::admin;
  if (text == "owner") return Role::owner;
  if (text == "staff") return Role::staff;
  return std::nullopt;
}

std::optional<int64_t> visible_organization(const Viewer& viewer) {
  if (viewer.role == Role::admin) return std::nullopt;
  // An owner or staff member without an organization sees nothing: -1 names none.
  return viewer.organization_id.value_or(-1);
}

bool can_view(const Viewer& viewer, std::optional<int64_t> organization_id) {
  if (viewer.role == Role::admin) return true;
  // A call no organization answered (an unknown number) is for admins only.
  return organization_id && viewer.organization_id && *viewer.organization_id == *organization_id;
}

bool can_edit_profile(const Viewer& viewer, int64_t organization_id) {
  return viewer.role != Role::staff && can_view(viewer, organization_id);
}

bool can_manage_appointments(const Viewer& viewer, int64_t organization_id) { return can_view(viewer, organization_id); }

bool can_manage_users(const Viewer& viewer) { return viewer.role == Role::admin; }

bool can_read_audit(const Viewer& viewer, std::optional<int64_t> organization_id) {
  return viewer.role != Role::staff && (viewer.role == Role::admin || can_view(viewer, organization_id));
}

std::optional<std::string> normalize_username(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '.' || c == '_' || c == '@' || c == '+' || c == '-')
      out += static_cast<char>(std::tolower(c));
    else
      return std::nullopt;
  }
  return out;
}

}  // namespace sonoria::auth
