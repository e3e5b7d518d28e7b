#pragma once
// The appointment book over HTTP:
//   GET  /api/appointments?org=&from=&to=&status=&member=&phone=&limit=   by start time
//   GET  /api/appointments/{reference}
//   POST /api/appointments/{reference}/cancel   as the owner (no notice period); the customer is
//                                                texted unless the body says {"notify": false}
//   GET  /calendar/{token}/{org}.ics, /calendar/{token}/{org}/{member}.ics   the iCalendar feeds
// The /api routes sit behind ApiRoutes' authentication; a feed's token is its own (see
// core/booking/icalendar.hpp): a wrong token and an unknown organization both get 404.
// Reads run on the ReadPool, the cancellation on the DbWriter, the text on the io_context.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "core/db/appointment_store.hpp"
#include "core/org/profile.hpp"

#include "daemon/http_message.hpp"
#include "daemon/http_server.hpp"
#include "daemon/services.hpp"

namespace sonoria::db {
class Database;
}

namespace sonoria::daemon {

// Read routes, run inside a ReadPool job. Throw ApiBadRequest (api_routes.hpp) for a bad query parameter.
HttpResponse list_appointments(const std::map<std::string, std::string>& query, db::Database& database);
HttpResponse show_appointment(const std::string& reference, db::Database& database);

// What cancelling as the owner came to: 200 (cancelled: appointment set), 404, 409 (not booked
// any more), 500 or 503 (the writer's queue is full), with a sentence for the others.
struct OwnerCancel {
  int status = 500;
  std::string message;
  std::shared_ptr<const org::Profile> profile;
  std::optional<db::Appointment> appointment;
};
// Cancels on the writer (no notice period: the owner may), then texts the customer when `notify`
// and removes its calendar event. `organization_id` limits it to that organization's book
// (another's answers 404). `done` runs on the writer thread with its database (null for 503),
// so the caller can record more in the same place.
void cancel_appointment_as_owner(Services& services, const std::string& reference, bool notify,
                                 std::optional<int64_t> organization_id,
                                 std::function<void(const OwnerCancel&, db::Database*)> done);

// POST /api/appointments/{reference}/cancel's body: {"notify": true|false} or none (notify). The
// choice, or the 400 naming the field and what was expected.
std::variant<bool, HttpResponse> parse_cancel_body(const std::string& body);

void handle_appointment_cancel(Services& services, const std::string& reference, const HttpRequest& request,
                               HttpResponder respond);

bool is_calendar_feed_path(const std::string& path);
void handle_calendar_feed(Services& services, const HttpRequest& request, HttpResponder respond);

}  // namespace sonoria::daemon
