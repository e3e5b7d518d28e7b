#include <openssl/rand.h>

#include <stdexcept>

#include "core/db/sql_stores.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::db {
namespace {

const char* const k_appointment_columns =
    "id, organization_id, reference, service, team_member, location, resource, starts_at, ends_at, busy_until, "
    "customer_name, customer_phone, status, call_sid, created_at, updated_at, cancelled_at, cancelled_by, "
    "reminder_at, reminder_state, calendar_id, event_id";

Appointment read_appointment(const Statement& s) {
  Appointment a;
  a.id = s.int64(0);
  a.organization_id = s.int64(1);
  a.reference = s.text(2);
  a.service = s.text(3);
  a.team_member = s.text(4);
  a.location = s.text(5);
  a.resource = s.text(6);
  a.starts_at = s.int64(7);
  a.ends_at = s.int64(8);
  a.busy_until = s.int64(9);
  a.customer_name = s.text(10);
  a.customer_phone = s.text(11);
  a.status = s.text(12);
  a.call_sid = s.optional_text(13);
  a.created_at = s.text(14);
  a.updated_at = s.text(15);
  a.cancelled_at = s.optional_text(16);
  a.cancelled_by = s.text(17);
  a.reminder_at = s.optional_int64(18);
  a.reminder_state = s.text(19);
  a.calendar_id = s.text(20);
  a.event_id = s.text(21);
  return a;
}

// Six letters and digits a caller can spell out on the phone: no 0/O, 1/I/L, 5/S, 2/Z.
std::string new_reference() {
  static constexpr char k_alphabet[] = "ABCDEFGHJKMNPQRTUVWXY346789";
  constexpr std::size_t k_size = sizeof k_alphabet - 1;
  unsigned char bytes[6];
  if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("cannot make a reference: OpenSSL RAND_bytes failed");
  std::string reference;
  for (unsigned char b : bytes) reference += k_alphabet[b % k_size];
  return reference;
}

bool is_overlap(const std::exception& e) {
  return std::string_view(e.what()).find("overlaps another booked appointment") != std::string_view::npos;
}

}  // namespace

void SqlAppointmentStore::exclusively(const std::function<void()>& work) {
  // BEGIN IMMEDIATE takes SQLite's write lock first: every other writer (the daemon's writer, a
  // `sonoria appointments cancel` in another process) waits until this one commits.
  Transaction transaction(c_);
  work();
  transaction.commit();
}

std::vector<Appointment> SqlAppointmentStore::busy_between(int64_t organization_id, int64_t from, int64_t to) {
  std::vector<Appointment> out;
  Statement s(c_, std::string("SELECT ") + k_appointment_columns +
                      " FROM appointments WHERE organization_id = ? AND status = 'booked' AND starts_at < ? "
                      "AND busy_until > ? ORDER BY starts_at");
  s.bind(1, organization_id).bind(2, to).bind(3, from);
  while (s.step()) out.push_back(read_appointment(s));
  return out;
}

void SqlAppointmentStore::insert(Appointment& a) {
  const std::string now = format_timestamp(now_ms());
  a.created_at = a.updated_at = now;
  // A reference already in use (27^6 ≈ 387 million of them) inserts nothing: draw another. (Not
  // by catching the failure: in PostgreSQL a failed statement ends the transaction it is in.)
  for (int attempt = 0;; ++attempt) {
    a.reference = new_reference();
    try {
      Statement s(c_,
                  "INSERT INTO appointments (organization_id, reference, service, team_member, location, resource, "
                  "starts_at, ends_at, busy_until, customer_name, customer_phone, status, call_sid, created_at, "
                  "updated_at, cancelled_at, cancelled_by, reminder_at, reminder_state, calendar_id, event_id) "
                  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                  "ON CONFLICT (reference) DO NOTHING RETURNING id");
      s.bind(1, a.organization_id).bind(2, a.reference).bind(3, a.service).bind(4, a.team_member);
      s.bind(5, a.location).bind(6, a.resource).bind(7, a.starts_at).bind(8, a.ends_at).bind(9, a.busy_until);
      s.bind(10, a.customer_name).bind(11, a.customer_phone).bind(12, a.status).bind(13, a.call_sid);
      s.bind(14, a.created_at).bind(15, a.updated_at).bind(16, a.cancelled_at).bind(17, a.cancelled_by);
      s.bind(18, a.reminder_at).bind(19, a.reminder_state).bind(20, a.calendar_id).bind(21, a.event_id);
      if (s.step()) {
        a.id = s.int64(0);
        s.run();
        return;
      }
    } catch (const std::exception& e) {
      if (is_overlap(e)) throw SlotTaken(e.what());
      throw;
    }
    if (attempt >= 5) throw UserError("could not draw an unused appointment reference");
  }
}

void SqlAppointmentStore::update(Appointment& a) { write(a, nullptr); }

bool SqlAppointmentStore::update_if_unchanged(Appointment& a, const std::string& updated_at) {
  return write(a, &updated_at);
}

