#pragma once
// The system prompt an organization's call would get at a given time, as `sonoria prompt` and
// the dashboard's prompt preview show it: the tools of a call from a known number on a daemon
// that can text, and, for a stage of the call flow, that stage's instructions and tools. Pure.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "core/org/profile.hpp"

namespace sonoria::call {

struct PromptPreview {
  bool outbound = false;
  bool has_knowledge = false;              // the organization's knowledge base has documents
  std::optional<std::size_t> stage;        // an index into profile.stages; none = as calls start
};

// Throws sonoria::DataError when the profile's time zone is unknown.
std::string preview_prompt(const org::Profile& profile, std::chrono::sys_seconds now, const PromptPreview& options);

// "2026-12-24T10:00:00Z" and "…+01:00" are instants; "2026-12-24T10:00[:SS]" (or with a space)
// is local time in `timezone`. nullopt for anything else.
std::optional<std::chrono::sys_seconds> parse_preview_time(const std::string& text, const std::string& timezone);

// `t` as local time in `timezone`, to the minute: "2026-12-24T10:00" (the form parse_preview_time
// reads); "" for an unknown zone.
std::string local_minute_text(std::chrono::sys_seconds t, const std::string& timezone);

}  // namespace sonoria::call
