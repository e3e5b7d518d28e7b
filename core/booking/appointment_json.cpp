#include "core/booking/appointment_json.hpp"

#include "core/booking/local_clock.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::booking {
namespace {

std::string iso(int64_t unix_s) { return db::format_timestamp(db::TimePoint{std::chrono::seconds{unix_s}}); }

}  // namespace

std::string local_start_text(const org::Profile& profile, const db::Appointment& a) {
  return format_local(LocalClock(profile.organization.timezone).local(Instant{std::chrono::seconds{a.starts_at}}));
}

nlohmann::json appointment_json(const org::Profile& profile, const db::Appointment& a) {
  auto optional = [](const auto& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
  return {{"reference", a.reference},
          {"organization", profile.organization.slug},
          {"service", a.service},
          {"team_member", a.team_member},
          {"location", a.location},
          {"start_local", local_start_text(profile, a)},
          {"starts_at", iso(a.starts_at)},
          {"ends_at", iso(a.ends_at)},
          {"customer_name", a.customer_name},
          {"customer_phone", a.customer_phone},
          {"status", a.status},
          {"cancelled_by", a.cancelled_by},
          {"cancelled_at", optional(a.cancelled_at)},
          {"call_sid", optional(a.call_sid)},
          {"reminder_at", a.reminder_at ? nlohmann::json(iso(*a.reminder_at)) : nlohmann::json(nullptr)},
          {"reminder_state", a.reminder_state},
          {"created_at", a.created_at},
          {"updated_at", a.updated_at}};
}

}  // namespace sonoria::booking
