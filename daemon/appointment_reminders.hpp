#pragma once
// Sends each appointment's reminder text (booking.reminder_hours before it) exactly once, even
// across restarts: a reminder is claimed in the database ("sending", committed) before the text
// goes out and settled after ("sent" or "failed"). One found still "sending" was cut off by a
// stop or crash mid-send (and still so two minutes later): Twilio's latest messages to that number
// say whether the text went out (then it is settled as sent), and only if it did not is it sent;
// one whose appointment was cancelled or has begun meanwhile is dropped. A BackgroundWorker: a slow
// Twilio never holds up a call. Without Twilio credentials it does not start.

#include <functional>
#include <optional>
#include <string>

#include "core/config/settings.hpp"
#include "core/db/appointment_store.hpp"
#include "daemon/background_worker.hpp"

namespace sonoria::daemon {

class OrgDirectory;
class DbWriter;

class AppointmentReminders final : public BackgroundWorker {
 public:
  AppointmentReminders(const config::Settings& settings, OrgDirectory& orgs, DbWriter& writer);
  ~AppointmentReminders() override;

  void start_if_configured();

 private:
  void round(db::Database& database) override;
  // Sends (or, `recovering`, first looks for) the reminder of `appointment`.
  void remind(const db::Appointment& appointment, bool recovering);
  template <class T>
  T on_writer(int64_t id, T fallback, std::function<T(db::AppointmentStore&)> write);
  // Runs a compare-and-set of the reminder's state on the writer and waits for it.
  bool move(int64_t id, const std::string& from, const std::string& to);
  // Claims a due reminder on the writer (committed before the send) and returns the row as claimed.
  std::optional<db::Appointment> claim(int64_t id, int64_t now);

  const config::Settings& settings_;
  OrgDirectory& orgs_;
  DbWriter& writer_;
};

}  // namespace sonoria::daemon
