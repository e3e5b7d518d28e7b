// Who sees what: admins everything, owners and staff their organization only.
#include <doctest/doctest.h>

#include "core/auth/access.hpp"

using namespace sonoria::auth;

TEST_CASE("admins see every organization; owners and staff only their own") {
  const Viewer admin{1, "root", Role::admin, std::nullopt};
  const Viewer owner{2, "ana", Role::owner, 7};
  const Viewer staff{3, "ben", Role::staff, 7};
  CHECK(visible_organization(admin) == std::nullopt);
  CHECK(visible_organization(owner) == 7);
  CHECK(can_view(admin, 9));
  CHECK(can_view(admin, std::nullopt));  // a call to a number nobody answers
  CHECK(can_view(owner, 7));
  CHECK_FALSE(can_view(owner, 9));
  CHECK_FALSE(can_view(staff, std::nullopt));
  CHECK(can_edit_profile(owner, 7));
  CHECK_FALSE(can_edit_profile(owner, 9));
  CHECK_FALSE(can_edit_profile(staff, 7));
  CHECK(can_manage_appointments(staff, 7));
  CHECK_FALSE(can_manage_appointments(staff, 9));
  CHECK(can_manage_users(admin));
  CHECK_FALSE(can_manage_users(owner));
  CHECK(can_read_audit(owner, 7));
  CHECK_FALSE(can_read_audit(staff, 7));
}

TEST_CASE("an owner without an organization sees nothing") {
  const Viewer lost{4, "lost", Role::owner, std::nullopt};
  CHECK(visible_organization(lost) == -1);
  CHECK_FALSE(can_view(lost, 1));
}

TEST_CASE("usernames are letters, digits and . _ @ + -, compared without case") {
  CHECK(normalize_username("Ana@Studio.Example") == "ana@studio.example");
  CHECK(normalize_username("front-desk_2") == "front-desk_2");
  CHECK_FALSE(normalize_username(""));
  CHECK_FALSE(normalize_username("ana smith"));
  CHECK_FALSE(normalize_username("ana<script>"));
  CHECK_FALSE(normalize_username(std::string(65, 'a')));
  CHECK(parse_role("owner") == Role::owner);
  CHECK_FALSE(parse_role("root"));
  CHECK(role_name(Role::staff) == "staff");
}
