// The appointment book against SQLite: book, taken with alternatives, never a double booking
// (not even by two connections racing), find by number, move, cancel with the notice rule,
// reminders planned.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/booking/appointment_book.hpp"
#include "core/db/migrations.hpp"
#include "core/db/sqlite.hpp"
#include "core/db/sql_stores.hpp"
#include "core/org/profile_toml.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_databases.hpp"

using namespace sonoria;
using namespace sonoria::booking;
using namespace std::chrono_literals;

namespace {

Instant at_utc(const char* date, int hour, int minute = 0) {
  return Instant{std::chrono::sys_days{*org::parse_date(date)}} + std::chrono::hours{hour} + std::chrono::minutes{minute};
}
const Instant k_now = at_utc("2026-12-06", 17);  // Sunday noon in New York

org::LocalDateTime local(const char* date, int hour, int minute = 0) { return {*org::parse_date(date), hour * 60 + minute}; }

template <class Db>
struct Fixture {
  Db db;
  std::unique_ptr<db::Connection> owned = db.open();
  db::Connection& c = *owned;
  test::TempDir& dir = db.dir;
  db::SqlOrgStore orgs{c};
  db::SqlAppointmentStore store{c};
  org::Profile profile;
  Fixture() {
    db::migrate(c);
    profile = org::load_profile_file(test::source_dir() / "examples" / "physio-clinic.toml");
    profile.id = orgs.upsert(profile);
  }
  BookRequest request(const char* service, org::LocalDateTime start, const char* phone = "+15557770001") {
    BookRequest r;
    r.service = service;
    r.start = start;
    r.customer_name = "Ana Lima";
    r.customer_phone = phone;
    r.call_sid = "CA1";
    return r;
  }
};

}  // namespace

TEST_CASE_TEMPLATE("booking a free slot stores it with its column, buffer and reminder", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  const auto result = book.book(f.request("Initial assessment", local("2026-12-09", 9)), k_now);
  REQUIRE(result.outcome == Outcome::done);
  const db::Appointment& a = *result.appointment;
  CHECK(a.reference.size() == 6);
  CHECK(a.team_member == "Dr. Elena Park");
  CHECK(a.location == "Midtown");
  CHECK(a.ends_at - a.starts_at == 3600);
  CHECK(a.busy_until - a.ends_at == 600);
  CHECK(a.reminder_state == "pending");
  CHECK(*a.reminder_at == a.starts_at - 24 * 3600);
  CHECK(f.store.find(0, a.reference) == a);
  CHECK(describe_start(f.profile, a) == "Wednesday, December 9 at 9:00 AM");
}

TEST_CASE_TEMPLATE("a slot already taken is refused with the nearest free starts", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  REQUIRE(book.book(f.request("Initial assessment", local("2026-12-07", 9)), k_now).outcome == Outcome::done);
  const auto second = book.book(f.request("Initial assessment", local("2026-12-07", 9), "+15557770002"), k_now);
  CHECK(second.outcome == Outcome::taken);
  CHECK(!second.appointment);
  REQUIRE(second.alternatives.size() == 3);
  for (const Slot& s : second.alternatives) CHECK(s.local.date == *org::parse_date("2026-12-07"));
  // 10:00 would start inside the 10 minutes kept free after 09:00-10:00.
  CHECK(second.alternatives[0].local.minute_of_day == 10 * 60 + 30);
  // A booking close to the appointment has no reminder: the confirmation is enough.
  const auto soon = book.book(f.request("Follow-up treatment", local("2026-12-07", 13)), at_utc("2026-12-07", 14));
  REQUIRE(soon.outcome == Outcome::done);
  CHECK(soon.appointment->reminder_state == "none");
}

TEST_CASE_TEMPLATE("the database itself refuses two booked appointments of one column that overlap", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  auto first = *book.book(f.request("Initial assessment", local("2026-12-07", 9)), k_now).appointment;
  db::Appointment copy = first;
  copy.id = 0;
  copy.starts_at += 1800;
  copy.ends_at += 1800;
  copy.busy_until += 1800;
  CHECK_THROWS_AS(f.store.insert(copy), db::SlotTaken);
  copy.resource = "member:Tom Reyes";
  CHECK_NOTHROW(f.store.insert(copy));
}