bool SqlAppointmentStore::write(Appointment& a, const std::string* if_updated_at) {
  a.updated_at = format_timestamp(now_ms());
  try {
    Statement s(c_,
                std::string("UPDATE appointments SET team_member = ?, location = ?, resource = ?, starts_at = ?, ends_at = ?, "
                            "busy_until = ?, customer_name = ?, status = ?, call_sid = ?, updated_at = ?, cancelled_at = ?, "
                            "cancelled_by = ?, reminder_at = ?, reminder_state = ?, calendar_id = ?, event_id = ? WHERE id = ?") +
                    (if_updated_at ? " AND updated_at = ?" : ""));
    s.bind(1, a.team_member).bind(2, a.location).bind(3, a.resource).bind(4, a.starts_at).bind(5, a.ends_at);
    s.bind(6, a.busy_until).bind(7, a.customer_name).bind(8, a.status).bind(9, a.call_sid).bind(10, a.updated_at);
    s.bind(11, a.cancelled_at).bind(12, a.cancelled_by).bind(13, a.reminder_at).bind(14, a.reminder_state);
    s.bind(15, a.calendar_id).bind(16, a.event_id).bind(17, a.id);
    if (if_updated_at) s.bind(18, *if_updated_at);
    s.run();
    return c_.changes() == 1;
  } catch (const std::exception& e) {
    if (is_overlap(e)) throw SlotTaken(e.what());
    throw;
  }
}

void SqlAppointmentStore::set_event(int64_t id, const std::string& calendar_id, const std::string& event_id) {
  Statement s(c_, "UPDATE appointments SET calendar_id = ?, event_id = ? WHERE id = ?");
  s.bind(1, calendar_id).bind(2, event_id).bind(3, id);
  s.run();
}

bool SqlAppointmentStore::erase_if_unchanged(int64_t id, const std::string& updated_at) {
  Statement s(c_, "DELETE FROM appointments WHERE id = ? AND updated_at = ?");
  s.bind(1, id).bind(2, updated_at);
  s.run();
  return c_.changes() == 1;
}

std::optional<Appointment> SqlAppointmentStore::find(int64_t organization_id, const std::string& reference) {
  Statement s(c_, std::string("SELECT ") + k_appointment_columns +
                      " FROM appointments WHERE reference = upper(?) AND (? = 0 OR organization_id = ?)");
  s.bind(1, reference).bind(2, organization_id).bind(3, organization_id);
  if (!s.step()) return std::nullopt;
  return read_appointment(s);
}

std::vector<Appointment> SqlAppointmentStore::list(const AppointmentFilter& f) {
  std::vector<Appointment> out;
  Statement s(c_, std::string("SELECT ") + k_appointment_columns +
                      " FROM appointments WHERE (? = 0 OR organization_id = ?) AND (CAST(? AS BIGINT) IS NULL OR starts_at >= ?) "
                      "AND (CAST(? AS BIGINT) IS NULL OR starts_at < ?) AND (? = '' OR status = ?) AND (? = '' OR customer_phone = ?) "
                      "AND (? = '' OR team_member = ?) ORDER BY starts_at, id LIMIT ?");
  s.bind(1, f.organization_id).bind(2, f.organization_id).bind(3, f.from).bind(4, f.from).bind(5, f.to).bind(6, f.to);
  s.bind(7, f.status).bind(8, f.status).bind(9, f.customer_phone).bind(10, f.customer_phone);
  s.bind(11, f.team_member).bind(12, f.team_member).bind(13, static_cast<int64_t>(f.limit));
  while (s.step()) out.push_back(read_appointment(s));
  return out;
}

std::vector<Appointment> SqlAppointmentStore::reminders_due(int64_t now, int limit) {
  std::vector<Appointment> out;
  Statement s(c_, std::string("SELECT ") + k_appointment_columns +
                      " FROM appointments WHERE reminder_state = 'pending' AND reminder_at <= ? AND status = 'booked' "
                      "AND starts_at > ? ORDER BY reminder_at LIMIT ?");
  s.bind(1, now).bind(2, now).bind(3, static_cast<int64_t>(limit));
  while (s.step()) out.push_back(read_appointment(s));
  return out;
}

std::optional<Appointment> SqlAppointmentStore::claim_reminder(int64_t id, int64_t now) {
  Statement s(c_, std::string("UPDATE appointments SET reminder_state = 'sending', updated_at = ? WHERE id = ? "
                              "AND reminder_state = 'pending' AND status = 'booked' AND reminder_at <= ? AND starts_at > ? "
                              "RETURNING ") + k_appointment_columns);
  s.bind(1, format_timestamp(now_ms())).bind(2, id).bind(3, now).bind(4, now);
  if (!s.step()) return std::nullopt;
  auto claimed = read_appointment(s);
  s.run();
  return claimed;
}

std::vector<Appointment> SqlAppointmentStore::reminders_in_flight(const std::string& claimed_before, int limit) {
  std::vector<Appointment> out;
  Statement s(c_, std::string("SELECT ") + k_appointment_columns +
                      " FROM appointments WHERE reminder_state = 'sending' AND updated_at < ? ORDER BY reminder_at LIMIT ?");
  s.bind(1, claimed_before).bind(2, static_cast<int64_t>(limit));
  while (s.step()) out.push_back(read_appointment(s));
  return out;
}

bool SqlAppointmentStore::move_reminder(int64_t id, const std::string& from, const std::string& to) {
  Statement s(c_, "UPDATE appointments SET reminder_state = ?, updated_at = ? WHERE id = ? AND reminder_state = ?");
  s.bind(1, to).bind(2, format_timestamp(now_ms())).bind(3, id).bind(4, from);
  s.run();
  return c_.changes() == 1;
}

}  // namespace sonoria::db
