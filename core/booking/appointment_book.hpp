#pragma once
// The appointment book's operations: what is free, book, find a caller's appointments, move and
// cancel, each decided against the store inside one exclusive transaction, so two callers racing
// for the last slot get one booking and one "taken" with alternatives, never a double booking.
//
// Runs on the thread that owns the store (the daemon's database writer for mutations, a reader
// for free()/upcoming_for()). Busy times from outside the book (a Google Calendar's freeBusy) are
// passed in, already fetched.

#include <optional>
#include <string>
#include <vector>

#include "core/booking/availability.hpp"
#include "core/db/appointment_store.hpp"
#include "core/org/profile.hpp"

namespace sonoria::booking {

struct BookRequest {
  std::string service;
  org::LocalDateTime start;
  std::string team_member;           // "" = whoever is free
  std::string location;              // "" = wherever
  std::string customer_name;
  std::string customer_phone;
  std::optional<std::string> call_sid;

  bool operator==(const BookRequest&) const = default;
};

enum class Outcome {
  done,        // booked, moved or cancelled
  taken,       // the slot is not free (any more): see alternatives
  refused,     // a rule says no (cancellation notice, …): see message
  not_found,   // no such appointment (for this caller)
};

struct BookResult {
  Outcome outcome = Outcome::done;
  std::optional<db::Appointment> appointment;  // done: as it is now
  std::optional<db::Appointment> before;       // moved: as it was
  std::vector<Slot> alternatives;              // taken: free starts near the one asked for
  std::string message;                         // refused / not_found: a sentence for the caller's ear
};

class AppointmentBook {
 public:
  AppointmentBook(db::AppointmentStore& store, const org::Profile& profile) : store_(store), profile_(profile) {}

  // Free slots for the query (every one, in order; pick_for_caller chooses a few).
  std::vector<Slot> free(const SlotQuery& query, Instant now, const std::vector<Busy>& external = {});

  // What to read out to a caller: a few of the query's free slots, or, when it has none, of the
  // k_look_ahead_days after it (`looked_further` says so).
  struct Offer {
    std::vector<Slot> slots;
    bool looked_further = false;
  };
  static constexpr int k_look_ahead_days = 14;
  static constexpr std::size_t k_offered = 6;
  Offer offer(SlotQuery query, Instant now, const std::vector<Busy>& external = {});

  BookResult book(const BookRequest& request, Instant now, const std::vector<Busy>& external = {});

  // Booked appointments of this number from now on, soonest first.
  std::vector<db::Appointment> upcoming_for(const std::string& phone, Instant now);

  // `caller_phone` "" = the owner (no ownership or notice check). The new time keeps the service;
  // `team_member` / `location` "" = the same as before if free there, else whoever is free.
  BookResult reschedule(const std::string& reference, const std::string& caller_phone, const org::LocalDateTime& start,
                        const std::string& team_member, const std::string& location, Instant now,
                        const std::optional<std::string>& call_sid, const std::vector<Busy>& external = {});
  BookResult cancel(const std::string& reference, const std::string& caller_phone, Instant now);

 private:
  std::vector<Busy> busy_around(const org::LocalDateTime& first, const org::LocalDateTime& last, int64_t except_id,
                                const std::vector<Busy>& external);
  std::vector<Slot> alternatives(const std::string& service, const org::LocalDateTime& wanted,
                                 const std::string& team_member, const std::string& location, Instant now,
                                 const std::vector<Busy>& busy);
  void plan_reminder(db::Appointment& appointment, Instant now) const;
  std::optional<db::Appointment> owned(const std::string& reference, const std::string& caller_phone);
  // The caller's booked appointment, if they may change it now; else `refusal` says why not.
  std::optional<db::Appointment> changeable(const std::string& reference, const std::string& caller_phone, Instant now,
                                            std::string_view what, BookResult& refusal);

  db::AppointmentStore& store_;
  const org::Profile& profile_;
};

// "Tuesday, March 10 at 10:30 AM" on the business's clock, in the assistant's language.
std::string describe_start(const org::Profile& profile, const db::Appointment& appointment);

}  // namespace sonoria::booking