TEST_CASE_TEMPLATE("two connections racing for the last slot: one booking and one alternative, never two", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  // Dr. Park's Monday (08:00-16:00, no buffer) is full but for 15:30.
  f.profile.booking.buffer_minutes = 0;
  AppointmentBook book(f.store, f.profile);
  for (int minute = 8 * 60; minute < 15 * 60 + 30; minute += 30) {
    auto r = f.request("Follow-up treatment", local("2026-12-07", minute / 60, minute % 60));
    r.team_member = "Dr. Elena Park";
    REQUIRE(book.book(r, k_now).outcome == Outcome::done);
  }
  std::atomic<int> booked{0}, taken{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 6; ++i) {
    callers.emplace_back([&, i] {
      auto own = f.db.open();
      db::SqlAppointmentStore store(*own);
      AppointmentBook theirs(store, f.profile);
      const std::string phone = "+1555777100" + std::to_string(i);
      auto r = f.request("Follow-up treatment", local("2026-12-07", 15, 30), phone.c_str());
      r.team_member = "Dr. Elena Park";
      const auto result = theirs.book(r, k_now);
      (result.outcome == Outcome::done ? booked : taken)++;
    });
  }
  for (auto& t : callers) t.join();
  CHECK(booked == 1);
  CHECK(taken == 5);
  db::AppointmentFilter all;
  all.team_member = "Dr. Elena Park";
  all.status = "booked";
  CHECK(f.store.list(all).size() == 16);
}

TEST_CASE_TEMPLATE("a caller finds, moves and cancels only their own appointments", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  const auto mine = *book.book(f.request("Follow-up treatment", local("2026-12-09", 9)), k_now).appointment;
  book.book(f.request("Follow-up treatment", local("2026-12-09", 10), "+15557770002"), k_now);
  const auto found = book.upcoming_for("+15557770001", k_now);
  REQUIRE(found.size() == 1);
  CHECK(found[0].reference == mine.reference);

  // Someone else's number cannot touch it.
  CHECK(book.cancel(mine.reference, "+15557770002", k_now).outcome == Outcome::not_found);
  CHECK(book.reschedule(mine.reference, "+15557770002", local("2026-12-09", 11), "", "", k_now, "CA2").outcome ==
        Outcome::not_found);

  // Moved: same practitioner when free; the reminder follows the new time.
  const auto moved = book.reschedule(mine.reference, "+15557770001", local("2026-12-11", 9), "", "", k_now, "CA2");
  REQUIRE(moved.outcome == Outcome::done);
  CHECK(moved.before->starts_at == mine.starts_at);
  CHECK(moved.appointment->team_member == "Dr. Elena Park");
  CHECK(moved.appointment->reference == mine.reference);
  CHECK(*moved.appointment->reminder_at == moved.appointment->starts_at - 24 * 3600);
  CHECK(*moved.appointment->call_sid == "CA2");
  // Its old time is free again.
  CHECK(book.book(f.request("Follow-up treatment", local("2026-12-09", 9), "+15557770003"), k_now).outcome ==
        Outcome::done);

  const auto cancelled = book.cancel(mine.reference, "+15557770001", k_now);
  REQUIRE(cancelled.outcome == Outcome::done);
  CHECK(cancelled.appointment->status == "cancelled");
  CHECK(cancelled.appointment->cancelled_by == "caller");
  CHECK(cancelled.appointment->reminder_state == "none");
  CHECK(book.upcoming_for("+15557770001", k_now).empty());
  CHECK(book.cancel(mine.reference, "+15557770001", k_now).outcome == Outcome::not_found);
}

