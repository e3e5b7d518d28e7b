#pragma once
// The profile pages: the form (core/dashboard/profile_form.hpp) with its errors beside the
// fields, the saved versions, one version compared with another, and the prompt preview. Pure.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/dashboard/layout.hpp"
#include "core/dashboard/line_diff.hpp"
#include "core/dashboard/profile_form.hpp"
#include "core/db/stores.hpp"

namespace sonoria::dashboard {

// Which organization the profile pages are about.
struct ProfileOf {
  std::string slug;
  std::string name;
  std::string timezone;
  bool choose = false;  // the viewer sees several organizations: links carry ?org=slug
};

struct ProfileEditPage {
  ProfileOf org;
  FormValues values;
  std::map<std::string, std::string> errors;  // input name → problem
  std::vector<std::string> general;           // problems of no one input
  bool can_edit = false;
  int base_version = 0;                       // the version the form was opened on
  std::string note;                           // "what changed", kept with the version
  std::vector<std::string> locked;            // inputs shown but not editable here (k_admin_only_inputs for owners)
};

std::string render_profile_edit(const Frame& frame, const ProfileEditPage& page);

// An admin's list of organizations to pick one from.
std::string render_profile_choice(const Frame& frame, const std::vector<std::pair<std::string, std::string>>& orgs);

struct ProfileVersionsPage {
  ProfileOf org;
  std::vector<db::ProfileVersion> versions;   // newest first
};

std::string render_profile_versions(const Frame& frame, const ProfileVersionsPage& page);

struct ProfileDiffPage {
  ProfileOf org;
  db::ProfileVersion version;                 // the one shown
  int against = 0;                            // the version it is compared with; 0 = none (the first)
  bool against_current = false;               // `against` is the current version
  int current = 0;
  std::vector<DiffLine> diff;                 // `against` → `version`
  bool can_roll_back = false;
};

std::string render_profile_diff(const Frame& frame, const ProfileDiffPage& page);

struct PromptPreviewPage {
  ProfileOf org;
  std::string at;                             // "2026-12-24T10:00", the organization's local time
  std::string stage;
  bool outbound = false;
  std::vector<std::string> stages;
  std::string prompt;
  std::string error;
};

std::string render_prompt_preview(const Frame& frame, const PromptPreviewPage& page);

}  // namespace sonoria::dashboard
