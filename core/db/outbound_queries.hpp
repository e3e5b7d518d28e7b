#pragma once
// Read-only queries behind outbound-call policy (cooldown and capacity), on a caller's own
// connection. Throw sonoria::UserError on SQLite failures, like the stores.

#include <optional>
#include <string>

#include "core/db/connection.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {

// When the most recent outbound call to `number` started, or nullopt if there was none.
std::optional<TimePoint> last_outbound_call_to(Connection& connection, const std::string& number);

// Calls ringing or in progress (not yet ended), inbound and outbound.
int calls_in_progress(Connection& connection);

}  // namespace sonoria::db
