#pragma once
// The appointment book's storage (booking.mode built_in and google; core/booking decides what
// goes in it). Times are Unix seconds, UTC. A store belongs to one thread, like the others.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace sonoria::db {

struct Appointment {
  int64_t id = 0;
  int64_t organization_id = 0;
  std::string reference;             // "K7Q2XM": what callers and owners name it by; unique
  std::string service;
  std::string team_member;           // "" = the location (or business) itself
  std::string location;
  std::string resource;              // the column of the book it occupies (core/booking/availability.hpp)
  int64_t starts_at = 0;
  int64_t ends_at = 0;
  int64_t busy_until = 0;            // ends_at plus the buffer after it
  std::string customer_name;
  std::string customer_phone;        // E.164, from the call (never from the model)
  std::string status = "booked";     // booked | cancelled
  std::optional<std::string> call_sid;  // the call that booked or last moved it
  std::string created_at;
  std::string updated_at;
  std::optional<std::string> cancelled_at;
  std::string cancelled_by;          // caller | owner | "" while booked
  std::optional<int64_t> reminder_at;  // when the reminder text is due; null = none
  std::string reminder_state = "none";  // none | pending | sending | sent | failed
  std::string calendar_id;           // google: the calendar holding its event
  std::string event_id;              // google: the event

  bool operator==(const Appointment&) const = default;
};

struct AppointmentFilter {
  int64_t organization_id = 0;       // 0 = every organization
  std::optional<int64_t> from;       // starts at or after
  std::optional<int64_t> to;         // starts before
  std::string status;                // "" = any
  std::string customer_phone;        // "" = anyone
  std::string team_member;           // "" = anyone
  int limit = 200;
};

// Two appointments of the same column would overlap: the book refused it (another caller took
// the slot in the meantime). The message is for logs; callers offer another slot.
class SlotTaken : public UserError {
 public:
  using UserError::UserError;
};

class AppointmentStore {
 public:
  virtual ~AppointmentStore() = default;
  // Runs `work` inside one write transaction that no other writer of the book interleaves with:
  // what it read is still true when it writes. Commits when `work` returns, rolls back if it throws.
  virtual void exclusively(const std::function<void()>& work) = 0;
  // Booked appointments of the organization whose busy span overlaps [from, to).
  virtual std::vector<Appointment> busy_between(int64_t organization_id, int64_t from, int64_t to) = 0;
  // Stores a new appointment: sets id, reference, created_at and updated_at. Throws SlotTaken when
  // it overlaps a booked appointment of the same column.
  virtual void insert(Appointment& appointment) = 0;
  // Writes back the mutable fields (time, column, status, reminder, event) of an appointment by id;
  // sets updated_at. Throws SlotTaken as insert does.
  virtual void update(Appointment& appointment) = 0;
  // Removes an appointment that never was (its calendar refused it), unless it was changed since
  // `updated_at` (someone else's change wins); false when nothing was removed.
  virtual bool erase_if_unchanged(int64_t id, const std::string& updated_at) = 0;
  // update(), unless the row was changed since `updated_at`; false when it was (nothing written).
  virtual bool update_if_unchanged(Appointment& appointment, const std::string& updated_at) = 0;
  // Records where its calendar event is (google), touching nothing else.
  virtual void set_event(int64_t id, const std::string& calendar_id, const std::string& event_id) = 0;
  // By reference (any case); `organization_id` 0 = any organization.
  virtual std::optional<Appointment> find(int64_t organization_id, const std::string& reference) = 0;
  virtual std::vector<Appointment> list(const AppointmentFilter& filter) = 0;
  // Booked appointments still to come whose reminder is pending and due at `now`, soonest first.
  virtual std::vector<Appointment> reminders_due(int64_t now, int limit) = 0;
  // Claims a due reminder (pending → sending) if it still is one at `now` — booked, pending, due,
  // not begun — and returns the row as claimed; nullopt when it no longer is.
  virtual std::optional<Appointment> claim_reminder(int64_t id, int64_t now) = 0;
  // Reminders left "sending" since before `claimed_before` (an ISO time): cut off mid-send.
  virtual std::vector<Appointment> reminders_in_flight(const std::string& claimed_before, int limit) = 0;
  // Moves a reminder from state `from` to `to` (claiming it before a send, settling it after);
  // false when it is no longer in `from` (moved, cancelled, claimed by someone else).
  virtual bool move_reminder(int64_t id, const std::string& from, const std::string& to) = 0;
};

}  // namespace sonoria::db
