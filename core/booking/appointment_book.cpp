#include "core/booking/appointment_book.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/booking/when_text.hpp"
#include "core/db/timestamp.hpp"

namespace sonoria::booking {
namespace {

using std::chrono::seconds;

int64_t unix_of(Instant t) { return t.time_since_epoch().count(); }
Instant instant_of(int64_t s) { return Instant{seconds{s}}; }

org::LocalDateTime week_after(const org::LocalDateTime& start) {
  return {std::chrono::year_month_day{std::chrono::sys_days{start.date} + std::chrono::days{7}}, start.minute_of_day};
}

std::vector<Busy> busy_of(const std::vector<db::Appointment>& appointments, int64_t except_id) {
  std::vector<Busy> busy;
  for (const auto& a : appointments)
    if (a.id != except_id) busy.push_back({a.resource, instant_of(a.starts_at), instant_of(a.busy_until)});
  return busy;
}

}  // namespace

std::vector<Busy> AppointmentBook::busy_around(const org::LocalDateTime& first, const org::LocalDateTime& last,
                                               int64_t except_id, const std::vector<Busy>& external) {
  // A day either side covers time zones, overnight openings and the longest buffer.
  const LocalClock clock(profile_.organization.timezone);
  const Instant from = clock.instant_or_after({first.date, 0}) - std::chrono::hours{24};
  const Instant to = clock.instant_or_after({last.date, org::k_minutes_per_day}) + std::chrono::hours{48};
  const auto appointments = store_.busy_between(profile_.id, unix_of(from), unix_of(to));
  auto busy = busy_of(appointments, except_id);
  // An external calendar also shows the book's own appointments (google: their events, perhaps
  // merged with neighbours); those spans are the book's to judge, so they are cut out of what the
  // calendar says, and the appointment being moved does not stand in its own way.
  for (const Busy& e : external) {
    std::vector<Busy> pieces{e};
    for (const auto& a : appointments) {
      if (a.resource != e.resource) continue;
      const Instant own_from = instant_of(a.starts_at);
      const Instant own_to = instant_of(a.ends_at);
      std::vector<Busy> rest;
      for (const Busy& p : pieces) {
        if (own_to <= p.from || p.to <= own_from) {
          rest.push_back(p);
          continue;
        }
        if (p.from < own_from) rest.push_back({p.resource, p.from, own_from});
        if (own_to < p.to) rest.push_back({p.resource, own_to, p.to});
      }
      pieces = std::move(rest);
    }
    busy.insert(busy.end(), pieces.begin(), pieces.end());
  }
  return busy;
}

std::vector<Slot> AppointmentBook::free(const SlotQuery& query, Instant now, const std::vector<Busy>& external) {
  const auto busy = busy_around({query.first_day, 0}, {query.last_day, 0}, 0, external);
  return free_slots(profile_, query, busy, now);
}

AppointmentBook::Offer AppointmentBook::offer(SlotQuery query, Instant now, const std::vector<Busy>& external) {
  Offer offer;
  offer.slots = pick_for_caller(free(query, now, external), k_offered);
  if (!offer.slots.empty()) return offer;
  offer.looked_further = true;
  query.first_day = std::chrono::year_month_day{std::chrono::sys_days{query.last_day} + std::chrono::days{1}};
  query.last_day = std::chrono::year_month_day{std::chrono::sys_days{query.last_day} + std::chrono::days{k_look_ahead_days}};
  query.earliest_minute = 0;
  query.latest_minute = org::k_minutes_per_day;
  offer.slots = pick_for_caller(free(query, now, external), k_offered);
  return offer;
}

// The free starts nearest the one asked for: that day, else the week after; three, in order.
std::vector<Slot> AppointmentBook::alternatives(const std::string& service, const org::LocalDateTime& wanted,
                                                const std::string& team_member, const std::string& location,
                                                Instant now, const std::vector<Busy>& busy) {
  SlotQuery query;
  query.service = service;
  query.first_day = wanted.date;
  query.last_day = std::chrono::year_month_day{std::chrono::sys_days{wanted.date} + std::chrono::days{7}};
  query.team_member = team_member;
  query.location = location;
  auto slots = one_per_start(free_slots(profile_, query, busy, now));
  const auto distance = [&](const Slot& s) {
    const auto d = s.local.date == wanted.date ? std::abs(s.local.minute_of_day - wanted.minute_of_day)
                                               : 100000 + (std::chrono::sys_days{s.local.date} - std::chrono::sys_days{wanted.date}).count();
    return d;
  };
  std::stable_sort(slots.begin(), slots.end(), [&](const Slot& a, const Slot& b) { return distance(a) < distance(b); });
  if (slots.size() > 3) slots.resize(3);
  std::sort(slots.begin(), slots.end(), [](const Slot& a, const Slot& b) { return a.start < b.start; });
  return slots;
}

void AppointmentBook::plan_reminder(db::Appointment& a, Instant now) const {
  a.reminder_at.reset();
  a.reminder_state = "none";
  if (profile_.booking.reminder_hours <= 0) return;
  const int64_t at = a.starts_at - int64_t{profile_.booking.reminder_hours} * 3600;
  // Booked closer than the reminder time: the confirmation just sent is reminder enough.
  if (at <= unix_of(now)) return;
  a.reminder_at = at;
  a.reminder_state = "pending";
}

BookResult AppointmentBook::book(const BookRequest& request, Instant now, const std::vector<Busy>& external) {
  BookResult result;
  store_.exclusively([&] {
    // The week after too: a slot that is taken is answered with alternatives from it.
    const auto busy = busy_around(request.start, week_after(request.start), 0, external);
    const auto slot = free_at(profile_, request.service, request.start, request.team_member, request.location, busy, now);
    if (!slot) {
      result.outcome = Outcome::taken;
      result.alternatives = alternatives(request.service, request.start, request.team_member, request.location, now, busy);
      return;
    }
    db::Appointment a;
    a.organization_id = profile_.id;
    a.service = request.service;
    a.team_member = slot->team_member;
    a.location = slot->location;
    a.resource = slot->resource;
    a.starts_at = unix_of(slot->start);
    a.ends_at = unix_of(slot->end);
    a.busy_until = unix_of(busy_until(profile_, slot->end));
    a.customer_name = request.customer_name;
    a.customer_phone = request.customer_phone;
    a.call_sid = request.call_sid;
    plan_reminder(a, now);
    store_.insert(a);
    result.appointment = a;
  });
  return result;
}

std::vector<db::Appointment> AppointmentBook::upcoming_for(const std::string& phone, Instant now) {
  db::AppointmentFilter filter;
  filter.organization_id = profile_.id;
  filter.customer_phone = phone;
  filter.status = "booked";
  filter.from = unix_of(now);
  filter.limit = 20;
  return store_.list(filter);
}

std::optional<db::Appointment> AppointmentBook::owned(const std::string& reference, const std::string& caller_phone) {
  auto a = store_.find(profile_.id, reference);
  // Someone else's appointment is "not found": a caller learns nothing about other people's.
  if (!a || (!caller_phone.empty() && a->customer_phone != caller_phone)) return std::nullopt;
  return a;
}

namespace {

BookResult not_found(const std::string& reference) {
  BookResult result;
  result.outcome = Outcome::not_found;
  result.message = "There is no appointment " + reference + " booked from this phone number.";
  return result;
}

// Inside the notice period a caller may not cancel or move it; the owner may.
std::optional<BookResult> inside_notice(const org::Profile& profile, const db::Appointment& a,
                                        const std::string& caller_phone, Instant now, std::string_view what) {
  const int hours = profile.booking.cancellation_notice_hours;
  if (caller_phone.empty() || hours <= 0 || a.starts_at - unix_of(now) >= int64_t{hours} * 3600) return std::nullopt;
  BookResult result;
  result.outcome = Outcome::refused;
  result.message = "Appointments cannot be " + std::string(what) + " by phone less than " + std::to_string(hours) +
                   " hours before they start.";
  for (const auto& policy : profile.booking.policies) result.message += " " + policy;
  return result;
}

}  // namespace

std::optional<db::Appointment> AppointmentBook::changeable(const std::string& reference, const std::string& caller_phone,
                                                           Instant now, std::string_view what, BookResult& refusal) {
  auto a = owned(reference, caller_phone);
  if (!a || a->status != "booked") {
    refusal = not_found(reference);
    return std::nullopt;
  }
  if (auto refused = inside_notice(profile_, *a, caller_phone, now, what)) {
    refusal = *refused;
    return std::nullopt;
  }
  return a;
}

BookResult AppointmentBook::reschedule(const std::string& reference, const std::string& caller_phone,
                                       const org::LocalDateTime& start, const std::string& team_member,
                                       const std::string& location, Instant now,
                                       const std::optional<std::string>& call_sid, const std::vector<Busy>& external) {
  BookResult result;
  store_.exclusively([&] {
    auto a = changeable(reference, caller_phone, now, "moved", result);
    if (!a) return;
    const auto busy = busy_around(start, week_after(start), a->id, external);
    // The same person and place if they are free then; else whoever is.
    std::optional<Slot> slot;
    if (team_member.empty() && location.empty())
      slot = free_at(profile_, a->service, start, a->team_member, a->location, busy, now);
    if (!slot) slot = free_at(profile_, a->service, start, team_member, location, busy, now);
    if (!slot) {
      result.outcome = Outcome::taken;
      result.alternatives = alternatives(a->service, start, team_member, location, now, busy);
      return;
    }
    result.before = *a;
    a->team_member = slot->team_member;
    a->location = slot->location;
    a->resource = slot->resource;
    a->starts_at = unix_of(slot->start);
    a->ends_at = unix_of(slot->end);
    a->busy_until = unix_of(busy_until(profile_, slot->end));
    if (call_sid) a->call_sid = call_sid;
    plan_reminder(*a, now);
    store_.update(*a);
    result.appointment = *a;
  });
  return result;
}

BookResult AppointmentBook::cancel(const std::string& reference, const std::string& caller_phone, Instant now) {
  BookResult result;
  store_.exclusively([&] {
    auto a = changeable(reference, caller_phone, now, "cancelled", result);
    if (!a) return;
    a->status = "cancelled";
    a->cancelled_by = caller_phone.empty() ? "owner" : "caller";
    a->cancelled_at = db::format_timestamp(std::chrono::time_point_cast<std::chrono::milliseconds>(now));
    if (a->reminder_state == "pending") a->reminder_state = "none";
    store_.update(*a);
    result.appointment = *a;
  });
  return result;
}

std::string describe_start(const org::Profile& profile, const db::Appointment& appointment) {
  const LocalClock clock(profile.organization.timezone);
  return when_text(clock.local(instant_of(appointment.starts_at)), profile.assistant.language);
}

}  // namespace sonoria::booking
