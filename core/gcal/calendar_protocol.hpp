#pragma once
// Google Calendar API v3, the parts an appointment book needs: freeBusy.query for the busy times
// of several calendars, and events insert / patch / delete for the appointments themselves.
// Request bodies and URLs are built and answers read here, as pure functions; the bytes go
// through gcal::CalendarClient. Reference: developers.google.com/calendar/api/v3/reference.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/db/appointment_store.hpp"
#include "core/org/profile.hpp"

namespace sonoria::gcal {

struct Interval {
  int64_t from = 0;                  // Unix seconds
  int64_t to = 0;

  bool operator==(const Interval&) const = default;
};

// POST {api}/freeBusy.
std::string freebusy_url(std::string_view api_url);
std::string freebusy_body(const std::vector<std::string>& calendar_ids, int64_t from, int64_t to, std::string_view zone);

struct FreeBusy {
  std::map<std::string, std::vector<Interval>> busy;   // by calendar id
  std::map<std::string, std::string> errors;           // by calendar id: Google's reason ("notFound")
};
std::optional<FreeBusy> read_freebusy(std::string_view body);

// {api}/calendars/{id}/events[/{event}], the ids percent-encoded.
std::string events_url(std::string_view api_url, std::string_view calendar_id, std::string_view event_id = {});

// The event's id for an appointment: Google accepts client-chosen ids (base32hex, 5-1024 chars),
// which makes insert idempotent — a retry of an insert that did land answers 409.
std::string event_id_for(std::string_view reference);

// The event of an appointment (start and end in UTC with the organization's zone), for insert or patch.
std::string event_body(const org::Profile& profile, const db::Appointment& appointment, bool with_id);

// "2026-12-07T14:00:00Z".
std::string rfc3339(int64_t unix_s);

struct GoogleError {
  int status = 0;                    // 0: no answer (transport)
  std::string reason;                // notFound, forbidden, rateLimitExceeded, …
  std::string message;
  // Worth another attempt: 429, 5xx, a rate-limit 403, a transport failure.
  bool retryable() const;
  // 401: the token is stale; get a new one and try once more.
  bool needs_new_token() const { return status == 401; }
  // A sentence the assistant can say to the caller, and an operator can act on in the log.
  std::string explain() const;
};
GoogleError read_google_error(int status, std::string_view body);

}  // namespace sonoria::gcal
