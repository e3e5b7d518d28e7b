#pragma once
// booking.mode = "google": the Google Calendars of the team members (or locations) are the book.
// sonoria keeps its own row of each appointment as well (core/booking), which serialises its own
// callers; Google supplies the busy times of everything else (freeBusy) and receives each
// appointment as an event (insert, patch, delete), so the practice sees it in the calendars it
// already uses.
//
// Threading: one per call, on the call's strand (like CallActions, which owns it); handlers run
// there.

#include <boost/asio/any_io_executor.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/booking/availability.hpp"
#include "core/config/settings.hpp"
#include "core/db/appointment_store.hpp"
#include "core/gcal/calendar_client.hpp"
#include "core/org/profile.hpp"

namespace sonoria::daemon {

// The daemon's Google sign-in, loaded once at startup (google.credentials_file).
struct GoogleAccount {
  gcal::ServiceAccount account;
  std::shared_ptr<gcal::TokenCache> tokens = std::make_shared<gcal::TokenCache>();
};

class GoogleBook {
 public:
  GoogleBook(boost::asio::any_io_executor strand, const config::GoogleSettings& settings,
             std::shared_ptr<const GoogleAccount> account, std::shared_ptr<const org::Profile> profile);

  // The calendar that holds a column's appointments ("" when the profile names none).
  std::string calendar_of(const std::string& team_member, const std::string& location) const;

  // Busy times of the service's columns ("" = every service's) over the local dates [first, last] (a day's margin either
  // side); `error` is a sentence when Google could not be asked.
  using BusyDone = std::function<void(std::vector<booking::Busy> busy, std::string error)>;
  void busy(const std::string& service, std::chrono::year_month_day first, std::chrono::year_month_day last,
            BusyDone done);

  // Puts a change of the book into its calendar: a new appointment (before = nullopt), a moved
  // one, or a cancelled one. `done` gets the appointment with its calendar and event, or an error.
  using SyncDone = std::function<void(std::optional<db::Appointment> synced, std::string error)>;
  void sync(const std::optional<db::Appointment>& before, const db::Appointment& after, SyncDone done);

 private:
  std::shared_ptr<gcal::CalendarClient> client_;
  std::shared_ptr<const org::Profile> profile_;
};

}  // namespace sonoria::daemon