TEST_CASE_TEMPLATE("inside the cancellation notice a caller is refused with the policy; the owner is not", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  const auto a = *book.book(f.request("Follow-up treatment", local("2026-12-07", 13)), k_now).appointment;
  CHECK(book.cancel(a.reference, "+15557770001", k_now).outcome == Outcome::done);  // 25 h ahead
  const auto b = *book.book(f.request("Follow-up treatment", local("2026-12-07", 10)), k_now).appointment;
  const auto inside = book.cancel(b.reference, "+15557770001", k_now);  // 22 h before
  CHECK(inside.outcome == Outcome::refused);
  CHECK(inside.message.find("less than 24 hours") != std::string::npos);
  CHECK(inside.message.find("charged in full") != std::string::npos);
  CHECK(book.reschedule(b.reference, "+15557770001", local("2026-12-08", 10), "", "", k_now, std::nullopt).outcome ==
        Outcome::refused);
  const auto by_owner = book.cancel(b.reference, "", k_now);
  CHECK(by_owner.outcome == Outcome::done);
  CHECK(by_owner.appointment->cancelled_by == "owner");
}

TEST_CASE_TEMPLATE("an external calendar's busy times: the book's own events in them are the book's to judge", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  const auto a = *book.book(f.request("Follow-up treatment", local("2026-12-09", 9)), k_now).appointment;
  // Google shows that appointment merged with a meeting right after it: 09:00-10:00 (14:00Z-15:00Z).
  const std::vector<Busy> google = {{"member:Dr. Elena Park", at_utc("2026-12-09", 14), at_utc("2026-12-09", 15)}};
  // Moving it 30 minutes later runs into the meeting (09:30-10:00): taken.
  CHECK(book.reschedule(a.reference, "+15557770001", local("2026-12-09", 9, 30), "", "", k_now, std::nullopt, google)
            .outcome == Outcome::taken);
  // Moving it to 08:30 only overlaps its own old time: fine.
  const auto moved = book.reschedule(a.reference, "+15557770001", local("2026-12-09", 8, 30), "", "", k_now, std::nullopt, google);
  CHECK(moved.outcome == Outcome::done);
}

TEST_CASE_TEMPLATE("reminders are claimed as they are now, and only while still due and booked", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  const auto a = *book.book(f.request("Follow-up treatment", local("2026-12-09", 9)), k_now).appointment;
  const int64_t due = *a.reminder_at;
  CHECK(!f.store.claim_reminder(a.id, due - 1));                     // not yet
  CHECK(f.store.reminders_due(due, 10).size() == 1);
  CHECK(f.store.reminders_due(a.starts_at, 10).empty());              // begun: never
  const auto claimed = f.store.claim_reminder(a.id, due);
  REQUIRE(claimed);
  CHECK(claimed->reminder_state == "sending");
  CHECK(!f.store.claim_reminder(a.id, due));                         // once
  CHECK(f.store.reminders_in_flight("9999-01-01T00:00:00.000Z", 10).size() == 1);
  CHECK(f.store.reminders_in_flight("2000-01-01T00:00:00.000Z", 10).empty());
  CHECK(f.store.move_reminder(a.id, "sending", "sent"));
  CHECK(!f.store.move_reminder(a.id, "sending", "sent"));
}

TEST_CASE_TEMPLATE("undoing a change only if nobody changed the appointment since; recording an event touches nothing else", Db, SONORIA_TEST_DATABASES) {
  Fixture<Db> f;
  AppointmentBook book(f.store, f.profile);
  auto a = *book.book(f.request("Follow-up treatment", local("2026-12-09", 9)), k_now).appointment;
  f.store.set_event(a.id, "cal", "ev1");
  auto stored = *f.store.find(0, a.reference);
  CHECK(stored.event_id == "ev1");
  CHECK(stored.updated_at == a.updated_at);
  const std::string seen = a.updated_at;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  book.cancel(a.reference, "", k_now);  // the owner, meanwhile
  db::Appointment restored = a;
  CHECK(!f.store.update_if_unchanged(restored, seen));
  CHECK(!f.store.erase_if_unchanged(a.id, seen));
  CHECK(f.store.find(0, a.reference)->status == "cancelled");
  const auto now_seen = f.store.find(0, a.reference)->updated_at;
  CHECK(f.store.erase_if_unchanged(a.id, now_seen));
  CHECK(!f.store.find(0, a.reference));
}
