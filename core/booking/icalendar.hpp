#pragma once
// The appointment book as an iCalendar feed (RFC 5545) that Google, Apple and Outlook calendars
// subscribe to: one VEVENT per appointment (UID = its reference, times in UTC, cancelled ones
// with STATUS:CANCELLED so subscribers remove them), text escaped and lines folded at 75
// octets with CRLF endings. The feed's private URL carries a token derived from the
// organization's signing secret: rotating the secret (`sonoria org secret --rotate`) revokes
// every feed URL. Pure functions.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/appointment_store.hpp"
#include "core/org/profile.hpp"

namespace sonoria::booking {

// The whole feed; `team_member` "" = the organization's, else that person's (named in the title).
std::string icalendar_feed(const org::Profile& profile, const std::vector<db::Appointment>& appointments,
                           const std::string& team_member, int64_t now_unix);

// "Dr. Elena Park" → "dr-elena-park": a team member in a feed URL.
std::string member_slug(std::string_view name);

// The feed's token: 32 hex digits of HMAC-SHA256(secret, "calendar:" + org slug + ":" + member slug).
std::string feed_token(const std::string& secret, const std::string& org_slug, const std::string& member_slug);

// The path of a feed: /calendar/{token}/{org}.ics or /calendar/{token}/{org}/{member}.ics.
std::string feed_path(const std::string& secret, const std::string& org_slug, const std::string& member_slug);

struct FeedRequest {
  std::string token;
  std::string org_slug;
  std::string member_slug;           // "" = the organization's feed
};
// Parses a feed path; nullopt when it is not one.
std::optional<FeedRequest> parse_feed_path(std::string_view path);

}  // namespace sonoria::booking
