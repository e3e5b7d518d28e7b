#pragma once
// The appointment book: upcoming (or filtered) appointments, each with a cancel button for who
// may cancel. Pure.

#include <string>
#include <utility>
#include <vector>

#include "core/dashboard/layout.hpp"
#include "core/db/appointment_store.hpp"

namespace sonoria::dashboard {

struct AppointmentRow {
  db::Appointment appointment;
  std::string organization;      // name
  std::string timezone;
  bool can_cancel = false;
};

struct AppointmentsPage {
  std::string org;               // filters, as sent
  std::string from;              // YYYY-MM-DD
  std::string to;
  std::string status;            // booked | cancelled | ""
  std::vector<std::pair<std::string, std::string>> organizations;  // (slug, name)
  std::vector<AppointmentRow> rows;
  std::string error;
  // Private iCalendar feeds to subscribe to (owners and admins): (what, URL).
  std::vector<std::pair<std::string, std::string>> feeds;
};

std::string render_appointments(const Frame& frame, const AppointmentsPage& page);

}  // namespace sonoria::dashboard
