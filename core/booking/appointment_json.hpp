#pragma once
// An appointment as JSON, the same for `sonoria appointments … --json` and /api/appointments:
// times in UTC (ISO-8601) and on the business's wall clock (start_local).

#include <nlohmann/json.hpp>

#include "core/db/appointment_store.hpp"
#include "core/org/profile.hpp"

namespace sonoria::booking {

nlohmann::json appointment_json(const org::Profile& profile, const db::Appointment& appointment);

// "2026-12-07 09:00" on the business's clock.
std::string local_start_text(const org::Profile& profile, const db::Appointment& appointment);

}  // namespace sonoria::booking
